"""Fixtures of the domain tests: the real weekly form and the figures of the example report."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.forms import Form, load_form

FORMS_DIR = Path(__file__).resolve().parents[2] / "templates" / "forms"
WEEKLY_PATH = FORMS_DIR / "tthc-weekly.yaml"

# The weekly form's fields in form order: the counts, then the text answers.
COUNT_IDS = [
    "carried_over",
    "received_online_full",
    "received_online_partial",
    "received_in_person",
    "received_postal",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "pending_in_time",
    "pending_overdue",
    "withdrawn",
    "digitized",
    "e_results",
]
TEXT_IDS = ["overdue_reasons", "legal", "infrastructure", "resources", "difficulties", "proposals"]
DOMAIN_IDS = COUNT_IDS + TEXT_IDS


@pytest.fixture(scope="session")
def weekly() -> Form:
    return load_form(WEEKLY_PATH)


@pytest.fixture
def phuoc_giang() -> dict[str, int | str]:
    """The week 09/12–14/12/2025 of the Phước Giang example report: 53 carried over, 49 new (all
    online), 53 resolved early, 483 pending in time, 1 withdrawn, 100% digitized."""
    return {
        "carried_over": 53,
        "received_online_full": 49,
        "received_online_partial": 0,
        "received_in_person": 0,
        "received_postal": 0,
        "resolved_early": 53,
        "resolved_on_time": 0,
        "resolved_late": 0,
        "pending_in_time": 483,
        "pending_overdue": 0,
        "withdrawn": 1,
        "digitized": 49,
        "e_results": 53,
        "legal": "UBND xã đã quán triệt, triển khai các văn bản chỉ đạo.",
        "infrastructure": "Một số thiết bị cũ, tốc độ xử lý chậm.",
        "resources": "Bố trí 03 công chức tiếp nhận hồ sơ.",
        "difficulties": "Mưa lũ, mạng internet chập chờn.",
        "proposals": "Đề nghị tỉnh hỗ trợ kinh phí thay thế thiết bị cũ.",
    }

"""Two forms scheduled at once for the supervising tests: a copy of the forms folder where the
monthly Resolution 57 form is scheduled with a calendar of its own (figures of the month, the
report open from the 1st of the next month, due on its 5th), and two provinces' monthly reports of
April 2026 stored in a real SQLite file as the chat stores them."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.chat.access import Identity, identify
from bot.clock import VN_TZ, FakeClock
from bot.domain.forms import WEEKLY_FORM_ID, load_forms
from bot.domain.periods import period_for
from bot.reporting.periods import ensure_period
from bot.services import Services
from bot.settings import PROJECT_ROOT, Settings
from storage import Storage
from storage.models import Period, Person, Role, Submission
from tests.integration.seed import bind, load_units

MONTHLY = "nq57-monthly"
APRIL = "2026-04"
SUP, OTHER, REP, MAI = 7101, 7102, 7103, 7104
SAMPLE = PROJECT_ROOT / "templates" / "samples" / "nq57-monthly-phu-thinh.json"
CALENDAR = """period:
  kind: monthly
  timezone: Asia/Ho_Chi_Minh
  holiday_country: VN
  opens:
    day: 1
    time: "08:00"
  deadline:
    day: 5
    time: "15:00"
"""


def scheduled_forms_dir(folder: Path) -> Path:
    """The shipped forms with the monthly one scheduled on :data:`CALENDAR`."""
    folder.mkdir(parents=True, exist_ok=True)
    source = PROJECT_ROOT / "templates" / "forms"
    (folder / "tthc-weekly.yaml").write_text((source / "tthc-weekly.yaml").read_text(encoding="utf-8"),
                                             encoding="utf-8")
    text = (source / "nq57-monthly.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^scheduled:.*$", "scheduled: true", text)
    text = re.sub(r"(?ms)^period:\n(?:[ #].*\n|\n)*", CALENDAR, text)
    (folder / "nq57-monthly.yaml").write_text(text, encoding="utf-8")
    return folder


def sample_answers() -> dict[str, Any]:
    """Phú Thịnh's April 2026 report (the example): 1.247 of 1.484 dossiers fully online."""
    answers: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))["answers"]
    return answers


def second_answers() -> dict[str, Any]:
    """A second commune's April: 400 of 516 dossiers fully online, 5 of 8 tasks done."""
    answers = sample_answers()
    answers.update({
        "tasks_assigned": 8, "tasks_done": 5, "tasks_done_on_time": 4, "tasks_done_late": 1,
        "tasks_in_progress": 2, "tasks_overdue": 1, "meetings": 1,
        "feedback_received": 4, "feedback_resolved": 3,
        "procedures_total": 414, "procedures_online_full": 45, "procedures_online_partial": 369,
        "procedures_in_person": 0,
        "dossiers_received": 516, "dossiers_resolved": 510, "dossiers_online": 500, "dossiers_online_full": 400,
        "digitized": 300, "digitized_of": 316, "e_results": 480, "e_results_of": 510,
        "data_reuse_pct": "88.5", "budget_allocated": "200", "budget_disbursed": "50",
        "targets": {"coverage_5g": "Không phát sinh", "records_digitized": "100", "satisfaction": "97",
                    "contactless": "85"},
        "tasks": [
            {"name": "Nhiệm vụ tỉnh giao 1", "status": "done", "note": "province"},
            {"name": "Nhiệm vụ tỉnh giao 2", "status": "in_progress", "note": "province"},
            {"name": "Nhiệm vụ tỉnh giao 3", "status": "not_started", "note": "province"},
            {"name": "Nhiệm vụ xã giao 1", "status": "done", "note": "chairman"},
            {"name": "Nhiệm vụ xã giao 2", "status": "done", "note": "chairman"},
        ],
        "dx_procedures_difficulties": "Máy scan hỏng, thiếu máy tính cấu hình cao để số hóa hồ sơ",
    })
    return answers


def elsewhere_answers() -> dict[str, Any]:
    """Province 01's commune: figures no commune of province 19 has (7.777 dossiers)."""
    answers = sample_answers()
    answers.update({"dossiers_received": 7777, "dossiers_resolved": 7777, "dossiers_online": 7777,
                    "dossiers_online_full": 7000})
    return answers


@dataclass
class MonthlyDesk:
    services: Services
    april: Period
    first: str  # the commune of province 19 with the example's report (the reporter's)
    second: str  # another commune of province 19 that reported
    elsewhere: str  # a commune of province 01 that reported
    submissions: dict[str, Submission]

    @property
    def storage(self) -> Storage:
        return self.services.storage

    async def who(self, telegram_id: int) -> Identity:
        return await identify(self.storage, self.services.settings, telegram_id)


@pytest.fixture
def monthly_clock() -> FakeClock:
    """Wednesday 20/05/2026: April's report (due 05/05) is the latest past its deadline."""
    return FakeClock(datetime(2026, 5, 20, 9, 0, tzinfo=VN_TZ))


async def open_monthly_desk(settings: Settings, clock: FakeClock, forms_dir: Path) -> tuple[Storage, MonthlyDesk]:
    storage = await Storage.open(settings.database_path)
    services = Services(settings=settings, clock=clock, forms=load_forms(forms_dir))
    services.attach_storage(storage)
    communes = await load_units(storage)
    others = await load_units(storage, "01")
    now = clock.now()
    await bind(storage, SUP, "Trần Văn Sơn", Role.SUPERVISOR, await storage.units.get("19"), now)
    await bind(storage, OTHER, "Hà Thị Nội", Role.SUPERVISOR, await storage.units.get("01"), now)
    reporter: Person = await bind(storage, REP, "Nguyễn Thị Lan", Role.REPORTER, communes[0], now)
    await bind(storage, MAI, "Lò Thị Mai", Role.REPORTER, communes[1], now)
    form = services.forms[MONTHLY]
    april = await ensure_period(storage, period_for(form.period, APRIL))
    submitted = datetime(2026, 5, 4, 10, 0, tzinfo=VN_TZ)
    stored = {}
    for unit, answers in ((communes[0], sample_answers()), (communes[2], second_answers()),
                          (others[0], elsewhere_answers())):
        stored[unit.code] = await storage.submissions.add_version(april.id, unit.code, answers, {}, reporter.id,
                                                                  submitted, form_version=form.version)
    assert WEEKLY_FORM_ID in services.forms
    return storage, MonthlyDesk(services, april, communes[0].code, communes[2].code, others[0].code, stored)


@pytest.fixture
async def monthly(settings: Settings, monthly_clock: FakeClock, tmp_path: Path) -> AsyncIterator[MonthlyDesk]:
    storage, desk = await open_monthly_desk(settings, monthly_clock, scheduled_forms_dir(tmp_path / "forms"))
    try:
        yield desk
    finally:
        await storage.close()

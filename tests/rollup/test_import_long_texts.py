"""Imports take a text up to its field's limit (issue 15 item 4): a 2,700-character legal section
with its "2.1." and "a)" sub-items is stored as written and prints as paragraphs; one over the
limit is refused with its length, and nothing of the row is stored."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from bot.clock import VN_TZ
from bot.documents.report import ReportUnit, build_context
from bot.domain.periods import period_for
from bot.importing.entry import import_rows, read_rows
from storage import Storage
from tests.integration.seed import load_units
from tests.rollup import scenario as sc

NOW = datetime(2025, 12, 19, 9, 0, tzinfo=VN_TZ)
SENTENCE = "Ủy ban nhân dân xã rà soát, hoàn thiện quy trình nội bộ giải quyết thủ tục hành chính. "
LEGAL = ("2.1. Văn bản ban hành trong tuần: a) Kế hoạch số 15/KH-UBND về chuyển đổi số; "
         "b) Quyết định số 234/QĐ-UBND về quy chế tiếp nhận hồ sơ.\n2.2. Kết quả:\n- " + SENTENCE * 30).strip()


async def test_a_2700_character_section_is_imported_and_one_over_the_limit_refused(tmp_path: Path, form) -> None:
    assert 2700 <= len(LEGAL) <= form.field("legal").text_limit
    storage = await Storage.open(tmp_path / "db.sqlite3")
    try:
        communes = await load_units(storage)
        a, b = communes[0], communes[1]
        path = tmp_path / "reports.json"
        too_long = LEGAL + "\n" + SENTENCE * 10
        path.write_text(json.dumps([
            {"unit": a.code, "period": "2025-W50", "answers": {**sc.steady(3, 1, 12), "legal": LEGAL}},
            {"unit": b.code, "period": "2025-W50", "answers": {**sc.steady(3, 1, 12), "legal": too_long}},
        ], ensure_ascii=False), encoding="utf-8")
        results = await import_rows(storage, form, read_rows(path, form, VN_TZ), now=NOW)
        assert [r.outcome for r in results] == ["added", "error"]
        assert results[1].message.endswith("dài 3.630 ký tự, quá giới hạn 3.500") and len(too_long.strip()) == 3630
        period = await storage.periods.get(form.id, "2025-W50")
        stored = await storage.submissions.latest(period.id, a.code)
        assert stored is not None and stored.answers["legal"] == LEGAL
        assert await storage.submissions.latest(period.id, b.code) is None

        context = build_context(form, stored.answers, unit=ReportUnit(a.code, a.full_name),
                                period=period_for(form.period, "2025-W50"), report_date=NOW.date())
        printed = [line.replace("\u2011", "-") for line in context["legal_lines"][:5]]  # numbers never break
        assert printed == [
            "2.1. Văn bản ban hành trong tuần:", "a) Kế hoạch số 15/KH-UBND về chuyển đổi số;",
            "b) Quyết định số 234/QĐ-UBND về quy chế tiếp nhận hồ sơ.", "2.2. Kết quả:", "- " + SENTENCE.strip() + " "
            + (SENTENCE * 29).strip()]
    finally:
        await storage.close()

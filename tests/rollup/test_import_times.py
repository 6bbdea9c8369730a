"""Imports carry their own times (issue 15, item 6): a row may say when the report was sent
("Ngày gửi" / "submitted_at", DD/MM/YYYY [HH:MM] in Asia/Ho_Chi_Minh) and on time or late follows
it; without it an imported report is neither on time nor late — "nhập thay" in the rollup's
message, .docx and .xlsx — rather than late because the import ran after the deadline."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

from openpyxl import Workbook, load_workbook

from bot.clock import VN_TZ
from bot.documents.rollup_docx import build_docx_context
from bot.documents.rollup_xlsx import MAIN_SHEET, PERIOD, STATE, UNIT_CODE, render_rollup_xlsx
from bot.domain.forms import Form
from bot.domain.rollup import build_rollup, rollup_message
from bot.importing.entry import import_rows, read_rows
from bot.supervising.rollup_service import load_input
from storage import Storage
from tests.integration.seed import load_units
from tests.rollup import scenario as sc
from tests.rollup.test_import_edges import NOW, good

WEEK = "2025-W50"  # due Thursday 18/12/2025 15:00; the import runs on 19/12 (NOW)


async def _codes(storage: Storage) -> list[str]:
    return [u.code for u in await load_units(storage) if u.province_code == sc.PROVINCE][:4]


def _sheet_with_moments(folder: Path, form: Form, rows: list[tuple[str, str | None]]) -> Path:
    """An .xlsx of week 50 with a "Ngày gửi" column: one row (commune, moment sent) each, same answers."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    labels = {f.id: f.label for f in form.fields}
    answers = good(1)
    sheet.append([UNIT_CODE, PERIOD, "Ngày gửi", *(labels[k] for k in answers)])
    for code, moment in rows:
        sheet.append([code, WEEK, moment, *answers.values()])
    path = folder / "rows.xlsx"
    book.save(path)
    return path


async def test_json_rows_with_and_without_the_moment_sent(tmp_path: Path, form) -> None:
    storage = await Storage.open(tmp_path / "db.sqlite3")
    try:
        codes = await _codes(storage)
        rows = [{"unit": codes[0], "period": WEEK, "answers": good(1), "submitted_at": "16/12/2025 09:30"},
                {"unit": codes[1], "period": WEEK, "answers": good(2), "submitted_at": "18/12/2025"},
                {"unit": codes[2], "period": WEEK, "answers": good(3), "submitted_at": "18/12/2025 16:00"},
                {"unit": codes[3], "period": WEEK, "answers": good(4)}]
        path = tmp_path / "rows.json"
        path.write_text(json.dumps(rows), encoding="utf-8")
        assert [r.outcome for r in await import_rows(storage, form, read_rows(path, form, VN_TZ), now=NOW)] == [
            "added"] * 4
        period = await storage.periods.get(form.id, WEEK)
        stored = [await storage.submissions.latest(period.id, code) for code in codes]
        assert [(s.late, s.untimed) for s in stored if s is not None] == [
            (False, False), (False, False), (True, False), (False, True)]
        rollup = build_rollup(await load_input(storage, form, period, sc.PROVINCE))
    finally:
        await storage.close()
    done = rollup.completeness
    assert (done.on_time, done.late, done.untimed, done.reported) == (2, 1, 1, 4)
    assert "(đúng hạn 2, sau hạn 1, nhập thay 1)" in rollup_message(rollup)
    lines = build_docx_context(rollup, date(2025, 12, 19), tz=VN_TZ)["completeness_lines"]
    assert "trong đó đúng hạn 2, sau hạn 1, nhập thay 1;" in lines[0]
    sheet = load_workbook(io.BytesIO(render_rollup_xlsx(rollup, VN_TZ)))[MAIN_SHEET]
    header = [cell.value for cell in sheet[1]]
    states = {row[header.index(UNIT_CODE)]: row[header.index(STATE)] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert [states[code] for code in codes] == ["Đúng hạn", "Đúng hạn", "Sau hạn", "Nhập thay"]


async def test_an_xlsx_column_ngay_gui_gives_the_moment(tmp_path: Path, form) -> None:
    storage = await Storage.open(tmp_path / "db.sqlite3")
    try:
        codes = await _codes(storage)
        path = _sheet_with_moments(tmp_path, form, [(codes[0], "17/12/2025 10:00"), (codes[1], None)])
        assert [r.outcome for r in await import_rows(storage, form, read_rows(path, form, VN_TZ), now=NOW)] == [
            "added", "added"]
        period = await storage.periods.get(form.id, WEEK)
        first = await storage.submissions.latest(period.id, codes[0])
        second = await storage.submissions.latest(period.id, codes[1])
        assert first is not None and second is not None
        assert first.submitted_at.strftime("%d/%m/%Y %H:%M") == "17/12/2025 10:00" and not first.late
        assert second.untimed and not second.late
    finally:
        await storage.close()


async def test_a_bad_ngay_gui_refuses_its_row_in_vietnamese_and_keeps_the_others(tmp_path: Path, form) -> None:
    storage = await Storage.open(tmp_path / "db.sqlite3")
    try:
        codes = await _codes(storage)
        path = _sheet_with_moments(tmp_path, form, [
            (codes[0], "ngày 17 tháng 12"),  # not a moment
            (codes[1], "20/12/2025 10:00"),  # after the import runs
            (codes[2], "01/12/2025"),  # before the week opened
            (codes[3], "17/12/2025")])
        results = await import_rows(storage, form, read_rows(path, form, VN_TZ), now=NOW)
        assert [r.outcome for r in results] == ["error", "error", "error", "added"]
        assert "thời điểm nộp không đúng dạng; Anh/Chị vui lòng ghi như 19/12/2025 09:00" in results[0].message
        assert "thời điểm nộp ở tương lai" in results[1].message
        assert "thời điểm nộp 01/12/2025 ở trước khi kỳ 2025-W50 bắt đầu" in results[2].message
        period = await storage.periods.get(form.id, WEEK)
        assert period is not None
        assert [await storage.submissions.latest(period.id, code) is None for code in codes] == [
            True, True, True, False]
    finally:
        await storage.close()

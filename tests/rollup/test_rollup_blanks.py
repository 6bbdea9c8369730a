"""The rollup of a province mixing blanks and numbers (issue 15, item 3): a total sums only the
communes that reported the figure, a rate is computed over the communes that have both its parts,
and the chat message, the .docx and the .xlsx say how many communes each figure covers
("2/3 xã có số liệu"); a rollup without blanks says nothing of it."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from docx import Document
from openpyxl import load_workbook

from bot.clock import VN_TZ
from bot.documents.rollup_docx import render_rollup_docx
from bot.documents.rollup_xlsx import render_rollup_xlsx
from bot.domain.forms import Form
from bot.domain.rollup import (
    Report,
    Rollup,
    RollupInput,
    RollupPeriod,
    RollupUnit,
    build_rollup,
    rollup_message,
)
from tests.rollup import scenario as sc

PERIOD = RollupPeriod("2025-W50", "Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025)", "Tuần 50/2025",
                      date(2025, 12, 8), date(2025, 12, 14), datetime(2025, 12, 18, 15, 0, tzinfo=VN_TZ))
UNITS = [RollupUnit(f"0{n}", f"Xã {n}", f"Xã Số {n}", "19", "Tỉnh Thái Nguyên") for n in range(1001, 1004)]


def _rollup(form: Form, blanks: bool) -> Rollup:
    weeks = _weeks()
    if blanks:
        weeks[1].update(digitized=None)  # one commune has no digitization figure
        split = weeks[2]["received_online_full"] + weeks[2]["received_online_partial"]
        weeks[2].update(received_online_full=None, received_online_partial=None, received_online=split)
    reports = {unit.code: Report(unit.code, answers, submitted_at=datetime(2025, 12, 15, 9, 0, tzinfo=VN_TZ))
               for unit, answers in zip(UNITS, weeks, strict=True)}
    return build_rollup(RollupInput(form=form, period=PERIOD, scope_name="Tỉnh Thái Nguyên", units=UNITS,
                                    reports=reports, scope_code="19"))


def _weeks() -> list[dict[str, Any]]:
    return [sc.steady(index, 50, 12) for index in range(3)]


def test_sums_cover_only_the_communes_that_reported_the_figure(form: Form) -> None:
    rollup = _rollup(form, blanks=True)
    weeks = _weeks()
    t = rollup.totals
    assert t.counts["digitized"] == weeks[0]["digitized"] + weeks[2]["digitized"]
    assert t.counts["received_online_full"] == weeks[0]["received_online_full"] + weeks[1]["received_online_full"]
    new = [w["received_online_full"] + w["received_online_partial"] + w["received_in_person"] + w["received_postal"]
           for w in weeks]
    assert t.counts["received_new"] == sum(new)  # the third commune's online total counts
    expected = Decimal(weeks[0]["digitized"] + weeks[2]["digitized"]) * 100 / (new[0] + new[2])
    assert t.rates["digitization_rate"] == expected.quantize(Decimal("0.01"))
    assert (t.covered(form, "digitized"), t.covered(form, "share_online_full"), t.covered(form, "received_new")) == (
        2, 2, None)


def test_the_message_and_files_say_how_many_communes_each_figure_covers(form: Form, templates: Path) -> None:
    rollup = _rollup(form, blanks=True)
    text = rollup_message(rollup)
    assert "Tỷ lệ hồ sơ được số hóa" in text and "(2/3 xã có số liệu)" in text
    docx = render_rollup_docx(rollup, date(2025, 12, 19), templates / "bao-cao-tong-hop.docx")
    body = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "Số hóa: 2/3 xã có số liệu" in body and "Trực tuyến toàn trình: 2/3 xã có số liệu" in body
    sheet = load_workbook(io.BytesIO(render_rollup_xlsx(rollup)))["Tổng hợp"]
    rows = {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0]}
    assert rows["Hồ sơ được số hóa"][4] == "2/3 xã có số liệu"
    assert rows["Tổng số hồ sơ tiếp nhận mới"][4] is None


def test_without_blanks_nothing_is_said(form: Form, templates: Path) -> None:
    rollup = _rollup(form, blanks=False)
    assert "xã có số liệu" not in rollup_message(rollup)
    docx = render_rollup_docx(rollup, date(2025, 12, 19), templates / "bao-cao-tong-hop.docx")
    assert "xã có số liệu" not in "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)


def test_the_xlsx_writes_a_blank_as_a_dash_that_imports_back_as_a_blank(form: Form, tmp_path: Path) -> None:
    from bot.importing.entry import check_answers, read_rows

    path = tmp_path / "tong-hop.xlsx"
    path.write_bytes(render_rollup_xlsx(_rollup(form, blanks=True), VN_TZ))
    rows = {row.unit: row for row in read_rows(path, form, VN_TZ)}
    assert rows[UNITS[1].code].answers["digitized"] == "-"
    checked = check_answers(form, rows[UNITS[1].code].answers, None, [])
    assert not checked.errors and "digitized" in checked.answers and checked.answers["digitized"] is None


def test_a_national_rollup_counts_coverage_per_province_too(form: Form) -> None:
    province = _rollup(form, blanks=True)
    data = RollupInput(form=form, period=PERIOD, scope_name="Toàn quốc", units=UNITS,
                       reports={row.unit.code: row.report for row in province.rows if row.report is not None})
    national = build_rollup(data)
    assert national.totals.covered(form, "digitized") == 2
    assert [group.totals.covered(form, "digitized") for group in national.groups] == [2]
    assert national.totals.counts["digitized"] == province.totals.counts["digitized"]


def test_last_period_with_blanks_is_summed_the_same_way(form: Form) -> None:
    """The change from last period compares like with like: last period's blanks are summed over
    the communes that reported each figure, as this period's are (not taken as 0 in a rate)."""
    this_period = _rollup(form, blanks=True)
    previous = RollupPeriod("2025-W49", "Tuần 49/2025 (từ ngày 01/12 đến 07/12/2025)", "Tuần 49/2025",
                            date(2025, 12, 1), date(2025, 12, 7), datetime(2025, 12, 11, 15, 0, tzinfo=VN_TZ))
    data = RollupInput(form=form, period=PERIOD, scope_name="Tỉnh Thái Nguyên", units=UNITS,
                       reports={row.unit.code: row.report for row in this_period.rows if row.report is not None},
                       scope_code="19", previous_period=previous,
                       previous_reports={row.unit.code: dict(row.report.answers)
                                         for row in this_period.rows if row.report is not None})
    rollup = build_rollup(data)
    assert rollup.previous_totals is not None
    assert rollup.previous_totals.counts == rollup.totals.counts
    assert rollup.previous_totals.rates == rollup.totals.rates

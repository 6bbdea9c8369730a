"""The rollup follows the form file's ``rollup:`` section with no code change: a small made-up form
in a temporary folder declares a sum, a rate recomputed from the sums, a spread for a percentage
that cannot be summed, the communes meeting a target, a rate of its own, tasks per status and what
the message, the chart, the .docx and the .xlsx show; its rollup is checked against figures worked
out here by hand. A section naming what the form lacks is refused with every problem named."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from bot.clock import VN_TZ
from bot.documents.rollup_chart import chart_data, render_rollup_chart
from bot.documents.rollup_docx import build_docx_context, figure_lines
from bot.documents.rollup_xlsx import render_rollup_xlsx
from bot.domain.forms import Form, load_form, load_forms
from bot.domain.rollup import (
    Report,
    Rollup,
    RollupInput,
    RollupPeriod,
    RollupUnit,
    build_rollup,
    rollup_message,
)
from bot.domain.rollup_spec import RollupSpecError, rollup_of
from bot.settings import PROJECT_ROOT
from bot.supervising.rollup_service import RollupError, produce
from storage import Storage
from tests.integration.seed import load_units
from tests.rollup.conftest import TEMPLATES
from tests.rollup.generate import ensure_period
from tests.rollup.scenario import percent

FORM = """
id: survey-monthly
version: 1
title: Khảo sát dịch vụ công hằng tháng
fields:
  - {id: asked, label: Số người được hỏi, short_label: Được hỏi, kind: count, min: 0, max: 100000}
  - {id: answered, label: Số người trả lời, short_label: Trả lời, kind: count, min: 0, max: 100000}
  - {id: reuse_pct, label: Tỷ lệ dữ liệu được tái sử dụng (%), kind: count, min: 0, max: 100}
  - {id: note, label: Ghi chú, kind: text, max_length: 500}
rates:
  - {id: answer_rate, label: Tỷ lệ trả lời, numerator: answered, denominator: asked}
rollup:
  figures:
    - {id: asked, how: sum}
    - {id: answered, how: sum}
    - id: unanswered
      how: sum
      label: Số người không trả lời
      short_label: Không trả lời
      value: {sub: [asked, answered]}
    - {id: answer_rate, how: rate}
    - id: silence_rate
      how: rate
      label: Tỷ lệ không trả lời
      numerator: unanswered
      denominator: asked
    - {id: reuse, how: spread, of: reuse_pct, label: Tái sử dụng dữ liệu}
    - {id: reuse_met, how: target, of: reuse_pct, target: {ge: 50}, label: Xã tái sử dụng từ 50% dữ liệu}
    - id: tasks
      how: statuses
      label: Nhiệm vụ tỉnh giao
      where: {note: tỉnh giao}
      statuses: {done: Đã hoàn thành, in_progress: Đang triển khai}
  message:
    - figure: asked
      note: " (không trả lời {unanswered})"
    - figure: answer_rate
    - figure: silence_rate
    - figure: reuse
    - figure: reuse_met
    - figure: tasks
  chart:
    rates:
      - {figure: answer_rate, legend: Tỷ lệ trả lời, words: trả lời, color: "#AA3300", target: 90}
  docx:
    title: Tổng hợp khảo sát dịch vụ công của các xã
    subject: kết quả khảo sát dịch vụ công
    figures:
      - "- Đã hỏi {asked} người, trả lời {answered} ({answer_rate}); không trả lời {unanswered} ({silence_rate})."
      - "- Dữ liệu tái sử dụng: thấp nhất {reuse.lowest}, trung vị {reuse.median}, cao nhất {reuse.highest};
        {reuse_met.met}/{reuse_met.counted} xã đạt từ 50%. Nhiệm vụ tỉnh giao: {tasks}."
    columns: {received_new: asked, on_time_rate: answer_rate, overdue: unanswered}
  xlsx:
    provinces: [asked, unanswered]
"""

ANSWERS = {  # unit → (asked, answered, reuse_pct)
    "00001": (200, 150, 40),
    "00002": (10, 10, 90),
    "00003": (1000, 500, 55),
}
TASKS = [{"name": "Số hóa hồ sơ", "status": "done", "note": "tỉnh giao"},
         {"name": "Tập huấn", "status": "in_progress", "note": "Tỉnh giao"},
         {"name": "Họp", "status": "done", "note": "Chủ tịch UBND xã giao"},
         {"name": "Rà soát", "status": "Chưa rõ", "note": "tỉnh giao"}]


@pytest.fixture
def survey(tmp_path: Path) -> Form:
    path = tmp_path / "survey-monthly.yaml"
    path.write_text(FORM, encoding="utf-8")
    return load_form(path)


def build(form: Form) -> Rollup:
    period = RollupPeriod("2025-W50", "Tuần 50/2025", "Tuần 50/2025", date(2025, 12, 8), date(2025, 12, 14),
                          datetime(2025, 12, 18, 15, tzinfo=VN_TZ))
    units = [RollupUnit(code, f"X{code[-1]}", f"Xã X{code[-1]}", "19", "Tỉnh Thái Nguyên")
             for code in [*ANSWERS, "00004"]]
    reports: dict[str, Report] = {}
    for code, (asked, answered, reuse) in ANSWERS.items():
        answers: dict[str, Any] = {"asked": asked, "answered": answered, "reuse_pct": reuse, "note": "Không"}
        if code == "00001":
            answers["tasks"] = TASKS
        reports[code] = Report(code, answers, submitted_at=datetime(2025, 12, 15, 9, tzinfo=VN_TZ))
    return build_rollup(RollupInput(form, period, "Tỉnh Thái Nguyên", units, reports, scope_code="19"))


def test_sums_rates_spreads_and_targets_follow_the_declaration(survey: Form) -> None:
    rollup = build(survey)
    totals = rollup.totals
    asked = sum(a for a, _, _ in ANSWERS.values())
    answered = sum(b for _, b, _ in ANSWERS.values())
    assert totals.counts["asked"] == asked == 1210 and totals.counts["answered"] == answered == 660
    assert "reuse_pct" not in totals.counts  # a percentage is not summed
    # the rate from the sums (54,55%), not the mean of the communes' rates ((75 + 100 + 50) / 3 = 75%)
    assert totals.rates["answer_rate"] == percent(answered, asked) == Decimal("54.55")
    assert totals.rates["silence_rate"] == percent(asked - answered, asked) == Decimal("45.45")
    spread = totals.spreads["reuse"]
    assert spread is not None
    assert (spread.lowest, spread.median, spread.highest, spread.communes) == (40, 55, 90, 3)
    assert (totals.targets["reuse_met"].met, totals.targets["reuse_met"].counted) == (2, 3)
    # the province's tasks only: two done-or-in-progress rows and one with a status of its own
    assert totals.statuses["tasks"] == {"done": 1, "in_progress": 1, "other": 1}
    row = next(r for r in rollup.rows if r.unit.code == "00001")
    assert row.rates["silence_rate"] == percent(50, 200)


def test_the_message_shows_the_declared_lines(survey: Form) -> None:
    lines = rollup_message(build(survey)).splitlines()
    figures = lines[lines.index("Số liệu của 3 đơn vị đã nộp (tỷ lệ tính trên tổng số):") + 1:][:6]
    assert figures == [
        "• Được hỏi: 1.210 (không trả lời 550)",
        "• Tỷ lệ trả lời: 54,55%",
        "• Tỷ lệ không trả lời: 45,45%",
        "• Tái sử dụng dữ liệu: thấp nhất 40, trung vị 55, cao nhất 90",
        "• Xã tái sử dụng từ 50% dữ liệu: 2/3 đơn vị đạt",
        "• Nhiệm vụ tỉnh giao: Đã hoàn thành 1; Đang triển khai 1; Khác 1",
    ]


def test_the_docx_xlsx_and_chart_show_what_is_declared(survey: Form) -> None:
    rollup = build(survey)
    assert figure_lines(rollup)[:2] == [
        "- Đã hỏi 1.210 người, trả lời 660 (54,55%); không trả lời 550 (45,45%).",
        "- Dữ liệu tái sử dụng: thấp nhất 40, trung vị 55, cao nhất 90; 2/3 xã đạt từ 50%. Nhiệm vụ tỉnh giao: "
        "Đã hoàn thành 1; Đang triển khai 1; Khác 1.",
    ]
    context = build_docx_context(rollup, date(2025, 12, 19), None, VN_TZ)
    assert context["title_line"] == "Tổng hợp khảo sát dịch vụ công của các xã"
    assert context["closing"].startswith("Trên đây là báo cáo tổng hợp kết quả khảo sát dịch vụ công tuần 50/2025")
    first = context["rows"][0]
    assert (first["received_new"], first["on_time_rate"], first["overdue"]) == ("200", "75,00%", "50")
    assert len(context["rows"]) == 3 and context["missing_line"].endswith(": Xã X4.")  # the fourth: no row
    total = context["total"]
    assert (total["received_new"], total["on_time_rate"], total["overdue"]) == ("1.210", "54,55%", "550")

    book = load_workbook(io.BytesIO(render_rollup_xlsx(rollup, VN_TZ)))
    cells = {row[0]: row[1:] for row in book["Tổng hợp"].iter_rows(values_only=True) if row[0]}
    assert cells["Tỷ lệ trả lời"][0] == pytest.approx(0.5455)
    assert cells["Tỷ lệ không trả lời"][0] == pytest.approx(0.4545)
    assert cells["Tái sử dụng dữ liệu"][0] == "40 – 90"
    assert cells["Xã tái sử dụng từ 50% dữ liệu"][0] == "2/3"

    data = chart_data(rollup)
    assert [item.legend for item in data.series] == ["Tỷ lệ trả lời"]
    assert [bar.rates for bar in data.bars] == [(Decimal("75.00"),), (Decimal("100.00"),), (Decimal("50.00"),),
                                                (None,)]
    assert [bar.missing for bar in data.bars] == [False, False, False, True]
    assert data.totals == (Decimal("54.55"),)
    assert render_rollup_chart(rollup).startswith(b"\x89PNG")


def test_a_section_naming_what_the_form_lacks_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(FORM.replace("- figure: silence_rate", "- figure: nothing_here")
                    .replace("{answer_rate});", "{answer_rte});")
                    .replace("- figure: reuse_met", "- figure: note")
                    .replace("{figure: answer_rate, legend", "{figure: asked, legend"), encoding="utf-8")
    with pytest.raises(RollupSpecError) as error:
        rollup_of(load_form(path))
    assert error.value.problems == [
        "message[2]: no figure 'nothing_here'", "message[4]: a text is not a figure ('note')",
        "chart.asked: the chart draws rates only", "docx.figures[0]: no figure 'answer_rte'"]


def test_every_shipped_form_declares_a_sound_rollup() -> None:
    forms = load_forms(PROJECT_ROOT / "templates" / "forms")
    assert forms
    for form in forms.values():
        rollup_of(form)
    weekly = rollup_of(forms["tthc-weekly"])
    assert weekly.message and weekly.chart.rates and weekly.docx.figures and weekly.xlsx.provinces


async def test_a_wrong_section_is_told_in_vietnamese(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(FORM.replace("- figure: silence_rate", "- figure: nothing_here"), encoding="utf-8")
    form = load_form(path)
    storage = await Storage.open(":memory:")
    try:
        await load_units(storage)
        period = await ensure_period(storage, form, "2025-W50")
        with pytest.raises(RollupError, match="phần tổng hợp .* khai báo chưa đúng .*nothing_here"):
            await produce(storage, form, period, "19", templates_dir=TEMPLATES, report_date=date(2025, 12, 19))
    finally:
        await storage.close()

"""The rollup's files for the generated province: the .docx (official layout, every figure of the
table against hand-computed values) and the .xlsx read back with openpyxl; the chart is a PNG."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

import pytest
from docx import Document
from openpyxl import load_workbook

from bot.clock import VN_TZ
from bot.documents.rollup_docx import build_docx_context
from bot.domain.numbers import format_count, format_percent
from bot.domain.rollup import build_rollup
from bot.supervising.rollup_service import RollupFiles, load_input, produce
from storage import Storage
from tests.integration.seed import load_units
from tests.rollup import scenario as sc
from tests.rollup.conftest import TEMPLATES
from tests.rollup.test_domain import hand_rates, hand_totals, new_of, resolved_of


@pytest.fixture
async def files(form) -> AsyncIterator[tuple[sc.Scenario, RollupFiles]]:
    storage = await Storage.open(":memory:")
    communes = await load_units(storage)
    scenario = await sc.build(storage, form, communes)
    result = await produce(storage, form, scenario.periods[sc.WEEK], sc.PROVINCE, templates_dir=TEMPLATES,
                           report_date=date(2025, 12, 19), tz=VN_TZ)
    yield scenario, result
    await storage.close()


def texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def table_with(document, first_header: str):
    return next(t for t in document.tables if t.rows[0].cells[0].text == first_header)


async def test_docx_layout_and_header(files) -> None:
    _, result = files
    document = Document(io.BytesIO(result.docx))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.left_margin.mm) == 30 and round(section.top_margin.mm) == 20
    header = document.tables[0]
    left = header.rows[0].cells[0].text
    assert "UBND TỈNH THÁI NGUYÊN" in left and "SỞ KHOA HỌC VÀ CÔNG NGHỆ" in left
    assert header.rows[1].cells[0].text == "Số:      /BC-SKHCN"
    assert header.rows[1].cells[1].text == "Thái Nguyên, ngày 19 tháng 12 năm 2025"
    body = texts(document)
    assert "BÁO CÁO" in body
    assert "(Tuần 50/2025, từ ngày 08/12 đến 14/12/2025)" in body
    assert "Kính gửi: Ủy ban nhân dân tỉnh Thái Nguyên" in body
    assert not any("{{" in line or "{%" in line for line in body)
    closing = document.tables[-1].rows[0].cells
    assert "Nơi nhận:" in closing[0].text and "KT. GIÁM ĐỐC" in closing[1].text


async def test_docx_completeness_totals_and_rates(files) -> None:
    scenario, result = files
    body = "\n".join(texts(Document(io.BytesIO(result.docx))))
    t = hand_totals(scenario)
    rates = hand_rates(t)
    assert ("- Tổng số xã, phường: 92; đã gửi báo cáo: 82 (89,13%), trong đó đúng hạn 74, sau hạn 8; "
            "chưa gửi: 10.") in body
    assert "- Tình trạng duyệt: đã duyệt 5, trả lại 3, chờ duyệt 74; cán bộ theo dõi nhập thay 1 báo cáo." in body
    missing = ", ".join(u.full_name for u in scenario.missing)
    assert f"- Các đơn vị chưa gửi báo cáo (10): {missing}." in body
    assert (f"- Đã giải quyết {format_count(t['resolved'])} hồ sơ, trong đó trước hạn "
            in body)
    assert f"tỷ lệ giải quyết trước hạn và đúng hạn: {format_percent(rates['on_time_rate'])}." in body
    assert (f"- Tỷ lệ hồ sơ tiếp nhận trực tuyến: {format_percent(rates['online_rate'])} (trực tuyến toàn trình: "
            f"{format_percent(rates['share_online_full'])}).") in body
    assert f"tỷ lệ {format_percent(rates['digitization_rate'])}" in body
    before = hand_totals(scenario, sc.PREVIOUS)
    assert f"- Tiếp nhận mới: {format_count(t['received_new'])} (kỳ trước {format_count(before['received_new'])};" in body


async def test_docx_table_of_the_communes_that_reported(files) -> None:
    """Issue 16, item 11: the communes that did not report are one paragraph naming them, not rows
    of dashes; the table has a row per commune that reported."""
    scenario, result = files
    document = Document(io.BytesIO(result.docx))
    table = table_with(document, "TT")
    rows = table.rows
    assert [c.text for c in rows[0].cells] == ["TT", "Xã, phường", "Tiếp nhận mới", "Đã giải quyết", "Đúng hạn (%)",
                                               "Quá hạn", "Trực tuyến (%)", "Số hóa (%)", "Nộp lúc", "Tình trạng"]
    assert len(rows) == 1 + 82 + 1
    by_name = {row.cells[1].text: [c.text for c in row.cells] for row in rows[1:-1]}
    missing = [unit.full_name for unit in scenario.missing]
    assert not set(missing) & set(by_name) and all(cells[9] != "Chưa nộp" for cells in by_name.values())
    naming = [p.text for p in document.paragraphs if any(name in p.text for name in missing)]
    assert naming == [f"- Các đơn vị chưa gửi báo cáo (10): {', '.join(missing)}."]
    for index, unit in enumerate(scenario.communes):
        answers = scenario.reported.get(unit.code)
        if answers is None:
            continue
        cells = by_name[unit.full_name]
        new, resolved = new_of(answers), resolved_of(answers)
        expected = [
            format_count(new), format_count(resolved),
            format_percent(sc.percent(answers["resolved_early"] + answers["resolved_on_time"], resolved)),
            format_count(answers["resolved_late"] + answers["pending_overdue"]),
            format_percent(sc.percent(answers["received_online_full"] + answers["received_online_partial"], new)),
            format_percent(sc.percent(answers["digitized"], new)),
        ]
        assert cells[2:8] == expected, unit.full_name
        state = cells[9]
        if index in sc.LATE:
            assert state.startswith("Sau hạn")
        elif index in sc.APPROVED:
            assert state == "Đúng hạn\nĐã duyệt"
        elif index in sc.RETURNED:
            assert state == "Đúng hạn\nTrả lại"
    empty = by_name[scenario.unit(sc.EMPTY).full_name]
    assert empty[4] == "—" and empty[6] == "—" and empty[7] == "—"
    t = hand_totals(scenario)
    rates = hand_rates(t)
    total = [c.text for c in rows[-1].cells]
    assert total[1] == "Tổng cộng"
    assert total[2:9] == [format_count(t["received_new"]), format_count(t["resolved"]),
                          format_percent(rates["on_time_rate"]),
                          format_count(t["resolved_late"] + t["pending_overdue"]),
                          format_percent(rates["online_rate"]), format_percent(rates["digitization_rate"]), "82/92"]


async def test_docx_says_why_the_sums_do_not_balance(files) -> None:
    """Issue 16, item 11: received + carried over = resolved + pending + withdrawn for the sums, or
    a sentence naming the communes whose own figures do not balance, with their explanations."""
    scenario, result = files
    body = texts(Document(io.BytesIO(result.docx)))
    t = hand_totals(scenario)
    for ident in ("carried_over", "withdrawn"):
        t[ident] = sum(answers[ident] for answers in scenario.answers[sc.WEEK].values())
    assert t["received_total"] != t["resolved"] + t["pending"] + t["withdrawn"]  # two communes break it
    explained, unexplained = (scenario.unit(i).full_name for i in (sc.BALANCE_EXPLAINED, sc.BALANCE_UNEXPLAINED))
    line = next(p for p in body if p.startswith("- Số liệu tổng hợp chưa cân đối"))
    assert (f"kỳ trước chuyển sang {format_count(t['carried_over'])} + tiếp nhận mới "
            f"{format_count(t['received_new'])} = {format_count(t['received_total'])} hồ sơ") in line
    assert (f"đã giải quyết {format_count(t['resolved'])} + đang giải quyết {format_count(t['pending'])} + rút, "
            f"trả lại {format_count(t['withdrawn'])} hồ sơ") in line
    assert line.endswith(f"chưa cân đối: {explained} (giải trình: 02 hồ sơ rút từ hệ thống cũ trước sáp nhập.); "
                         f"{unexplained} (chưa có giải trình).")


async def test_docx_sums_that_balance_say_so(form) -> None:
    """The sums of communes that each balance balance too, and the .docx says so."""
    storage = await Storage.open(":memory:")
    try:
        communes = await load_units(storage)
        scenario = await sc.build(storage, form, communes)
        data = await load_input(storage, form, scenario.periods[sc.WEEK], sc.PROVINCE)
    finally:
        await storage.close()
    unbalanced = {scenario.unit(i).code for i in (sc.BALANCE_EXPLAINED, sc.BALANCE_UNEXPLAINED)}
    data.reports = {code: report for code, report in data.reports.items() if code not in unbalanced}
    rollup = build_rollup(data)
    body = build_docx_context(rollup, date(2025, 12, 19), tz=VN_TZ)["figure_lines"]
    t = rollup.totals.counts
    assert t["received_total"] == t["resolved"] + t["pending"] + t["withdrawn"]
    assert not any(p.startswith("- Số liệu tổng hợp chưa cân đối") for p in body)
    assert (f"- Số liệu tổng hợp cân đối: kỳ trước chuyển sang {format_count(t['carried_over'])} + tiếp nhận mới "
            f"{format_count(t['received_new'])} = đã giải quyết {format_count(t['resolved'])} + đang giải quyết "
            f"{format_count(t['pending'])} + rút, trả lại {format_count(t['withdrawn'])} = "
            f"{format_count(t['received_total'])} hồ sơ.") in body


async def test_docx_anomalies_and_difficulties(files) -> None:
    scenario, result = files
    body = texts(Document(io.BytesIO(result.docx)))
    explained = scenario.unit(sc.BALANCE_EXPLAINED).full_name
    line = next(p for p in body if p.startswith(f"- {explained} (Số liệu chưa cân đối):"))
    assert line.endswith("Giải trình: 02 hồ sơ rút từ hệ thống cũ trước sáp nhập.")
    unexplained = scenario.unit(sc.BALANCE_UNEXPLAINED).full_name
    assert next(p for p in body if p.startswith(f"- {unexplained} ")).endswith("Chưa có giải trình.")
    assert any(p.startswith(f"- {scenario.unit(sc.CONTINUITY).full_name} (Lệch với kỳ trước):") for p in body)
    assert any(p.startswith(f"- {scenario.unit(sc.OUTLIER).full_name} (Cao bất thường):") for p in body)
    assert any(p.startswith("- Kỹ năng số của người dân: ") and p.endswith("đơn vị.") for p in body)
    raised = [u for u in scenario.communes if u.code in scenario.reported
              and not all(fold_nothing(scenario.reported[u.code][f]) for f in ("difficulties", "proposals"))]
    assert raised and all(f"{u.full_name}:" in body for u in raised)


def fold_nothing(text: str) -> bool:
    from bot.domain.themes import is_nothing

    return is_nothing(text)


async def test_docx_context_is_pre_formatted(files, form) -> None:
    scenario, result = files
    context = build_docx_context(result.rollup, date(2025, 12, 19), tz=VN_TZ)
    assert context["number_suffix"] == "/BC-SKHCN" and context["issuer_name"] == "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
    assert all(isinstance(value, str) for row in context["rows"] for value in row.values())
    late = next(r for r in context["rows"] if r["name"] == scenario.unit(sc.LATE[0]).full_name)
    assert late["when"] == "18:00 18/12"


async def test_xlsx_one_row_per_commune(files, form) -> None:
    scenario, result = files
    book = load_workbook(io.BytesIO(result.xlsx))
    assert book.sheetnames[:2] == ["Theo xã", "Tổng hợp"]
    assert {"Chưa nộp", "Khó khăn, đề xuất", "Theo chủ đề", "Bất thường"} <= set(book.sheetnames)
    sheet = book["Theo xã"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:")
    headers = [c.value for c in sheet[1]]
    column = {name: i for i, name in enumerate(headers)}
    for field in form.fields:
        assert field.label in column
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 92
    for index, unit in enumerate(scenario.communes):
        row = rows[index]
        assert row[column["Mã xã"]] == unit.code and row[column["Kỳ báo cáo"]] == sc.WEEK
        answers = scenario.reported.get(unit.code)
        if answers is None:
            assert row[column["Tình trạng nộp"]] == "Chưa nộp" and row[column[form.fields[0].label]] is None
            continue
        for field in form.count_fields:
                assert row[column[field.label]] == answers.get(field.id), (unit.full_name, field.id)
        new = new_of(answers)
        online = row[column["Tỷ lệ hồ sơ tiếp nhận trực tuyến (%)"]]
        expected = sc.percent(answers["received_online_full"] + answers["received_online_partial"], new)
        if expected is None:
            assert online == "—"
        else:
            assert online == pytest.approx(float(expected) / 100)
        assert row[column["Tổng số hồ sơ tiếp nhận mới"]] == new
        assert row[column["Khó khăn, vướng mắc"]] == answers["difficulties"]
        approval = row[column["Duyệt"]]
        assert approval == ("Đã duyệt" if index in sc.APPROVED else "Trả lại" if index in sc.RETURNED
                            else "Chờ duyệt")
        assert row[column["Nhập thay"]] == ("Có" if index == sc.ON_BEHALF else None)
        assert row[column["Nộp lúc"]] is not None
    first = 2  # the first data row of the sheet
    count_cell = sheet.cell(row=first + sc.LATE[0], column=column[form.count_fields[0].label] + 1)
    assert count_cell.number_format == "#,##0"
    rate_cell = sheet.cell(row=first + sc.LATE[0], column=column["Tỷ lệ hồ sơ tiếp nhận trực tuyến (%)"] + 1)
    assert rate_cell.number_format == "0.00%"
    when = sheet.cell(row=first + sc.LATE[0], column=column["Nộp lúc"] + 1)
    assert when.number_format == "dd/mm/yyyy hh:mm" and when.value.strftime("%d/%m %H:%M") == "18/12 18:00"
    assert rows[sc.BALANCE_EXPLAINED][column["Số bất thường"]] == 1
    assert rows[sc.BALANCE_EXPLAINED][column["Giải trình"]] == "balance: 02 hồ sơ rút từ hệ thống cũ trước sáp nhập."


async def test_xlsx_other_sheets(files) -> None:
    scenario, result = files
    book = load_workbook(io.BytesIO(result.xlsx))
    missing = list(book["Chưa nộp"].iter_rows(min_row=2, values_only=True))
    assert [row[1] for row in missing] == [u.code for u in scenario.missing]
    assert all(row[4] == "(chưa có cán bộ báo cáo)" for row in missing)
    totals = {row[0]: row[1:] for row in book["Tổng hợp"].iter_rows(values_only=True) if row[0]}
    t, before = hand_totals(scenario), hand_totals(scenario, sc.PREVIOUS)
    assert totals["Đã nộp"][0] == 82 and totals["Chưa nộp"][0] == 10
    assert totals["Tổng số hồ sơ tiếp nhận mới"][:3] == (t["received_new"], before["received_new"],
                                                          t["received_new"] - before["received_new"])
    assert totals["Tỷ lệ hồ sơ tiếp nhận trực tuyến"][0] == pytest.approx(float(hand_rates(t)["online_rate"]) / 100)
    texts_sheet = list(book["Khó khăn, đề xuất"].iter_rows(min_row=2, values_only=True))
    assert all(row[6] and not fold_nothing(row[6]) for row in texts_sheet)
    anomalies = list(book["Bất thường"].iter_rows(min_row=2, values_only=True))
    assert {row[1] for row in anomalies} == set(scenario.codes([sc.BALANCE_EXPLAINED, sc.BALANCE_UNEXPLAINED,
                                                                 sc.CONTINUITY, sc.OUTLIER]))


async def test_chart_is_a_png(files) -> None:
    _, result = files
    assert result.chart.startswith(b"\x89PNG\r\n\x1a\n") and len(result.chart) > 10_000
    assert result.chart_name == "bieu-do-2025-W50-tinh-thai-nguyen.png"
    assert result.docx_name == "BC-tong-hop-2025-W50-tinh-thai-nguyen.docx"


def hand_ranking(scenario: sc.Scenario) -> list[tuple[str, Decimal, dict[str, Decimal | None]]]:
    """(name, mean of the rates it has, rates) of each commune that reported, best first, computed
    from its answers alone."""
    ranked = []
    for unit in scenario.communes:
        a = scenario.reported.get(unit.code)
        if a is None:
            continue
        new, resolved = new_of(a), resolved_of(a)
        rates = {"on_time_rate": sc.percent(a["resolved_early"] + a["resolved_on_time"], resolved),
                 "online_rate": sc.percent(a["received_online_full"] + a["received_online_partial"], new),
                 "digitization_rate": sc.percent(a["digitized"], new),
                 "e_result_rate": sc.percent(a["e_results"], resolved)}
        known = [v for v in rates.values() if v is not None]
        if known:
            ranked.append((unit.full_name, (sum(known, Decimal(0)) / len(known)).quantize(Decimal("0.01")), rates))
    return sorted(ranked, key=lambda item: (-item[1], item[0]))


def _place(scores: list[Decimal], score: Decimal) -> int:
    return 1 + sum(1 for other in scores if other > score)


async def test_message_names_the_five_best_and_five_weakest(files) -> None:
    """Issue 16, item 13: the communes ranked on the form's rates, from their own reports."""
    scenario, result = files
    ranked = hand_ranking(scenario)
    scores = [score for _, score, _ in ranked]
    lines = result.message.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("Xếp hạng"))
    assert lines[head] == (f"Xếp hạng {len(ranked)} đơn vị đã nộp theo bình quân các tỷ lệ đúng hạn, trực tuyến, "
                           "số hóa, kết quả điện tử (tính từ số liệu các đơn vị tự báo cáo):")

    def names(items: list[tuple[str, Decimal, dict[str, Decimal | None]]]) -> str:
        return "; ".join(f"{_place(scores, score)}. {name} {format_percent(score)}" for name, score, _ in items)

    assert lines[head + 1] == f"• 5 đơn vị cao nhất: {names(ranked[:5])}."
    assert lines[head + 2] == f"• 5 đơn vị thấp nhất: {names(ranked[-5:])}."
    assert len(ranked) == 81  # 82 reported; the commune without dossiers has no rate


async def test_xlsx_ranks_every_commune_on_each_rate(files) -> None:
    scenario, result = files
    ranked = hand_ranking(scenario)
    scores = [score for _, score, _ in ranked]
    sheet = load_workbook(io.BytesIO(result.xlsx))["Xếp hạng"]
    headers = [c.value for c in sheet[1]]
    assert headers == ["Hạng chung", "Mã xã", "Xã, phường", "Tỉnh, thành phố", "Bình quân các tỷ lệ",
                       "Tỷ lệ hồ sơ giải quyết đúng hạn và trước hạn (%)", "Hạng đúng hạn",
                       "Tỷ lệ hồ sơ tiếp nhận trực tuyến (%)", "Hạng trực tuyến",
                       "Tỷ lệ hồ sơ được số hóa (%)", "Hạng số hóa",
                       "Tỷ lệ kết quả giải quyết cấp bản điện tử (%)", "Hạng kết quả điện tử"]
    rows = [row for row in sheet.iter_rows(min_row=2, max_row=len(ranked) + 1, values_only=True)]
    assert [row[2] for row in rows] == [name for name, _, _ in ranked]
    idents = ["on_time_rate", "online_rate", "digitization_rate", "e_result_rate"]
    for row, (name, score, rates) in zip(rows, ranked, strict=True):
        assert row[0] == _place(scores, score) and row[4] == pytest.approx(float(score) / 100), name
        for index, ident in enumerate(idents):
            value = rates[ident]
            column = [r[ident] for _, _, r in ranked if r[ident] is not None]
            if value is None:
                assert row[5 + 2 * index] == "—" and row[6 + 2 * index] is None, name
            else:
                assert row[5 + 2 * index] == pytest.approx(float(value) / 100), name
                assert row[6 + 2 * index] == 1 + sum(1 for other in column if other > value), name
    note = sheet.cell(row=len(ranked) + 3, column=1).value
    assert note.startswith("Tính từ số liệu các đơn vị tự báo cáo")


async def test_docx_holds_the_chart_of_every_commune(files) -> None:
    """Issue 16, item 10: the chat gets a phone's picture; the chart of every commune is in the
    .docx, under the table and its note, as in the .xlsx."""
    _, result = files
    document = Document(io.BytesIO(result.docx))
    assert len(document.inline_shapes) == 1
    body = texts(document)
    caption = body.index("Biểu đồ: các tỷ lệ chính của từng đơn vị (đường gạch: tỷ lệ tính trên tổng số liệu)")
    assert body[caption - 2].startswith("Ghi chú: tỷ lệ ở dòng Tổng cộng")  # the note, the picture, its caption
    picture = document.paragraphs[caption - 1]
    assert picture._p.xpath(".//pic:pic")  # noqa: SLF001
    shape = document.inline_shapes[0]
    assert shape.height.cm <= 23.01 and shape.width.cm <= 16.01

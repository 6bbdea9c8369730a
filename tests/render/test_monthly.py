"""The monthly Resolution 57 report (form nq57-monthly) rendered through `python -m bot render`
from the answers of a real report (xã Phú Thịnh, April 2026): the checks printed, including the
tasks appendix against section 1.3 (7 «Đã hoàn thành» against 6), and the .docx with the
example's outline, figures, long texts as paragraphs and the two appendices as tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from docx.enum.section import WD_ORIENT

from bot.cli import main
from tests.render.conftest import ROOT
from tests.render.docx_helpers import open_docx

EXAMPLE = ROOT / "templates" / "samples" / "nq57-monthly-phu-thinh.json"
HEADING_STYLE = "Mục báo cáo"

# The example's outline, in order (each heading's start).
OUTLINE = [
    "I. TÌNH HÌNH, KẾT QUẢ THỰC HIỆN NHIỆM VỤ TRỌNG TÂM",
    "1. Về công tác chỉ đạo", "1.1. Kết quả xây dựng", "1.2. Thống kê số cuộc họp", "1.3. Thống kê các nhiệm vụ",
    "1.4. Về tiếp nhận xử lý phản ánh", "1.5. Việc báo cáo Trung ương",
    "2. Về hoàn thiện thể chế", "2.1. Tình hình", "2.2. Nhận xét",
    "3. Về bảo đảm nguồn nhân lực", "3.1. Tình hình", "3.2. Nhận xét",
    "4. Về tài chính", "4.1. Tình hình", "4.2. Nhận xét",
    "5. Về chuyển đổi số", "5.1. Chuyển đổi số trong hệ thống chính trị",
    "5.1.1. Về hạ tầng số dùng chung", "a) Tình hình", "b) Nhận xét",
    "5.1.2. Về dữ liệu, nền tảng số", "a) Tình hình", "b) Nhận xét",
    "5.1.3. Về thủ tục hành chính", "a) Tình hình", "b) Nhận xét",
    "5.2. Về xã hội số", "5.2.1. Tình hình", "5.2.2. Nhận xét",
    "5.3. Về an ninh, an toàn thông tin", "5.3.1. Tình hình", "5.3.2. Nhận xét",
    "6. Về khoa học, công nghệ", "6.1. Tình hình", "6.2. Nhận xét",
    "7. Về nguồn nhân lực và hợp tác quốc tế", "7.1. Tình hình", "7.2. Nhận xét",
    "8. Về công tác phòng, chống lãng phí", "8.1. Tình hình", "8.2. Nhận xét",
    "II. NHẬN XÉT, ĐÁNH GIÁ CHUNG", "III. KIẾN NGHỊ, ĐỀ XUẤT",
    "1. Đối với Bộ Chính trị", "2. Đối với Quốc hội", "3. Đối với Chính phủ", "4. Đối với Đảng ủy Mặt trận",
    "5. Đối với ban, bộ, ngành Trung ương", "6. Đối với Ban Chỉ đạo",
]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary database path (not created) and a working directory without a .env."""
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "data" / "baocao.db"
    monkeypatch.setenv("DATABASE_PATH", str(db))
    return db


def _render(tmp_path: Path, answers: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str, Path]:
    out = tmp_path / "out" / "bc-thang.docx"
    code = main(["render", "--form", "nq57-monthly", "--unit", "5800", "--period", "2026-04",
                 "--answers", str(answers), "--out", str(out), "--date", "2026-04-24"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err, out


@pytest.fixture
def rendered(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[str, Any]:
    code, printed, errors, out = _render(tmp_path, EXAMPLE, capsys)
    assert code == 0, errors
    assert not env.exists()  # an answers file renders without creating a database
    return printed, open_docx(out.read_bytes())


def _body(document: Any) -> list[Any]:
    return [p for p in document.paragraphs if p.text.strip()]


def test_the_checks_printed_catch_the_tasks_appendix_against_section_1_3(rendered: tuple[str, Any]) -> None:
    printed, _ = rendered
    assert "Xã Phú Thịnh (mã 05800), Tháng 4/2026" in printed
    assert "Kiểm tra: 1 quy tắc không đạt" in printed
    assert ("[cảnh báo] tasks_table_matches: Phụ lục nhiệm vụ ghi 7 nhiệm vụ «Đã hoàn thành», nhưng mục 1.3 ghi 6 "
            "nhiệm vụ đã hoàn thành.") in printed
    assert "Bỏ qua" not in printed  # every field of the file is read, tables and decimals included
    assert "BC-thang-2026-04-xa-phu-thinh.docx" in printed


def test_the_report_follows_the_example_outline_in_order(rendered: tuple[str, Any]) -> None:
    _, document = rendered
    headings = [p.text for p in document.paragraphs if p.style.name == HEADING_STYLE and p.text.strip()]
    assert len(headings) == len(OUTLINE)
    for heading, start in zip(headings, OUTLINE, strict=True):
        assert heading.startswith(start), (heading, start)
    texts = [p.text for p in _body(document)]
    assert texts[0] == "BÁO CÁO"
    assert texts[1].startswith("Tiến độ triển khai các nội dung, nhiệm vụ được giao")
    assert texts[1].endswith("trên địa bàn xã Phú Thịnh tháng 4/2026")
    header = document.tables[0]
    assert "XÃ PHÚ THỊNH" in header.cell(0, 0).text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header.cell(0, 1).text
    assert "Độc lập - Tự do - Hạnh phúc" in header.cell(0, 1).text
    assert header.cell(1, 0).text.startswith("Số:") and header.cell(1, 0).text.endswith("/BC-UBND")
    assert header.cell(1, 1).text == "Phú Thịnh, ngày 24 tháng 4 năm 2026"
    closing = document.tables[1]
    assert closing.cell(0, 0).text.startswith("Nơi nhận:")
    assert "CHỦ TỊCH" in closing.cell(0, 1).text
    assert any(t.startswith("Trên đây là báo cáo tiến độ") and t.endswith("tháng 4/2026./.") for t in texts)


def test_the_example_figures_and_rates(rendered: tuple[str, Any]) -> None:
    _, document = rendered
    texts = [p.text for p in _body(document)]
    assert "- Tổng số nhiệm vụ được giao: 12, trong đó:" in texts
    assert any(t.startswith("+ Số nhiệm vụ đã hoàn thành: 6, tỷ lệ 50%, trong đó:") for t in texts)
    assert "+ Số nhiệm vụ đang thực hiện đúng hạn: 6." in texts
    dossiers = next(t for t in texts if t.startswith("+ Tổng số hồ sơ tiếp nhận"))
    assert "số lượng hồ sơ trực tuyến toàn trình: 1.247/1.484, tỷ lệ: 84,03%." in dossiers
    assert "+ Tổng số TTHC: 414; số lượng TTHC trực tuyến toàn trình: 35, một phần: 379, trực tiếp: 0." in texts
    assert "+ Số hóa: 1.410/1.411 hồ sơ, tỷ lệ: 99,93%." in texts
    assert "+ Tái sử dụng dữ liệu: 97,25%." in texts
    assert any("đã được phân bổ: 556 triệu đồng; đã giải ngân: 0 triệu đồng, tỷ lệ giải ngân: 0%" in t for t in texts)
    assert "+ Kế hoạch số 39/KH-UBND ngày 30/01/2026: Về việc triển khai thực hiện Nghị quyết số 57-NQ/TW ngày " \
           "22/12/2024 của Bộ Chính trị năm 2026 trên địa bàn xã Phú Thịnh." in [t.replace("\u2011", "-") for t in texts]


def test_long_texts_keep_their_lines_and_sub_items_as_paragraphs(rendered: tuple[str, Any]) -> None:
    _, document = rendered
    answers = json.loads(EXAMPLE.read_text(encoding="utf-8"))["answers"]
    texts = [p.text for p in _body(document)]
    # every line of a situation text is its own paragraph, "-" and "+" items as written
    for line in answers["dx_infrastructure_situation"].split("\n"):
        assert line in texts
    # an assessment item opening with sub-items: its label alone, then one paragraph per "+"
    at = texts.index("- Tồn tại, hạn chế:")
    shortcomings = answers["security_shortcomings"].split("\n")
    assert texts[at + 1: at + 1 + len(shortcomings)] == shortcomings
    assert all(line.startswith("+ ") for line in shortcomings)
    # an item of one line follows its label; an unanswered one reads "Không."
    assert f"- Ưu điểm: {answers['institutions_strengths']}" in texts
    assert "- Nguyên nhân: Không." in texts
    # III: the addressees without a proposal get the form's default, the others their text
    iii = texts.index("III. KIẾN NGHỊ, ĐỀ XUẤT")
    assert texts[iii + 1: iii + 5] == [
        "1. Đối với Bộ Chính trị, Ban Bí thư", "Không có kiến nghị, đề xuất",
        "2. Đối với Quốc hội", "Không có kiến nghị, đề xuất",
    ]
    assert texts[texts.index("6. Đối với Ban Chỉ đạo") + 1] == answers["proposals_steering"]


def test_the_appendices_are_tables_in_a_landscape_section(rendered: tuple[str, Any]) -> None:
    _, document = rendered
    assert [s.orientation for s in document.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    texts = [p.text for p in _body(document)]
    assert "TÌNH HÌNH THỰC HIỆN CÁC MỤC TIÊU" in texts and "TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ" in texts
    assert "(Kèm theo Báo cáo số /BC-UBND ngày 24/4/2026 của UBND xã Phú Thịnh)" in texts

    targets = [[cell.text for cell in row.cells] for row in document.tables[2].rows]
    assert targets[0] == ["TT", "Chỉ tiêu", "Đơn vị tính", "Mục tiêu", "Kết quả tháng 4/2026"]
    assert len(targets) == 1 + 3 + 15  # the header, three groups, fifteen indicators
    assert [row[:2] for row in targets if row[0] in ("I", "II", "III")] == [
        ["I", "Phát triển hạ tầng"], ["II", "Phát triển nguồn lực"], ["III", "Phát triển chuyển đổi số"],
    ]
    assert targets[2] == ["1.", "Tỷ lệ phủ sóng 5G trên dân số", "%", "≥ 90", "72,5"]
    rows = {row[0]: row for row in targets}
    assert rows["9."][4] == "Không phát sinh thủ tục hành chính thuộc diện “phi tiếp xúc” trong kỳ báo cáo"
    assert rows["10."][3:] == ["≥ 100", "99,9"]
    assert rows["14."][3:] == ["≥ 98", "100"]
    assert rows["15."][3:] == ["≥ 80", "99,67"]

    tasks = [[cell.text for cell in row.cells] for row in document.tables[3].rows]
    assert tasks[0] == ["STT", "Tên nhiệm vụ", "Kết quả tháng 4/2026", "Ghi chú"]
    assert [row[0] for row in tasks[1:]] == [str(n) for n in range(1, 13)]
    assert sum(row[2] == "Đã hoàn thành" for row in tasks) == 7
    assert tasks[7][1:] == ["Số hóa ít nhất 01 di tích trên địa bàn xã", "Chưa thực hiện",
                            "Nhiệm vụ Chủ tịch UBND xã giao"]
    assert tasks[3][2].startswith("Hiện nay, hệ thống phòng họp không giấy")  # a result written as a text
    assert tasks[11][2] == "Đang triển khai"  # typed «Đang triển khai thực hiện»


def test_a_bad_figure_in_the_answers_file_is_refused_in_vietnamese(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["answers"]["data_reuse_pct"] = "khoảng chín mươi"
    data["answers"]["tasks"][0]["color"] = "đỏ"
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    code, _, errors, out = _render(tmp_path, answers, capsys)
    assert code == 2
    assert "«data_reuse_pct» (5.1.3. Tỷ lệ tái sử dụng dữ liệu)" in errors
    assert "«tasks» (Phụ lục. Tình hình thực hiện các nhiệm vụ)" in errors
    assert not out.exists()


def test_the_authoring_script_writes_the_shipped_template_with_only_known_variables(tmp_path: Path) -> None:
    """Every tag of the template names a variable of the monthly context (checked with Jinja's
    strict undefined), for the example and for a report with no answers; the script writes
    what is shipped."""
    import importlib.util
    from datetime import date

    from bot.documents.monthly import build_form_context
    from bot.documents.render import render_report, validate_template
    from bot.documents.report import ReportUnit
    from bot.domain.forms import load_form
    from bot.domain.periods import period_for
    from tests.render.docx_helpers import full_text

    script = ROOT / "templates" / "src" / "make_bao_cao_thang_nq57.py"
    spec = importlib.util.spec_from_file_location("make_bao_cao_thang_nq57", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = module.build(tmp_path / "bao-cao-thang-nq57.docx")

    form = load_form(ROOT / "templates" / "forms" / "nq57-monthly.yaml")
    unit = ReportUnit(code="05800", full_name="Xã Phú Thịnh", province_name="Tỉnh Thái Nguyên")
    common: dict[str, Any] = {"unit": unit, "period": period_for(form.period, "2026-04"),
                              "report_date": date(2026, 4, 24)}
    answers = json.loads(EXAMPLE.read_text(encoding="utf-8"))["answers"]
    contexts = [build_form_context(form, answers, checks=[], **common),
                build_form_context(form, {}, checks=[], **common)]
    validate_template(out.read_bytes(), contexts)
    shipped = ROOT / "templates" / "bao-cao-thang-nq57.docx"
    assert full_text(open_docx(render_report(out.read_bytes(), contexts[0]))) == full_text(
        open_docx(render_report(shipped, contexts[0]))
    )
    empty = open_docx(render_report(shipped, contexts[1]))
    assert "- Trong kỳ báo cáo, chưa ban hành kế hoạch mới." in [p.text for p in empty.paragraphs]
    assert "Chưa có nhiệm vụ nào trong kỳ báo cáo." in [p.text for p in empty.paragraphs]


def test_the_weekly_directive_is_not_printed_in_the_monthly_report(rendered: tuple[str, Any]) -> None:
    _, document = rendered
    texts = [p.text for p in _body(document)]
    assert not any("báo cáo định kỳ hằng tuần" in text for text in texts)
    assert texts[texts.index("Kính gửi: Sở Khoa học và Công nghệ tỉnh Thái Nguyên") + 1].startswith(
        "Ủy ban nhân dân xã Phú Thịnh báo cáo tiến độ triển khai")


def test_document_numbers_in_the_monthly_answers_do_not_break(rendered: tuple[str, Any]) -> None:
    """As in the weekly report: "57-NQ/TW" typed in a text or a table cell keeps its hyphen on one line."""
    _, document = rendered
    texts = [p.text for p in _body(document)]
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert any("Nghị quyết số 57\u2011NQ/TW năm 2026" in text for text in texts)  # plans_assessment, a text
    assert any(text.startswith("+ Kế hoạch số 39/KH\u2011UBND ngày 30/01/2026: Về việc triển khai thực hiện Nghị "
                               "quyết số 57\u2011NQ/TW ngày 22/12/2024") for text in texts)  # a plans table's row
    assert not [text for text in texts + cells if "57-NQ/TW" in text or "KH-UBND" in text]

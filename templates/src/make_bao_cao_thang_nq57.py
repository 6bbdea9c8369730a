"""Writes templates/bao-cao-thang-nq57.docx, the commune's monthly Resolution 57 report template
(docxtpl / Jinja tags), with the outline of a real report (xã Phú Thịnh, Thái Nguyên, April 2026).

The .docx it writes is the template the bot reads for the form nq57-monthly; it is kept in the
repository and may be edited in Word from then on. Run this script again only to start over:

    .venv/bin/python templates/src/make_bao_cao_thang_nq57.py [OUT.docx]

Layout of Nghị định 30/2020/NĐ-CP as the weekly template (make_bao_cao_tuan.py): A4 portrait, the
header table (issuer and number, national motto and date), "BÁO CÁO" and its summary line, I.1 (1.1
to 1.5), 2 to 8 (5.1.1 to 5.3) each with its situation and its assessment items, II, III per
addressee, the closing sentence and the closing table ("Nơi nhận", signer); then a landscape A4
section with the two appendices as tables (targets: indicator, unit, target, the month's result;
tasks: task, result, note), their header rows repeated on each page.

Long texts print one paragraph per line (``<id>_lines``); an assessment item prints its label, the
first line of its text (``<id>_head``) and the other lines as paragraphs (``<id>_rest``). The
variables are documented in bot/documents/monthly.py and bot/documents/report.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_bao_cao_tong_hop as rollup  # noqa: E402  (its table styles and borders)
from docx_authoring import (  # noqa: E402  (the authoring helpers, shared with the other templates)
    COMMUNE_WIDTHS,
    add_row,
    body_para,
    closing_table,
    commune_header,
    heading,
    line_para,
    new_document,
    recipient,
    run,
    save,
    setup_page,
    setup_styles,
    tag,
)

OUT = Path(__file__).resolve().parent.parent / "bao-cao-thang-nq57.docx"


SUBJECT = (
    "Tiến độ triển khai các nội dung, nhiệm vụ được giao tại các Kế hoạch, Chương trình của tỉnh về thực hiện "
    "Nghị quyết số 57-NQ/TW trên địa bàn {{ unit_full_name_lower }} {{ period_noun }} "
    "{{ period_number }}/{{ period_year }}"
)

# The assessment items of every area, in the example's order: (label, suffix of the field id).
ASSESSMENT = (
    ("Ưu điểm", "strengths"),
    ("Tồn tại, hạn chế", "shortcomings"),
    ("Khó khăn, vướng mắc", "difficulties"),
    ("Nguyên nhân", "causes"),
    ("Giải pháp", "solutions"),
)

PROPOSALS = (
    ("1. Đối với Bộ Chính trị, Ban Bí thư", "proposals_politburo"),
    ("2. Đối với Quốc hội", "proposals_national_assembly"),
    ("3. Đối với Chính phủ", "proposals_government"),
    ("4. Đối với Đảng ủy Mặt trận Tổ quốc, các đoàn thể Trung ương", "proposals_front"),
    ("5. Đối với ban, bộ, ngành Trung ương", "proposals_ministries"),
    ("6. Đối với Ban Chỉ đạo", "proposals_steering"),
)

# Appendix tables: (header, cell text, width, left-aligned).
TARGET_COLUMNS = (
    ("TT", "{% if r.is_group %}{{ r.number }}{% endif %}", "{% if not r.is_group %}{{ r.number }}{% endif %}",
     Mm(14), False),
    ("Chỉ tiêu", "{% if r.is_group %}{{ r.label }}{% endif %}", "{% if not r.is_group %}{{ r.label }}{% endif %}",
     Mm(143), True),
    ("Đơn vị tính", "", "{{ r.unit }}", Mm(22), False),
    ("Mục tiêu", "", "{{ r.target }}", Mm(28), False),
    ("Kết quả {{ period_noun }} {{ period_number }}/{{ period_year }}", "", "{{ r.result }}", Mm(50), False),
)
TASK_COLUMNS = (
    ("STT", "", "{{ r.number }}", Mm(14), False),
    ("Tên nhiệm vụ", "", "{{ r.name }}", Mm(133), True),
    ("Kết quả {{ period_noun }} {{ period_number }}/{{ period_year }}", "", "{{ r.status }}", Mm(65), True),
    ("Ghi chú", "", "{{ r.note }}", Mm(45), True),
)


def title(document) -> None:
    line_para(document, "BÁO CÁO", size=14, bold=True, before=18, keep_next=True)
    line_para(document, SUBJECT, size=14, bold=True, keep_next=True)
    recipient(document)


def lines(document, name: str, empty: str | None = "Không.") -> None:
    """The official's text ``name``, one paragraph per line; ``empty`` when there is none."""
    if empty is not None:
        tag(document, f"{{%p if {name}_lines %}}")
    tag(document, f"{{%p for line in {name}_lines %}}")
    body_para(document, "{{ line }}")
    tag(document, "{%p endfor %}")
    if empty is not None:
        tag(document, "{%p else %}")
        body_para(document, empty)
        tag(document, "{%p endif %}")


def item(document, label: str, name: str) -> None:
    """"- Label: first line" then the text's other lines as paragraphs ("Không." when empty)."""
    body_para(
        document,
        f"- {label}:{{% if {name}_head %}} {{{{ {name}_head }}}}{{% elif not {name}_rest %}} Không.{{% endif %}}",
    )
    tag(document, f"{{%p for line in {name}_rest %}}")
    body_para(document, "{{ line }}")
    tag(document, "{%p endfor %}")


def area(document, prefix: str, *, situation: str, assessment: str, figures=None) -> None:
    """One area: its situation heading and text (after its figures), its assessment items."""
    heading(document, situation)
    if figures is not None:
        figures(document)
    lines(document, f"{prefix}_situation")
    heading(document, assessment)
    for label, suffix in ASSESSMENT:
        item(document, label, f"{prefix}_{suffix}")


def direction(document) -> None:
    heading(document, "1. Về công tác chỉ đạo, điều hành và tổ chức thực hiện")
    heading(document, "1.1. Kết quả xây dựng, ban hành, tổ chức thực hiện Kế hoạch thực hiện Nghị quyết số "
                      "57-NQ/TW năm {{ period_year }}")
    tag(document, "{%p if plans_rows %}")
    body_para(document, "- {{ authority_short }} đã ban hành:")
    tag(document, "{%p for p in plans_rows %}")
    body_para(document, "+ Kế hoạch số {{ p.number }}{% if p.date %} ngày {{ p.date }}{% endif %}"
                        "{% if p.summary %}: {{ p.summary }}{% endif %}.")
    tag(document, "{%p endfor %}")
    tag(document, "{%p else %}")
    body_para(document, "- Trong kỳ báo cáo, chưa ban hành kế hoạch mới.")
    tag(document, "{%p endif %}")
    item(document, "Đánh giá Kế hoạch ban hành", "plans_assessment")

    heading(document, "1.2. Thống kê số cuộc họp/Phiên họp của Ban Chỉ đạo/Thường trực Ban Chỉ đạo/lãnh đạo Ban "
                      "Chỉ đạo với Thường trực Tổ Giúp việc và các cơ quan liên quan")
    body_para(document, "Từ đầu năm {{ period_year }} đến hết ngày {{ period_end }}, số cuộc họp của Ban Chỉ đạo, "
                        "Thường trực Ban Chỉ đạo, lãnh đạo Ban Chỉ đạo với Thường trực Tổ Giúp việc và các cơ quan "
                        "liên quan: {{ meetings }}.")

    heading(document, "1.3. Thống kê các nhiệm vụ thực hiện")
    body_para(document, "- Tổng số nhiệm vụ được giao: {{ tasks_assigned }}, trong đó:")
    body_para(document, "+ Số nhiệm vụ đã hoàn thành: {{ tasks_done }}, tỷ lệ {{ tasks_done_rate }}, trong đó: số "
                        "nhiệm vụ hoàn thành đúng hạn: {{ tasks_done_on_time }}, số nhiệm vụ hoàn thành quá hạn: "
                        "{{ tasks_done_late }}.")
    body_para(document, "+ Số nhiệm vụ đang thực hiện đúng hạn: {{ tasks_in_progress }}.")
    body_para(document, "+ Số nhiệm vụ quá hạn chưa hoàn thành: {{ tasks_overdue }}.")
    item(document, "Đánh giá kết quả thực hiện", "tasks_assessment")

    heading(document, "1.4. Về tiếp nhận xử lý phản ánh, kiến nghị, sáng kiến, giải pháp (PAKN, SKGP) về khoa học, "
                      "công nghệ, đổi mới sáng tạo, chuyển đổi số thông qua Hệ thống pakn.nq57.vn và các kênh có "
                      "liên quan")
    body_para(document, "Tổng số PAKN, SKGP đã nhận được: {{ feedback_received }}.")
    body_para(document, "Số PAKN, SKGP đã giải quyết: {{ feedback_resolved }}.")
    body_para(document, "Số PAKN, SKGP tồn đọng/chưa được giải quyết: {{ feedback_pending }}.")
    lines(document, "feedback_note", empty=None)

    heading(document, "1.5. Việc báo cáo Trung ương các tư duy, sáng kiến đột phá và đặt hàng các sản phẩm cần "
                      "thiết cho phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số (KH-CN, ĐMST, "
                      "CĐS) trên Hệ thống pakn.nq57.vn")
    body_para(document, "Trong kỳ báo cáo, số lượng tư duy, sáng kiến đột phá và đặt hàng các sản phẩm của địa "
                        "phương: {{ initiatives_sent }}.")


def finance_figures(document) -> None:
    body_para(document, "- Nhu cầu bổ sung kinh phí năm {{ period_year }}: {{ budget_needed }} triệu đồng; kinh phí "
                        "đã được phân bổ: {{ budget_allocated }} triệu đồng; đã giải ngân: {{ budget_disbursed }} "
                        "triệu đồng, tỷ lệ giải ngân: {{ budget_disbursement_rate }}.")


def procedure_figures(document) -> None:
    body_para(document, "- Việc thực hiện thủ tục hành chính (TTHC) và cung cấp dịch vụ công trực tuyến từ đầu năm "
                        "{{ period_year }} đến hết ngày {{ period_end }}:")
    body_para(document, "+ Tổng số TTHC: {{ procedures_total }}; số lượng TTHC trực tuyến toàn trình: "
                        "{{ procedures_online_full }}, một phần: {{ procedures_online_partial }}, trực tiếp: "
                        "{{ procedures_in_person }}.")
    body_para(document, "+ Tổng số hồ sơ tiếp nhận theo kỳ báo cáo: {{ dossiers_received }}; đã giải quyết: "
                        "{{ dossiers_resolved }}, tỷ lệ: {{ dossiers_resolved_rate }}. Số lượng hồ sơ trực tuyến: "
                        "{{ dossiers_online }}, tỷ lệ: {{ dossiers_online_rate }}; số lượng hồ sơ trực tuyến toàn "
                        "trình: {{ dossiers_online_full }}/{{ dossiers_received }}, tỷ lệ: "
                        "{{ dossiers_online_full_rate }}.")
    body_para(document, "- Việc số hóa, cấp kết quả điện tử và tái sử dụng dữ liệu:")
    body_para(document, "+ Số hóa: {{ digitized }}/{{ digitized_of }} hồ sơ, tỷ lệ: {{ digitization_rate }}.")
    body_para(document, "+ Cấp kết quả điện tử: {{ e_results }}/{{ e_results_of }} hồ sơ, tỷ lệ: "
                        "{{ e_result_rate }}.")
    body_para(document, "+ Tái sử dụng dữ liệu: {{ data_reuse_pct }}%.")


def body(document) -> None:
    # No "Thực hiện …" opening: the report settings' directive is the weekly report's (a setting per
    # form is still to come); the province's letter, when one asks for this report, is typed in Word.
    body_para(document, "Ủy ban nhân dân {{ unit_full_name_lower }} báo cáo tiến độ triển khai các nội dung, nhiệm vụ "
                        "được giao tại các Kế hoạch, Chương trình của tỉnh về thực hiện Nghị quyết số 57-NQ/TW trên "
                        "địa bàn {{ unit_full_name_lower }} {{ period_noun }} {{ period_number }}/{{ period_year }}, "
                        "cụ thể như sau:")

    heading(document, "I. TÌNH HÌNH, KẾT QUẢ THỰC HIỆN NHIỆM VỤ TRỌNG TÂM")
    direction(document)
    situation, assessment = "Tình hình, kết quả thực hiện", "Nhận xét, đánh giá"
    heading(document, "2. Về hoàn thiện thể chế, quy định, quy trình")
    area(document, "institutions", situation=f"2.1. {situation}", assessment=f"2.2. {assessment}")
    heading(document, "3. Về bảo đảm nguồn nhân lực")
    area(document, "human_resources", situation=f"3.1. {situation}", assessment=f"3.2. {assessment}")
    heading(document, "4. Về tài chính, kinh phí cho KHCN, ĐMST, CĐS")
    area(document, "finance", situation=f"4.1. {situation}", assessment=f"4.2. {assessment}",
         figures=finance_figures)
    heading(document, "5. Về chuyển đổi số")
    heading(document, "5.1. Chuyển đổi số trong hệ thống chính trị")
    heading(document, "5.1.1. Về hạ tầng số dùng chung")
    area(document, "dx_infrastructure", situation="a) Tình hình kết quả thực hiện", assessment=f"b) {assessment}")
    heading(document, "5.1.2. Về dữ liệu, nền tảng số")
    area(document, "dx_data", situation="a) Tình hình kết quả thực hiện", assessment=f"b) {assessment}")
    heading(document, "5.1.3. Về thủ tục hành chính và dịch vụ công trực tuyến")
    area(document, "dx_procedures", situation="a) Tình hình kết quả thực hiện", assessment=f"b) {assessment}",
         figures=procedure_figures)
    heading(document, "5.2. Về xã hội số")
    area(document, "digital_society", situation="5.2.1. Tình hình kết quả thực hiện",
         assessment=f"5.2.2. {assessment}")
    heading(document, "5.3. Về an ninh, an toàn thông tin và bảo vệ thông tin bí mật nhà nước")
    area(document, "security", situation="5.3.1. Tình hình kết quả thực hiện", assessment=f"5.3.2. {assessment}")
    heading(document, "6. Về khoa học, công nghệ và đổi mới sáng tạo")
    area(document, "science", situation=f"6.1. {situation}", assessment=f"6.2. {assessment}")
    heading(document, "7. Về nguồn nhân lực và hợp tác quốc tế trong phát triển KH-CN, ĐMST, CĐS")
    area(document, "cooperation", situation=f"7.1. {situation}", assessment=f"7.2. {assessment}")
    heading(document, "8. Về công tác phòng, chống lãng phí")
    area(document, "waste", situation=f"8.1. {situation}", assessment=f"8.2. {assessment}")

    tag(document, "{%p if explanations %}")
    body_para(document, "* Giải trình số liệu:")
    tag(document, "{%p for e in explanations %}")
    body_para(document, "- {{ e.message }} Lý do: {{ e.reason }}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")

    heading(document, "II. NHẬN XÉT, ĐÁNH GIÁ CHUNG")
    lines(document, "general_assessment")
    heading(document, "III. KIẾN NGHỊ, ĐỀ XUẤT")
    for label, name in PROPOSALS:
        heading(document, label)
        lines(document, name, empty="Không có kiến nghị, đề xuất.")

    closing = body_para(document, "Trên đây là báo cáo tiến độ triển khai các nội dung, nhiệm vụ được giao tại các "
                                  "Kế hoạch, Chương trình của tỉnh về thực hiện Nghị quyết số 57-NQ/TW trên địa bàn "
                                  "{{ unit_full_name_lower }} {{ period_noun }} {{ period_number }}/{{ period_year }}./.")
    closing.paragraph_format.keep_with_next = True  # never left behind by the signature block


def landscape_section(document) -> None:
    """A new page in A4 landscape for the appendices, page numbers on each of its pages."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width = Mm(297)
    section.page_height = Mm(210)
    section.top_margin = Mm(20)
    section.bottom_margin = Mm(15)
    section.left_margin = Mm(20)
    section.right_margin = Mm(20)
    section.different_first_page_header_footer = False


def appendix_title(document, subject: str, *, new_page: bool = False) -> None:
    p = line_para(document, "Phụ lục", size=14, bold=True, keep_next=True)
    p.paragraph_format.page_break_before = new_page
    line_para(document, subject, size=14, bold=True, keep_next=True)
    line_para(document, "(Kèm theo Báo cáo số {{ number_suffix }} ngày {{ report_date }} của {{ authority_short }})",
              size=13, italic=True, keep_next=True, after=8)


def grid_table(document, columns, rows: str) -> None:
    """A bordered table: the header row (repeated on each page) and one row per item of
    ``rows`` (``{%tr for r in rows %}``); a cell's first text is bold (a group's heading)."""
    widths = [width for *_, width, _ in columns]
    table = document.add_table(rows=0, cols=len(columns))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    rollup._tight_borders(table)
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(width.twips)))
    header = add_row(table, widths)
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, (label, *_rest) in zip(header.cells, columns, strict=True):
        cell.add_paragraph(style="Bảng tiêu đề").add_run(label)
    opening = add_row(table, widths)
    opening.cells[0].add_paragraph(style="Bảng").add_run(f"{{%tr for r in {rows} %}}")
    for cell in opening.cells[1:]:
        cell.add_paragraph(style="Bảng")
    row = add_row(table, widths)
    for cell, (_, bold_text, text, _, left) in zip(row.cells, columns, strict=True):
        p = cell.add_paragraph(style="Bảng trái" if left else "Bảng")
        if bold_text:
            run(p, bold_text, bold=True)
        run(p, text)
    closing = add_row(table, widths)
    closing.cells[0].add_paragraph(style="Bảng").add_run("{%tr endfor %}")
    for cell in closing.cells[1:]:
        cell.add_paragraph(style="Bảng")


def appendices(document) -> None:
    landscape_section(document)
    appendix_title(document, "TÌNH HÌNH THỰC HIỆN CÁC MỤC TIÊU")
    grid_table(document, TARGET_COLUMNS, "targets_rows")
    appendix_title(document, "TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ", new_page=True)
    tag(document, "{%p if tasks_rows %}")
    grid_table(document, TASK_COLUMNS, "tasks_rows")
    tag(document, "{%p else %}")
    p = body_para(document, "Chưa có nhiệm vụ nào trong kỳ báo cáo.")
    p.paragraph_format.first_line_indent = Cm(0)
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    tag(document, "{%p endif %}")


def build(out: Path = OUT) -> Path:
    document = new_document()
    setup_styles(document)
    rollup.table_styles(document)
    setup_page(document)
    commune_header(document)
    title(document)
    body(document)
    closing_table(document, COMMUNE_WIDTHS)
    appendices(document)
    return save(
        document,
        out,
        title="Báo cáo tháng Nghị quyết 57",
        subject="Tiến độ thực hiện Nghị quyết số 57-NQ/TW",
        comments="Mẫu báo cáo tháng của xã, phường (docxtpl). Biến: xem bot/documents/monthly.py.",
    )


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    print(build(target))

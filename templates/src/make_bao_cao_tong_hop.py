"""Writes templates/bao-cao-tong-hop.docx, the province's rollup of its communes' weekly reports,
issued by the Department of Science and Technology ("Số:      /BC-SKHCN"), as a docxtpl template.

    .venv/bin/python templates/src/make_bao_cao_tong_hop.py [OUT.docx]

The layout is the commune report's (Nghị định 30/2020/NĐ-CP, Phụ lục I): the page, the styles, the
header and closing tables and the page numbers come from docx_authoring.py, shared with
make_bao_cao_tuan.py. The table of every commune is one row repeated with ``{%tr for r in rows %}``; its cells use
paragraph styles ("Bảng", "Bảng trái", "Bảng tiêu đề") instead of direct formatting, so that a row
stays small and a table of 3,321 communes renders in about a second. The variables are documented
in bot/documents/rollup_docx.py (``build_docx_context``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

sys.path.insert(0, str(Path(__file__).resolve().parent))
import docx_authoring as base  # noqa: E402  (the authoring helpers, shared with make_bao_cao_tuan.py)

OUT = Path(__file__).resolve().parent.parent / "bao-cao-tong-hop.docx"
HEADER_LEFT = Mm(72)  # wider than the commune's: "SỞ KHOA HỌC VÀ CÔNG NGHỆ" on one line
HEADER_RIGHT = Mm(88)  # the two make the text width: the tables sit on the margins

# Columns of the table of every commune: (header, variable, width, left-aligned). A figure's
# header is the form file's (rollup.docx.headings, in ``heads``), else the weekly report's.
COLUMNS = (
    ("TT", "stt", Mm(8), False),
    ("{{ col_unit }}", "name", Mm(31), True),
    ("{{ heads.received_new if heads and heads.received_new else 'Tiếp nhận mới' }}", "received_new", Mm(14), False),
    ("{{ heads.resolved if heads and heads.resolved else 'Đã giải quyết' }}", "resolved", Mm(14), False),
    ("{{ heads.on_time_rate if heads and heads.on_time_rate else 'Đúng hạn (%)' }}", "on_time_rate", Mm(15), False),
    ("{{ heads.overdue if heads and heads.overdue else 'Quá hạn' }}", "overdue", Mm(11), False),
    ("{{ heads.online_rate if heads and heads.online_rate else 'Trực tuyến (%)' }}", "online_rate", Mm(15), False),
    ("{{ heads.digitization_rate if heads and heads.digitization_rate else 'Số hóa (%)' }}", "digitization_rate", Mm(14), False),
    ("{{ col_when }}", "when", Mm(17), False),
    ("{{ col_state }}", "state", Mm(21), False),
)


def table_styles(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    for name, align, bold in (
        ("Bảng", WD_ALIGN_PARAGRAPH.CENTER, False),
        ("Bảng trái", WD_ALIGN_PARAGRAPH.LEFT, False),
        ("Bảng tiêu đề", WD_ALIGN_PARAGRAPH.CENTER, True),
    ):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = Pt(10)
        style.font.bold = bold
        pf = style.paragraph_format
        pf.alignment = align
        pf.first_line_indent = Cm(0)
        pf.space_before = Pt(1)
        pf.space_after = Pt(1)
        pf.line_spacing = 1.0
        style.quick_style = True
    caption = styles.add_style("Tên bảng", WD_STYLE_TYPE.PARAGRAPH)
    caption.base_style = normal
    caption.font.bold = True
    caption.font.size = Pt(13)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.first_line_indent = Cm(0)
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_before = Pt(6)


def header_table(document) -> None:
    """The department's header: the superior authority, the department in bold, the number;
    the national motto and the place and date."""
    widths = (HEADER_LEFT, HEADER_RIGHT)
    table = base.borderless_table(document, widths)
    top = base.add_row(table, widths)
    left, right = top.cells
    base.tag(left, "{%p if issuer_parent %}")
    base.line_para(left, "{{ issuer_parent }}", size=12)
    base.tag(left, "{%p endif %}")
    base.line_para(left, "{{ issuer_name }}", size=12, bold=True)
    base.rule(left, left=Mm(24), right=Mm(24), before=3, after=2)
    base.motto(right)
    base.number_and_date(table, widths)


def title(document) -> None:
    base.line_para(document, "BÁO CÁO", size=14, bold=True, before=18, keep_next=True)
    base.line_para(document, "{{ title_line }}", size=14, bold=True, keep_next=True)
    base.line_para(document, "({{ period_line }})", size=14, bold=True, keep_next=True)
    base.recipient(document)


def lines(document, name: str, empty: str | None = "- Không có.") -> None:
    """One body paragraph per item of the list variable ``name``."""
    if empty is not None:
        base.tag(document, f"{{%p if {name} %}}")
    base.tag(document, f"{{%p for line in {name} %}}")
    base.body_para(document, "{{ line }}")
    base.tag(document, "{%p endfor %}")
    if empty is not None:
        base.tag(document, "{%p else %}")
        base.body_para(document, empty)
        base.tag(document, "{%p endif %}")


def _cell_para(cell, text: str, style: str):
    p = cell.add_paragraph(style=style)
    if text:
        p.add_run(text)
    return p


def _tight_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    layout = tbl_pr.find(qn("w:tblLayout"))
    if layout is None:
        layout = OxmlElement("w:tblLayout")
        tbl_pr.append(layout)
    layout.set(qn("w:type"), "fixed")
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(Mm(0.8).twips)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tbl_pr.append(margins)


def communes_table(document) -> None:
    """The table of every commune (or every province): a header row repeated on each page, one
    row per unit with ``{%tr for %}``, and the totals."""
    widths = [width for _, _, width, _ in COLUMNS]
    table = document.add_table(rows=0, cols=len(COLUMNS))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _tight_borders(table)
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(width.twips)))

    header = base.add_row(table, widths)
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    tr_pr.append(repeat)
    for cell, (label, _, _, _) in zip(header.cells, COLUMNS, strict=True):
        _cell_para(cell, label, "Bảng tiêu đề")

    opening = base.add_row(table, widths)
    _cell_para(opening.cells[0], "{%tr for r in rows %}", "Bảng")
    for cell in opening.cells[1:]:
        _cell_para(cell, "", "Bảng")
    row = base.add_row(table, widths)
    for cell, (_, variable, _, left) in zip(row.cells, COLUMNS, strict=True):
        _cell_para(cell, f"{{{{ r.{variable} }}}}", "Bảng trái" if left else "Bảng")
        tc_pr = cell._tc.tcPr
        if tc_pr is not None:  # the repeated row takes its widths from the grid: less XML per commune
            cell._tc.remove(tc_pr)
    closing = base.add_row(table, widths)
    _cell_para(closing.cells[0], "{%tr endfor %}", "Bảng")
    for cell in closing.cells[1:]:
        _cell_para(cell, "", "Bảng")

    totals = base.add_row(table, widths)
    variables = {"stt": "", "name": "Tổng cộng", "when": "{{ total.when }}", "state": "{{ total.state }}"}
    for cell, (_, variable, _, left) in zip(totals.cells, COLUMNS, strict=True):
        text = variables.get(variable, f"{{{{ total.{variable} }}}}")
        _cell_para(cell, text, "Bảng tiêu đề" if not left else "Bảng tiêu đề")


def body(document) -> None:
    base.body_para(document, "{{ intro }}")

    base.heading(document, "1. Tình hình báo cáo của các đơn vị")
    lines(document, "completeness_lines", empty=None)
    base.tag(document, "{%p if missing_line %}")
    base.body_para(document, "{{ missing_line }}")
    base.tag(document, "{%p endif %}")

    base.heading(document, "2. {{ figures_heading or 'Kết quả giải quyết thủ tục hành chính và chuyển đổi số' }}")
    lines(document, "figure_lines", empty="- Chưa có số liệu: chưa đơn vị nào gửi báo cáo.")
    base.tag(document, "{%p if change_lines %}")
    base.body_para(document, "* So với {{ previous_label }}:")
    lines(document, "change_lines", empty=None)
    base.tag(document, "{%p endif %}")
    base.line_para(document, "{{ table_caption }}", size=13, bold=True, style="Tên bảng")
    communes_table(document)
    base.tag(document, "{%p if table_note %}")
    p = base.line_para(document, "{{ table_note }}", size=11, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=3)
    p.paragraph_format.first_line_indent = Cm(0)
    base.tag(document, "{%p endif %}")

    base.heading(document, "3. Số liệu bất thường")
    base.tag(document, "{%p if anomaly_summary %}")
    base.body_para(document, "{{ anomaly_summary }}")
    base.tag(document, "{%p else %}")
    base.body_para(document, "- Không có số liệu bất thường.")
    base.tag(document, "{%p endif %}")
    base.tag(document, "{%p for a in anomalies %}")
    base.body_para(
        document,
        "- {{ a.unit }} ({{ a.label }}): {{ a.message }}"
        "{% if a.explanation %} Giải trình: {{ a.explanation }}{% else %} Chưa có giải trình.{% endif %}",
    )
    base.tag(document, "{%p endfor %}")

    base.heading(document, "4. Khó khăn, vướng mắc và đề xuất, kiến nghị")
    base.heading(document, "4.1. Tổng hợp theo chủ đề")
    base.tag(document, "{%p if themes %}")
    base.tag(document, "{%p for t in themes %}")
    base.body_para(document, "- {{ t.label }}: {{ t.count }}.")
    base.tag(document, "{%p for q in t.quotes %}")
    base.body_para(document, "+ {{ q.unit }}: «{{ q.text }}»")
    base.tag(document, "{%p endfor %}")
    base.tag(document, "{%p if t.more %}")
    base.body_para(document, "+ {{ t.more }}")
    base.tag(document, "{%p endif %}")
    base.tag(document, "{%p endfor %}")
    base.tag(document, "{%p else %}")
    base.body_para(document, "- Các đơn vị không nêu khó khăn, đề xuất.")
    base.tag(document, "{%p endif %}")
    base.heading(document, "4.2. Ý kiến của từng đơn vị")
    base.tag(document, "{%p if raised %}")
    base.tag(document, "{%p for c in raised %}")
    p = base.body_para(document, "")
    base.run(p, "{{ c.unit }}:", italic=True)
    base.tag(document, "{%p for item in c.entries %}")
    base.body_para(document, "- {{ item.label }}: {{ item.text }}")
    base.tag(document, "{%p endfor %}")
    base.tag(document, "{%p endfor %}")
    base.tag(document, "{%p else %}")
    base.body_para(document, "{{ raised_note }}")
    base.tag(document, "{%p endif %}")

    base.body_para(document, "{{ closing }}").paragraph_format.keep_with_next = True  # with the signature


def build(out: Path = OUT) -> Path:
    document = base.new_document()
    base.setup_styles(document)
    table_styles(document)
    base.setup_page(document)
    header_table(document)
    title(document)
    body(document)
    base.closing_table(document, (HEADER_LEFT, HEADER_RIGHT))
    return base.save(
        document,
        out,
        title="Báo cáo tổng hợp",
        subject="Tổng hợp kết quả giải quyết thủ tục hành chính và chuyển đổi số của các xã, phường",
        comments="Mẫu báo cáo tổng hợp của tỉnh (docxtpl). Biến: xem bot/documents/rollup_docx.py.",
    )


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    print(build(target))

"""Writes templates/bao-cao-tuan.docx, the commune's weekly report template (docxtpl / Jinja tags).

The .docx it writes is the template the bot reads; it is kept in the repository and may be edited
in Word from then on (or replaced by an admin in chat). This script only exists because the first
version had to be written without Word: run it again only to start over from this layout.

    .venv/bin/python templates/src/make_bao_cao_tuan.py [OUT.docx]

Layout of Nghị định 30/2020/NĐ-CP, Phụ lục I (see domain.md, "The report file"): A4 portrait,
margins 20/20/30/20 mm, Times New Roman; a borderless two-column header table (issuer and number,
national motto and date); "BÁO CÁO" and its summary line; the body at 14 pt, justified, first-line
indent 1,27 cm, 6 pt after; the closing table ("Nơi nhận", signer); page numbers centred in the top
margin from page 2 on.

Every Jinja tag is written inside a single run; paragraph-level tags use ``{%p … %}`` alone in their
paragraph. The variables are documented in bot/domain/report.py (``build_context``).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

FONT = "Times New Roman"
OUT = Path(__file__).resolve().parent.parent / "bao-cao-tuan.docx"

TABLE_LEFT = Mm(70)
TABLE_RIGHT = Mm(100)
TABLE_INDENT = Mm(-5)
CELL_MARGIN = Mm(1)
NO_INDENT = Cm(0)


# --- low-level helpers ---------------------------------------------------------------------------


def set_fonts(rpr_parent, name: str = FONT) -> None:
    """Set the font for every script (ascii, hAnsi, cs, eastAsia) on a style's or run's rPr."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        fonts.attrib.pop(qn(attr), None)


def set_lang(rpr_parent, lang: str = "vi-VN") -> None:
    rpr = rpr_parent.get_or_add_rPr()
    el = rpr.find(qn("w:lang"))
    if el is None:
        el = OxmlElement("w:lang")
        rpr.append(el)
    el.set(qn("w:val"), lang)
    el.set(qn("w:eastAsia"), lang)


def border(paragraph, side: str = "top", size_eighths: int = 6) -> None:
    """A single line on one side of the paragraph (between its indents): the short rules."""
    ppr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    line = OxmlElement(f"w:{side}")
    line.set(qn("w:val"), "single")
    line.set(qn("w:sz"), str(size_eighths))
    line.set(qn("w:space"), "1")
    line.set(qn("w:color"), "000000")
    bdr.append(line)
    # pBdr must come before spacing/ind/jc in CT_PPr order
    anchor = ppr.find(qn("w:spacing"))
    if anchor is None:
        anchor = ppr.find(qn("w:ind"))
    if anchor is None:
        anchor = ppr.find(qn("w:jc"))
    if anchor is not None:
        anchor.addprevious(bdr)
    else:
        ppr.append(bdr)


def fmt(
    paragraph,
    *,
    align=WD_ALIGN_PARAGRAPH.CENTER,
    before: float = 0,
    after: float = 0,
    first_line=NO_INDENT,
    left=None,
    right=None,
    line: float | None = 1.0,
    keep_next: bool = False,
):
    pf = paragraph.paragraph_format
    pf.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.first_line_indent = first_line
    if left is not None:
        pf.left_indent = left
    if right is not None:
        pf.right_indent = right
    if line is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE if line == 1.0 else WD_LINE_SPACING.MULTIPLE
        if line != 1.0:
            pf.line_spacing = line
    if keep_next:
        pf.keep_with_next = True
    return paragraph


def run(paragraph, text: str, *, size: float | None = None, bold: bool = False, italic: bool = False):
    r = paragraph.add_run(text)
    if size is not None:
        r.font.size = Pt(size)
    if bold:
        r.font.bold = True
    if italic:
        r.font.italic = True
    return r


def line_para(container, text: str, *, size: float, bold=False, italic=False, style=None, **kw):
    """A centred (by default) single-spaced paragraph of one run."""
    p = container.add_paragraph(style=style)
    fmt(p, **kw)
    if text:
        run(p, text, size=size, bold=bold, italic=italic)
    return p


def rule(container, *, left, right, before: float = 0, after: float = 0):
    """An empty, very low paragraph whose top border is a short centred line."""
    p = container.add_paragraph()
    fmt(p, before=before, after=after, left=left, right=right, line=None)
    pf = p.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(2)
    border(p, "top")
    # give the empty paragraph mark a tiny size so it adds no height of its own
    mark = p._p.get_or_add_pPr()
    rpr = OxmlElement("w:rPr")
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), "4")
    rpr.append(sz)
    mark.append(rpr)
    return p


def tag(container, text: str):
    """A paragraph holding only a ``{%p … %}`` tag (docxtpl removes the paragraph)."""
    p = container.add_paragraph()
    run(p, text)
    return p


def borderless_table(document, widths):
    table = document.add_table(rows=0, cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    tbl = table._tbl
    tblPr = tbl.tblPr
    # no borders at all, fixed layout, a small negative indent so the header spans a bit wider
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tblPr.append(borders)
    if tblPr.find(qn("w:tblLayout")) is None:  # table.autofit = False has usually set it
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        tblPr.append(layout)
    ind = OxmlElement("w:tblInd")
    ind.set(qn("w:w"), str(int(TABLE_INDENT.twips)))
    ind.set(qn("w:type"), "dxa")
    tblPr.append(ind)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(CELL_MARGIN.twips)))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tblPr.append(margins)
    width = OxmlElement("w:tblW")
    width.set(qn("w:w"), str(int(sum(w.twips for w in widths))))
    width.set(qn("w:type"), "dxa")
    old = tblPr.find(qn("w:tblW"))
    if old is not None:
        tblPr.remove(old)
    tblPr.append(width)
    # reorder tblPr children in schema order
    order = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
             "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"]
    children = sorted(tblPr, key=lambda el: order.index(el.tag.split("}")[1]) if el.tag.split("}")[1] in order else 99)
    for el in children:
        tblPr.append(el)
    grid = tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(w.twips)))
    return table


def add_row(table, widths):
    row = table.add_row()
    for cell, w in zip(row.cells, widths, strict=True):
        cell.width = w
        # add_row leaves one empty paragraph per cell; remove it, the caller adds its own
        for p in list(cell._tc.findall(qn("w:p"))):
            cell._tc.remove(p)
    return row


def page_number_field(paragraph, size: float = 13) -> None:
    """{PAGE} as a complex field, centred."""

    def r(child):
        rr = OxmlElement("w:r")
        rpr = OxmlElement("w:rPr")
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), str(int(size * 2)))
        rpr.append(sz)
        rr.append(rpr)
        rr.append(child)
        paragraph._p.append(rr)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    r(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    r(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    r(sep)
    t = OxmlElement("w:t")
    t.text = "2"
    r(t)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    r(end)


# --- the document --------------------------------------------------------------------------------


def setup_styles(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    set_fonts(normal.element)
    set_lang(normal.element)
    normal.font.name = FONT
    normal.font.size = Pt(14)
    pf = normal.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.first_line_indent = Cm(1.27)
    pf.space_before = Pt(0)
    pf.space_after = Pt(6)
    pf.line_spacing_rule = WD_LINE_SPACING.MULTIPLE
    pf.line_spacing = 1.15
    pf.widow_control = True

    # the document defaults too, so that nothing (tables, headers) falls back to Calibri/Cambria
    rpr_default = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:val"), "vi-VN")

    heading = styles.add_style("Mục báo cáo", WD_STYLE_TYPE.PARAGRAPH)
    heading.base_style = normal
    heading.next_paragraph_style = normal
    heading.font.bold = True
    heading.paragraph_format.keep_with_next = True
    heading.quick_style = True

    for name in ("Header", "Footer"):
        if name in [s.name for s in styles]:
            st = styles[name]
            set_fonts(st.element)
            st.font.size = Pt(13)
            st.paragraph_format.first_line_indent = Cm(0)
            st.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
            st.paragraph_format.space_after = Pt(0)


def setup_page(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(210)
    section.page_height = Mm(297)
    section.top_margin = Mm(20)
    section.bottom_margin = Mm(20)
    section.left_margin = Mm(30)
    section.right_margin = Mm(20)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    section.different_first_page_header_footer = True
    # page 1: an empty first-page header; from page 2: the page number centred in the top margin
    first = section.first_page_header
    first.is_linked_to_previous = False
    fp = first.paragraphs[0]
    fmt(fp)
    header = section.header
    header.is_linked_to_previous = False
    hp = header.paragraphs[0]
    fmt(hp)
    page_number_field(hp)


def header_table(document) -> None:
    widths = (TABLE_LEFT, TABLE_RIGHT)
    table = borderless_table(document, widths)
    top = add_row(table, widths)
    left, right = top.cells

    tag(left, "{%p for line in issuer_lines %}")
    line_para(left, "{{ line }}", size=13, bold=True)
    tag(left, "{%p endfor %}")
    rule(left, left=Mm(23), right=Mm(23), before=3, after=2)

    line_para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True)
    line_para(right, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True)
    rule(right, left=Mm(22), right=Mm(22), before=3, after=2)

    bottom = add_row(table, widths)
    left, right = bottom.cells
    p = line_para(left, "", size=13, before=4)
    run(p, "Số:      ", size=13)
    run(p, "{{ number_suffix }}", size=13)
    line_para(right, "{{ header_date }}", size=14, italic=True, before=4)


def title(document) -> None:
    line_para(document, "BÁO CÁO", size=14, bold=True, before=18, keep_next=True)
    line_para(document, "Kết quả giải quyết thủ tục hành chính và chuyển đổi số", size=14, bold=True, keep_next=True)
    line_para(
        document,
        "({{ period_noun }} {{ period_number }}/{{ period_year }}, {{ period_range }})",
        size=14,
        bold=True,
        keep_next=True,
    )
    rule(document, left=Mm(60), right=Mm(60), before=4, after=8)
    tag(document, "{%p if recipient %}")
    line_para(document, "Kính gửi: {{ recipient }}", size=14, after=6)
    tag(document, "{%p endif %}")


def body_para(document, text: str):
    """A body paragraph (style Normal: 14 pt, justified, indent 1,27 cm, 6 pt after)."""
    p = document.add_paragraph()
    run(p, text)
    return p


def heading(document, text: str):
    p = document.add_paragraph(style="Mục báo cáo")
    run(p, text)
    return p


def text_section(document, name: str) -> None:
    """The official's text for one section, one paragraph per line; "Không có." when empty."""
    tag(document, f"{{%p if {name}_lines %}}")
    tag(document, f"{{%p for line in {name}_lines %}}")
    body_para(document, "{{ line }}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p else %}")
    body_para(document, "- Không có.")
    tag(document, "{%p endif %}")


def body(document) -> None:
    body_para(
        document,
        "{% if directive %}{{ directive }}; {% endif %}{{ authority_short }} báo cáo kết quả "
        "{{ period_noun }} {{ period_number }}/{{ period_year }} như sau:",
    )

    heading(document, "1. Về pháp lý")
    text_section(document, "legal")

    heading(document, "2. Về hạ tầng kỹ thuật, công nghệ")
    text_section(document, "infrastructure")

    heading(document, "3. Nguồn lực")
    text_section(document, "resources")

    heading(document, "4. Kết quả thực hiện thủ tục hành chính")
    body_para(document, "* Trong {{ period_noun }} ({{ period_range }}):")
    body_para(
        document,
        "- Tổng số hồ sơ tiếp nhận: {{ received_total }} hồ sơ, trong đó kỳ trước chuyển sang "
        "{{ carried_over }} hồ sơ, tiếp nhận mới {{ received_new }} hồ sơ.",
    )
    tag(document, "{%p if has_received_new %}")
    body_para(
        document,
        "- Hồ sơ tiếp nhận mới: trực tuyến toàn trình {{ received_online_full }} hồ sơ, chiếm "
        "{{ share_online_full }}; trực tuyến một phần {{ received_online_partial }} hồ sơ, chiếm "
        "{{ share_online_partial }}; trực tiếp {{ received_in_person }} hồ sơ, chiếm {{ share_in_person }}; "
        "qua dịch vụ bưu chính công ích {{ received_postal }} hồ sơ, chiếm {{ share_postal }}.",
    )
    tag(document, "{%p else %}")
    body_para(document, "- Trong kỳ không tiếp nhận hồ sơ mới.")
    tag(document, "{%p endif %}")
    body_para(
        document,
        "- Đã giải quyết {{ resolved }} hồ sơ, trong đó trước hạn {{ resolved_early }} hồ sơ, "
        "đúng hạn {{ resolved_on_time }} hồ sơ{% if has_resolved_late %}, quá hạn {{ resolved_late }} hồ sơ"
        "{% endif %}.",
    )
    body_para(
        document,
        "- Đang giải quyết {{ pending }} hồ sơ{% if has_pending_overdue %}, trong đó trong hạn "
        "{{ pending_in_time }} hồ sơ, quá hạn {{ pending_overdue }} hồ sơ{% endif %}; "
        "hồ sơ rút, trả lại: {{ withdrawn }} hồ sơ.",
    )
    body_para(
        document,
        "- Hồ sơ được số hóa: {{ digitized }} hồ sơ, tỷ lệ số hóa hồ sơ: {{ digitization_rate }}; "
        "kết quả giải quyết cấp bản điện tử: {{ e_results }} hồ sơ, tỷ lệ: {{ e_result_rate }}.",
    )
    body_para(
        document,
        "- Tỷ lệ hồ sơ tiếp nhận trực tuyến: {{ online_rate }} (trực tuyến toàn trình: "
        "{{ full_online_rate }}); tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn: {{ on_time_rate }}.",
    )
    tag(document, "{%p if has_overdue %}")
    body_para(
        document,
        "- Nguyên nhân, lý do hồ sơ quá hạn: "
        "{% if has_overdue_reasons %}{{ overdue_reasons }}{% else %}chưa nêu.{% endif %}",
    )
    tag(document, "{%p else %}")
    body_para(document, "- Không có hồ sơ quá hạn.")
    tag(document, "{%p endif %}")

    tag(document, "{%p if explanations %}")
    body_para(document, "* Giải trình số liệu:")
    tag(document, "{%p for item in explanations %}")
    body_para(document, "- {{ item.message }} Lý do: {{ item.reason }}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")

    heading(document, "5. Nhận xét, kiến nghị")
    heading(document, "5.1. Khó khăn, vướng mắc")
    text_section(document, "difficulties")
    heading(document, "5.2. Đề xuất, kiến nghị")
    text_section(document, "proposals")

    body_para(
        document,
        "Trên đây là báo cáo kết quả giải quyết thủ tục hành chính và chuyển đổi số {{ period_noun }} "
        "{{ period_range }}, {{ authority_short }} kính báo cáo{% if recipient %} {{ recipient }}{% endif %}./.",
    )


def closing_table(document) -> None:
    widths = (TABLE_LEFT, TABLE_RIGHT)
    table = borderless_table(document, widths)
    row = add_row(table, widths)
    left, right = row.cells
    line_para(left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=6)
    tag(left, "{%p for line in distribution_lines %}")
    line_para(left, "{{ line }}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    tag(left, "{%p endfor %}")

    tag(right, "{%p for line in signer_titles %}")
    line_para(right, "{{ line }}", size=14, bold=True, keep_next=True)
    tag(right, "{%p endfor %}")
    for index in range(4):
        line_para(right, "", size=14, keep_next=True, before=6 if index == 0 else 0)
    line_para(right, "{{ signer_name }}", size=14, bold=True)


def drop_extras(document) -> None:
    """Drop what python-docx's default template carries and a report does not need: its
    thumbnail (it would show python-docx's blank page in file browsers) and the Word 2010
    duplicate of the styles."""
    package_rels = document.part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            package_rels.pop(rid)
    document_rels = document.part.rels
    for rid, rel in list(document_rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            document_rels.pop(rid)


def build(out: Path = OUT) -> Path:
    document = Document()
    drop_extras(document)
    # python-docx's default template starts with one empty paragraph: drop it
    body_el = document.element.body
    for p in body_el.findall(qn("w:p")):
        body_el.remove(p)
    setup_styles(document)
    setup_page(document)
    header_table(document)
    title(document)
    body(document)
    closing_table(document)

    props = document.core_properties
    props.title = "Báo cáo tuần"
    props.subject = "Kết quả giải quyết thủ tục hành chính và chuyển đổi số"
    props.author = "baocao-bot"
    props.last_modified_by = "baocao-bot"
    props.comments = "Mẫu báo cáo tuần của xã, phường (docxtpl). Biến: xem bot/domain/report.py."
    props.keywords = ""
    props.revision = 1
    stamp = datetime(2025, 12, 1, tzinfo=UTC)
    props.created = stamp
    props.modified = stamp
    props.language = "vi-VN"
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    print(build(target))

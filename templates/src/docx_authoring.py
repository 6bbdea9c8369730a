"""Authoring helpers shared by the report templates' scripts (make_bao_cao_tuan.py, the commune's
weekly report; make_bao_cao_tong_hop.py, the province's rollup): the layout of Nghị định
30/2020/NĐ-CP, Phụ lục I — Times New Roman, the page, the styles, borderless header tables, short
rules, ``{%p … %}`` tag paragraphs, page numbers — and the parts both reports share (the motto, the
number and date, the recipient, the closing table, the fixed document properties).
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

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the project: its one keep_numbers_whole
# A document number written in a template ("57-NQ/TW", "30/2020/NĐ-CP"): its hyphen never breaks
# a line (U+2011), as in the settings' and answers' texts the bot fills in.
from bot.domain.text import keep_numbers_whole  # noqa: E402

FONT = "Times New Roman"
TABLE_INDENT = Mm(0)  # header and closing tables start at the left margin (issue 15, item 5)
TEXT_WIDTH = Mm(160)  # A4 less the margins (30 left, 20 right): the tables' width
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
    r = paragraph.add_run(keep_numbers_whole(text))
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
    tiny_mark(p, 4)  # the empty paragraph mark adds no height of its own
    return p


def tiny_mark(p, half_points: int) -> None:
    """The paragraph mark of ``p`` in a tiny font (``half_points``), so an empty paragraph is only
    as high as its exact line spacing."""
    mark = p._p.get_or_add_pPr()
    rpr = OxmlElement("w:rPr")
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(half_points))
    rpr.append(sz)
    mark.append(rpr)


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
    # no borders at all, fixed layout, aligned to the left margin
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


def body_para(document, text: str):
    """A body paragraph (style Normal: 14 pt, justified, indent 1,27 cm, 6 pt after)."""
    p = document.add_paragraph()
    run(p, text)
    return p


def heading(document, text: str):
    p = document.add_paragraph(style="Mục báo cáo")
    run(p, text)
    return p


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


def motto(cell) -> None:
    """The national motto with its short rule: the right cell of the header's top row."""
    line_para(cell, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True)
    line_para(cell, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True)
    rule(cell, left=Mm(22), right=Mm(22), before=3, after=2)


def number_and_date(table, widths) -> None:
    """The header's bottom row: "Số: … {{ number_suffix }}" and the place and date."""
    bottom = add_row(table, widths)
    left, right = bottom.cells
    p = line_para(left, "", size=13, before=4)
    run(p, "Số:      ", size=13)
    run(p, "{{ number_suffix }}", size=13)
    line_para(right, "{{ header_date }}", size=14, italic=True, before=4)


def recipient(document) -> None:
    """The rule under the title, and "Kính gửi: …" when there is a recipient."""
    rule(document, left=Mm(60), right=Mm(60), before=4, after=8)
    tag(document, "{%p if recipient %}")
    line_para(document, "Kính gửi: {{ recipient }}", size=14, after=6)
    tag(document, "{%p endif %}")


COMMUNE_WIDTHS = (Mm(65), Mm(95))  # the commune reports' header and closing tables: issuer | motto (= TEXT_WIDTH)


def commune_header(document, widths=COMMUNE_WIDTHS) -> None:
    """A commune report's header: the issuer lines (a loop over ``issuer_lines``) over a short rule,
    the motto beside them, then the number and date line."""
    table = borderless_table(document, widths)
    top = add_row(table, widths)
    left, right = top.cells
    tag(left, "{%p for line in issuer_lines %}")
    line_para(left, "{{ line }}", size=13, bold=True)
    tag(left, "{%p endfor %}")
    rule(left, left=Mm(23), right=Mm(23), before=3, after=2)
    motto(right)
    number_and_date(table, widths)


def keep_row_whole(row) -> None:
    """A table row never split across pages (w:cantSplit)."""
    tr_pr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    tr_pr.insert(0, cant)


def closing_table(document, widths) -> None:
    """"Nơi nhận" and its lines on the left; the signer's titles, room to sign and name on the right.
    The row never splits across pages and every paragraph in it keeps with the next, so the block
    moves whole to the next page with the paragraph before it (which the caller keeps with it),
    and a last, one-point paragraph after it can never make a page of its own."""
    table = borderless_table(document, widths)
    row = add_row(table, widths)
    keep_row_whole(row)
    left, right = row.cells
    line_para(left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=6,
              keep_next=True)
    tag(left, "{%p for line in distribution_lines %}")
    line_para(left, "{{ line }}", size=11, align=WD_ALIGN_PARAGRAPH.LEFT, keep_next=True)
    tag(left, "{%p endfor %}")

    tag(right, "{%p for line in signer_titles %}")
    line_para(right, "{{ line }}", size=14, bold=True, keep_next=True)
    tag(right, "{%p endfor %}")
    for index in range(4):
        line_para(right, "", size=14, keep_next=True, before=6 if index == 0 else 0)
    line_para(right, "{{ signer_name }}", size=14, bold=True, keep_next=True)
    end_mark(document)


def end_mark(document):
    """The paragraph a document must end with after a table, one point high: it never makes a
    page of its own (which would hold nothing but the page number)."""
    p = document.add_paragraph()
    fmt(p, align=WD_ALIGN_PARAGRAPH.LEFT, line=None)
    pf = p.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(1)
    tiny_mark(p, 2)
    return p


def new_document():
    """python-docx's default document without its extras and its one empty paragraph."""
    document = Document()
    drop_extras(document)
    body_el = document.element.body
    for p in body_el.findall(qn("w:p")):
        body_el.remove(p)
    return document


def save(document, out: Path, *, title: str, subject: str, comments: str) -> Path:
    """Fixed properties (author, a fixed date: the same script writes the same file) and save."""
    props = document.core_properties
    props.title = title
    props.subject = subject
    props.author = "baocao-bot"
    props.last_modified_by = "baocao-bot"
    props.comments = comments
    props.keywords = ""
    props.revision = 1
    stamp = datetime(2025, 12, 1, tzinfo=UTC)
    props.created = stamp
    props.modified = stamp
    props.language = "vi-VN"
    out.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out))
    return out

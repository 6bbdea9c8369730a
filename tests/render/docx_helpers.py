"""Reading produced .docx files in tests: effective run and paragraph formatting (direct, then
the paragraph style and its bases, then the document defaults), texts, borders, fields."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from docx.text.run import Run

FONT = "Times New Roman"


def open_docx(data: bytes) -> Any:
    return Document(io.BytesIO(data))


def with_tag(template: bytes, tag: str, marker: str) -> bytes:
    """``template`` with ``tag`` typed into the paragraph holding ``marker``, as an admin would in Word."""
    document = open_docx(template)
    paragraph = next(p for p in document.paragraphs if marker in p.text)
    paragraph.runs[0].text = paragraph.text.replace(marker, f"{tag}{marker}")
    for run in paragraph.runs[1:]:
        run.text = ""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _styles(paragraph: Paragraph) -> Iterator[Any]:
    style = paragraph.style
    while style is not None:
        yield style
        style = style.base_style


def run_size(run: Run, paragraph: Paragraph) -> float | None:
    if run.font.size is not None:
        return run.font.size.pt
    for style in _styles(paragraph):
        if style.font.size is not None:
            return style.font.size.pt
    return None


def run_bold(run: Run, paragraph: Paragraph) -> bool:
    if run.font.bold is not None:
        return run.font.bold
    return any(style.font.bold for style in _styles(paragraph))


def run_italic(run: Run, paragraph: Paragraph) -> bool:
    if run.font.italic is not None:
        return run.font.italic
    return any(style.font.italic for style in _styles(paragraph))


def run_font(document: Any, run: Run, paragraph: Paragraph) -> str | None:
    if run.font.name is not None:
        return run.font.name
    for style in _styles(paragraph):
        if style.font.name is not None:
            return style.font.name
    defaults = document.styles.element.find(qn("w:docDefaults"))
    fonts = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(qn("w:ascii"))


def para_format(paragraph: Paragraph, name: str) -> Any:
    """A paragraph format property (alignment, first_line_indent, space_after, …), direct or from
    the paragraph's style chain."""
    value = getattr(paragraph.paragraph_format, name)
    if value is not None:
        return value
    for style in _styles(paragraph):
        value = getattr(style.paragraph_format, name)
        if value is not None:
            return value
    return None


def text_runs(paragraph: Paragraph) -> list[Run]:
    return [run for run in paragraph.runs if run.text.strip()]


def has_border(paragraph: Paragraph, side: str) -> bool:
    ppr = paragraph._p.pPr
    if ppr is None:
        return False
    bdr = ppr.find(qn("w:pBdr"))
    return bdr is not None and bdr.find(qn(f"w:{side}")) is not None and \
        bdr.find(qn(f"w:{side}")).get(qn("w:val")) not in (None, "nil", "none")


def cell_paragraphs(cell: Any) -> list[Paragraph]:
    return list(cell.paragraphs)


def body_texts(document: Any) -> list[str]:
    return [p.text for p in document.paragraphs]


def full_text(document: Any) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                parts.extend(p.text for p in cell.paragraphs)
    return "\n".join(parts)


def paragraph_containing(document: Any, needle: str) -> Paragraph:
    found = [p for p in document.paragraphs if needle in p.text]
    assert found, f"no paragraph contains {needle!r}"
    return found[0]


def field_codes(part_element: Any) -> list[str]:
    """Field instructions (complex and simple fields) in a part's XML."""
    codes = [el.text or "" for el in part_element.iter(qn("w:instrText"))]
    codes += [el.get(qn("w:instr")) or "" for el in part_element.iter(qn("w:fldSimple"))]
    return [code.strip() for code in codes]

"""The chart of every commune (or province) put into the rollup's .docx, under the table of the
communes (and its note), with a caption: the chat gets a phone's picture instead. Done on the
rendered document (python-docx), as the template's variables are plain strings rendered in a
worker process; a document without such a table (an uploaded template) is left as it is."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm
from PIL import Image

from bot.chat.catalogue import say

MAX_WIDTH_CM = 16.0
MAX_HEIGHT_CM = 23.0


def with_chart(docx: bytes, chart: bytes) -> bytes:
    """``docx`` with ``chart`` (PNG) under its largest table, scaled to fit a page."""
    document = Document(io.BytesIO(docx))
    tables = [table for table in document.tables if len(table.rows) >= 3]
    if not tables or not chart:
        return docx
    table = max(tables, key=lambda item: len(item.rows))
    anchor = table._tbl  # noqa: SLF001 - python-docx exposes no way to insert after a table
    following = anchor.getnext()
    if following is not None and following.tag.endswith("}p") and "".join(following.itertext()).strip():
        anchor = following  # the note under the table
    width_px, height_px = Image.open(io.BytesIO(chart)).size
    width = min(MAX_WIDTH_CM, MAX_HEIGHT_CM * width_px / height_px)
    picture = document.add_paragraph()
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.add_run().add_picture(io.BytesIO(chart), width=Cm(width))
    caption = document.add_paragraph(say("rollup_phone.docx_chart_caption"))
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in caption.runs:
        run.italic = True
    anchor.addnext(picture._p)  # noqa: SLF001
    picture._p.addnext(caption._p)  # noqa: SLF001
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


__all__ = ["with_chart"]

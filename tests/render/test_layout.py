"""The report file's layout (Nghị định 30/2020/NĐ-CP as domain.md sets it out), read back with
python-docx from a rendered report."""

from __future__ import annotations

from typing import Any

import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from tests.render.docx_helpers import (
    FONT,
    field_codes,
    has_border,
    open_docx,
    para_format,
    paragraph_containing,
    run_bold,
    run_font,
    run_italic,
    run_size,
    text_runs,
)


@pytest.fixture(scope="module")
def doc(sample_docx: bytes) -> Any:
    return open_docx(sample_docx)


def _mm(length: Any) -> float:
    return round(length / Mm(1), 1)


def test_page_is_a4_portrait_with_official_margins(doc: Any) -> None:
    (section,) = doc.sections
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert (_mm(section.page_width), _mm(section.page_height)) == (210.0, 297.0)
    assert _mm(section.top_margin) == 20.0
    assert _mm(section.bottom_margin) == 20.0
    assert _mm(section.left_margin) == 30.0
    assert 15.0 <= _mm(section.right_margin) <= 20.0


def test_every_run_is_times_new_roman(doc: Any) -> None:
    paragraphs = list(doc.paragraphs)
    for table in doc.tables:
        for cell in table._cells:
            paragraphs.extend(cell.paragraphs)
    checked = 0
    for paragraph in paragraphs:
        for run in text_runs(paragraph):
            assert run_font(doc, run, paragraph) == FONT, (paragraph.text, run.text)
            checked += 1
    assert checked > 40
    fonts = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    assert {fonts.get(qn(a)) for a in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia")} == {FONT}


def test_body_is_14pt_justified_indented_with_6pt_after(doc: Any) -> None:
    paragraph = paragraph_containing(doc, "Tổng số hồ sơ tiếp nhận")
    assert para_format(paragraph, "alignment") == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert para_format(paragraph, "first_line_indent") == Cm(1.27)
    assert para_format(paragraph, "space_after") == Pt(6)
    spacing = para_format(paragraph, "line_spacing")
    assert spacing is None or 1.0 <= spacing <= 1.5
    assert {run_size(run, paragraph) for run in text_runs(paragraph)} == {14.0}
    assert not any(run_bold(run, paragraph) for run in text_runs(paragraph))


def test_section_headings_are_bold(doc: Any) -> None:
    for heading in (
        "1. Về pháp lý",
        "2. Về hạ tầng kỹ thuật, công nghệ",
        "3. Nguồn lực",
        "4. Kết quả thực hiện thủ tục hành chính",
        "5. Nhận xét, kiến nghị",
    ):
        paragraph = next(p for p in doc.paragraphs if p.text.strip() == heading)
        assert all(run_bold(run, paragraph) for run in text_runs(paragraph)), heading
        assert {run_size(run, paragraph) for run in text_runs(paragraph)} == {14.0}
    texts = [p.text.strip() for p in doc.paragraphs]
    order = [texts.index(h) for h in ("1. Về pháp lý", "3. Nguồn lực", "5. Nhận xét, kiến nghị")]
    assert order == sorted(order)


def _borderless(table: Any) -> bool:
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    if borders is None:
        return table.style is None or "Grid" not in (table.style.name or "")
    return all(el.get(qn("w:val")) in ("nil", "none") for el in borders)


def test_header_table_issuer_and_motto(doc: Any) -> None:
    header = doc.tables[0]
    assert _borderless(header)
    assert len(header.columns) == 2
    left, right = header.rows[0].cells
    issuer = [p for p in left.paragraphs if p.text.strip()]
    assert [p.text for p in issuer] == ["ỦY BAN NHÂN DÂN", "XÃ PHƯỚC GIANG"]
    for paragraph in issuer:
        assert para_format(paragraph, "alignment") == WD_ALIGN_PARAGRAPH.CENTER
        for run in text_runs(paragraph):
            assert run_bold(run, paragraph) and run_size(run, paragraph) == 13.0
    # the short rule under the issuer: an empty paragraph with a top border, narrower than the cell
    rules = [p for p in left.paragraphs if has_border(p, "top") or has_border(p, "bottom")]
    assert len(rules) == 1 and para_format(rules[0], "left_indent") > Mm(10)

    motto = [p for p in right.paragraphs if p.text.strip()]
    assert [p.text for p in motto] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    (nation,) = text_runs(motto[0])
    assert run_bold(nation, motto[0]) and 12.0 <= run_size(nation, motto[0]) <= 13.0
    (independence,) = text_runs(motto[1])
    assert run_bold(independence, motto[1]) and 13.0 <= run_size(independence, motto[1]) <= 14.0
    assert any(has_border(p, "top") or has_border(p, "bottom") for p in right.paragraphs)


def test_header_table_number_and_date(doc: Any) -> None:
    left, right = doc.tables[0].rows[1].cells
    assert left.paragraphs[0].text == "Số:      /BC-UBND"
    (date_line,) = [p for p in right.paragraphs if p.text.strip()]
    assert date_line.text == "Phước Giang, ngày 15 tháng 12 năm 2025"
    assert all(run_italic(run, date_line) for run in text_runs(date_line))
    assert not any(run_bold(run, date_line) for run in text_runs(date_line))


def test_title_and_summary_line(doc: Any) -> None:
    texts = [p.text for p in doc.paragraphs]
    title = doc.paragraphs[texts.index("BÁO CÁO")]
    assert para_format(title, "alignment") == WD_ALIGN_PARAGRAPH.CENTER
    assert all(run_bold(r, title) and run_size(r, title) == 14.0 for r in text_runs(title))
    summary = doc.paragraphs[texts.index("BÁO CÁO") + 2]
    assert summary.text == "(tuần 50/2025, từ ngày 08/12 đến 14/12/2025)"
    assert all(run_bold(r, summary) and run_size(r, summary) == 14.0 for r in text_runs(summary))
    rule = doc.paragraphs[texts.index("BÁO CÁO") + 3]
    assert rule.text == "" and has_border(rule, "top")
    assert "Kính gửi: Sở Khoa học và Công nghệ tỉnh Quảng Ngãi" in texts


def test_closing_table_recipients_and_signer(doc: Any) -> None:
    closing = doc.tables[-1]
    assert _borderless(closing)
    left, right = closing.rows[0].cells
    lines = [p for p in left.paragraphs if p.text.strip()]
    assert lines[0].text == "Nơi nhận:"
    (label,) = text_runs(lines[0])
    assert run_bold(label, lines[0]) and run_italic(label, lines[0]) and run_size(label, lines[0]) == 12.0
    assert [p.text for p in lines[1:]] == [
        "- Như trên;",
        "- TT Đảng ủy, HĐND xã (b/c);",
        "- CT, các PCT UBND xã;",
        "- Lưu: VT, VHXH.",
    ]
    assert {run_size(r, p) for p in lines[1:] for r in text_runs(p)} == {11.0}

    signer = [p for p in right.paragraphs]
    texts = [p.text for p in signer]
    assert texts[:2] == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert texts[-1] == "Nguyễn Văn An"
    assert texts.count("") >= 3  # room for the signature and the seal
    for paragraph in (signer[0], signer[1], signer[-1]):
        assert all(run_bold(r, paragraph) for r in text_runs(paragraph))
        assert para_format(paragraph, "alignment") == WD_ALIGN_PARAGRAPH.CENTER


def test_page_numbers_from_page_two_centred_in_the_header(doc: Any) -> None:
    section = doc.sections[0]
    assert section.different_first_page_header_footer is True
    assert section._sectPr.find(qn("w:titlePg")) is not None
    assert not section.header.is_linked_to_previous
    assert "PAGE" in field_codes(section.header._element)
    (number,) = [p for p in section.header.paragraphs if field_codes(p._p)]
    assert para_format(number, "alignment") == WD_ALIGN_PARAGRAPH.CENTER
    assert "PAGE" not in field_codes(section.first_page_header._element)
    assert _mm(section.header_distance) < _mm(section.top_margin)


def test_no_template_tag_is_left(doc: Any) -> None:
    from tests.render.docx_helpers import full_text

    text = full_text(doc)
    assert "{{" not in text and "{%" not in text and "}}" not in text

"""What the report says: figures and rates written the Vietnamese way, the week's dates, the
conditional parts, officials' texts (escaped, one paragraph per line), explanations, file names."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from docx.oxml.ns import qn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.documents.report import clean_text, distribution_lines, report_filename
from bot.domain.report_settings import ReportSettings
from bot.domain.text import fold
from tests.render.docx_helpers import full_text, paragraph_containing


def _texts(doc: Any) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_figures_and_rates_in_sentences(render_doc: Any) -> None:
    doc = render_doc()
    text = full_text(doc)
    assert "* Trong tuần (từ ngày 08/12 đến 14/12/2025):" in text
    assert (
        "- Tổng số hồ sơ tiếp nhận: 102 hồ sơ, trong đó kỳ trước chuyển sang 53 hồ sơ, tiếp nhận mới 49 hồ sơ."
        in text
    )
    assert (
        "- Hồ sơ tiếp nhận mới: trực tuyến toàn trình 31 hồ sơ, chiếm 63,27%; trực tuyến một phần 12 hồ sơ, "
        "chiếm 24,49%; trực tiếp 5 hồ sơ, chiếm 10,20%; qua dịch vụ bưu chính công ích 1 hồ sơ, chiếm 2,04%."
        in text
    )
    assert "- Đã giải quyết 47 hồ sơ, trong đó trước hạn 40 hồ sơ, đúng hạn 6 hồ sơ, quá hạn 1 hồ sơ." in text
    assert "- Đang giải quyết 54 hồ sơ, trong đó trong hạn 53 hồ sơ, quá hạn 1 hồ sơ; hồ sơ rút, trả lại: 1 hồ sơ." in text
    assert "tỷ lệ số hóa hồ sơ: 100,00%" in text
    assert "kết quả giải quyết cấp bản điện tử: 45 hồ sơ, tỷ lệ: 95,74%." in text
    assert "- Tỷ lệ hồ sơ tiếp nhận trực tuyến: 87,76% (trực tuyến toàn trình: 63,27%)" in text
    assert "tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn: 97,87%." in text


def test_thousands_are_grouped_with_dots(render_doc: Any) -> None:
    doc = render_doc(
        carried_over=9_104,
        received_online_full=1_794,
        received_online_partial=887,
        received_in_person=11,
        received_postal=0,
        digitized=2_692,
    )
    text = full_text(doc)
    assert "tiếp nhận mới 2.692 hồ sơ" in text
    assert "tổng số hồ sơ tiếp nhận: 11.796 hồ sơ".lower() in text.lower()
    assert "trực tuyến toàn trình 1.794 hồ sơ, chiếm 66,64%" in text
    assert "qua dịch vụ bưu chính công ích 0 hồ sơ, chiếm 0,00%" in text


def test_zero_denominators_print_a_dash(render_doc: Any) -> None:
    doc = render_doc(
        received_online_full=0,
        received_online_partial=0,
        received_in_person=0,
        received_postal=0,
        digitized=0,
        resolved_early=0,
        resolved_on_time=0,
        resolved_late=0,
        e_results=0,
    )
    text = full_text(doc)
    assert "- Trong kỳ không tiếp nhận hồ sơ mới." in text
    assert "chiếm" not in text
    assert "- Tỷ lệ hồ sơ tiếp nhận trực tuyến: — (trực tuyến toàn trình: —)" in text
    assert "tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn: —." in text
    assert "tỷ lệ số hóa hồ sơ: —" in text
    assert "tỷ lệ: —." in text
    assert "0,00%" not in text


def test_no_overdue_sentence_when_nothing_is_overdue(render_doc: Any) -> None:
    doc = render_doc(resolved_late=0, pending_overdue=0, overdue_reasons="Không áp dụng")
    texts = _texts(doc)
    assert "- Không có hồ sơ quá hạn." in texts
    text = full_text(doc)
    assert "Nguyên nhân" not in text
    assert "quá hạn 0" not in text
    assert text.count("quá hạn") == 1


def test_overdue_figures_and_reasons_when_there_are(render_doc: Any) -> None:
    doc = render_doc(resolved_late=2, pending_overdue=0, overdue_reasons="Chờ ý kiến cơ quan thuế.")
    text = full_text(doc)
    assert "quá hạn 2 hồ sơ." in text
    assert "- Nguyên nhân, lý do hồ sơ quá hạn: Chờ ý kiến cơ quan thuế." in text
    assert "Không có hồ sơ quá hạn" not in text
    assert "- Đang giải quyết 53 hồ sơ; hồ sơ rút" in text  # nothing pending is overdue

    missing = render_doc(pending_overdue=3, overdue_reasons=None)
    assert "- Nguyên nhân, lý do hồ sơ quá hạn: chưa nêu." in full_text(missing)


def test_officials_texts_are_escaped_and_split_into_paragraphs(render_doc: Any) -> None:
    legal = 'Quyết định số 12/QĐ-UBND "về CĐS" & <kế hoạch> số 3 > 2\r\n\n  - Dòng hai\tcó tab\x07\x0c'
    doc = render_doc(legal=legal, overdue_reasons="Lý do 1 & 2\nLý do <3>")
    texts = _texts(doc)
    start = texts.index("1. Về pháp lý")
    assert texts[start + 1 : start + 3] == [
        'Quyết định số 12/QĐ\u2011UBND "về CĐS" & <kế hoạch> số 3 > 2',  # the number kept whole
        "- Dòng hai có tab",
    ]
    assert texts[start + 3] == "2. Về hạ tầng kỹ thuật, công nghệ"
    reasons = paragraph_containing(doc, "Nguyên nhân, lý do hồ sơ quá hạn")
    assert reasons.text == "- Nguyên nhân, lý do hồ sơ quá hạn: Lý do 1 & 2\nLý do <3>"
    assert reasons._p.findall(".//" + qn("w:br"))  # a line break inside the paragraph


def test_empty_or_nothing_texts_print_khong_co(render_doc: Any) -> None:
    doc = render_doc(legal="", infrastructure="Không", resources="  không có.  ", difficulties=None)
    texts = _texts(doc)
    for heading in ("1. Về pháp lý", "2. Về hạ tầng kỹ thuật, công nghệ", "3. Nguồn lực", "5.1. Khó khăn, vướng mắc"):
        assert texts[texts.index(heading) + 1] == "- Không có.", heading
    assert texts[texts.index("5.2. Đề xuất, kiến nghị") + 1].startswith("- Đề nghị UBND tỉnh")


def test_explanations_of_soft_checks(render_doc: Any) -> None:
    plain = render_doc()
    assert "Giải trình số liệu" not in full_text(plain)

    doc = render_doc(withdrawn=2, explanations={"balance": "Hồ sơ rút thuộc hệ thống cũ & chưa đồng bộ."})
    texts = _texts(doc)
    index = texts.index("* Giải trình số liệu:")
    assert texts[index + 1] == (
        "- Số liệu chưa cân đối: tổng số hồ sơ phải giải quyết là 102 (kỳ trước chuyển sang 53 + tiếp nhận mới "
        "49), nhưng đã giải quyết 47 + đang giải quyết 54 + rút 2 = 103. "
        "Lý do: Hồ sơ rút thuộc hệ thống cũ & chưa đồng bộ."
    )
    assert "Anh/Chị" not in full_text(doc)  # the prompt to the reporter is not printed

    # an explanation of a rule the corrected figures now satisfy is left out
    corrected = render_doc(explanations={"balance": "Đã sửa."})
    assert "Giải trình số liệu" not in full_text(corrected)


def test_outlier_explanation_without_history_names_the_figure(render_doc: Any) -> None:
    doc = render_doc(explanations={"outlier:received_in_person": "Tuần cao điểm cấp đổi giấy tờ."})
    paragraph = paragraph_containing(doc, "Tuần cao điểm")
    assert "Tiếp nhận mới: trực tiếp" in paragraph.text and "5" in paragraph.text


def test_directive_recipient_and_closing_sentence(render_doc: Any) -> None:
    settings = ReportSettings(
        recipient="Kính gửi: Sở Khoa học và Công nghệ tỉnh Quảng Ngãi.",
        directive="Thực hiện Công văn số 97-CV/ĐU ngày 24/9/2025 của Đảng ủy xã Phước Giang;",
        signer_titles=["TM. Ủy ban nhân dân", "Chủ tịch"],
        signer_name="Trần Thị Bình",
        distribution=["- Như trên;", "Lưu: VT, VHXH."],
    )
    doc = render_doc(settings=settings)
    texts = _texts(doc)
    assert "Kính gửi: Sở Khoa học và Công nghệ tỉnh Quảng Ngãi" in texts
    assert (
        "Thực hiện Công văn số 97\u2011CV/ĐU ngày 24/9/2025 của Đảng ủy xã Phước Giang; UBND xã Phước Giang báo cáo "
        "kết quả tuần 50/2025 như sau:"
    ) in texts
    assert [text for text in texts if text][-1] == (  # the one-point end mark follows
        "Trên đây là báo cáo kết quả giải quyết thủ tục hành chính và chuyển đổi số tuần từ ngày 08/12 đến "
        "14/12/2025, UBND xã Phước Giang kính báo cáo Sở Khoa học và Công nghệ tỉnh Quảng Ngãi./."
    )
    right = doc.tables[-1].rows[0].cells[1]
    signer = [p.text for p in right.paragraphs if p.text]
    assert signer == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Trần Thị Bình"]
    left = doc.tables[-1].rows[0].cells[0]
    assert [p.text for p in left.paragraphs if p.text][1:] == ["- Như trên;", "- Lưu: VT, VHXH."]


def test_header_date_leading_zero_rule_and_place(render_doc: Any) -> None:
    doc = render_doc(report_date=date(2026, 2, 5))
    assert doc.tables[0].rows[1].cells[1].paragraphs[0].text == "Phước Giang, ngày 05 tháng 02 năm 2026"
    doc = render_doc(report_date=date(2025, 12, 9), settings=ReportSettings(place_name="Ba Tơ"))
    assert doc.tables[0].rows[1].cells[1].paragraphs[0].text == "Ba Tơ, ngày 09 tháng 12 năm 2025"


def test_issuer_lines_follow_the_unit(make_context: Any) -> None:
    context = make_context()
    assert context["issuer_lines"] == ["ỦY BAN NHÂN DÂN", "XÃ PHƯỚC GIANG"]
    assert context["authority_short"] == "UBND xã Phước Giang"
    assert context["place_name"] == "Phước Giang"


@pytest.mark.parametrize(
    ("key", "unit", "expected"),
    [
        ("2025-W50", "Xã Phước Giang", "BC-tuan-2025-W50-xa-phuoc-giang.docx"),
        ("2025-W01", "Phường Hoàn Kiếm", "BC-tuan-2025-W01-phuong-hoan-kiem.docx"),
        ("2025-12", "Xã Phước Giang", "BC-thang-2025-12-xa-phuoc-giang.docx"),
        ("2025-Q4", "Đặc khu Phú Quốc", "BC-2025-q4-dac-khu-phu-quoc.docx"),
    ],
)
def test_report_filename(key: str, unit: str, expected: str) -> None:
    assert report_filename(key, unit) == expected


def test_clean_text_and_distribution_lines() -> None:
    assert clean_text("  a \u00a0 b\r\n\r\n\x00c\u2028d ") == "a b\nc\nd"
    assert clean_text(None) == ""
    assert distribution_lines(["Như trên", "Lưu: VT"]) == ["- Như trên;", "- Lưu: VT."]


def test_context_has_raw_values_for_new_templates(make_context: Any) -> None:
    context = make_context(received_online_full=0, received_online_partial=0, received_in_person=0, received_postal=0)
    assert context["raw"]["received_new"] == 0
    assert context["raw"]["online_rate"] is None
    assert context["online_rate"] == "—"
    assert context["has_received_new"] is False


_OFFICIAL_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FFF)
    | st.sampled_from(list("&<>\"'{}%\n\r\t-ạ")),
    max_size=80,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_OFFICIAL_TEXT)
def test_any_official_text_renders_as_written(render_doc: Any, text: str) -> None:
    doc = render_doc(proposals=text)
    texts = [p.text for p in doc.paragraphs]
    start = texts.index("5.2. Đề xuất, kiến nghị") + 1
    end = next(i for i in range(start, len(texts)) if texts[i].startswith("Trên đây là báo cáo"))
    expected = clean_text(text).split("\n") if clean_text(text) else ["- Không có."]
    if fold(clean_text(text)).rstrip(".") in {"khong", "khong co", "khong co gi"}:
        expected = ["- Không có."]
    assert texts[start:end] == expected

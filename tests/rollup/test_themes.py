"""Difficulties and proposals sorted into themes by templates/themes.yaml, without diacritics."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.phrases import PhraseError, compile_phrase, prepare, says_nothing
from bot.domain.themes import (
    ThemeError,
    ThemeSource,
    classify,
    is_nothing,
    load_taxonomy,
    parse_taxonomy,
    sentences,
)
from tests.rollup.conftest import TEMPLATES


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(TEMPLATES)


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("Thiếu máy scan để số hóa hồ sơ", "equipment"),
        ("thieu may scan de so hoa ho so", "equipment"),
        ("MÁY TÍNH CŨ, CẤU HÌNH THẤP", "equipment"),
        ("Đề nghị hỗ trợ kinh phí", "funding"),
        ("de nghi ho tro kinh phi", "funding"),
        ("Thiếu công chức chuyên trách CNTT", "it_staff"),
        ("Người dân cao tuổi chưa biết dùng điện thoại thông minh", "digital_skills"),
        ("nguoi dan chua quen nop ho so truc tuyen", "digital_skills"),
        ("Phần mềm một cửa bị lỗi, treo khi ký số", "software"),
        ("Mạng internet chập chờn", "network_power"),
        ("mat dien thuong xuyen", "network_power"),
        ("Đề nghị mở lớp tập huấn", "training"),
        ("Mưa lũ kéo dài", "weather"),
    ],
)
def test_matched_without_diacritics(taxonomy, text: str, theme: str) -> None:
    assert theme in taxonomy.match(text)


def test_words_match_whole(taxonomy) -> None:
    assert "network_power" not in taxonomy.match("Phát triển mạnh dịch vụ công")  # "mạnh" is not "mạng"
    assert "network_power" not in taxonomy.match("Kết quả điện tử đạt cao")  # "điện tử" is not "mất điện"
    assert taxonomy.match("Báo cáo đúng hạn") == []  # "báo" is not "bão"


def test_exclusions(taxonomy) -> None:
    assert "software" not in taxonomy.match("Máy móc, trang thiết bị chưa đồng bộ")
    assert "equipment" in taxonomy.match("Máy móc, trang thiết bị chưa đồng bộ")


def test_classify_counts_communes_once_and_quotes(taxonomy) -> None:
    sources = [
        ThemeSource("1", "Xã A", [("difficulties", "- Mạng chập chờn.\n- Mất điện thường xuyên."),
                                  ("proposals", "Đề nghị nâng cấp đường truyền; hỗ trợ kinh phí")]),
        ThemeSource("2", "Xã B", [("difficulties", "Không"), ("proposals", "Không có.")]),
        ThemeSource("3", "Xã C", [("difficulties", "Cán bộ tuổi cao, làm việc chậm")]),
    ]
    counts = {c.theme.id: c for c in classify(taxonomy, sources)}
    assert counts["network_power"].units == ["1"] and len(counts["network_power"].quotes) == 3
    assert counts["funding"].units == ["1"]
    assert counts["other"].units == ["3"] and counts["other"].quotes[0].text == "Cán bộ tuổi cao, làm việc chậm"
    assert all("2" not in c.units for c in counts.values())


def test_sentences() -> None:
    assert sentences("- Mạng chập chờn.\n- Thiếu máy. Không có.") == ["Mạng chập chờn.", "Thiếu máy."]
    assert sentences("Không") == []


def test_taxonomy_file_is_editable(tmp_path: Path) -> None:
    path = tmp_path / "themes.yaml"
    path.write_text("themes:\n  - id: roads\n    label: Giao thông\n    keywords: [đường sá]\n", encoding="utf-8")
    assert load_taxonomy(path).match("duong sa xuong cap") == ["roads"]
    path.write_text("themes:\n  - id: roads\n    label: Giao thông\n    keywords: [đường sá, cầu cống]\n",
                    encoding="utf-8")
    assert load_taxonomy(tmp_path).match("Cầu cống hư hỏng") == ["roads"]  # read again once changed


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("themes: []", "themes"),
        ("themes:\n  - id: Bad Id\n    label: X\n    keywords: [a]\n", "id must be"),
        ("themes:\n  - id: a\n    label: X\n", "has no keywords"),
        ("themes:\n  - id: a\n    label: X\n    keywords: [a]\n  - id: a\n    label: Y\n    keywords: [b]\n",
         "more than once"),
        ("themes: [", "not valid YAML"),
        ("themes:\n  - id: a\n    label: X\n    keywords: [\"thiếu {staff}\"]\n", "unknown group"),
        ("abbreviations: {vien chuc: vc}\nthemes:\n  - id: a\n    label: X\n    keywords: [a]\n", "one word"),
    ],
)
def test_bad_taxonomy_is_explained(text: str, problem: str) -> None:
    with pytest.raises(ThemeError, match=problem):
        parse_taxonomy(text)


GROUPS = {"officials": ("cán bộ", "công chức"), "citizens": ("người dân", "bà con")}
SHORT = {"tthc": "thủ tục hành chính", "cbcc": "cán bộ công chức"}


def found(phrase: str, text: str) -> bool:
    return compile_phrase(phrase, GROUPS, SHORT).found(prepare(text, SHORT))


@pytest.mark.parametrize(
    ("phrase", "text", "expected"),
    [
        ("thiếu {officials}", "Thiếu công chức một cửa", True),
        ("thiếu {officials}", "Thiếu máy scan", False),
        ("chỉ có {n} {officials}", "Bộ phận một cửa chỉ có 02 công chức", True),
        ("phần mềm … treo", "Phần mềm một cửa bị treo", True),
        ("phần mềm … treo", "Máy tính hay treo, mở nhiều phần mềm", False),  # order
        ("{officials} … chưa biết", "Cán bộ hướng dẫn, người dân chưa biết", False),  # not across a clause
        ("kỹ năng số + {officials}", "Kỹ năng số của một số cán bộ còn hạn chế", True),
        ("kỹ năng số + {officials}", "Kỹ năng số của người dân còn hạn chế", False),
        ("thủ tục hành chính", "Giải quyết TTHC chậm", True),  # abbreviations both ways
        ("tthc", "thủ tục hành chính", True),
        ("{officials} … thành thạo", "CBCC chưa thành thạo", True),
    ],
)
def test_phrase_language(phrase: str, text: str, expected: bool) -> None:
    assert found(phrase, text) is expected


@pytest.mark.parametrize(
    ("phrase", "text", "expected"),
    [
        ("sập", "Sau sắp xếp đơn vị hành chính", False),  # typed with diacritics: they must agree
        ("yếu", "đáp ứng yêu cầu", False),
        ("mạng", "mang theo giấy tờ", True),  # typed without: any diacritics
        ("sập", "he thong bi sap", True),
        ("may scan", "Máy scan hỏng", True),  # a keyword written without diacritics finds any
        ("bị khóa", "Tài khoản bị khoá", True),  # both placements of the tone mark
        ("thủy", "Thuỷ lợi", True),
    ],
)
def test_diacritics_typed_must_agree(phrase: str, text: str, expected: bool) -> None:
    assert found(phrase, text) is expected


def test_unknown_group_is_named() -> None:
    with pytest.raises(PhraseError, match="unknown group"):
        compile_phrase("thiếu {staff}", GROUPS, SHORT)


@pytest.mark.parametrize(
    ("text", "nothing"),
    [
        ("Không", True), ("Không có.", True), ("Không có khó khăn, vướng mắc.", True),
        ("Trong tuần không phát sinh khó khăn, vướng mắc", True), ("khong co y kien de xuat", True),
        ("Cơ bản không có khó khăn, vướng mắc lớn.", True), ("Như kỳ trước.", True), ("", True),
        ("Không có máy scan", False), ("Khó khăn, vướng mắc", False), ("Chưa có kinh phí", False),
    ],
)
def test_saying_nothing(text: str, nothing: bool) -> None:
    assert says_nothing(text) is nothing and is_nothing(text) is nothing


def test_a_sentence_saying_things_work_counts_nowhere(taxonomy) -> None:
    working = "Hệ thống mạng, máy tính tại Trung tâm hoạt động ổn định."
    assert taxonomy.match(working) == []
    assert classify(taxonomy, [ThemeSource("1", "Xã A", [("difficulties", working)])]) == []
    assert taxonomy.match("Đường truyền hoạt động không ổn định") == ["network_power"]
    assert taxonomy.match("Đường truyền ổn định, không có vùng lõm sóng") == []  # a denied fault is none
    counts = classify(taxonomy, [ThemeSource("1", "Xã A", [("difficulties", "Không có khó khăn lớn, mạng chập chờn")])])
    assert [(c.theme.id, c.quotes[0].text) for c in counts] == [("network_power", "Không có khó khăn lớn, mạng chập chờn")]

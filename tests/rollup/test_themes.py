"""Difficulties and proposals sorted into themes by templates/themes.yaml, without diacritics."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.themes import ThemeError, ThemeSource, classify, load_taxonomy, parse_taxonomy, sentences
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
    ],
)
def test_bad_taxonomy_is_explained(text: str, problem: str) -> None:
    with pytest.raises(ThemeError, match=problem):
        parse_taxonomy(text)

"""Matching Vietnamese without diacritics, and slugs."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.domain.text import fold, slug


def test_fold_strips_diacritics_case_and_spaces() -> None:
    assert fold("Phước  Giang") == "phuoc giang"
    assert fold("ĐẶC KHU Phú Quốc") == "dac khu phu quoc"
    assert fold("  Số hóa ") == "so hoa"
    assert fold("số hoá") == fold("số hóa")


def test_fold_is_the_same_for_composed_and_decomposed_text() -> None:
    text = "Tiếp nhận trực tuyến toàn trình"
    assert fold(unicodedata.normalize("NFD", text)) == fold(text) == "tiep nhan truc tuyen toan trinh"


def test_slug() -> None:
    assert slug("Xã Phước Giang") == "xa-phuoc-giang"
    assert slug("  Phường Cửa Nam! ") == "phuong-cua-nam"


@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(st.text())
def test_slug_is_file_name_safe(text: str) -> None:
    assert all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in slug(text))

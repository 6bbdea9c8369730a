"""Strict ids and week keys: ASCII digits only ("²", "١٢" and "１２" are digits to str.isdigit),
bounded lengths, years from 2020 to next year, weeks the year has; a Vietnamese reason otherwise."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain.arguments import ArgumentError, is_keyword, looks_like_week, parse_id, parse_week, require_id

TODAY = date(2025, 12, 15)


@pytest.mark.parametrize("text", ["²", "¹²³", "١٢", "１２", "1²", "", " ", "-1", "1.5", "1" * 16, "12a"])
def test_what_is_not_an_id(text: str) -> None:
    assert parse_id(text) is None
    with pytest.raises(ArgumentError, match="chỉ gồm các chữ số 0–9.*VD: /duyet 123"):
        require_id(text, "/duyet 123")


@example("0\x1f")  # a control character str.strip() drops and int() refuses
@given(st.text(max_size=20))
def test_an_id_is_what_int_reads_from_ascii_digits(text: str) -> None:
    value = parse_id(text)
    if value is not None:
        assert value == int(text) and text.strip().isascii() and value < 10 ** 15


@pytest.mark.parametrize(("text", "key"), [("2025-W50", "2025-W50"), ("2025w1", "2025-W01"),
                                           ("2026-W53", "2026-W53"), ("2020-W53", "2020-W53")])
def test_weeks_in_reach(text: str, key: str) -> None:
    assert str(parse_week(text, TODAY)) == key and looks_like_week(text)


@pytest.mark.parametrize(("text", "reason"), [
    ("9999-W52", "năm 9999: chỉ có các năm từ 2020 đến 2026"), ("2019-W10", "năm 2019"),
    ("2027-W01", "năm 2027"), ("2025-W53", r"Năm 2025 không có tuần 53 \(năm 2025 có 52 tuần\)"),
    ("2025-W00", "không có tuần 0"), ("２０２５-W50", "không phải là kỳ báo cáo"), ("2025-W²", "không phải"),
])
def test_weeks_out_of_reach_are_explained_with_an_example(text: str, reason: str) -> None:
    with pytest.raises(ArgumentError, match=reason) as caught:
        parse_week(text, TODAY)
    assert "VD: 2025-W50" in caught.value.reason


@pytest.mark.parametrize("text", ["phuc loc", "19", "thai", "toanquoc", "Xã Phú Lộc"])
def test_names_do_not_read_as_weeks(text: str) -> None:
    assert not looks_like_week(text)


@pytest.mark.parametrize(("word", "key", "expected"), [
    ("tinh", "keywords.province", True), ("Tỉnh", "keywords.province", True), ("TP", "keywords.province", True),
    ("tinhh", "keywords.province", False), ("xoa", "keywords.clear", True), ("Mặc định", "keywords.clear", True),
    ("macdinh", "keywords.clear", True), ("bo", "keywords.cancel_leave", True), ("Hủy", "keywords.cancel_leave", True),
    ("xoa", "keywords.cancel_leave", False),
])
def test_keywords_are_read_as_officials_type_them(word: str, key: str, expected: bool) -> None:
    assert is_keyword(word, key) is expected

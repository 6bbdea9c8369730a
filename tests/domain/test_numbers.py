"""Reading counts as officials type them; writing counts, rates and dates as reports print them."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.numbers import (
    COUNT_MAX,
    DASH,
    CountBounds,
    CountParseError,
    format_count,
    format_date,
    format_date_range,
    format_header_date,
    format_percent,
    format_rate,
    parse_count,
    rate,
)

counts = st.integers(min_value=0, max_value=COUNT_MAX)


@given(counts)
def test_every_formatted_count_parses_back(value: int) -> None:
    assert parse_count(format_count(value)) == value


@given(counts)
def test_every_formatted_count_with_unit_parses_back(value: int) -> None:
    assert parse_count(f"{format_count(value)} hồ sơ") == value


@given(counts)
def test_plain_and_space_grouped_counts_parse(value: int) -> None:
    assert parse_count(str(value)) == value
    assert parse_count(format_count(value).replace(".", " ")) == value


@pytest.mark.parametrize("value", [0, 9, 10, 999, 1000, 999_999, 1_000_000])
def test_boundaries_round_trip(value: int) -> None:
    assert parse_count(format_count(value)) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.794", 1794),
        ("1 794", 1794),
        ("1794 hồ sơ", 1794),
        ("1.794 Hồ sơ.", 1794),
        ("1794hs", 1794),
        ("  53  ", 53),
        ("01", 1),
        ("+7", 7),
        ("53.", 53),
        ("1\u00a0794", 1794),
        ("1\u202f794", 1794),
        ("11.796", 11796),
        ("1.000.000", 1_000_000),
        ("không", 0),
        ("Không có", 0),
        (unicodedata.normalize("NFD", "1794 hồ sơ"), 1794),
    ],
)
def test_forgiving_input(text: str, expected: int) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("1,5", "dấu phẩy"),
        ("-3", "âm"),
        ("abc", "không phải là một số"),
        ("1.5", "Dấu chấm"),
        ("", "nhập một số nguyên"),
        ("   ", "nhập một số nguyên"),
        ("hồ sơ", "nhập một số nguyên"),
        ("1.79", "Dấu chấm"),
        ("17.94.3", "không phải là một số"),
        ("1 5", "không phải là một số"),
        ("١٢", "không phải là một số"),
        ("1.000.001", "vượt quá"),
    ],
)
def test_refused_with_a_reason(text: str, reason_part: str) -> None:
    with pytest.raises(CountParseError) as caught:
        parse_count(text)
    assert reason_part in caught.value.reason
    assert str(caught.value) == caught.value.reason


def test_bounds_are_applied() -> None:
    with pytest.raises(CountParseError, match="từ 5 trở lên"):
        parse_count("4", CountBounds(minimum=5, maximum=10))
    with pytest.raises(CountParseError, match=r"Số 1\.200 vượt quá giới hạn 1\.000"):
        parse_count("1.200", CountBounds(maximum=1000))
    assert parse_count("10", CountBounds(minimum=5, maximum=10)) == 10


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (1000, "1.000"),
        (11796, "11.796"),
        (1_000_000, "1.000.000"),
        (-1794, "-1.794"),
    ],
)
def test_format_count(value: int, text: str) -> None:
    assert format_count(value) == text


def test_rates_two_decimals_with_comma() -> None:
    assert rate(1794, 2692) == Decimal("66.64")
    assert format_rate(1794, 2692) == "66,64%"
    assert format_rate(887, 2692) == "32,95%"
    assert format_rate(11, 2692) == "0,41%"
    assert format_rate(53, 53) == "100,00%"
    assert format_rate(0, 5) == "0,00%"
    assert format_rate(2, 3) == "66,67%"


def test_zero_denominator_is_a_dash() -> None:
    assert rate(0, 0) is None
    assert rate(5, 0) is None
    assert format_rate(5, 0) == DASH == "—"
    assert format_percent(None) == "—"


def test_rounding_is_half_up() -> None:
    assert format_rate(1, 800) == "0,13%"  # 0.125: banker's rounding would give 0,12
    assert format_percent(Decimal("12.345")) == "12,35%"
    assert format_percent(Decimal("12.355")) == "12,36%"
    assert format_percent(0.125) == "0,13%"


def test_format_percent_large_and_negative() -> None:
    assert format_percent(Decimal("1234.5")) == "1.234,50%"
    assert format_percent(Decimal("-0.5")) == "-0,50%"


@given(st.integers(min_value=0, max_value=COUNT_MAX), st.integers(min_value=1, max_value=COUNT_MAX))
def test_rate_format_shape(numerator: int, denominator: int) -> None:
    text = format_rate(numerator, denominator)
    assert text.endswith("%")
    whole, _, fraction = text[:-1].partition(",")
    assert len(fraction) == 2 and fraction.isdigit()
    assert "." not in whole or whole.replace(".", "").isdigit()


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2026, 2, 5), "Phước Giang, ngày 05 tháng 02 năm 2026"),
        (date(2026, 1, 15), "Phước Giang, ngày 15 tháng 01 năm 2026"),
        (date(2025, 12, 9), "Phước Giang, ngày 09 tháng 12 năm 2025"),
        (date(2025, 3, 10), "Phước Giang, ngày 10 tháng 3 năm 2025"),
        (date(2025, 10, 1), "Phước Giang, ngày 01 tháng 10 năm 2025"),
    ],
)
def test_header_date_leading_zero_rule(day: date, text: str) -> None:
    assert format_header_date("Phước Giang", day) == text


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2025, 6, 19), "19/6/2025"),
        (date(2025, 12, 9), "09/12/2025"),
        (date(2025, 9, 24), "24/9/2025"),
        (date(2026, 1, 4), "04/1/2026"),
    ],
)
def test_body_dates(day: date, text: str) -> None:
    assert format_date(day) == text


def test_date_ranges() -> None:
    assert format_date_range(date(2025, 12, 9), date(2025, 12, 14)) == "từ ngày 09/12 đến 14/12/2025"
    assert format_date_range(date(2025, 12, 29), date(2026, 1, 4)) == "từ ngày 29/12/2025 đến 04/1/2026"


def test_years_are_not_grouped() -> None:
    assert "2.025" not in format_date(date(2025, 1, 1))
    assert format_header_date("X", date(2025, 1, 1)).endswith("năm 2025")

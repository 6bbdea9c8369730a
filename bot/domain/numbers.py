"""Reading counts the way officials type them and writing numbers, rates and dates
the way Vietnamese administrative reports print them (domain.md, "Writing numbers and dates")."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from bot.chat.catalogue import say

DASH = "—"
COUNT_MAX = 1_000_000

# Digits optionally grouped by "." or spaces (plain, no-break, narrow no-break) in threes;
# an optional unit word after. ASCII digits only.
_SEPARATORS = ". \u00a0\u202f"
_GROUPED = re.compile(rf"^\d{{1,3}}(?:[{_SEPARATORS}]\d{{3}})+$", re.ASCII)
_PLAIN = re.compile(r"^\d+$", re.ASCII)
_NONE_WORDS = frozenset({"không", "không có", "khong", "khong co", "ko", "k co"})
_UNIT_WORDS = re.compile(r"\s*(hồ\s*sơ|ho\s*so|hs|bộ|bo|thủ\s*tục|thu\s*tuc)\.?$", re.IGNORECASE)


class CountParseError(ValueError):
    """A text that is not a count; ``reason`` is a short Vietnamese sentence for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CountBounds:
    minimum: int = 0
    maximum: int = COUNT_MAX


def parse_count(text: str, bounds: CountBounds = CountBounds()) -> int:
    """Read a whole number of dossiers: "1.794", "1 794", "1794 hồ sơ", "01" → int.

    Raises CountParseError with a Vietnamese reason for "1,5", "-3", "abc", "1.5", "" and
    numbers outside ``bounds``.
    """
    raw = unicodedata.normalize("NFC", text).strip()
    if raw.lower().rstrip(".") in _NONE_WORDS:  # "không" (none) is 0
        return _bounded(0, bounds)
    cleaned = _UNIT_WORDS.sub("", raw).strip()
    if cleaned.endswith(".") and cleaned[:-1][-1:].isdigit():  # "53." at the end of a sentence
        cleaned = cleaned[:-1]
    if not cleaned:
        raise CountParseError(say("numbers.empty"))
    if cleaned.startswith(("-", "−", "–")):
        raise CountParseError(say("numbers.negative"))
    if cleaned.startswith("+"):
        cleaned = cleaned[1:].strip()
    if "," in cleaned:
        raise CountParseError(say("numbers.decimal_comma"))
    if _PLAIN.match(cleaned):
        value = int(cleaned)
    elif _GROUPED.match(cleaned):
        value = int(re.sub(f"[{_SEPARATORS}]", "", cleaned))
    elif re.match(r"^\d+\.\d+$", cleaned):
        raise CountParseError(say("numbers.decimal_point"))
    else:
        raise CountParseError(say("numbers.not_a_number", text=raw[:40]))
    return _bounded(value, bounds)


def _bounded(value: int, bounds: CountBounds) -> int:
    if value < bounds.minimum:
        raise CountParseError(say("numbers.below_minimum", minimum=format_count(bounds.minimum)))
    if value > bounds.maximum:
        raise CountParseError(
            say("numbers.above_maximum", value=format_count(value), maximum=format_count(bounds.maximum))
        )
    return value


def format_count(value: int) -> str:
    """11796 → "11.796"; thousands grouped with "."."""
    sign = "-" if value < 0 else ""
    return sign + f"{abs(int(value)):,}".replace(",", ".")


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A percentage rounded half-up to two decimals, or None when the denominator is zero."""
    if denominator == 0:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def format_percent(value: Decimal | float | None) -> str:
    """Decimal("66.64") → "66,64%"; None → "—"."""
    if value is None:
        return DASH
    quantized = Decimal(str(value)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    sign = "-" if quantized < 0 else ""
    integer, _, fraction = f"{abs(quantized):.2f}".partition(".")
    return f"{sign}{format_count(int(integer))},{fraction}%"


def format_rate(numerator: int, denominator: int) -> str:
    """(1794, 2692) → "66,64%"; a zero denominator → "—"."""
    return format_percent(rate(numerator, denominator))


def format_header_date(place: str, day: date) -> str:
    """ "Phước Giang, ngày 05 tháng 02 năm 2026": a leading zero for days below 10 and months 1 and 2."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return say("dates.header", place=place, day=f"{day.day:02d}", month=month, year=day.year)


def format_date(day: date) -> str:
    """Body dates: "19/6/2025" (no leading zero on the month), days below 10 with one: "09/12/2025"."""
    return f"{day.day:02d}/{day.month}/{day.year}"


def format_date_range(start: date, end: date) -> str:
    """ "từ ngày 09/12 đến 14/12/2025"; the year is written once when both dates share it."""
    if start.year == end.year:
        return say("dates.range", start=f"{start.day:02d}/{start.month}", end=format_date(end))
    return say("dates.range", start=format_date(start), end=format_date(end))

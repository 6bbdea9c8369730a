"""Reading counts the way officials type them and writing numbers, rates and dates
the way Vietnamese administrative reports print them (domain.md, "Writing numbers and dates")."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

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
        raise CountParseError("Anh/Chị vui lòng nhập một số nguyên, ví dụ: 1.794.")
    if cleaned.startswith(("-", "−", "–")):
        raise CountParseError(
            "Số hồ sơ không thể là số âm. Anh/Chị vui lòng nhập số từ 0 trở lên, ví dụ: 53."
        )
    if cleaned.startswith("+"):
        cleaned = cleaned[1:].strip()
    if "," in cleaned:
        raise CountParseError(
            "Số hồ sơ phải là số nguyên, không có phần thập phân (dấu phẩy). Ví dụ: 1.794 hoặc 53."
        )
    if _PLAIN.match(cleaned):
        value = int(cleaned)
    elif _GROUPED.match(cleaned):
        value = int(re.sub(f"[{_SEPARATORS}]", "", cleaned))
    elif re.match(r"^\d+\.\d+$", cleaned):
        raise CountParseError(
            "Dấu chấm chỉ dùng để phân cách hàng nghìn (ví dụ: 1.794). Anh/Chị vui lòng nhập số nguyên."
        )
    else:
        raise CountParseError(
            f"«{raw[:40]}» không phải là một số. Anh/Chị vui lòng nhập số hồ sơ bằng chữ số, ví dụ: 1.794."
        )
    return _bounded(value, bounds)


def _bounded(value: int, bounds: CountBounds) -> int:
    if value < bounds.minimum:
        raise CountParseError(
            f"Số này phải từ {format_count(bounds.minimum)} trở lên. Anh/Chị vui lòng nhập lại."
        )
    if value > bounds.maximum:
        raise CountParseError(
            f"Số {format_count(value)} vượt quá giới hạn {format_count(bounds.maximum)}. "
            "Anh/Chị vui lòng kiểm tra lại."
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
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def format_date(day: date) -> str:
    """Body dates: "19/6/2025" (no leading zero on the month), days below 10 with one: "09/12/2025"."""
    return f"{day.day:02d}/{day.month}/{day.year}"


def format_date_range(start: date, end: date) -> str:
    """ "từ ngày 09/12 đến 14/12/2025"; the year is written once when both dates share it."""
    if start.year == end.year:
        return f"từ ngày {start.day:02d}/{start.month} đến {format_date(end)}"
    return f"từ ngày {format_date(start)} đến {format_date(end)}"

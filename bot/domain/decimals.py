"""Reading decimals the way officials type them ("1.234,5", "0,556", "84,03 %") and writing them
the way reports print them: thousands with ".", decimals with "," (domain.md, "Writing numbers").

A decimal is kept exactly (:class:`~decimal.Decimal`); stored in JSON as its canonical text
("1234.5"), which :func:`canonical` writes and :func:`from_canonical` reads back.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from bot.chat.catalogue import say
from bot.domain.numbers import format_count
from bot.domain.text import fold

_SEPARATORS = ". \u00a0\u202f"
# Whole part plain or grouped in threes by "." or spaces; an optional "," and decimals.
_VIETNAMESE = re.compile(rf"^(\d{{1,3}}(?:[{_SEPARATORS}]\d{{3}})+|\d+)(?:,(\d+))?$", re.ASCII)
_DOT_DECIMAL = re.compile(r"^\d+\.\d{1,2}$|^\d+\.\d{4,}$", re.ASCII)
_CANONICAL = re.compile(r"^-?\d+(?:\.\d+)?$", re.ASCII)
_MINUS = ("-", "−", "–")


class DecimalParseError(ValueError):
    """A text that is not a decimal; ``reason`` is a short Vietnamese sentence for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_decimal(
    text: str,
    *,
    minimum: Decimal | int = 0,
    maximum: Decimal | int | None = None,
    decimals: int = 2,
    units: tuple[str, ...] = (),
    example: str = "1.234,5",
) -> Decimal:
    """ "1.234,5" → Decimal("1234.5"); "0,556 tỷ" with ``units=("tỷ",)``; "84,03 %" with "%".

    ``units`` are words that may follow the number (compared without diacritics). Raises
    :class:`DecimalParseError` with a Vietnamese reason for "1.5" (a dot is a thousands
    separator), "abc", "", negative numbers, too many decimals and numbers out of bounds."""
    raw = " ".join(unicodedata.normalize("NFC", text).split())
    cleaned = _without_unit(raw, units)
    if not cleaned:
        raise DecimalParseError(say("form_kinds.decimal_empty", example=example))
    negative = cleaned.startswith(_MINUS)
    if negative:
        cleaned = cleaned[1:].strip()
    elif cleaned.startswith("+"):
        cleaned = cleaned[1:].strip()
    match = _VIETNAMESE.match(cleaned)
    if match is None:
        if _DOT_DECIMAL.match(cleaned):
            raise DecimalParseError(say("form_kinds.decimal_dot", example=example))
        raise DecimalParseError(say("form_kinds.decimal_not_number", text=raw[:40], example=example))
    whole = re.sub(f"[{_SEPARATORS}]", "", match[1])
    fraction = match[2] or ""
    if len(fraction.rstrip("0")) > decimals:
        raise DecimalParseError(say("form_kinds.decimal_too_precise", decimals=decimals, example=example))
    value = Decimal(f"{whole}.{fraction}" if fraction else whole)
    if negative:
        value = -value
    if value < minimum:
        raise DecimalParseError(say("form_kinds.decimal_below", minimum=format_decimal(Decimal(minimum))))
    if maximum is not None and value > maximum:
        raise DecimalParseError(
            say("form_kinds.decimal_above", value=format_decimal(value), maximum=format_decimal(Decimal(maximum)))
        )
    return normalized(value)


def _without_unit(text: str, units: tuple[str, ...]) -> str:
    """The text without a unit word after the number ("84,03 %" → "84,03"); folded, which
    leaves digits and separators as they are (a no-break space becomes a space)."""
    folded = fold(text)
    for unit in sorted(units, key=len, reverse=True):
        word = fold(unit)
        if word and folded.endswith(word):
            return folded[: len(folded) - len(word)].strip()
    return folded


def normalized(value: Decimal) -> Decimal:
    """Without trailing zeros and never in exponent form: 1.50 → 1.5, 100 → 100."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def canonical(value: Decimal | int) -> str:
    """The stored text of a decimal: "1234.5", "100", "-3.25"."""
    return f"{normalized(Decimal(value)):f}"


def from_canonical(raw: object) -> Decimal | None:
    """A stored decimal read back: canonical text, an int or a float (from a JSON file); None
    for anything else (a text that is not a number, a bool)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        return normalized(Decimal(str(raw)))
    if isinstance(raw, Decimal):
        return normalized(raw)
    if isinstance(raw, str) and _CANONICAL.match(raw.strip()):
        try:
            return normalized(Decimal(raw.strip()))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            return None
    return None


def format_decimal(value: Decimal | int, decimals: int | None = None) -> str:
    """Decimal("1234.5") → "1.234,5"; with ``decimals`` rounded half-up to at most that many
    places (trailing zeros dropped: 99.90 → "99,9", 95.00 → "95")."""
    number = Decimal(value)
    if decimals is not None:
        number = number.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    number = normalized(number)
    sign = "-" if number < 0 else ""
    whole, _, fraction = f"{abs(number):f}".partition(".")
    text = format_count(int(whole))
    return f"{sign}{text},{fraction}" if fraction else f"{sign}{text}"


def format_with_unit(value: Decimal | int, unit: str | None, decimals: int | None = None) -> str:
    """ "1.234,5 triệu đồng"; a percentage "84,03%" (no space before "%")."""
    text = format_decimal(value, decimals)
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"

"""Strict reading of what follows a command or rides in a button's data: ids and period keys.

An id is ASCII digits only, at most ``MAX_ID_DIGITS`` of them: ``str.isdigit`` accepts "²" (which
``int`` refuses) and a 30-digit number does not fit SQLite's integers. A period key is a week
"2025-W50" (also "2025W50", "2025-w50") of a year from ``FIRST_YEAR`` to next year, and a week that
year has; or a month "2026-04" (also "4/2026") of such a year. What is refused comes with a Vietnamese reason saying what is expected, with an example."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.chat.catalogue import say
from bot.domain.periods import PeriodKey
from bot.domain.text import fold

MAX_ID_DIGITS = 15
FIRST_YEAR = 2020
_ID = re.compile(rf"[0-9]{{1,{MAX_ID_DIGITS}}}")
_WEEK = re.compile(r"([0-9]{4})-?[Ww]([0-9]{1,2})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})|([0-9]{1,2})/([0-9]{4})")
# what reads as an attempt at a week key: digits, a "W", digits ("9999-W52", "25W1", "2025-W١٠")
_WEEKISH = re.compile(r"\w*\d[\w-]*[Ww]\s*\d\w*|[Ww]\d+(?:[-/]\d+)?", re.UNICODE)


class ArgumentError(ValueError):
    """An argument that cannot be taken; ``reason`` is a Vietnamese sentence for the person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_SPACES = " \t\n\r\x0b\x0c"


def keywords(key: str) -> list[str]:
    """The words the catalogue lists under ``key`` («tuần | tuan»), the one to show first."""
    return say(key).split(" | ")


def is_keyword(word: str, key: str) -> bool:
    """Whether ``word`` (as typed: any case, with or without diacritics) is one of the words the
    catalogue lists under ``key`` («tinh» before a province's code, «xoa» to clear a setting …)."""
    return fold(word) in {fold(listed) for listed in keywords(key)}


def parse_id(text: str) -> int | None:
    """The id written in ``text`` (ASCII digits, at most ``MAX_ID_DIGITS``); None otherwise."""
    value = text.strip(_SPACES)  # str.strip() would also drop control characters int() refuses
    return int(value) if _ID.fullmatch(value) else None


def require_id(text: str, example: str) -> int:
    """The id in ``text``, or ArgumentError saying what an id is, with ``example`` (a whole command)."""
    value = parse_id(text)
    if value is None:
        raise ArgumentError(say("arguments.bad_id", text=text.strip()[:20], example=example))
    return value


def example_week(today: date) -> str:
    """Last week's key, the one most often asked for: "2025-W50"."""
    return str(PeriodKey.containing("weekly", today - timedelta(days=7)))


def looks_like_week(text: str) -> bool:
    """Whether ``text`` reads as an attempt at a week key (so a bad one is explained, not searched for)."""
    return bool(_WEEKISH.fullmatch(text.strip()))


def parse_week(text: str, today: date) -> PeriodKey:
    """The week ``text`` names, or ArgumentError: not a key, a year out of reach, a week the year lacks."""
    example = example_week(today)
    match = _WEEK.fullmatch(text.strip())
    if match is None:
        raise ArgumentError(say("arguments.bad_period", text=text.strip()[:20], example=example))
    year, week = int(match[1]), int(match[2])
    last_year = today.year + 1
    if not FIRST_YEAR <= year <= last_year:
        raise ArgumentError(say("arguments.period_year", year=year, first=FIRST_YEAR, last=last_year,
                                example=example))
    weeks = date(year, 12, 28).isocalendar().week  # 28 December is always in the year's last ISO week
    if not 1 <= week <= weeks:
        raise ArgumentError(say("arguments.period_week", year=year, week=week, weeks=weeks, example=example))
    return PeriodKey.week(year, week)


def example_month(today: date) -> str:
    """Last month's key: "2026-04"."""
    return str(PeriodKey.containing("monthly", today.replace(day=1) - timedelta(days=1)))


def looks_like_month(text: str) -> bool:
    """Whether ``text`` reads as a month key ("2026-04", "4/2026")."""
    return bool(_MONTH.fullmatch(text.strip()))


def parse_month(text: str, today: date) -> PeriodKey:
    """The month ``text`` names, or ArgumentError: a year out of reach, a month that is not one."""
    example = example_month(today)
    match = _MONTH.fullmatch(text.strip())
    if match is None:
        raise ArgumentError(say("which_form.bad_month", text=text.strip()[:20], example=example))
    year, month = (int(match[1]), int(match[2])) if match[1] else (int(match[4]), int(match[3]))
    last_year = today.year + 1
    if not FIRST_YEAR <= year <= last_year:
        raise ArgumentError(say("which_form.month_year", year=year, first=FIRST_YEAR, last=last_year,
                                example=example))
    if not 1 <= month <= 12:
        raise ArgumentError(say("which_form.bad_month", text=text.strip()[:20], example=example))
    return PeriodKey.month(year, month)


def parse_period(text: str, today: date) -> PeriodKey | None:
    """The week or month ``text`` names; None when it reads as neither; ArgumentError (with the
    reason) when it reads as one but is not."""
    if looks_like_week(text):
        return parse_week(text, today)
    if looks_like_month(text):
        return parse_month(text, today)
    return None

"""Working days in Vietnam: weekends and public holidays (Tết included), named in Vietnamese.

The holiday list comes from the ``holidays`` package (``country_holidays("VN", language="vi")``).
A working day here is Monday to Friday and not a public holiday; the Saturdays that the government
sometimes swaps in as make-up working days are not counted, so a deadline never lands on a weekend.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from bot.chat.catalogue import say
from bot.domain.numbers import format_date

DEFAULT_COUNTRY = "VN"
WEEKDAY_NAMES_VI = tuple(say(key) for key in ("dates.monday", "dates.tuesday", "dates.wednesday", "dates.thursday",
                                              "dates.friday", "dates.saturday", "dates.sunday"))
# The names the holidays package gives the days of one holiday (matched, and printed as they are).
_TET, _NEW_YEAR, _TET_FAMILY = "Tết", "Dương lịch", "Tết Nguyên Đán"
_DAY_OFF, _MAKE_UP = "Ngày nghỉ (", "Ngày nghỉ bù"
_MAX_SKIP = 60  # no stretch of days off is this long; guards against a broken calendar


@lru_cache(maxsize=64)
def _holidays_of(country: str, year: int) -> dict[date, str]:
    calendar = holidays.country_holidays(country, years=year)
    language = "vi" if "vi" in (calendar.supported_languages or ()) else None
    if language:
        calendar = holidays.country_holidays(country, years=year, language=language)
    return dict(calendar.items())


def check_country(country: str) -> None:
    """Raise ValueError when ``holidays`` does not know the country code."""
    try:
        holidays.country_holidays(country, years=2025)
    except NotImplementedError:
        raise ValueError(f"the holidays package does not know the country {country!r}") from None


def holiday_name(day: date, country: str = DEFAULT_COUNTRY) -> str | None:
    """The Vietnamese name of the public holiday on ``day`` ("Ngày Chiến thắng"), or None."""
    return _holidays_of(country, day.year).get(day)


def is_working_day(day: date, country: str = DEFAULT_COUNTRY) -> bool:
    return day.weekday() < 5 and holiday_name(day, country) is None


def working_day_on_or_after(day: date, country: str = DEFAULT_COUNTRY) -> date:
    """``day`` itself when it is a working day, else the next one."""
    for _ in range(_MAX_SKIP):
        if is_working_day(day, country):
            return day
        day += timedelta(days=1)
    raise ValueError(f"no working day within {_MAX_SKIP} days of {day}")


def next_working_day(day: date, country: str = DEFAULT_COUNTRY) -> date:
    """The first working day strictly after ``day``."""
    return working_day_on_or_after(day + timedelta(days=1), country)


def working_day_before(day: date, country: str = DEFAULT_COUNTRY, count: int = 1) -> date:
    """The ``count``-th working day strictly before ``day`` (``count=0`` gives ``day`` itself)."""
    for _ in range(count):
        day -= timedelta(days=1)
        for _ in range(_MAX_SKIP):
            if is_working_day(day, country):
                break
            day -= timedelta(days=1)
        else:
            raise ValueError(f"no working day within {_MAX_SKIP} days before {day}")
    return day


def weekday_vi(day: date) -> str:
    """ "thứ Năm" for a Thursday, "Chủ nhật" for a Sunday."""
    return WEEKDAY_NAMES_VI[day.weekday()]


def _family(name: str) -> str:
    """Collapse the days of one holiday: every day of Tết is "Tết Nguyên Đán"."""
    if _TET in name and _NEW_YEAR not in name:
        return _TET_FAMILY
    if name.startswith((_DAY_OFF, _MAKE_UP)):
        return _MAKE_UP
    return name


def days_off_note(start: date, end: date, country: str = DEFAULT_COUNTRY) -> str:
    """Why the days from ``start`` up to (not including) ``end`` are not working days, in Vietnamese:
    "Ngày Chiến thắng (30/4), Ngày Quốc tế Lao động (01/5)"; "Tết Nguyên Đán (04/2–10/2)";
    "cuối tuần" when only a weekend is skipped."""
    return ", ".join(_holidays_between(start, end, country)) or say("dates.weekend")


def _holidays_between(start: date, end: date, country: str) -> list[str]:
    """The holidays from ``start`` up to (not including) ``end``, each with its days: ["Tết Nguyên Đán (04/2–10/2)"]."""
    groups: list[tuple[str, date, date]] = []
    day = start
    while day < end:
        name = holiday_name(day, country)
        if name is not None:
            family = _family(name)
            if groups and groups[-1][0] == family and (day - groups[-1][2]).days <= 3:
                groups[-1] = (family, groups[-1][1], day)
            else:
                groups.append((family, day, day))
        day += timedelta(days=1)
    parts = []
    for family, first, last in groups:
        span = _day_month(first) if first == last else f"{_day_month(first)}–{_day_month(last)}"
        parts.append(f"{family} ({span})")
    return parts


def moved_note(what: str, nominal: date, actual: date, country: str = DEFAULT_COUNTRY) -> str:
    """ "Hạn nộp chuyển từ thứ Năm 30/4/2026 sang thứ Hai 04/5/2026 do trùng ngày nghỉ:
    Ngày Chiến thắng (30/4), Ngày Quốc tế Lao động (01/5)."."""
    holidays_ = _holidays_between(nominal, actual, country)
    reason = say("dates.moved_holidays", holidays=", ".join(holidays_)) if holidays_ else say("dates.moved_weekend")
    return say("dates.moved", what=what, weekday=weekday_vi(nominal), nominal=format_date(nominal),
               new_weekday=weekday_vi(actual), actual=format_date(actual), reason=reason)


def _day_month(day: date) -> str:
    return f"{day.day:02d}/{day.month}"

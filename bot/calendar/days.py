"""Days as officials type them: "22/12", "22/12/2025", "22-12-25", "2025-12-22"."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.chat.catalogue import say
from bot.domain.numbers import format_date, format_date_range
from bot.notices.plan import CalendarInputError

_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2,4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_day(text: str, today: date, *, after: date | None = None) -> date:
    """The day ``text`` names. Without a year: this year's, or next year's when that is long past
    (or, for the end of a leave, shortly after its start over the new year)."""
    text = text.strip()
    if match := _ISO.match(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
        explicit = True
    elif match := _DATE.match(text):
        day, month = int(match[1]), int(match[2])
        explicit = match[3] is not None
        year = int(match[3]) if explicit else today.year
        if explicit and year < 100:
            year += 2000
    else:
        raise CalendarInputError(say("calendar.not_a_day", text=text))
    try:
        found = date(year, month, day)
    except ValueError:
        raise CalendarInputError(say("calendar.no_such_day", text=text)) from None
    if not explicit:
        if after is None and found < today - timedelta(days=30):
            found = found.replace(year=found.year + 1)  # "05/01" typed in December
        elif after is not None and found < after and (found.replace(year=found.year + 1) - after).days <= 92:
            found = found.replace(year=found.year + 1)  # "29/12 02/01": over the new year
    return found


def leave_text(start: date | None, end: date | None) -> str:
    """A leave as a sentence's part: "ngày 22/12/2025", "22/12 – 26/12/2025", "từ ngày …"."""
    if start and end:
        return say("calendar.one_day", day=format_date(start)) if start == end else format_date_range(start, end)
    if start:
        return say("calendar.from_day", day=format_date(start))
    return say("calendar.until_day", day=format_date(end)) if end else ""

"""Which notices a period owes, and when — pure: no Telegram, no storage.

A period (``bot.domain.periods``: opening and deadline already moved to working days) gives
four moments:

| kind | when | to whom (decided when it fires, checked again when sent) |
|---|---|---|
| ``opening`` | the opening | every reporter of every commune |
| ``reminder`` | each of the form's reminders (default: the working day before the deadline at 09:00, the deadline day at 09:00) | reporters of communes that have not submitted |
| ``deadline`` | the deadline | reporters of communes still missing: a last notice |
| ``escalation`` | the deadline | the province's supervisors: the missing communes, with a button to nudge them |

Every moment is sent only within the form's quiet hours (``quiet_hours``: allowed from … until,
local time); a moment outside them moves to the next allowed instant (a deadline at 22:00
is announced at 07:00 the next morning). A reminder that would then come at or after the
deadline's notice, or with the opening, is left out.

The form file holds the calendar; an admin may change parts of it in chat (an *override*,
the keys ``opens``, ``deadline``, ``reminders``, ``quiet_hours`` of the ``period`` block),
merged here by ``effective_spec``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from pydantic import ValidationError

from bot.chat.catalogue import say
from bot.domain.calendar import WEEKDAY_NAMES_VI, weekday_vi, working_day_before
from bot.domain.numbers import format_date
from bot.domain.periods import (
    WEEKDAYS,
    PeriodInfo,
    PeriodKey,
    PeriodSpec,
    QuietHours,
    current_open_period,
    period_for,
)
from bot.domain.text import fold

OPENING = "opening"
REMINDER = "reminder"
DEADLINE = "deadline"
ESCALATION = "escalation"
MOMENT_KINDS = (OPENING, REMINDER, DEADLINE, ESCALATION)
# Notices that are not moments of the calendar.
UNREACHABLE = "unreachable"  # to supervisors: communes where nobody can be reached
BLOCKED = "blocked"  # to supervisors: someone blocked the bot
NUDGE = "nudge"  # to reporters: a supervisor pressed "nudge"
RESUBMITTED = "resubmitted"  # to supervisors: a commune sent again a report they returned
REPORTER_KINDS = frozenset({OPENING, REMINDER, DEADLINE, NUDGE})

KIND_LABELS = {  # catalogue keys
    OPENING: "calendar.kind_opening",
    REMINDER: "calendar.kind_reminder",
    DEADLINE: "calendar.kind_deadline",
    ESCALATION: "calendar.kind_escalation",
}
OVERRIDE_KEYS = ("opens", "deadline", "reminders", "quiet_hours")


class CalendarInputError(ValueError):
    """A calendar change typed in chat that cannot be used; the message is Vietnamese."""


# --- the effective calendar ------------------------------------------------------------------


def effective_spec(base: PeriodSpec, override: Mapping[str, Any] | None) -> PeriodSpec:
    """The form's ``period`` block with an admin's override applied (``opens``, ``deadline``
    and ``quiet_hours`` merge key by key; ``reminders`` replaces the list)."""
    if not override:
        return base
    data = base.model_dump()
    for key, value in override.items():
        if key not in OVERRIDE_KEYS:
            raise ValueError(f"{key!r} cannot be overridden")
        if key == "reminders":
            data[key] = list(value)
        else:
            data[key] = {**data[key], **dict(value)}
    return PeriodSpec.model_validate(data)


def merge_override(current: Mapping[str, Any] | None, change: Mapping[str, Any]) -> dict[str, Any]:
    """An override with one more change (a change of ``reminders`` replaces the list)."""
    merged: dict[str, Any] = {key: value for key, value in (current or {}).items()}
    for key, value in change.items():
        if key == "reminders" or not isinstance(value, Mapping):
            merged[key] = value
        else:
            merged[key] = {**dict(merged.get(key) or {}), **dict(value)}
    return merged


# --- quiet hours -----------------------------------------------------------------------------


def allowed_moment(at: datetime, quiet: QuietHours, tz: tzinfo) -> datetime:
    """``at`` itself when messages may go out then, else the next instant they may:
    ``allowed_from`` the same morning, or the next one after ``allowed_until``."""
    local = at.astimezone(tz)
    if quiet.allows(local.time()):
        return local
    day = local.date() if local.time() < quiet.allowed_from else local.date() + timedelta(days=1)
    return datetime.combine(day, quiet.allowed_from, tz)


# --- moments of a period ---------------------------------------------------------------------


@dataclass(frozen=True)
class Moment:
    """One planned notice moment of a period: ``nominal_at`` from the calendar, ``due_at``
    after quiet hours."""

    kind: str
    period_key: str
    nominal_at: datetime
    due_at: datetime

    @property
    def shifted(self) -> bool:
        return self.due_at != self.nominal_at

    @property
    def label(self) -> str:
        return say(KIND_LABELS[self.kind]) if self.kind in KIND_LABELS else self.kind


def reminder_times(spec: PeriodSpec, opens_at: datetime, deadline_at: datetime) -> tuple[datetime, ...]:
    """The form's reminders before this deadline (working days before it, at their times),
    those between the opening and the deadline, in order (as ``period_for`` computes them, but
    for a period whose dates are stored, perhaps changed since)."""
    found = set()
    deadline_day = deadline_at.astimezone(spec.tz).date()
    for reminder in spec.reminders:
        day = working_day_before(deadline_day, spec.holiday_country, reminder.working_days_before)
        at = datetime.combine(day, reminder.time, spec.tz)
        if opens_at <= at < deadline_at:
            found.add(at)
    return tuple(sorted(found))


def moments(spec: PeriodSpec, key: str, opens_at: datetime, deadline_at: datetime) -> list[Moment]:
    """The period's moments in time order (opening, reminders, deadline, escalation)."""
    tz = spec.tz

    def moment(kind: str, at: datetime) -> Moment:
        at = at.astimezone(tz)
        return Moment(kind, key, at, allowed_moment(at, spec.quiet_hours, tz))

    opening = moment(OPENING, opens_at)
    deadline = moment(DEADLINE, deadline_at)
    found = [opening]
    seen: set[datetime] = set()
    for at in reminder_times(spec, opens_at, deadline_at):
        reminder = moment(REMINDER, at)
        if opening.due_at < reminder.due_at < deadline.due_at and reminder.due_at not in seen:
            seen.add(reminder.due_at)
            found.append(reminder)
    found += [deadline, moment(ESCALATION, deadline_at)]
    return found


def moments_of(spec: PeriodSpec, info: PeriodInfo) -> list[Moment]:
    return moments(spec, str(info.key), info.opens_at, info.deadline_at)


@dataclass(frozen=True)
class PlannedPeriod:
    info: PeriodInfo
    moments: tuple[Moment, ...]

    @property
    def reminders(self) -> tuple[Moment, ...]:
        return tuple(m for m in self.moments if m.kind == REMINDER)

    def moment(self, kind: str) -> Moment:
        return next(m for m in self.moments if m.kind == kind)


def first_key(spec: PeriodSpec, start: date | datetime | PeriodKey | str) -> PeriodKey:
    """The first period to plan from ``start``: a key as it is; for a day, the period whose
    report is open or opens next on that day (the latest one opened by its start)."""
    if isinstance(start, PeriodKey):
        return start
    if isinstance(start, str):
        return PeriodKey.parse(start)
    moment = start if isinstance(start, datetime) else datetime.combine(start, time(0, 0), spec.tz)
    try:
        current = current_open_period(spec, moment)
    except ValueError:  # pragma: no cover - current_open_period always finds one
        return PeriodKey.containing(spec.kind, moment.date())
    # after the deadline, the next period is the one to watch
    return current.key if moment < current.deadline_at else current.key.next()


def plan(spec: PeriodSpec, start: date | datetime | PeriodKey | str, count: int) -> list[PlannedPeriod]:
    """``count`` periods from ``start`` (see ``first_key``), each with its moments."""
    key = first_key(spec, start)
    planned = []
    for _ in range(max(count, 0)):
        info = period_for(spec, key)
        planned.append(PlannedPeriod(info, tuple(moments_of(spec, info))))
        key = key.next()
    return planned


# --- in Vietnamese ---------------------------------------------------------------------------


def format_clock(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def format_moment(at: datetime) -> str:
    """ "15:00 thứ Năm 18/12/2025"."""
    return f"{format_clock(at.time())} {weekday_vi(at.date())} {format_date(at.date())}"


def _day_time(spec: PeriodSpec, which: str) -> str:
    moment = getattr(spec, which)
    if spec.kind == "weekly":
        day = say("calendar.weekday_next_week", weekday=WEEKDAY_NAMES_VI[WEEKDAYS.index(moment.weekday)])
    elif spec.same_month:
        day = say("forms_open.day_this_month", day=moment.day)
    else:
        day = say("calendar.day_next_month", day=moment.day)
    moved = say("calendar.moved_to_working_day") if moment.move_to_working_day else ""
    return f"{format_clock(moment.time)} {day}{moved}"


def describe_reminders(spec: PeriodSpec) -> str:
    if not spec.reminders:
        return say("calendar.no_reminders")
    parts = []
    for reminder in sorted(spec.reminders, key=lambda r: (-r.working_days_before, r.time)):
        n = reminder.working_days_before
        when = say("calendar.on_deadline_day") if n == 0 else say("calendar.working_days_before", days=n)
        parts.append(f"{format_clock(reminder.time)} {when}")
    return "; ".join(parts)


def describe_spec(spec: PeriodSpec) -> list[str]:
    """The calendar's settings, one line each."""
    kind = say("calendar.weekly") if spec.kind == "weekly" else say("calendar.monthly")
    quiet = spec.quiet_hours
    figures = []
    if spec.cutoff_day is not None:
        start = say("forms_open.from_year_start") if spec.figures_from == "year_start" else say(
            "forms_open.from_month_start")
        figures = [say("forms_open.spec_figures", start=start, day=spec.cutoff_day)]
    return [
        say("calendar.spec_kind", kind=kind, timezone=spec.timezone),
        *figures,
        say("calendar.spec_opens", when=_day_time(spec, "opens")),
        say("calendar.spec_deadline", when=_day_time(spec, "deadline")),
        say("calendar.spec_reminders", when=describe_reminders(spec)),
        say("calendar.spec_quiet_hours", start=format_clock(quiet.allowed_from),
            end=format_clock(quiet.allowed_until)),
    ]


def _moment_line(moment: Moment, quiet: QuietHours) -> str:
    text = format_moment(moment.nominal_at)
    if moment.shifted:
        text += say("calendar.shifted", at=format_moment(moment.due_at), start=format_clock(quiet.allowed_from),
                    end=format_clock(quiet.allowed_until))
    return text


def describe_period(planned: PlannedPeriod, spec: PeriodSpec) -> list[str]:
    """Lines for one period: key and dates, opening, reminders, deadline and why it moved."""
    info = planned.info
    lines = [f"{info.key} · {info.label}"]
    lines.append(say("calendar.period_opens", when=_moment_line(planned.moment(OPENING), spec.quiet_hours)))
    if info.opens_note:
        lines.append(f"      ↳ {info.opens_note}")
    reminders = planned.reminders
    text = "; ".join(_moment_line(m, spec.quiet_hours) for m in reminders) if reminders else say("calendar.none")
    lines.append(say("calendar.period_reminders", when=text))
    lines.append(say("calendar.period_deadline", when=_moment_line(planned.moment(DEADLINE), spec.quiet_hours)))
    if info.deadline_note:
        lines.append(f"      ↳ {info.deadline_note}")
    return lines


def describe_plan(spec: PeriodSpec, planned: Sequence[PlannedPeriod], *, title: str | None = None) -> str:
    lines = [title] if title else []
    lines += describe_spec(spec)
    for period in planned:
        lines.append("")
        lines += describe_period(period, spec)
    return "\n".join(lines)


# --- changes typed in chat -------------------------------------------------------------------

_TIME = re.compile(r"^(\d{1,2})(?:[:hg.](\d{2})?)?$")
_WEEKDAY_TOKENS = {
    "2": "monday", "hai": "monday",
    "3": "tuesday", "ba": "tuesday",
    "4": "wednesday", "tu": "wednesday",
    "5": "thursday", "nam": "thursday",
    "6": "friday", "sau": "friday",
    "7": "saturday", "bay": "saturday",
    "cn": "sunday", "chunhat": "sunday", "8": "sunday",
}
_ACTIONS = {
    "hannop": "deadline", "han": "deadline", "hannopbaocao": "deadline",
    "mo": "opens", "mobaocao": "opens",
    "nhac": "reminders", "nhacnho": "reminders",
    "gio": "quiet_hours", "giogui": "quiet_hours", "gioguitin": "quiet_hours",
    "macdinh": "reset",
}


def parse_clock(text: str) -> time:
    """ "15:00", "15h", "9h30", "9" → a time of day."""
    match = _TIME.match(fold(text).replace(" ", ""))
    if not match or int(match[1]) > 23 or int(match[2] or 0) > 59:
        raise CalendarInputError(say("calendar.bad_time", text=text))
    return time(int(match[1]), int(match[2] or 0))


def parse_action(word: str) -> str:
    action = _ACTIONS.get(fold(word).replace(" ", ""))
    if action is None:
        raise CalendarInputError(say("calendar.unknown_word", word=word))
    return action


def _day_and_time(spec: PeriodSpec, words: Sequence[str]) -> dict[str, Any]:
    if not words:
        raise CalendarInputError(say("calendar.day_and_time_needed"))
    clock = parse_clock(words[-1])
    day_text = fold(" ".join(words[:-1])).replace(" ", "")
    if spec.kind == "monthly":
        digits = day_text.removeprefix("ngay")
        if not digits.isdigit() or not 1 <= int(digits) <= 28:
            raise CalendarInputError(say("calendar.bad_day_of_month"))
        return {"day": int(digits), "time": format_clock(clock)}
    token = day_text.removeprefix("thu") if day_text not in {"thu", "t"} else day_text
    token = token.removeprefix("t") if token[:1] == "t" and token[1:].isdigit() else token
    weekday = _WEEKDAY_TOKENS.get(token)
    if weekday is None:
        raise CalendarInputError(say("calendar.bad_weekday", text=" ".join(words[:-1])))
    return {"weekday": weekday, "time": format_clock(clock)}


def _reminders(words: Sequence[str]) -> list[dict[str, Any]]:
    text = " ".join(words).strip()
    if fold(text) in {"tat", "khong", "0 lan", "bo"}:
        return []
    reminders = []
    for part in re.split(r"[,;]", text):
        bits = part.split()
        if not bits:
            continue
        if len(bits) != 2 or not bits[0].isdigit() or not 0 <= int(bits[0]) <= 10:
            raise CalendarInputError(say("calendar.bad_reminder", text=part.strip()))
        reminders.append({"working_days_before": int(bits[0]), "time": format_clock(parse_clock(bits[1]))})
    if not reminders:
        raise CalendarInputError(say("calendar.reminders_needed"))
    return reminders


def _quiet(words: Sequence[str]) -> dict[str, Any]:
    bits = [b for b in re.split(r"[\s\-–]+", " ".join(words)) if b and fold(b) not in {"den", "tu"}]
    if len(bits) != 2:
        raise CalendarInputError(say("calendar.quiet_hours_needed"))
    start, end = parse_clock(bits[0]), parse_clock(bits[1])
    if start >= end:
        raise CalendarInputError(say("calendar.quiet_hours_order"))
    return {"allowed_from": format_clock(start), "allowed_until": format_clock(end)}


def parse_change(spec: PeriodSpec, words: Sequence[str]) -> dict[str, Any] | None:
    """A change typed after /lich: ``hannop thu5 15:00``, ``mo thu2 08:00``, ``nhac 1 09:00, 0 09:00``
    (working days before the deadline and time; ``nhac tat`` for none), ``gio 07:00 21:00``.
    The override fragment, or None for ``macdinh`` (back to the form file)."""
    if not words:
        raise CalendarInputError(say("calendar.change_needed"))
    action = parse_action(words[0])
    rest = list(words[1:])
    if action == "reset":
        return None
    if action in ("deadline", "opens"):
        return {action: _day_and_time(spec, rest)}
    if action == "reminders":
        return {"reminders": _reminders(rest)}
    return {"quiet_hours": _quiet(rest)}


def checked_spec(base: PeriodSpec, override: Mapping[str, Any] | None) -> PeriodSpec:
    """``effective_spec`` with the errors a person can make explained in Vietnamese."""
    try:
        return effective_spec(base, override)
    except ValidationError as exc:
        text = str(exc)
        if "deadline must come after opens" in text:
            raise CalendarInputError(say("calendar.deadline_before_opening")) from None
        if "allowed_from must be before" in text:
            raise CalendarInputError(say("calendar.quiet_hours_order")) from None
        raise CalendarInputError(say("calendar.invalid_calendar")) from None

"""Reporting periods, independent of Telegram and storage.

A period is an ISO week ("2025-W50", Monday 08/12 to Sunday 14/12/2025) or a calendar month
("2025-12"). Its report opens after it ends and is due at a deadline; both are set by the form's
``period`` block (:class:`PeriodSpec`). By default the report on week 2025-W50 opens on Monday
15/12 at 08:00 and is due on Thursday 18/12/2025 at 15:00 (Asia/Ho_Chi_Minh). A day that falls on a
weekend or a Vietnamese public holiday moves to the next working day, with a note saying why.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, GetCoreSchemaHandler, model_validator
from pydantic_core import core_schema

from bot.chat.catalogue import say
from bot.domain.calendar import (
    DEFAULT_COUNTRY,
    check_country,
    moved_note,
    working_day_before,
    working_day_on_or_after,
)
from bot.domain.numbers import format_date_range

PeriodKind = Literal["weekly", "monthly"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

_WEEK_KEY = re.compile(r"^\s*([0-9]{4})-?W([0-9]{1,2})\s*$", re.IGNORECASE)  # ASCII digits only
_MONTH_KEY = re.compile(r"^\s*([0-9]{4})-([0-9]{1,2})\s*$")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class PeriodKeyError(ValueError):
    """A text that is not a period key ("2025-W50", "2025-12")."""


# --- period keys -----------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class PeriodKey:
    """One reporting period: ``PeriodKey("weekly", 2025, 50)`` is "2025-W50" (ISO week-numbering
    year), ``PeriodKey("monthly", 2025, 12)`` is "2025-12". Keys of one kind sort in time order."""

    kind: PeriodKind
    year: int
    number: int

    def __post_init__(self) -> None:
        if self.kind == "weekly":
            try:
                date.fromisocalendar(self.year, self.number, 1)
            except ValueError:
                raise PeriodKeyError(f"{self.year} has no ISO week {self.number}") from None
        elif self.kind == "monthly":
            if not (1 <= self.number <= 12) or not (1 <= self.year <= 9999):
                raise PeriodKeyError(f"{self.year}-{self.number} is not a month")
        else:
            raise PeriodKeyError(f"unknown period kind {self.kind!r}")

    @classmethod
    def week(cls, year: int, week: int) -> PeriodKey:
        return cls("weekly", year, week)

    @classmethod
    def month(cls, year: int, month: int) -> PeriodKey:
        return cls("monthly", year, month)

    @classmethod
    def parse(cls, text: str) -> PeriodKey:
        """ "2025-W50" (also "2025W50", "2025-w50") or "2025-12"."""
        if match := _WEEK_KEY.match(text):
            return cls("weekly", int(match[1]), int(match[2]))
        if match := _MONTH_KEY.match(text):
            return cls("monthly", int(match[1]), int(match[2]))
        raise PeriodKeyError(f"{text!r} is not a period key (expected e.g. '2025-W50' or '2025-12')")

    @classmethod
    def containing(cls, kind: PeriodKind, day: date) -> PeriodKey:
        if kind == "weekly":
            iso = day.isocalendar()
            return cls("weekly", iso.year, iso.week)
        return cls("monthly", day.year, day.month)

    def __str__(self) -> str:
        if self.kind == "weekly":
            return f"{self.year}-W{self.number:02d}"
        return f"{self.year}-{self.number:02d}"

    @property
    def starts_on(self) -> date:
        if self.kind == "weekly":
            return date.fromisocalendar(self.year, self.number, 1)
        return date(self.year, self.number, 1)

    @property
    def ends_on(self) -> date:
        if self.kind == "weekly":
            return self.starts_on + timedelta(days=6)
        return self.next().starts_on - timedelta(days=1)

    def next(self) -> PeriodKey:
        if self.kind == "weekly":
            return PeriodKey.containing("weekly", self.starts_on + timedelta(days=7))
        year, month = divmod(self.year * 12 + self.number, 12)  # number is 1-based
        return PeriodKey("monthly", year, month + 1)

    def previous(self) -> PeriodKey:
        if self.kind == "weekly":
            return PeriodKey.containing("weekly", self.starts_on - timedelta(days=7))
        year, month = divmod(self.year * 12 + self.number - 2, 12)
        return PeriodKey("monthly", year, month + 1)

    @property
    def short_label(self) -> str:
        """ "Tuần 50/2025", "Tháng 12/2025"."""
        if self.kind == "weekly":
            return say("dates.week", number=self.number, year=self.year)
        return say("dates.month", number=self.number, year=self.year)

    @property
    def label(self) -> str:
        """ "Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025)"."""
        return f"{self.short_label} ({format_date_range(self.starts_on, self.ends_on)})"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """In pydantic models a key is read from "2025-W50" (or a key) and written as "2025-W50"."""

        def validate(value: Any) -> PeriodKey:
            if isinstance(value, PeriodKey):
                return value
            if isinstance(value, str):
                return PeriodKey.parse(value)
            raise PeriodKeyError(f"{value!r} is not a period key")

        return core_schema.no_info_plain_validator_function(
            validate, serialization=core_schema.to_string_ser_schema()
        )


def parse_period_key(text: str) -> PeriodKey:
    return PeriodKey.parse(text)


def previous_key(key: PeriodKey | str) -> PeriodKey:
    return _key(key).previous()


def next_key(key: PeriodKey | str) -> PeriodKey:
    return _key(key).next()


def period_label(key: PeriodKey | str) -> str:
    """ "Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025)"."""
    return _key(key).label


def _key(key: PeriodKey | str) -> PeriodKey:
    return key if isinstance(key, PeriodKey) else PeriodKey.parse(key)


# --- the form's period block -----------------------------------------------------------------


def _clock_time(raw: Any) -> Any:
    if isinstance(raw, time):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        raise ValueError(f"write times in quotes as 'HH:MM' (YAML read an unquoted time as the number {raw})")
    if not isinstance(raw, str) or not (match := _CLOCK.match(raw.strip())):
        raise ValueError(f"{raw!r} is not a time of day; write it as 'HH:MM', e.g. '15:00'")
    return time(int(match[1]), int(match[2]))


ClockTime = Annotated[time, BeforeValidator(_clock_time)]
FiguresFrom = Literal["period_start", "year_start"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DayTime(_Model):
    """A moment after the period: ``weekday`` of the week after (weekly) or ``day`` of the month
    after (monthly; of the month itself when the period sets ``cutoff_day``), at ``time``; moved to
    the next working day when it is not one."""

    weekday: Weekday | None = None
    day: int | None = Field(default=None, ge=1, le=28)
    time: ClockTime
    move_to_working_day: bool = True

    def nominal_date(self, key: PeriodKey, *, same_month: bool = False) -> date:
        """``same_month``: a monthly moment's ``day`` is of the month reported, not the one after."""
        after = key.ends_on + timedelta(days=1)  # Monday after the week, 1st of the month after
        if key.kind == "weekly":
            assert self.weekday is not None
            return after + timedelta(days=WEEKDAYS.index(self.weekday))
        assert self.day is not None
        return (key.starts_on if same_month else after).replace(day=self.day)

    def _order(self) -> tuple[int, ClockTime]:
        return (WEEKDAYS.index(self.weekday) if self.weekday else (self.day or 0), self.time)


class Reminder(_Model):
    """A reminder ``working_days_before`` the deadline's day (0 = on the day itself) at ``time``."""

    working_days_before: int = Field(ge=0, le=10)
    time: ClockTime


class QuietHours(_Model):
    """Messages go out only between ``allowed_from`` and ``allowed_until`` (local time)."""

    allowed_from: ClockTime = time(7, 0)
    allowed_until: ClockTime = time(21, 0)

    @model_validator(mode="after")
    def _ordered(self) -> QuietHours:
        if self.allowed_from >= self.allowed_until:
            raise ValueError("allowed_from must be before allowed_until")
        return self

    def allows(self, moment: time) -> bool:
        return self.allowed_from <= moment < self.allowed_until


_DEFAULTS: dict[str, dict[str, dict[str, Any]]] = {
    "weekly": {
        "opens": {"weekday": "monday", "time": "08:00"},
        "deadline": {"weekday": "thursday", "time": "15:00"},
    },
    "monthly": {"opens": {"day": 1, "time": "08:00"}, "deadline": {"day": 5, "time": "15:00"}},
}


class PeriodSpec(_Model):
    """The ``period`` block of a form: when reports open, are due, are reminded; quiet hours."""

    kind: PeriodKind = "weekly"
    timezone: str = DEFAULT_TIMEZONE
    holiday_country: str = DEFAULT_COUNTRY
    opens: DayTime
    deadline: DayTime
    reminders: tuple[Reminder, ...] = (
        Reminder(working_days_before=1, time=time(9, 0)),
        Reminder(working_days_before=0, time=time(9, 0)),
    )
    quiet_hours: QuietHours = QuietHours()
    # Monthly reports whose figures stop before the month ends ("đến hết ngày 23"): the period's
    # last day is this day of the month, and ``opens``/``deadline`` count days in the month itself.
    cutoff_day: int | None = Field(default=None, ge=1, le=27)
    # Where the figures start: the period's first day, or 01/01 of its year (cumulative reports).
    figures_from: FiguresFrom = "period_start"
    form_id: str = ""

    @model_validator(mode="before")
    @classmethod
    def _kind_defaults(cls, data: Any) -> Any:
        if isinstance(data, dict):
            kind = data.get("kind", "weekly")
            if kind in _DEFAULTS:
                data = {**_DEFAULTS[kind], **data}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> PeriodSpec:
        for name in ("opens", "deadline"):
            moment: DayTime = getattr(self, name)
            if self.kind == "weekly" and (moment.weekday is None or moment.day is not None):
                raise ValueError(f"{name}: a weekly period sets 'weekday' (of the week after), not 'day'")
            if self.kind == "monthly" and (moment.day is None or moment.weekday is not None):
                raise ValueError(f"{name}: a monthly period sets 'day' (of the month after), not 'weekday'")
        if self.opens._order() >= self.deadline._order():
            raise ValueError("deadline must come after opens")
        if self.cutoff_day is not None:
            if self.kind != "monthly":
                raise ValueError("cutoff_day: only a monthly period stops its figures before the month ends")
            if self.deadline.day is not None and self.deadline.day <= self.cutoff_day:
                raise ValueError("deadline: with cutoff_day, the deadline is a day of the month after the cut-off")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r}") from None
        check_country(self.holiday_country)
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def same_month(self) -> bool:
        """Whether ``opens`` and ``deadline`` fall in the month reported (a cut-off day is set)."""
        return self.cutoff_day is not None

    def first_day(self, key: PeriodKey) -> date:
        """The first day the period's figures count: its own first day, or 01/01 of its year."""
        return date(key.year, 1, 1) if self.figures_from == "year_start" and key.kind == "monthly" else key.starts_on

    def last_day(self, key: PeriodKey) -> date:
        """The last day the period's figures count: its own last day, or the cut-off day."""
        return key.starts_on.replace(day=self.cutoff_day) if self.cutoff_day is not None else key.ends_on

    def label(self, key: PeriodKey) -> str:
        """ "Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025)", "Tháng 4/2026 (từ ngày 01/01 đến 23/04/2026)"."""
        return f"{key.short_label} ({format_date_range(self.first_day(key), self.last_day(key))})"


# --- periods ---------------------------------------------------------------------------------


class PeriodInfo(_Model):
    """One period of one form, with its moments computed (aware datetimes in the spec's zone)."""

    form_id: str
    key: PeriodKey
    label: str
    starts_on: date
    ends_on: date
    opens_at: datetime
    deadline_at: datetime
    nominal_deadline_at: datetime
    deadline_note: str | None = None
    opens_note: str | None = None
    reminders_at: tuple[datetime, ...] = ()

    def is_open(self, now: datetime) -> bool:
        return now >= self.opens_at

    def is_late(self, submitted_at: datetime) -> bool:
        return submitted_at > self.deadline_at

    @property
    def deadline_moved(self) -> bool:
        return self.deadline_at != self.nominal_deadline_at


def _resolve(
    spec: PeriodSpec, moment: DayTime, key: PeriodKey, what: str
) -> tuple[datetime, datetime, str | None]:
    nominal = moment.nominal_date(key, same_month=spec.same_month)
    actual = working_day_on_or_after(nominal, spec.holiday_country) if moment.move_to_working_day else nominal
    note = moved_note(what, nominal, actual, spec.holiday_country) if actual != nominal else None
    return (
        datetime.combine(nominal, moment.time, spec.tz),
        datetime.combine(actual, moment.time, spec.tz),
        note,
    )


def period_for(spec: PeriodSpec, key: PeriodKey | str) -> PeriodInfo:
    key = _key(key)
    if key.kind != spec.kind:
        raise PeriodKeyError(f"{key} is not a {spec.kind} period")
    _, opens_at, opens_note = _resolve(spec, spec.opens, key, say("dates.opening"))
    nominal_deadline, deadline_at, deadline_note = _resolve(spec, spec.deadline, key, say("dates.deadline"))
    opens_at = min(opens_at, deadline_at)
    reminders = sorted(
        {
            at
            for reminder in spec.reminders
            if opens_at
            <= (
                at := datetime.combine(
                    working_day_before(
                        deadline_at.date(), spec.holiday_country, reminder.working_days_before
                    ),
                    reminder.time,
                    spec.tz,
                )
            )
            < deadline_at
        }
    )
    return PeriodInfo(
        form_id=spec.form_id,
        key=key,
        label=spec.label(key),
        starts_on=spec.first_day(key),
        ends_on=spec.last_day(key),
        opens_at=opens_at,
        deadline_at=deadline_at,
        nominal_deadline_at=nominal_deadline,
        deadline_note=deadline_note,
        opens_note=opens_note,
        reminders_at=tuple(reminders),
    )


def period_containing(spec: PeriodSpec, day: date) -> PeriodInfo:
    """The period whose days include ``day`` (a datetime counts by its own calendar date)."""
    if isinstance(day, datetime):
        day = day.astimezone(spec.tz).date() if day.tzinfo else day.date()
    return period_for(spec, PeriodKey.containing(spec.kind, day))


def _iter_keys(start: PeriodKey) -> Iterator[PeriodKey]:
    key = start
    while True:
        yield key
        key = key.next()


def periods_between(
    spec: PeriodSpec,
    start: PeriodKey | str | date,
    end: PeriodKey | str | date | None = None,
    *,
    count: int | None = None,
) -> list[PeriodInfo]:
    """The periods from ``start`` to ``end`` inclusive, or ``count`` periods from ``start`` on."""
    if (end is None) == (count is None):
        raise ValueError("give either end or count")
    first = _as_key(spec, start)
    if count is not None:
        if count < 0:
            raise ValueError("count must not be negative")
        keys = [key for key, _ in zip(_iter_keys(first), range(count), strict=False)]
    else:
        assert end is not None
        last = _as_key(spec, end)
        keys = []
        for key in _iter_keys(first):
            if key > last:
                break
            keys.append(key)
    return [period_for(spec, key) for key in keys]


def current_open_period(spec: PeriodSpec, now: datetime) -> PeriodInfo:
    """The latest period whose report has opened at ``now`` (it stays current after its deadline,
    for late reports, until the next one opens)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    key = PeriodKey.containing(spec.kind, now.astimezone(spec.tz).date())
    for _ in range(6):  # the period containing now never opens before it ends; look back a little
        info = period_for(spec, key)
        if info.opens_at <= now:
            return info
        key = key.previous()
    raise ValueError(f"no period has opened by {now.isoformat()}")  # pragma: no cover


def open_periods(spec: PeriodSpec, now: datetime) -> list[PeriodInfo]:
    """The periods that can be reported on at ``now``, oldest first: those opened and not yet
    past their deadline, and always the current one. After a holiday two can be open at once
    (the week before Tết is due the day the Tết week opens)."""
    current = current_open_period(spec, now)
    found = [current]
    key = current.key.previous()
    for _ in range(6):
        info = period_for(spec, key)
        if info.opens_at <= now < info.deadline_at:
            found.append(info)
        key = key.previous()
    return sorted(found, key=lambda info: info.key)


def _as_key(spec: PeriodSpec, value: PeriodKey | str | date) -> PeriodKey:
    if isinstance(value, date):
        return PeriodKey.containing(spec.kind, value)
    key = _key(value)
    if key.kind != spec.kind:
        raise PeriodKeyError(f"{key} is not a {spec.kind} period")
    return key

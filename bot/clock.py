"""The one clock the application reads time from, replaceable in tests."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    tz: tzinfo

    def now(self) -> datetime:
        """The current time, aware, in the clock's time zone."""
        ...


class SystemClock:
    def __init__(self, tz: tzinfo = VN_TZ) -> None:
        self.tz = tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


class FakeClock:
    """A clock that only moves when told to; for tests and simulations."""

    def __init__(self, start: datetime, tz: tzinfo = VN_TZ) -> None:
        if start.tzinfo is None:
            start = start.replace(tzinfo=tz)
        self.tz = tz
        self._now = start.astimezone(tz)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            when = when.replace(tzinfo=self.tz)
        self._now = when.astimezone(self.tz)

    def advance(self, delta: timedelta) -> datetime:
        self._now = self._now + delta
        return self._now

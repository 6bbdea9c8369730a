"""Reporting periods: one row per (form, key), e.g. ("tthc-weekly", "2025-W50")."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from .base import Repository
from .codec import date_text, dt_text
from .models import Period

_COLUMNS = "id, form_id, key, starts_on, ends_on, opens_at, deadline_at, deadline_note"


def _period(row: sqlite3.Row) -> Period:
    return Period.model_validate(dict(row))


class PeriodRepo(Repository):
    async def upsert(
        self,
        form_id: str,
        key: str,
        starts_on: date,
        ends_on: date,
        opens_at: datetime,
        deadline_at: datetime,
        deadline_note: str | None = None,
    ) -> Period:
        """Create the period, or update its dates (e.g. a deadline moved) keeping its id."""
        if ends_on < starts_on:
            raise ValueError("a period cannot end before it starts")
        if deadline_at < opens_at:
            raise ValueError("a deadline cannot come before the opening")
        rows = await self.db.execute_returning(
            "INSERT INTO periods (form_id, key, starts_on, ends_on, opens_at, deadline_at, deadline_note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (form_id, key) DO UPDATE SET starts_on = excluded.starts_on,"
            " ends_on = excluded.ends_on, opens_at = excluded.opens_at, deadline_at = excluded.deadline_at,"
            f" deadline_note = excluded.deadline_note RETURNING {_COLUMNS}",
            (form_id, key, date_text(starts_on), date_text(ends_on), dt_text(opens_at), dt_text(deadline_at),
             deadline_note),
        )
        return _period(rows[0])

    async def get(self, form_id: str, key: str) -> Period | None:
        row = await self.db.fetch_one(f"SELECT {_COLUMNS} FROM periods WHERE form_id = ? AND key = ?", (form_id, key),
                                     quick=True)
        return None if row is None else _period(row)

    async def get_by_id(self, period_id: int) -> Period | None:
        row = await self.db.fetch_one(f"SELECT {_COLUMNS} FROM periods WHERE id = ?", (period_id,), quick=True)
        return None if row is None else _period(row)

    async def open_at(self, at: datetime, form_id: str | None = None) -> list[Period]:
        """Periods open for on-time answers at that instant: opened, deadline not yet passed."""
        form = "" if form_id is None else " AND form_id = ?"
        params: tuple[object, ...] = (dt_text(at), dt_text(at)) + (() if form_id is None else (form_id,))
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM periods WHERE opens_at <= ? AND deadline_at > ?{form}"
            " ORDER BY form_id, opens_at",
            params,
        )
        return [_period(row) for row in rows]

    async def current(self, form_id: str, at: datetime) -> Period | None:
        """The most recently opened period of the form at that instant (its deadline may have
        passed: late answers still go to it until the next one opens)."""
        row = await self.db.fetch_one(
            f"SELECT {_COLUMNS} FROM periods WHERE form_id = ? AND opens_at <= ? ORDER BY opens_at DESC LIMIT 1",
            (form_id, dt_text(at)),
        )
        return None if row is None else _period(row)

    async def list_range(self, form_id: str, start: date, end: date) -> list[Period]:
        """The form's periods overlapping the days start … end (inclusive), in order."""
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM periods WHERE form_id = ? AND starts_on <= ? AND ends_on >= ?"
            " ORDER BY starts_on",
            (form_id, date_text(end), date_text(start)),
        )
        return [_period(row) for row in rows]

    async def latest_closed(self, form_id: str, at: datetime) -> Period | None:
        """The period of the form whose deadline passed most recently before ``at``."""
        row = await self.db.fetch_one(
            f"SELECT {_COLUMNS} FROM periods WHERE form_id = ? AND deadline_at <= ?"
            " ORDER BY deadline_at DESC LIMIT 1",
            (form_id, dt_text(at)),
        )
        return None if row is None else _period(row)

    async def previous(self, period: Period, count: int = 1) -> list[Period]:
        """The ``count`` periods of the same form before this one, the nearest first."""
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM periods WHERE form_id = ? AND starts_on < ? ORDER BY starts_on DESC LIMIT ?",
            (period.form_id, date_text(period.starts_on), count),
        )
        return [_period(row) for row in rows]

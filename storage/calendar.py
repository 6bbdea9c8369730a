"""The reminder calendar's own records: overrides of a form's calendar set in chat, and the
planned moments (opening, reminders, deadline, escalation) already handled."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime

from pydantic import JsonValue

from .base import Repository
from .codec import dt_text, from_json, json_text
from .models import CalendarOverride, NoticeRun

_OVERRIDE = "form_id, settings, updated_by, updated_at"
_RUN = "period_id, kind, due_at, status, recorded, at"
RUN_STATES = ("fired", "dropped", "skipped")


def _override(row: sqlite3.Row) -> CalendarOverride:
    return CalendarOverride.model_validate({**dict(row), "settings": from_json(row["settings"])})


def _run(row: sqlite3.Row) -> NoticeRun:
    return NoticeRun.model_validate(dict(row))


class CalendarRepo(Repository):
    # -- overrides ----------------------------------------------------------------------------

    async def override(self, form_id: str) -> CalendarOverride | None:
        row = await self.db.fetch_one(f"SELECT {_OVERRIDE} FROM calendar_overrides WHERE form_id = ?", (form_id,))
        return None if row is None else _override(row)

    async def overrides(self) -> list[CalendarOverride]:
        rows = await self.db.fetch_all(f"SELECT {_OVERRIDE} FROM calendar_overrides ORDER BY form_id")
        return [_override(row) for row in rows]

    async def set_override(
        self, form_id: str, settings: Mapping[str, JsonValue], *, by: int | None, at: datetime
    ) -> CalendarOverride:
        """Store the whole override of a form (replacing the previous one)."""
        rows = await self.db.execute_returning(
            "INSERT INTO calendar_overrides (form_id, settings, updated_by, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (form_id) DO UPDATE SET settings = excluded.settings,"
            f" updated_by = excluded.updated_by, updated_at = excluded.updated_at RETURNING {_OVERRIDE}",
            (form_id, json_text(dict(settings)), by, dt_text(at)),
        )
        return _override(rows[0])

    async def clear_override(self, form_id: str) -> bool:
        """Back to the form file; True if there was an override."""
        return await self.db.execute("DELETE FROM calendar_overrides WHERE form_id = ?", (form_id,)) == 1

    # -- moments handled ----------------------------------------------------------------------

    async def run(self, period_id: int, kind: str, due_at: datetime) -> NoticeRun | None:
        row = await self.db.fetch_one(
            f"SELECT {_RUN} FROM notice_runs WHERE period_id = ? AND kind = ? AND due_at = ?",
            (period_id, kind, dt_text(due_at)),
        )
        return None if row is None else _run(row)

    async def record_run(
        self, period_id: int, kind: str, due_at: datetime, status: str, *, at: datetime, recorded: int = 0
    ) -> bool:
        """Note that a moment was handled; False if it was noted before (the first one stays)."""
        if status not in RUN_STATES:
            raise ValueError(f"unknown run status {status!r}")
        changed = await self.db.execute(
            "INSERT INTO notice_runs (period_id, kind, due_at, status, recorded, at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (period_id, kind, dt_text(due_at), status, recorded, dt_text(at)),
        )
        return changed == 1

    async def runs_for_period(self, period_id: int) -> list[NoticeRun]:
        rows = await self.db.fetch_all(
            f"SELECT {_RUN} FROM notice_runs WHERE period_id = ? ORDER BY due_at, kind", (period_id,)
        )
        return [_run(row) for row in rows]

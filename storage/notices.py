"""Notices the bot owes people (openings, reminders, deadline notices, escalations).

A scheduler records each notice when it becomes due (``record_due``: the unique key
(kind, period, chat, due_at) makes recording idempotent), and a sender takes ``due`` ones and
marks each sent, failed or dropped; ``mark_sent`` only succeeds once per notice.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from pydantic import JsonValue

from .base import Repository
from .codec import dt_text, from_json, opt_json_text
from .models import Notice

_COLUMNS = "id, kind, period_id, person_id, chat_id, due_at, status, attempts, sent_at, last_error, payload"


def _notice(row: sqlite3.Row) -> Notice:
    return Notice.model_validate({**dict(row), "payload": from_json(row["payload"])})


class NoticeRepo(Repository):
    async def record_due(
        self,
        kind: str,
        chat_id: int,
        due_at: datetime,
        *,
        period_id: int | None = None,
        person_id: int | None = None,
        payload: JsonValue = None,
    ) -> bool:
        """Record a notice (pending); False if this (kind, period, chat, due_at) was recorded before."""
        changed = await self.db.execute(
            "INSERT INTO notices (kind, period_id, person_id, chat_id, due_at, payload) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (kind, period_id, person_id, chat_id, dt_text(due_at), opt_json_text(payload)),
        )
        return changed == 1

    async def get(self, notice_id: int) -> Notice | None:
        row = await self.db.fetch_one(f"SELECT {_COLUMNS} FROM notices WHERE id = ?", (notice_id,))
        return None if row is None else _notice(row)

    async def due(self, now: datetime, grace: timedelta, limit: int = 500) -> list[Notice]:
        """Pending notices due at ``now`` and not older than ``grace`` (older ones are stale:
        see ``drop_stale``), the earliest first."""
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM notices WHERE status = 'pending' AND due_at <= ? AND due_at >= ?"
            " ORDER BY due_at, id LIMIT ?",
            (dt_text(now), dt_text(now - grace), limit),
        )
        return [_notice(row) for row in rows]

    async def drop_stale(self, now: datetime, grace: timedelta, reason: str = "stale") -> int:
        """Drop pending notices due before ``now - grace`` (e.g. after a long outage, a reminder
        for a deadline long past); how many were dropped."""
        return await self.db.execute(
            "UPDATE notices SET status = 'dropped', last_error = ? WHERE status = 'pending' AND due_at < ?",
            (reason, dt_text(now - grace)),
        )

    async def mark_sent(self, notice_id: int, at: datetime) -> bool:
        """True if the notice was pending and is now sent; False if it was sent (or dropped) already."""
        changed = await self.db.execute(
            "UPDATE notices SET status = 'sent', sent_at = ?, attempts = attempts + 1"
            " WHERE id = ? AND status = 'pending'",
            (dt_text(at), notice_id),
        )
        return changed == 1

    async def mark_failed(self, notice_id: int, error: str, *, max_attempts: int = 3) -> Notice | None:
        """Count a failed attempt; the notice stays pending (retried by ``due``) until
        ``max_attempts`` failures, then it is failed. None if it was not pending."""
        rows = await self.db.execute_returning(
            "UPDATE notices SET attempts = attempts + 1, last_error = ?,"
            " status = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE 'pending' END"
            f" WHERE id = ? AND status = 'pending' RETURNING {_COLUMNS}",
            (error, max_attempts, notice_id),
        )
        return _notice(rows[0]) if rows else None

    async def mark_dropped(self, notice_id: int, reason: str | None = None) -> bool:
        """Give up a pending notice without sending it (e.g. the commune submitted meanwhile,
        the person blocked the bot)."""
        changed = await self.db.execute(
            "UPDATE notices SET status = 'dropped', last_error = COALESCE(?, last_error)"
            " WHERE id = ? AND status = 'pending'",
            (reason, notice_id),
        )
        return changed == 1

    async def sent_for(self, kind: str, period_id: int) -> list[Notice]:
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM notices WHERE period_id = ? AND kind = ? AND status = 'sent' ORDER BY sent_at, id",
            (period_id, kind),
        )
        return [_notice(row) for row in rows]

    async def list_for_period(self, period_id: int, kind: str | None = None) -> list[Notice]:
        kind_clause = "" if kind is None else " AND kind = ?"
        params: tuple[object, ...] = (period_id,) if kind is None else (period_id, kind)
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM notices WHERE period_id = ?{kind_clause} ORDER BY due_at, id", params
        )
        return [_notice(row) for row in rows]

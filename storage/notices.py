"""Notices the bot owes people (openings, reminders, deadline notices, escalations).

A scheduler records each notice when it becomes due (``record_due``: the unique key
(kind, period, chat, due_at, ref) makes recording idempotent), and a sender takes ``due`` ones,
``claim``s each (pending → sending) right before the request to Telegram and marks it sent
when Telegram confirms; ``mark_sent`` only succeeds once per notice.

A notice found ``sending`` when the bot starts was cut off between the request and the
confirmation (a crash): Telegram may or may not have delivered it and cannot be asked, so
``reconcile_in_flight`` marks it ``unknown`` and it is never sent again (at most once).
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import datetime, timedelta

from .base import Repository
from .codec import JsonInput, dt_text, from_json, opt_json_text
from .models import Notice, NoticeStatus

_COLUMNS = (
    "id, kind, period_id, person_id, chat_id, due_at, status, attempts, sent_at, last_error, payload,"
    " ref, claimed_at, message_id"
)
_OPEN = "('pending', 'sending')"  # states a notice can still leave


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
        payload: JsonInput = None,
        ref: str = "",
    ) -> bool:
        """Record a notice (pending); False if this (kind, period, chat, due_at, ref) was recorded before."""
        changed = await self.db.execute(
            "INSERT INTO notices (kind, period_id, person_id, chat_id, due_at, payload, ref)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (kind, period_id, person_id, chat_id, dt_text(due_at), opt_json_text(payload), ref),
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

    async def claim(self, notice_id: int, at: datetime) -> bool:
        """pending → sending, right before the request to Telegram; False if it was not pending
        (another sender has it, or it was sent, dropped …)."""
        changed = await self.db.execute(
            "UPDATE notices SET status = 'sending', claimed_at = ? WHERE id = ? AND status = 'pending'",
            (dt_text(at), notice_id),
        )
        return changed == 1

    async def note_attempt(self, notice_id: int, error: str) -> None:
        """Count a failed attempt of a notice that is being retried at once."""
        await self.db.execute(
            f"UPDATE notices SET attempts = attempts + 1, last_error = ? WHERE id = ? AND status IN {_OPEN}",
            (error, notice_id),
        )

    async def release(self, notice_id: int) -> bool:
        """sending → pending, when a send that surely did not happen is given up for now."""
        changed = await self.db.execute(
            "UPDATE notices SET status = 'pending' WHERE id = ? AND status = 'sending'", (notice_id,)
        )
        return changed == 1

    async def mark_sent(self, notice_id: int, at: datetime, message_id: int | None = None) -> bool:
        """True if the notice was pending or sending and is now sent; False if it was sent (or
        dropped …) already."""
        changed = await self.db.execute(
            "UPDATE notices SET status = 'sent', sent_at = ?, attempts = attempts + 1, message_id = ?"
            f" WHERE id = ? AND status IN {_OPEN}",
            (dt_text(at), message_id, notice_id),
        )
        return changed == 1

    async def mark_failed(self, notice_id: int, error: str, *, max_attempts: int = 3) -> Notice | None:
        """Count a failed attempt; the notice is pending again (retried by ``due``) until
        ``max_attempts`` failures, then it is failed. None if it was not pending or sending."""
        rows = await self.db.execute_returning(
            "UPDATE notices SET attempts = attempts + 1, last_error = ?,"
            " status = CASE WHEN attempts + 1 >= ? THEN 'failed' ELSE 'pending' END"
            f" WHERE id = ? AND status IN {_OPEN} RETURNING {_COLUMNS}",
            (error, max_attempts, notice_id),
        )
        return _notice(rows[0]) if rows else None

    async def mark_dropped(self, notice_id: int, reason: str | None = None) -> bool:
        """Give up a pending notice without sending it (e.g. the commune submitted meanwhile,
        the person blocked the bot)."""
        changed = await self.db.execute(
            "UPDATE notices SET status = 'dropped', last_error = COALESCE(?, last_error)"
            f" WHERE id = ? AND status IN {_OPEN}",
            (reason, notice_id),
        )
        return changed == 1

    async def mark_unknown(self, notice_id: int, reason: str) -> bool:
        """A claimed notice whose outcome cannot be known (the answer never came): never sent again."""
        changed = await self.db.execute(
            "UPDATE notices SET status = 'unknown', attempts = attempts + 1, last_error = ?"
            " WHERE id = ? AND status = 'sending'",
            (reason, notice_id),
        )
        return changed == 1

    async def reconcile_in_flight(self, reason: str = "interrupted while sending") -> list[Notice]:
        """At start, before anything is sent: every notice still ``sending`` was cut off by a
        crash between the request and the confirmation; mark them ``unknown`` and return them."""
        rows = await self.db.execute_returning(
            f"UPDATE notices SET status = 'unknown', last_error = ? WHERE status = 'sending' RETURNING {_COLUMNS}",
            (reason,),
        )
        return sorted((_notice(row) for row in rows), key=lambda n: n.id)

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

    async def list_for_chat(self, chat_id: int, kind: str | None = None) -> list[Notice]:
        kind_clause = "" if kind is None else " AND kind = ?"
        params: tuple[object, ...] = (chat_id,) if kind is None else (chat_id, kind)
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM notices WHERE chat_id = ?{kind_clause} ORDER BY due_at, id", params
        )
        return [_notice(row) for row in rows]

    async def count_by_status(self, *, since: datetime | None = None) -> Counter[NoticeStatus]:
        """How many notices are in each state (due since ``since``, if given)."""
        clause, params = ("", ()) if since is None else (" WHERE due_at >= ?", (dt_text(since),))
        rows = await self.db.fetch_all(f"SELECT status, count(*) AS n FROM notices{clause} GROUP BY status", params)
        return Counter({NoticeStatus(row["status"]): int(row["n"]) for row in rows})

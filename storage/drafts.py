"""Drafts: a commune's unfinished answers for a period — the conversation's state.

Every answer is written at once (with its history entry, in one transaction), so a restart
never loses one. Several officials of one commune share the draft; ``set_answer`` returns the
answer it replaced and who gave it, so the bot can tell the second official what changed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import JsonValue

from .base import Repository
from .codec import dt_text, from_json, json_text
from .db import Conn
from .models import AnswerChange, AnswerRecord, Cursor, Draft, DraftStatus, Explanation

_DRAFT = "id, period_id, unit_code, status, created_at, updated_at"
_ANSWER = (
    "a.field_id, a.value, a.answered_by, p.full_name AS answered_by_name, a.answered_at"
    " FROM draft_answers a LEFT JOIN people p ON p.id = a.answered_by"
)
_CURSOR = "draft_id, person_id, field_id, mode, check_id, updated_at, shown_at, answered_message"


def _draft(row: sqlite3.Row) -> Draft:
    return Draft.model_validate(dict(row))


def _answer(row: sqlite3.Row) -> AnswerRecord:
    return AnswerRecord.model_validate({**dict(row), "value": from_json(row["value"])})


def _change(row: sqlite3.Row) -> AnswerChange:
    return AnswerChange.model_validate(
        {**dict(row), "old_value": from_json(row["old_value"]), "new_value": from_json(row["new_value"])}
    )


def _cursor(row: sqlite3.Row) -> Cursor:
    return Cursor.model_validate(dict(row))


async def _previous(conn: Conn, draft_id: int, field_id: str) -> AnswerRecord | None:
    rows = list(
        await conn.execute_fetchall(f"SELECT {_ANSWER} WHERE a.draft_id = ? AND a.field_id = ?", (draft_id, field_id))
    )
    return _answer(rows[0]) if rows else None


async def _touch(conn: Conn, draft_id: int, at: datetime) -> None:
    cursor = await conn.execute(
        "UPDATE drafts SET updated_at = MAX(updated_at, ?) WHERE id = ?", (dt_text(at), draft_id)
    )
    if cursor.rowcount != 1:
        raise LookupError(f"no draft {draft_id}")


class DraftRepo(Repository):
    # -- drafts --------------------------------------------------------------------------

    async def get_or_create(self, period_id: int, unit_code: str, at: datetime) -> Draft:
        """The draft of the unit for the period, created (open, empty) if there is none."""
        found = await self.find(period_id, unit_code)  # nearly always there: a read, not a write
        if found is not None:
            return found
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO drafts (period_id, unit_code, status, created_at, updated_at)"
                " VALUES (?, ?, 'open', ?, ?) ON CONFLICT (period_id, unit_code) DO NOTHING",
                (period_id, unit_code, dt_text(at), dt_text(at)),
            )
            rows = list(
                await conn.execute_fetchall(
                    f"SELECT {_DRAFT} FROM drafts WHERE period_id = ? AND unit_code = ?", (period_id, unit_code)
                )
            )
        return _draft(rows[0])

    async def get(self, draft_id: int) -> Draft | None:
        row = await self.db.fetch_one(f"SELECT {_DRAFT} FROM drafts WHERE id = ?", (draft_id,), quick=True)
        return None if row is None else _draft(row)

    async def find(self, period_id: int, unit_code: str) -> Draft | None:
        row = await self.db.fetch_one(
            f"SELECT {_DRAFT} FROM drafts WHERE period_id = ? AND unit_code = ?", (period_id, unit_code), quick=True
        )
        return None if row is None else _draft(row)

    async def list_for_period(self, period_id: int, province_code: str | None = None) -> list[Draft]:
        if province_code is None:
            rows = await self.db.fetch_all(
                f"SELECT {_DRAFT} FROM drafts WHERE period_id = ? ORDER BY unit_code", (period_id,)
            )
        else:
            rows = await self.db.fetch_all(
                f"SELECT {', '.join('d.' + c for c in _DRAFT.split(', '))} FROM drafts d"
                " JOIN units u ON u.code = d.unit_code WHERE d.period_id = ? AND u.province_code = ?"
                " ORDER BY d.unit_code",
                (period_id, province_code),
            )
        return [_draft(row) for row in rows]

    async def set_status(self, draft_id: int, status: DraftStatus, at: datetime) -> Draft:
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE drafts SET status = ? WHERE id = ?", (str(DraftStatus(status)), draft_id))
            await _touch(conn, draft_id, at)
            rows = list(await conn.execute_fetchall(f"SELECT {_DRAFT} FROM drafts WHERE id = ?", (draft_id,)))
        return _draft(rows[0])

    # -- answers -------------------------------------------------------------------------

    async def answers(self, draft_id: int) -> dict[str, AnswerRecord]:
        """The current answers by field id, each with who gave it and when."""
        rows = await self.db.fetch_all(f"SELECT {_ANSWER} WHERE a.draft_id = ? ORDER BY a.answered_at", (draft_id,))
        return {row["field_id"]: _answer(row) for row in rows}

    async def values(self, draft_id: int) -> dict[str, JsonValue]:
        """The current answers by field id, values only."""
        rows = await self.db.fetch_all("SELECT field_id, value FROM draft_answers WHERE draft_id = ?", (draft_id,),
                                       quick=True)
        return {row["field_id"]: from_json(row["value"]) for row in rows}

    async def set_answer(
        self, draft_id: int, field_id: str, value: JsonValue, by: int | None, at: datetime
    ) -> AnswerRecord | None:
        """Record an answer (and its history entry); the answer it replaced, if any. ``None`` is a
        blank ("Không có số liệu", stored as JSON null): answered, not 0; clear_answer unanswers."""
        async with self.db.transaction() as conn:
            return await self._set(conn, draft_id, field_id, value, by, at)

    async def set_answers(
        self, draft_id: int, values: Mapping[str, JsonValue], by: int | None, at: datetime
    ) -> dict[str, AnswerRecord | None]:
        """Several answers at once (e.g. carried over from the last period), in one transaction."""
        async with self.db.transaction() as conn:
            return {field_id: await self._set(conn, draft_id, field_id, value, by, at) for field_id, value in values.items()}

    async def _set(
        self, conn: Conn, draft_id: int, field_id: str, value: Any, by: int | None, at: datetime
    ) -> AnswerRecord | None:
        previous = await _previous(conn, draft_id, field_id)
        await _touch(conn, draft_id, at)
        encoded = json_text(value)
        await conn.execute(
            "INSERT INTO draft_answers (draft_id, field_id, value, answered_by, answered_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (draft_id, field_id) DO UPDATE SET value = excluded.value,"
            " answered_by = excluded.answered_by, answered_at = excluded.answered_at",
            (draft_id, field_id, encoded, by, dt_text(at)),
        )
        await conn.execute(
            "INSERT INTO answer_history (draft_id, field_id, old_value, new_value, changed_by, changed_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (draft_id, field_id, json_text(previous.value) if previous else None, encoded, by, dt_text(at)),
        )
        return previous

    async def clear_answer(self, draft_id: int, field_id: str, by: int | None, at: datetime) -> AnswerRecord | None:
        """Remove an answer (the history keeps it); the answer removed, if there was one."""
        async with self.db.transaction() as conn:
            previous = await _previous(conn, draft_id, field_id)
            if previous is None:
                return None
            await _touch(conn, draft_id, at)
            await conn.execute("DELETE FROM draft_answers WHERE draft_id = ? AND field_id = ?", (draft_id, field_id))
            await conn.execute(
                "INSERT INTO answer_history (draft_id, field_id, old_value, new_value, changed_by, changed_at)"
                " VALUES (?, ?, ?, NULL, ?, ?)",
                (draft_id, field_id, json_text(previous.value), by, dt_text(at)),
            )
        return previous

    async def last_given(self, draft_id: int, by: int) -> AnswerChange | None:
        """The last answer this person stored in the draft (not a removal), by the order written."""
        row = await self.db.fetch_one(
            "SELECT h.id, h.draft_id, h.field_id, h.old_value, h.new_value, h.changed_by,"
            " p.full_name AS changed_by_name, h.changed_at"
            " FROM answer_history h LEFT JOIN people p ON p.id = h.changed_by"
            " WHERE h.draft_id = ? AND h.changed_by = ? AND h.new_value IS NOT NULL ORDER BY h.id DESC LIMIT 1",
            (draft_id, by),
        )
        return None if row is None else _change(row)

    async def history(self, draft_id: int, field_id: str | None = None) -> list[AnswerChange]:
        """Every answer given in the draft (or to one field), oldest first, with who gave it."""
        field = "" if field_id is None else " AND h.field_id = ?"
        params: tuple[object, ...] = (draft_id,) if field_id is None else (draft_id, field_id)
        rows = await self.db.fetch_all(
            "SELECT h.id, h.draft_id, h.field_id, h.old_value, h.new_value, h.changed_by,"
            " p.full_name AS changed_by_name, h.changed_at"
            f" FROM answer_history h LEFT JOIN people p ON p.id = h.changed_by WHERE h.draft_id = ?{field}"
            " ORDER BY h.id",
            params,
        )
        return [_change(row) for row in rows]

    # -- explanations of soft-check breaks -------------------------------------------------

    async def set_explanation(self, draft_id: int, check_id: str, reason: str, by: int | None, at: datetime) -> None:
        async with self.db.transaction() as conn:
            await _touch(conn, draft_id, at)
            await conn.execute(
                "INSERT INTO draft_explanations (draft_id, check_id, reason, given_by, given_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (draft_id, check_id) DO UPDATE SET reason = excluded.reason,"
                " given_by = excluded.given_by, given_at = excluded.given_at",
                (draft_id, check_id, reason, by, dt_text(at)),
            )

    async def clear_explanation(self, draft_id: int, check_id: str) -> bool:
        changed = await self.db.execute(
            "DELETE FROM draft_explanations WHERE draft_id = ? AND check_id = ?", (draft_id, check_id)
        )
        return changed == 1

    async def explanations(self, draft_id: int) -> dict[str, Explanation]:
        rows = await self.db.fetch_all(
            "SELECT check_id, reason, given_by, given_at FROM draft_explanations WHERE draft_id = ? ORDER BY given_at",
            (draft_id,), quick=True,
        )
        return {row["check_id"]: Explanation.model_validate(dict(row)) for row in rows}

    # -- cursors: what each person is being asked now --------------------------------------

    async def get_cursor(self, draft_id: int, person_id: int) -> Cursor | None:
        row = await self.db.fetch_one(
            f"SELECT {_CURSOR} FROM draft_cursors WHERE draft_id = ? AND person_id = ?", (draft_id, person_id),
            quick=True,
        )
        return None if row is None else _cursor(row)

    async def set_cursor(
        self,
        draft_id: int,
        person_id: int,
        field_id: str | None,
        at: datetime,
        *,
        mode: str = "answer",
        check_id: str | None = None,
        shown_at: datetime | None = None,
        answered_message: int | None = None,
    ) -> Cursor:
        """Move the person's cursor. ``shown_at`` is when its question was shown (Telegram's date),
        if already known; a moved cursor usually starts without one (see ``mark_shown``).
        ``answered_message``: the message the answer that moved it came from (kept when None)."""
        rows = await self.db.execute_returning(
            "INSERT INTO draft_cursors (draft_id, person_id, field_id, mode, check_id, updated_at, shown_at,"
            " answered_message) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (draft_id, person_id) DO UPDATE SET"
            " field_id = excluded.field_id, mode = excluded.mode, check_id = excluded.check_id,"
            " updated_at = excluded.updated_at, shown_at = excluded.shown_at,"
            " answered_message = COALESCE(excluded.answered_message, draft_cursors.answered_message)"
            f" RETURNING {_CURSOR}",
            (draft_id, person_id, field_id, mode, check_id, dt_text(at), None if shown_at is None else dt_text(shown_at),
             answered_message),
        )
        return _cursor(rows[0])

    async def mark_shown(
        self, draft_id: int, person_id: int, at: datetime, *, mode: str, field_id: str | None
    ) -> bool:
        """Record when the cursor's question was shown (Telegram's date of the message), once: the
        first showing counts, so an answer sent after it is never taken for an early one. Only if
        the cursor still stands where the caller showed it; whether it was recorded."""
        changed = await self.db.execute(
            "UPDATE draft_cursors SET shown_at = ? WHERE draft_id = ? AND person_id = ? AND shown_at IS NULL"
            " AND mode = ? AND field_id IS ?",
            (dt_text(at), draft_id, person_id, mode, field_id),
        )
        return changed == 1

    async def clear_cursor(self, draft_id: int, person_id: int) -> bool:
        changed = await self.db.execute(
            "DELETE FROM draft_cursors WHERE draft_id = ? AND person_id = ?", (draft_id, person_id)
        )
        return changed == 1

    async def cursors_with_drafts(self, person_id: int) -> list[tuple[Cursor, Draft]]:
        """``cursors_of`` with each cursor's draft, in one query (each typed answer needs both)."""
        draft_columns = ", ".join(f"d.{c} AS d_{c}" for c in _DRAFT.split(", "))
        rows = await self.db.fetch_all(
            f"SELECT {', '.join('c.' + c for c in _CURSOR.split(', '))}, {draft_columns}"
            " FROM draft_cursors c JOIN drafts d ON d.id = c.draft_id WHERE c.person_id = ?"
            " ORDER BY c.updated_at DESC",
            (person_id,), quick=True,
        )
        found = []
        for row in rows:
            record = dict(row)
            draft = Draft.model_validate({c: record.pop(f"d_{c}") for c in _DRAFT.split(", ")})
            found.append((Cursor.model_validate(record), draft))
        return found

    async def cursors_of(self, person_id: int) -> list[Cursor]:
        """Where the person stands in each draft, the most recently moved first (after a
        restart: what to ask them next)."""
        rows = await self.db.fetch_all(
            f"SELECT {_CURSOR} FROM draft_cursors WHERE person_id = ? ORDER BY updated_at DESC", (person_id,),
            quick=True,
        )
        return [_cursor(row) for row in rows]

    async def existing(self, pairs: Sequence[tuple[int, str]]) -> set[tuple[int, str]]:
        """Which of these (period id, unit code) have a draft (one query, for bulk imports)."""
        if not pairs:
            return set()
        values = ", ".join(["(?, ?)"] * len(pairs))
        rows = await self.db.fetch_all(
            f"WITH wanted(period_id, unit_code) AS (VALUES {values}) SELECT d.period_id, d.unit_code"
            " FROM wanted w JOIN drafts d ON d.period_id = w.period_id AND d.unit_code = w.unit_code",
            [value for pair in pairs for value in pair],
        )
        return {(row[0], row[1]) for row in rows}

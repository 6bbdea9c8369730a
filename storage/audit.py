"""The audit log: who did what, when (role changes, invitations, corrections, approvals, …)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from pydantic import JsonValue

from .base import Repository
from .codec import dt_text, from_json, opt_json_text
from .models import AuditEntry

_COLUMNS = "id, at, actor, action, subject, detail"


def _entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry.model_validate({**dict(row), "detail": from_json(row["detail"])})


class AuditRepo(Repository):
    async def log(
        self,
        action: str,
        at: datetime,
        *,
        actor: int | None = None,
        subject: str | None = None,
        detail: JsonValue = None,
    ) -> AuditEntry:
        """Append an entry; ``actor`` is the Telegram id of who did it (None: the system)."""
        rows = await self.db.execute_returning(
            f"INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?) RETURNING {_COLUMNS}",
            (dt_text(at), actor, action, subject, opt_json_text(detail)),
        )
        return _entry(rows[0])

    async def log_many(self, action: str, at: datetime, entries: Sequence[tuple[str | None, JsonValue]], *,
                       actor: int | None = None) -> None:
        """Append one entry per (subject, detail) in one statement (bulk imports)."""
        await self.db.execute_many(
            "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
            [(dt_text(at), actor, action, subject, opt_json_text(detail)) for subject, detail in entries],
        )

    async def recent(
        self,
        limit: int = 50,
        *,
        action: str | None = None,
        actor: int | None = None,
        subject: str | None = None,
    ) -> list[AuditEntry]:
        """The latest entries matching the filters, newest first."""
        conditions = ["1"]
        params: list[object] = []
        for column, value in (("action", action), ("actor", actor), ("subject", subject)):
            if value is not None:
                conditions.append(f"{column} = ?")
                params.append(value)
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM audit_log WHERE {' AND '.join(conditions)} ORDER BY at DESC, id DESC LIMIT ?",
            (*params, limit),
        )
        return [_entry(row) for row in rows]

"""The text of every version of every form the bot has loaded (``form_versions``): a report
answered under an older version renders with it after the form file has changed."""

from __future__ import annotations

from datetime import datetime

from .base import Repository
from .codec import dt_text
from .models import FormVersionRecord

_COLUMNS = "form_id, version, title, source, recorded_at"


class FormVersionRepo(Repository):
    async def record(self, form_id: str, version: int, title: str, source: str, at: datetime) -> FormVersionRecord:
        """Keep a version's text the first time it is seen; the stored record is returned (a file
        changed without a new version keeps its first text: compare ``source`` to find out)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                f"INSERT INTO form_versions ({_COLUMNS}) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (form_id, version) DO NOTHING",
                (form_id, version, title, source, dt_text(at)),
            )
            rows = list(await conn.execute_fetchall(
                f"SELECT {_COLUMNS} FROM form_versions WHERE form_id = ? AND version = ?", (form_id, version)))
        return FormVersionRecord.model_validate(dict(rows[0]))

    async def get(self, form_id: str, version: int) -> FormVersionRecord | None:
        row = await self.db.fetch_one(
            f"SELECT {_COLUMNS} FROM form_versions WHERE form_id = ? AND version = ?", (form_id, version), quick=True)
        return None if row is None else FormVersionRecord.model_validate(dict(row))

    async def all(self) -> list[FormVersionRecord]:
        """Every version of every form, by form id then version."""
        rows = await self.db.fetch_all(f"SELECT {_COLUMNS} FROM form_versions ORDER BY form_id, version")
        return [FormVersionRecord.model_validate(dict(row)) for row in rows]

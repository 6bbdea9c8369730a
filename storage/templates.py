"""Uploaded report templates (schema v2), every version kept; the latest is in use."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime

from .base import Repository
from .codec import dt_text
from .models import TemplateRecord

_COLUMNS = "id, name, unit_code, version, filename, size, sha256, uploaded_by, uploaded_at, note"


def _template(row: sqlite3.Row) -> TemplateRecord:
    return TemplateRecord.model_validate(dict(row))


class TemplateRepo(Repository):
    async def add(
        self,
        name: str,
        unit_code: str | None,
        filename: str,
        content: bytes,
        by: int | None,
        at: datetime,
        note: str | None = None,
    ) -> TemplateRecord:
        """Store a new version (1, 2, …) of the template for the unit (None: the default for
        all); uploading the same bytes as the latest version returns that version unchanged."""
        if not content:
            raise ValueError("an empty template")
        digest = hashlib.sha256(content).hexdigest()
        async with self.db.transaction() as conn:
            current = await self.latest(name, unit_code)
            if current is not None and current.sha256 == digest:
                return current
            rows = list(
                await conn.execute_fetchall(
                    "INSERT INTO templates (name, unit_code, version, filename, content, size, sha256,"
                    " uploaded_by, uploaded_at, note)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    f" RETURNING {_COLUMNS}",
                    (name, unit_code, (current.version if current else 0) + 1, filename, content, len(content),
                     digest, by, dt_text(at), note),
                )
            )
        return _template(rows[0])

    async def get(self, template_id: int) -> TemplateRecord | None:
        row = await self.db.fetch_one(f"SELECT {_COLUMNS} FROM templates WHERE id = ?", (template_id,))
        return None if row is None else _template(row)

    async def latest(self, name: str, unit_code: str | None = None) -> TemplateRecord | None:
        """The latest version for exactly this unit (None: the default)."""
        row = await self.db.fetch_one(
            f"SELECT {_COLUMNS} FROM templates WHERE name = ? AND unit_code IS ? ORDER BY version DESC LIMIT 1",
            (name, unit_code),
        )
        return None if row is None else _template(row)

    async def effective(self, name: str, unit_code: str | None, province_code: str | None = None) -> TemplateRecord | None:
        """The template a unit's report uses: its own, else its province's, else the default."""
        for code in dict.fromkeys((unit_code, province_code, None)):
            found = await self.latest(name, code)
            if found is not None:
                return found
        return None

    async def versions(self, name: str, unit_code: str | None = None) -> list[TemplateRecord]:
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM templates WHERE name = ? AND unit_code IS ? ORDER BY version",
            (name, unit_code),
        )
        return [_template(row) for row in rows]

    async def content(self, template_id: int) -> bytes | None:
        value = await self.db.fetch_value("SELECT content FROM templates WHERE id = ?", (template_id,))
        return None if value is None else bytes(value)

    async def remove(self, template_id: int) -> bool:
        """Delete one stored row (an upload that waited for the admin's answer, once answered);
        False when it was gone already (the answer given twice)."""
        return await self.db.execute("DELETE FROM templates WHERE id = ?", (template_id,)) > 0

    async def remove_older(self, name_suffix: str, before: datetime) -> int:
        """Delete the rows whose name ends with ``name_suffix`` uploaded before ``before`` (uploads
        never answered); how many."""
        return await self.db.execute(
            "DELETE FROM templates WHERE substr(name, -length(?)) = ? AND uploaded_at < ?",
            (name_suffix, name_suffix, dt_text(before)),
        )

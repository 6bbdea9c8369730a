"""Per-unit report settings (schema v2): signer, recipient, directive, "Nơi nhận"."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .base import Repository
from .codec import JsonInput, dt_text, from_json, json_text
from .models import ReportSettings, UnitSettings


def _settings(row: sqlite3.Row) -> UnitSettings:
    return UnitSettings.model_validate(
        {**from_json(row["settings"]), "unit_code": row["unit_code"], "updated_by": row["updated_by"],
         "updated_at": row["updated_at"]}
    )


class UnitSettingsRepo(Repository):
    async def get(self, unit_code: str) -> UnitSettings | None:
        row = await self.db.fetch_one(
            "SELECT unit_code, settings, updated_by, updated_at FROM unit_settings WHERE unit_code = ?", (unit_code,)
        )
        return None if row is None else _settings(row)

    async def put(self, unit_code: str, settings: ReportSettings, by: int | None, at: datetime) -> UnitSettings:
        """Replace the unit's settings as a whole."""
        rows = await self.db.execute_returning(
            "INSERT INTO unit_settings (unit_code, settings, updated_by, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (unit_code) DO UPDATE SET settings = excluded.settings,"
            " updated_by = excluded.updated_by, updated_at = excluded.updated_at"
            " RETURNING unit_code, settings, updated_by, updated_at",
            (unit_code, json_text(settings.model_dump(mode="json", include=set(ReportSettings.model_fields))),
             by, dt_text(at)),
        )
        return _settings(rows[0])

    async def update(self, unit_code: str, changes: Mapping[str, Any], by: int | None, at: datetime) -> UnitSettings:
        """Change some settings (e.g. only the signer's name), keeping the others."""
        unknown = set(changes) - set(ReportSettings.model_fields)
        if unknown:
            raise ValueError(f"unknown report settings: {', '.join(sorted(unknown))}")
        async with self.db.transaction():
            current = await self.get(unit_code)
            base = {} if current is None else current.settings.model_dump()
            merged = ReportSettings.model_validate({**base, **changes})
            return await self.put(unit_code, merged, by, at)

    async def update_extra(
        self, unit_code: str, key: str, changes: Mapping[str, JsonInput], by: int | None, at: datetime
    ) -> UnitSettings:
        """Change some entries of the mapping kept under ``extra[key]`` (e.g. the rollup's signer under
        ``extra["rollup"]``): a None value removes its entry, and a mapping left empty removes ``key``.
        The other entries, the other keys of ``extra`` and the report settings are kept."""
        async with self.db.transaction():
            current = await self.get(unit_code)
            extra: dict[str, JsonInput] = {} if current is None else dict(current.settings.extra)
            section = extra.get(key)
            merged: dict[str, JsonInput] = dict(section) if isinstance(section, dict) else {}
            for name, value in changes.items():
                if value is None:
                    merged.pop(name, None)
                else:
                    merged[name] = value
            if merged:
                extra[key] = merged
            else:
                extra.pop(key, None)
            return await self.update(unit_code, {"extra": extra}, by, at)

    async def list_for(self, unit_codes: list[str]) -> dict[str, UnitSettings]:
        rows = await self.fetch_in(
            "SELECT unit_code, settings, updated_by, updated_at FROM unit_settings WHERE unit_code IN ({marks})",
            unit_codes,
        )
        return {row["unit_code"]: _settings(row) for row in rows}

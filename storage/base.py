"""What every repository shares."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from .db import Database

# SQLite's limit on bound parameters is 999 in old builds; stay well under it.
_IN_CHUNK = 500
_QUICK_IN = 8  # an IN list this short is a lookup by key


class Repository:
    """A small class of queries over one part of the schema, holding the ``Database``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def fetch_in(self, sql: str, values: Sequence[str]) -> list[sqlite3.Row]:
        """The rows of ``sql`` (whose ``{marks}`` stands for an ``IN`` list) for every value,
        queried in chunks so a long list never exceeds SQLite's parameter limit; a short list
        (a person's communes) is a quick read (``Database.fetch_all``)."""
        rows: list[sqlite3.Row] = []
        for start in range(0, len(values), _IN_CHUNK):
            chunk = list(values[start:start + _IN_CHUNK])
            rows.extend(await self.db.fetch_all(sql.format(marks=", ".join("?" * len(chunk))), chunk,
                                                quick=len(values) <= _QUICK_IN))
        return rows

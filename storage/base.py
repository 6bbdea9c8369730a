"""What every repository shares."""

from __future__ import annotations

from .db import Database


class Repository:
    """A small class of queries over one part of the schema, holding the ``Database``."""

    def __init__(self, db: Database) -> None:
        self.db = db

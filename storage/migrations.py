"""Versioned schema migrations, tracked by ``PRAGMA user_version``.

``MIGRATIONS`` lists every version in order. ``migrate`` brings a database from its version to
the latest (or to ``target``), applying each migration in its own ``BEGIN IMMEDIATE``
transaction together with the new ``user_version``: a failing migration rolls back completely
and leaves the version where it was. Migrations are never edited once released; a change to
the schema is a new version at the end of the list.

A migration is SQL text (several statements; triggers allowed) or an async callable taking the
connection (for data fixes that need Python). ``foreign_keys_off`` is for migrations that
rebuild a table (the SQLite 12-step ALTER): foreign keys are switched off around the
transaction and ``PRAGMA foreign_key_check`` must come back empty before it commits.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiosqlite

from . import (
    schema_v1,
    schema_v2,
    schema_v3,
    schema_v4,
    schema_v5,
    schema_v6,
    schema_v7,
    schema_v8,
    schema_v9,
    schema_v10,
    schema_v11,
)

if TYPE_CHECKING:
    from .db import Database

log = logging.getLogger(__name__)

MigrationStep = str | Callable[[aiosqlite.Connection], Awaitable[None]]


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: MigrationStep
    foreign_keys_off: bool = False


class MigrationError(RuntimeError):
    def __init__(self, migration: Migration, cause: BaseException | None = None) -> None:
        detail = f": {cause}" if cause is not None else ""
        super().__init__(f"migration {migration.version} ({migration.description}) failed{detail}")
        self.migration = migration


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer version of the application."""


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "core tables: units, people, invites, periods, drafts, submissions, notices, audit", schema_v1.SQL),
    Migration(2, "unit report settings and report templates", schema_v2.SQL),
    Migration(3, "reminder calendar: notice claims and states, calendar overrides, notice runs", schema_v3.SQL,
              foreign_keys_off=True),
    Migration(4, "draft cursors: when the current question was shown (Telegram's date)", schema_v4.SQL),
    Migration(5, "submissions record their form's id and version; the text of every form version", schema_v5.SQL),
    Migration(6, "return asks: a supervisor's «Trả lại để sửa» waiting for its reason", schema_v6.SQL),
    Migration(7, "draft cursors: the last message a typed answer came from (Telegram's id)", schema_v7.SQL),
    Migration(8, "people on either messenger (Zalo ids, Telegram id optional, the messenger used last); "
              "Zalo chats' typed options and its inbox of updates not yet handled",
              schema_v8.SQL, foreign_keys_off=True),
    Migration(9, "codes typed instead of links: invitation codes, account link codes, wrong codes typed",
              schema_v9.SQL),
    Migration(10, "submissions: imported without the moment sent (neither on time nor late)", schema_v10.SQL),
    Migration(11, "templates: ids never given again (an answered upload is removed)", schema_v11.SQL,
              foreign_keys_off=True),
)


def latest_version(migrations: Sequence[Migration] = MIGRATIONS) -> int:
    return migrations[-1].version if migrations else 0


async def current_version(target: aiosqlite.Connection | Database) -> int:
    """The schema version (``PRAGMA user_version``) of a ``Database`` or a raw connection."""
    if isinstance(target, aiosqlite.Connection):
        rows = list(await target.execute_fetchall("PRAGMA user_version"))
        return int(rows[0][0])
    return await target.current_version()


def split_statements(script: str) -> list[str]:
    """The statements of an SQL script (semicolons in strings, comments and trigger bodies are
    handled by SQLite's own ``complete_statement``)."""
    statements: list[str] = []
    buffer = ""
    pieces = script.split(";")
    for piece in pieces[:-1]:
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if _has_sql(buffer):
                statements.append(buffer.strip())
            buffer = ""
    buffer += pieces[-1]
    if _has_sql(buffer):
        raise ValueError(f"incomplete SQL statement at the end of the script: {buffer.strip()[:80]!r}")
    return statements


def _has_sql(text: str) -> bool:
    lines = (line.split("--", 1)[0].strip() for line in text.splitlines())
    return any(line and line != ";" for line in lines)


async def migrate(
    conn: aiosqlite.Connection,
    migrations: Sequence[Migration] = MIGRATIONS,
    *,
    target: int | None = None,
) -> list[int]:
    """Apply the migrations the database lacks, up to ``target`` (default: the latest).
    Returns the versions applied. The connection must be in autocommit mode (no open transaction)."""
    _check_sequence(migrations)
    goal = latest_version(migrations) if target is None else target
    if not 0 <= goal <= latest_version(migrations):
        raise ValueError(f"no migration to version {goal}")
    found = await current_version(conn)
    if found > latest_version(migrations):
        raise SchemaTooNewError(
            f"database schema version {found} is newer than this application's {latest_version(migrations)}"
        )
    applied: list[int] = []
    for migration in migrations:
        if migration.version <= found or migration.version > goal:
            continue
        if await _apply(conn, migration):
            applied.append(migration.version)
            log.info("database migrated to version %d: %s", migration.version, migration.description)
    return applied


async def _apply(conn: aiosqlite.Connection, migration: Migration) -> bool:
    if migration.foreign_keys_off:
        await conn.execute("PRAGMA foreign_keys = OFF")
    try:
        await conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated between our check and our lock.
            if await current_version(conn) >= migration.version:
                await conn.execute("ROLLBACK")
                return False
            if isinstance(migration.apply, str):
                for statement in split_statements(migration.apply):
                    await conn.execute(statement)
            else:
                await migration.apply(conn)
            if migration.foreign_keys_off:
                problems = list(await conn.execute_fetchall("PRAGMA foreign_key_check"))
                if problems:
                    raise MigrationError(migration, RuntimeError(f"{len(problems)} foreign key violations"))
            await conn.execute(f"PRAGMA user_version = {int(migration.version)}")
            await conn.execute("COMMIT")
            return True
        except BaseException as error:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            if isinstance(error, MigrationError) or not isinstance(error, Exception):
                raise
            raise MigrationError(migration, error) from error
    finally:
        if migration.foreign_keys_off:
            await conn.execute("PRAGMA foreign_keys = ON")


def _check_sequence(migrations: Sequence[Migration]) -> None:
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            raise ValueError(f"migration versions must be 1, 2, 3, … in order; found {migration.version} at {expected}")

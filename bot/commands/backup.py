"""`python -m bot backup --out FILE`: a consistent copy of the database, taken while the bot runs.

SQLite's online backup API (``sqlite3.Connection.backup``) copies every page in one step inside
one read transaction: the copy is the database as it was at one instant, and in WAL mode the bot
goes on writing meanwhile (readers never block the writer). The copy is written next to FILE,
checked (``PRAGMA integrity_check``), switched to a plain rollback journal so that it is one
self-contained file, flushed to disk, and only then renamed to FILE — a FILE that exists is always
a whole, checked backup.

Restoring: stop the bot, copy FILE to DATABASE_PATH (removing any ``-wal`` and ``-shm`` files
beside it), start the bot.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bot.chat.catalogue import say
from bot.settings import Settings

BUSY_TIMEOUT_MS = 10_000


class BackupError(Exception):
    """The backup could not be made; the message says why, in one line."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    pages: int
    schema_version: int
    seconds: float


def backup(source: Path, out: Path) -> BackupResult:
    """Copy the database at ``source`` to ``out`` (replaced atomically if it exists)."""
    source, out = Path(source), Path(out)
    if not source.is_file():
        raise BackupError(say("cli.backup_no_database", path=source))
    if out.resolve() == source.resolve():
        raise BackupError(say("cli.backup_same_file"))
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # every page in one step: one consistent snapshot
            checked = dst.execute("PRAGMA integrity_check").fetchall()
            if checked != [("ok",)]:
                raise BackupError(say("cli.backup_not_whole", problems=checked[:3]))
            dst.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
            pages = int(dst.execute("PRAGMA page_count").fetchone()[0])
            version = int(dst.execute("PRAGMA user_version").fetchone()[0])
        finally:
            dst.close()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    with partial.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, out)
    with contextlib.suppress(OSError):  # make the rename itself durable where the OS allows it
        folder = os.open(out.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    return BackupResult(path=out, size=out.stat().st_size, pages=pages, schema_version=version,
                        seconds=time.perf_counter() - started)


def _command(args: argparse.Namespace, settings: Settings) -> int:
    try:
        result = backup(settings.database_path, Path(args.out))
    except (BackupError, sqlite3.Error, OSError) as exc:
        print(f"error: {say('cli.backup_failed', reason=exc)}", file=sys.stderr)
        return 1
    print(say("cli.backup_done", database=settings.database_path, path=result.path,
              megabytes=result.size / 1024 / 1024, pages=result.pages, version=result.schema_version,
              seconds=result.seconds))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "backup",
        help=say("cli.backup_help"),
        description="Copy the database with SQLite's online backup while the bot keeps running; the copy is "
        "checked (integrity_check) and written atomically. Restore: stop the bot, copy FILE to DATABASE_PATH "
        "(remove the -wal and -shm files beside it), start the bot.",
    )
    parser.add_argument("--out", metavar="FILE", required=True, help="the backup file to write (replaced if it exists)")
    parser.set_defaults(func=_command)

"""The SQLite database: one writer connection, one reader connection, transactions.

Writes go through ``async with db.transaction() as conn:`` — ``BEGIN IMMEDIATE`` … ``COMMIT``,
``ROLLBACK`` on any error (cancellation included). An ``asyncio.Lock`` serialises writers so
coroutines never interleave statements of different transactions on the one connection;
``BEGIN IMMEDIATE`` with ``busy_timeout`` serialises against other processes.

A transaction opened inside another one (in the same task, on the same database) joins it
as a SAVEPOINT: repositories open their own transaction for every write, and a caller can
wrap several repository calls in one outer transaction to make them atomic together; a
nested one that fails is undone alone and its exception reaches the outer one.

Reads outside a transaction use a separate read-only connection; in WAL mode it sees the
last committed state and is never blocked by a writer, nor does it see a write in progress.
Reads inside a transaction use the transaction's connection (they see its own writes).
For ``":memory:"`` there is a single connection, and reads wait for running transactions.

A read marked ``quick`` (a lookup by key of a few rows, as every update makes a dozen of) runs on
the event loop's own thread, on a read-only connection of its own: handing it to the connection's
thread and waking the loop when it is done costs several times the read itself (about 40 µs
against 10). In WAL mode such a read does not wait for writers. Anything that may scan stays on
the reader's thread.

A transaction marked ``quick`` (one person's action: a few small writes by key, as each answer of
a report makes) runs the same way, on a writer connection of the loop's thread, for the same
reason. It never waits on the loop: when another process holds the write lock (an import), it
runs on the writer's thread as any other. Its commits never checkpoint on the loop; every
``CHECKPOINT_EVERY`` of them, the writer's thread does (``PRAGMA wal_checkpoint(PASSIVE)``).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager, closing
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite

from .migrations import MIGRATIONS, Migration, migrate

log = logging.getLogger(__name__)

MEMORY = ":memory:"
BUSY_TIMEOUT_MS = 5000
CHECKPOINT_EVERY = 200  # quick commits between two checkpoints on the writer's thread
QUICK_CACHE_KB = 16000  # page cache of the quick reads' connection (SQLite's default: 2,000 KB)

Params = Sequence[Any] | dict[str, Any]


class InlineConnection:
    """The writer connection of quick transactions, on the loop's thread: the methods of
    ``aiosqlite.Connection`` that repositories use, run at once."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.raw = conn

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    async def execute(self, sql: str, parameters: Params = ()) -> sqlite3.Cursor:
        return self.raw.execute(sql, parameters)

    async def execute_fetchall(self, sql: str, parameters: Params = ()) -> list[sqlite3.Row]:
        return self.raw.execute(sql, parameters).fetchall()

    async def executemany(self, sql: str, parameters: Iterable[Params]) -> sqlite3.Cursor:
        return self.raw.executemany(sql, parameters)


Conn = aiosqlite.Connection | InlineConnection  # what a transaction gives its statements


@dataclass(eq=False)
class _Tx:
    db: Database
    conn: Conn
    open: bool = field(default=True)
    savepoints: int = field(default=0)


# The transaction the current task is inside, if any (per task: contexts are copied per task).
_current_tx: ContextVar[_Tx | None] = ContextVar("storage_current_tx", default=None)


class Database:
    """An open SQLite database. Create with ``await Database.open(path)``."""

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection,
                 inline: sqlite3.Connection | None = None,
                 inline_writer: sqlite3.Connection | None = None) -> None:
        self._path = path
        self._writer = writer
        self._reader = reader
        self._inline = inline  # quick reads, on the loop's thread (None: in memory)
        self._inline_writer = None if inline_writer is None else InlineConnection(inline_writer)
        self._quick_commits = 0
        self._checkpoints: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()
        self._closed = False

    # -- opening and closing -------------------------------------------------------------

    @classmethod
    async def open(
        cls,
        path: str | Path,
        *,
        migrations: Sequence[Migration] = MIGRATIONS,
        target_version: int | None = None,
    ) -> Database:
        """Open (creating the file and its folder if needed) and migrate to the latest version,
        or to ``target_version`` (tests use it to build databases as earlier versions left them).
        Raises ``DatabaseUnavailable`` when the file cannot be used there (a read-only folder, a
        folder, a file that is not a database …)."""
        in_memory = str(path) == MEMORY
        db_path = Path(MEMORY) if in_memory else Path(path)
        if not in_memory:
            _make_folder(db_path)
            await asyncio.to_thread(_check_usable, db_path)
        writer = await _connect(MEMORY if in_memory else db_path)
        reader: aiosqlite.Connection | None = None
        inline: sqlite3.Connection | None = None
        inline_writer: sqlite3.Connection | None = None
        try:
            await _configure(writer, wal=not in_memory)
            await migrate(writer, migrations, target=target_version)
            if in_memory:
                reader = writer
            else:
                reader = await _connect(db_path)
                await _configure(reader, wal=False)
                await reader.execute("PRAGMA query_only = ON")
                inline = _connect_inline(db_path)
                inline_writer = _connect_inline_writer(db_path)
        except BaseException as error:
            for quick in (inline, inline_writer):
                if quick is not None:
                    quick.close()
            if reader is not None and reader is not writer:
                await reader.close()
            await writer.close()
            if isinstance(error, sqlite3.Error) and not in_memory:
                _raise_if_unusable(db_path, error)
            raise
        return cls(db_path, writer, reader, inline, inline_writer)

    async def close(self) -> None:
        """Wait for a running transaction, then close; closing twice is harmless."""
        if self._closed:
            return
        async with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._inline is not None:
                self._inline.close()
            if self._inline_writer is not None:
                self._inline_writer.raw.close()
            if self._reader is not self._writer:
                await self._reader.close()
            try:
                await self._writer.execute("PRAGMA optimize")
            except sqlite3.Error:  # pragma: no cover - best effort
                log.debug("PRAGMA optimize failed", exc_info=True)
            await self._writer.close()

    async def __aenter__(self) -> Database:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def path(self) -> Path:
        """The database file (``Path(":memory:")`` for an in-memory database)."""
        return self._path

    @property
    def in_memory(self) -> bool:
        return self._reader is self._writer

    @property
    def closed(self) -> bool:
        return self._closed

    # -- transactions --------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self, *, quick: bool = False) -> AsyncIterator[Conn]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; ``ROLLBACK`` and re-raise on any exception.
        Inside a transaction of this database already (same task): join it. ``quick``: a few
        small writes by key, run on the loop's thread unless another process is writing (see
        the module)."""
        outer = _current_tx.get()
        if outer is not None and outer.open and outer.db is self:
            async with _savepoint(outer):
                yield outer.conn
            return
        self._check_open()
        async with self._lock:
            self._check_open()  # closed while we waited
            conn: Conn
            if quick and self._inline_writer is not None and _begin_at_once(self._inline_writer.raw):
                conn = self._inline_writer
            else:
                conn = self._writer
                try:
                    await conn.execute("BEGIN IMMEDIATE")
                except BaseException:
                    # Cancelled while BEGIN waited for another process's lock: BEGIN may still run.
                    await asyncio.shield(_rollback(conn))
                    raise
            tx = _Tx(self, conn)
            token = _current_tx.set(tx)
            try:
                yield conn
            except BaseException:
                tx.open = False
                await asyncio.shield(_rollback(conn))
                raise
            else:
                tx.open = False
                try:
                    await conn.execute("COMMIT")
                except BaseException:
                    await asyncio.shield(_rollback(conn))
                    raise
            finally:
                tx.open = False
                _current_tx.reset(token)
        if conn is self._inline_writer:
            self._after_quick_commit()

    def _after_quick_commit(self) -> None:
        self._quick_commits += 1
        if self._quick_commits % CHECKPOINT_EVERY == 0:
            task = asyncio.get_running_loop().create_task(self._checkpoint())
            self._checkpoints.add(task)
            task.add_done_callback(self._checkpoints.discard)

    async def _checkpoint(self) -> None:
        """Copy the log into the database on the writer's thread (quick commits never do)."""
        async with self._lock:
            if self._closed:
                return
            try:
                await self._writer.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:  # pragma: no cover - the next one will try again
                log.warning("checkpoint failed", exc_info=True)

    def in_transaction(self) -> bool:
        """Whether the current task is inside a transaction of this database."""
        tx = _current_tx.get()
        return tx is not None and tx.open and tx.db is self

    # -- reads ---------------------------------------------------------------------------

    async def fetch_all(self, sql: str, params: Params = (), *, quick: bool = False) -> list[sqlite3.Row]:
        """``quick``: a lookup by key of a few rows, run on the loop's thread (see the module)."""
        params = _fit_integers(params)
        tx = _current_tx.get()
        if tx is not None and tx.open and tx.db is self:
            return list(await tx.conn.execute_fetchall(sql, params))
        self._check_open()
        if quick and self._inline is not None:
            return self._inline.execute(sql, params).fetchall()
        if self._reader is self._writer:
            async with self._lock:
                return list(await self._reader.execute_fetchall(sql, params))
        return list(await self._reader.execute_fetchall(sql, params))

    async def fetch_one(self, sql: str, params: Params = (), *, quick: bool = False) -> sqlite3.Row | None:
        rows = await self.fetch_all(sql, params, quick=quick)
        return rows[0] if rows else None

    async def fetch_value(self, sql: str, params: Params = (), *, quick: bool = False) -> Any:
        """The first column of the first row, or None."""
        row = await self.fetch_one(sql, params, quick=quick)
        return None if row is None else row[0]

    # -- writes (each in a transaction: joins the current one or opens its own) ------------

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; the number of rows it changed."""
        async with self.transaction() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.rowcount

    async def execute_returning(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Run one statement with a RETURNING clause; its rows."""
        async with self.transaction() as conn:
            return list(await conn.execute_fetchall(sql, params))

    async def execute_many(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)

    # -- information ---------------------------------------------------------------------

    async def current_version(self) -> int:
        """The schema version (``PRAGMA user_version``)."""
        return int(await self._on_writer("PRAGMA user_version") or 0)

    async def pragma(self, name: str) -> Any:
        """The value of a pragma on the writer connection (e.g. "journal_mode", "foreign_keys")."""
        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a pragma name: {name!r}")
        return await self._on_writer(f"PRAGMA {name}")

    async def _on_writer(self, sql: str) -> Any:
        tx = _current_tx.get()
        if tx is not None and tx.open and tx.db is self:
            rows = list(await tx.conn.execute_fetchall(sql))
        else:
            self._check_open()
            async with self._lock:
                rows = list(await self._writer.execute_fetchall(sql))
        return rows[0][0] if rows else None

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"database {self._path} is closed")


_INT64 = range(-(2**63), 2**63)


def _fit_integers(params: Params) -> Params:
    """A read's integers beyond SQLite's 64 bits (an id typed or forged by a user: "/duyet 99999999999999999999")
    become floats, which compare as the number they are — equal to no stored id — where sqlite3 would
    raise OverflowError. Writes keep raising: such a number is never stored."""

    def fit(value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and value not in _INT64:
            try:
                return float(value)
            except OverflowError:
                return float("inf") if value > 0 else float("-inf")
        return value

    if isinstance(params, dict):
        return {key: fit(value) for key, value in params.items()}
    return [fit(value) for value in params]


class DatabaseUnavailable(Exception):
    """The database file cannot be used where it is: ``reason`` says why (one of REASONS), ``folder``
    the folder concerned; the composition root tells the person which setting to change."""

    REASONS = ("cannot_create_folder", "not_a_folder", "is_folder", "read_only_folder", "cannot_open", "read_only",
               "not_a_database")

    def __init__(self, path: Path, reason: str, detail: str, folder: Path | None = None) -> None:
        super().__init__(f"cannot use the database {path}: {reason} ({detail})")
        self.path = path
        self.reason = reason
        self.detail = detail
        self.folder = folder if folder is not None else path.parent


def _make_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as error:
        blocking = next((p for p in [path.parent, *path.parent.parents] if p.exists() and not p.is_dir()), path.parent)
        raise DatabaseUnavailable(path, "not_a_folder", str(error), blocking) from error
    except OSError as error:
        missing = next((p for p in reversed([path.parent, *path.parent.parents]) if not p.exists()), path.parent)
        raise DatabaseUnavailable(path, "cannot_create_folder", str(error), missing) from error


def _check_usable(path: Path) -> None:
    """Open the file once with plain sqlite3 and read its header, so that a path SQLite cannot use
    is reported before aiosqlite's thread is started for it (a failed aiosqlite connect leaves its
    thread calling back into a loop that may be closed by then)."""
    try:
        with closing(sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)) as conn:
            conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.Error as error:
        _raise_if_unusable(path, error)
        raise


def _reason_of(path: Path, error: sqlite3.Error) -> str | None:
    """Why SQLite could not use the file, from its message; None for any other error."""
    text = str(error).lower()
    if "file is not a database" in text:
        return "not_a_database"
    if "readonly database" in text:
        return "read_only"
    if "unable to open database file" in text:
        if path.is_dir():
            return "is_folder"
        return "cannot_open" if path.exists() else "read_only_folder"
    return None


def _raise_if_unusable(path: Path, error: sqlite3.Error) -> None:
    reason = _reason_of(path, error)
    if reason is not None:
        raise DatabaseUnavailable(path, reason, str(error)) from error


async def _connect(path: str | Path) -> aiosqlite.Connection:
    # isolation_level=None: no implicit transactions; we issue BEGIN/COMMIT ourselves.
    conn = await aiosqlite.connect(path, isolation_level=None)
    conn.row_factory = aiosqlite.Row
    return conn


def _connect_inline_writer(path: Path) -> sqlite3.Connection:
    """The writer connection of quick transactions (the loop's thread only): it never waits for
    a lock (``busy_timeout = 0``: busy means "use the writer's thread") and never checkpoints."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 0")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    return conn


def _begin_at_once(conn: sqlite3.Connection) -> bool:
    """``BEGIN IMMEDIATE`` if the write lock is free now; False if another process holds it."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY:
            return False
        raise
    return True


def _connect_inline(path: Path) -> sqlite3.Connection:
    """The read-only connection of quick reads (used on the event loop's thread only)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA query_only = ON")
    conn.execute(f"PRAGMA cache_size = -{QUICK_CACHE_KB}")
    return conn


async def _configure(conn: aiosqlite.Connection, *, wal: bool) -> None:
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if wal:
        rows = list(await conn.execute_fetchall("PRAGMA journal_mode = WAL"))
        mode = rows[0][0] if rows else None
        if str(mode).lower() != "wal":
            raise RuntimeError(f"could not switch the database to WAL (journal_mode={mode!r})")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA synchronous = NORMAL")


@asynccontextmanager
async def _savepoint(tx: _Tx) -> AsyncIterator[None]:
    """A transaction inside a transaction: its writes are undone if it fails, and the
    exception goes on to the outer one (which may catch it and carry on)."""
    tx.savepoints += 1
    name = f"nested_{tx.savepoints}"
    await tx.conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        if tx.conn.in_transaction:
            await asyncio.shield(tx.conn.execute(f"ROLLBACK TO {name}"))
            await asyncio.shield(tx.conn.execute(f"RELEASE {name}"))
        raise
    else:
        await tx.conn.execute(f"RELEASE {name}")


async def _rollback(conn: Conn) -> None:
    # A statement whose await was cancelled still runs on the connection's thread; this no-op
    # queues behind it, so in_transaction below tells the truth (after a BEGIN, or a COMMIT).
    await conn.execute("SELECT 1")
    if conn.in_transaction:
        try:
            await conn.execute("ROLLBACK")
        except sqlite3.Error:  # pragma: no cover - the connection is in trouble already
            log.exception("ROLLBACK failed")

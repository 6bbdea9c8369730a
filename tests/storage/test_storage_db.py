"""The Database: pragmas, transactions, the writer lock, the read connection."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from storage_helpers import T0

from storage import Database, Storage
from storage.codec import dt_from_text, dt_text


async def _count(db: Database, table: str = "audit_log") -> int:
    return int(await db.fetch_value(f"SELECT count(*) FROM {table}"))


async def _insert(conn, action: str) -> None:
    await conn.execute("INSERT INTO audit_log (at, action) VALUES (?, ?)", (dt_text(T0), action))


async def test_open_creates_the_folder_and_sets_the_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "bot.sqlite3"
    db = await Database.open(path)
    try:
        assert path.exists()
        assert db.path == path
        assert await db.pragma("journal_mode") == "wal"
        assert await db.pragma("foreign_keys") == 1
        assert await db.pragma("busy_timeout") == 5000
        assert await db.pragma("synchronous") == 1  # NORMAL
        # The read connection is set up the same way and cannot write.
        assert await db.fetch_value("PRAGMA busy_timeout") == 5000
        assert await db.fetch_value("PRAGMA query_only") == 1
        # Quick reads, an update's dozen look-ups by key, keep a national database's hot pages.
        assert await db.fetch_value("PRAGMA cache_size", quick=True) == -16000
    finally:
        await db.close()
    assert db.closed
    await db.close()  # twice is harmless


async def test_foreign_keys_are_enforced(storage: Storage) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with storage.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO memberships (person_id, role, unit_code, created_at) VALUES (999, 'admin', NULL, ?)",
                (dt_text(T0),),
            )


async def test_a_transaction_commits_or_rolls_back(storage: Storage) -> None:
    db = storage.db
    async with db.transaction() as conn:
        await _insert(conn, "kept")
    with pytest.raises(RuntimeError):
        async with db.transaction() as conn:
            await _insert(conn, "lost")
            raise RuntimeError("boom")
    assert [row["action"] for row in await db.fetch_all("SELECT action FROM audit_log")] == ["kept"]


async def test_a_cancelled_transaction_rolls_back(storage: Storage) -> None:
    db = storage.db
    started = asyncio.Event()

    async def slow_writer() -> None:
        async with db.transaction() as conn:
            await _insert(conn, "half")
            started.set()
            await asyncio.sleep(10)

    task = asyncio.create_task(slow_writer())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await _count(db) == 0
    async with db.transaction() as conn:  # the lock was released, the connection is usable
        await _insert(conn, "after")
    assert await _count(db) == 1


async def test_nested_transactions_join_the_outer_one(storage: Storage) -> None:
    db = storage.db
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await storage.audit.log("inner write", T0)  # opens its own transaction: joins
            assert db.in_transaction()
            assert await _count(db) == 1  # reads inside the transaction see its writes
            raise RuntimeError("boom")
    assert await _count(db) == 0
    assert not db.in_transaction()


async def test_concurrent_transactions_do_not_interleave(storage: Storage) -> None:
    db = storage.db

    async def writer(name: str, fail: bool) -> None:
        async with db.transaction() as conn:
            for i in range(5):
                await _insert(conn, f"{name}{i}")
                await asyncio.sleep(0)
            if fail:
                raise RuntimeError(name)

    results = await asyncio.gather(
        writer("a", False), writer("b", True), writer("c", False), return_exceptions=True
    )
    assert isinstance(results[1], RuntimeError)
    actions = [row["action"] for row in await db.fetch_all("SELECT action FROM audit_log ORDER BY id")]
    assert sorted(actions) == sorted([f"a{i}" for i in range(5)] + [f"c{i}" for i in range(5)])


async def test_reads_outside_a_transaction_see_only_committed_data(storage: Storage) -> None:
    db = storage.db
    written = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as conn:
            await _insert(conn, "pending")
            written.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await written.wait()
    assert await _count(db) == 0  # not committed yet, and the read did not wait for the writer
    release.set()
    await task
    assert await _count(db) == 1


async def test_quick_reads_run_on_the_loops_thread_and_see_what_the_others_see(storage: Storage) -> None:
    """A quick read (a lookup by key) does not go through a connection's thread, and sees what a
    read on the reader sees: committed data only outside a transaction, the transaction's own
    writes inside it, nothing after closing."""
    db = storage.db
    loop_thread = threading.get_ident()
    seen: list[int] = []
    db._inline.set_trace_callback(lambda _sql: seen.append(threading.get_ident()))  # type: ignore[union-attr]
    written = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as conn:
            await _insert(conn, "pending")
            assert await db.fetch_value("SELECT count(*) FROM audit_log", quick=True) == 1  # its own write
            written.set()
            await release.wait()

    task = asyncio.create_task(writer())
    await written.wait()
    assert await db.fetch_value("SELECT count(*) FROM audit_log", quick=True) == 0  # not committed yet
    release.set()
    await task
    assert await db.fetch_value("SELECT count(*) FROM audit_log", quick=True) == 1
    assert seen and set(seen) == {loop_thread}  # the quick reads outside the transaction ran inline
    await db.close()
    with pytest.raises(RuntimeError, match="closed"):
        await db.fetch_all("SELECT 1", quick=True)


async def test_two_connections_to_one_file_both_write(db_path: Path) -> None:
    """Two processes (here: two Database objects) writing at once wait for each other."""
    first = await Database.open(db_path)
    second = await Database.open(db_path)
    try:
        async def write(db: Database, name: str) -> None:
            for i in range(20):
                async with db.transaction() as conn:
                    await _insert(conn, f"{name}{i}")
                    await asyncio.sleep(0)

        await asyncio.gather(write(first, "a"), write(second, "b"))
        assert await _count(first) == 40
        assert await _count(second) == 40
    finally:
        await first.close()
        await second.close()


async def test_in_memory_database() -> None:
    db = await Database.open(":memory:")
    try:
        assert db.in_memory
        async with db.transaction() as conn:
            await _insert(conn, "x")
        assert await _count(db) == 1
        assert await db.current_version() >= 2
    finally:
        await db.close()


async def test_a_closed_database_refuses_work(db_path: Path) -> None:
    db = await Database.open(db_path)
    await db.close()
    with pytest.raises(RuntimeError, match="closed"):
        await db.fetch_all("SELECT 1")
    with pytest.raises(RuntimeError, match="closed"):
        async with db.transaction():
            pass


def test_datetimes_are_stored_in_vietnam_time_and_naive_ones_refused() -> None:
    from datetime import UTC

    utc = datetime(2025, 12, 11, 8, 0, tzinfo=UTC)
    assert dt_text(utc) == "2025-12-11T15:00:00+07:00"
    assert dt_from_text(dt_text(utc)) == utc
    assert str(dt_from_text(dt_text(utc)).tzinfo) == "Asia/Ho_Chi_Minh"
    with pytest.raises(ValueError, match="naive"):
        dt_text(datetime(2025, 12, 11, 15, 0))


def test_the_storage_never_reads_the_clock() -> None:
    root = Path(__file__).resolve().parents[2] / "storage"
    for source in root.glob("*.py"):
        text = source.read_text(encoding="utf-8")
        for forbidden in ("datetime.now", "date.today", "time.time(", "utcnow"):
            assert forbidden not in text, f"{source.name} reads the clock ({forbidden})"


async def test_cancelled_while_waiting_for_another_process_lock(db_path: Path) -> None:
    """BEGIN IMMEDIATE waiting on another connection's lock, then cancelled: the connection
    must not be left inside a transaction."""
    db = await Database.open(db_path)
    other = await Database.open(db_path)
    try:
        holding = asyncio.Event()
        release = asyncio.Event()

        async def hold_lock() -> None:
            async with other.transaction() as conn:
                await _insert(conn, "other")
                holding.set()
                await release.wait()

        holder = asyncio.create_task(hold_lock())
        await holding.wait()

        async def write() -> None:
            async with db.transaction() as conn:
                await _insert(conn, "cancelled")

        waiting = asyncio.create_task(write())
        await asyncio.sleep(0.1)  # BEGIN IMMEDIATE is now waiting (busy_timeout)
        waiting.cancel()
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        await holder
        async with db.transaction() as conn:
            await _insert(conn, "after")
        assert sorted(r["action"] for r in await db.fetch_all("SELECT action FROM audit_log")) == ["after", "other"]
    finally:
        await db.close()
        await other.close()


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.timezones()),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.timezones()),
)
def test_stored_datetimes_sort_as_text_in_time_order(a: datetime, b: datetime) -> None:
    """SQL compares and orders the stored text, so text order must be time order."""
    assume(a.utcoffset() is not None and b.utcoffset() is not None)
    # (timestamps: Python's aware == is always False across zones for a time in a DST gap)
    assert (dt_text(a) < dt_text(b)) == (a.timestamp() < b.timestamp())
    assert (dt_text(a) == dt_text(b)) == (a.timestamp() == b.timestamp())
    assert dt_from_text(dt_text(a)).timestamp() == a.timestamp()


async def test_a_failed_nested_transaction_is_undone_alone(storage: Storage) -> None:
    db = storage.db
    async with db.transaction() as conn:
        await _insert(conn, "outer")
        with pytest.raises(RuntimeError):
            async with db.transaction() as inner:
                await _insert(inner, "inner")
                raise RuntimeError("inner fails")
        async with db.transaction() as inner:
            await _insert(inner, "inner kept")
    assert sorted(r["action"] for r in await db.fetch_all("SELECT action FROM audit_log")) == ["inner kept", "outer"]

"""Quick transactions: a person's few small writes on the loop's thread, never waiting there for
another process's lock, undone whole on error, and checkpointed off the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from storage_helpers import T0

from storage import Database
from storage import db as db_module
from storage.codec import dt_text


async def _insert(conn: db_module.Conn, action: str) -> None:
    await conn.execute("INSERT INTO audit_log (at, action) VALUES (?, ?)", (dt_text(T0), action))


async def _actions(db: Database) -> list[str]:
    return [row[0] for row in await db.fetch_all("SELECT action FROM audit_log ORDER BY id")]


def _trace(db: Database) -> list[int]:
    seen: list[int] = []
    assert db._inline_writer is not None
    db._inline_writer.raw.set_trace_callback(lambda _sql: seen.append(threading.get_ident()))
    return seen


async def test_a_quick_transaction_runs_on_the_loops_thread_with_its_nested_ones(db_path: Path) -> None:
    db = await Database.open(db_path)
    try:
        seen = _trace(db)
        async with db.transaction(quick=True) as conn:
            await _insert(conn, "outer")
            async with db.transaction() as nested:  # joins as a savepoint, on the same connection
                assert nested is conn
                await _insert(nested, "nested")
            with pytest.raises(ValueError):
                async with db.transaction():
                    await db.execute("INSERT INTO audit_log (at, action) VALUES (?, 'undone')", (dt_text(T0),))
                    raise ValueError("the nested one fails alone")
            assert await db.fetch_value("SELECT count(*) FROM audit_log") == 2  # its own writes
        assert await _actions(db) == ["outer", "nested"]
        assert seen and set(seen) == {threading.get_ident()}
        assert db._inline_writer is not None
        assert db._inline_writer.raw.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    finally:
        await db.close()


async def test_a_failing_quick_transaction_leaves_nothing(db_path: Path) -> None:
    db = await Database.open(db_path)
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction(quick=True) as conn:
                await _insert(conn, "lost")
                raise RuntimeError("the action failed")
        assert await _actions(db) == []
        async with db.transaction(quick=True) as conn:  # the connection is usable again
            await _insert(conn, "kept")
        assert await _actions(db) == ["kept"]
    finally:
        await db.close()


async def test_when_another_process_writes_the_quick_one_waits_off_the_loop(db_path: Path) -> None:
    """An import in another process holds the write lock: the quick transaction does not block
    the loop (a ticker keeps ticking) and runs on the writer's thread once the lock is free."""
    db = await Database.open(db_path)
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        seen = _trace(db)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO audit_log (at, action) VALUES (?, 'import')", (dt_text(T0),))
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        async def action() -> None:
            async with db.transaction(quick=True) as conn:
                assert not isinstance(conn, db_module.InlineConnection)
                await _insert(conn, "answer")

        ticking = asyncio.create_task(ticker())
        acting = asyncio.create_task(action())
        await asyncio.sleep(0.3)
        assert not acting.done() and ticks >= 10  # waiting, and the loop kept serving
        other.execute("COMMIT")
        await asyncio.wait_for(acting, 5)
        ticking.cancel()
        assert await _actions(db) == ["import", "answer"]
        assert len(seen) <= 1  # at most the refused BEGIN ran inline
    finally:
        other.close()
        await db.close()


async def test_quick_commits_are_checkpointed_on_the_writers_thread(db_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_module, "CHECKPOINT_EVERY", 5)
    db = await Database.open(db_path)
    try:
        assert await db.fetch_value("PRAGMA wal_autocheckpoint", quick=True) == 1000  # the reader's
        assert db._inline_writer is not None
        assert db._inline_writer.raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        checkpoints: list[str] = []
        await db._writer.set_trace_callback(lambda sql: checkpoints.append(sql) if "checkpoint" in sql else None)
        for i in range(10):
            async with db.transaction(quick=True) as conn:
                await _insert(conn, f"answer {i}")
        await asyncio.gather(*db._checkpoints)
        assert checkpoints == ["PRAGMA wal_checkpoint(PASSIVE)"] * 2
    finally:
        await db.close()

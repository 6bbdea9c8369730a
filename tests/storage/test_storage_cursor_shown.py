"""Schema v4: a cursor keeps when its question was shown (Telegram's date), and an upgraded
database has exactly the schema of a fresh one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from storage_helpers import PHUOC_GIANG, T0, World, at

from storage import Database, Storage, latest_version
from storage.codec import dt_text

LATEST = latest_version()


async def _schema(db: Database) -> list[tuple[object, ...]]:
    """Every table, index and trigger as SQLite keeps it, and every table's columns."""
    rows = await db.fetch_all(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
    )
    schema: list[tuple[object, ...]] = [tuple(row) for row in rows]
    for row in rows:
        if row["type"] == "table":
            columns = await db.fetch_all(f"PRAGMA table_info({row['name']})")
            schema.extend((row["name"], *tuple(column)) for column in columns)
    return schema


def test_v4_is_the_latest_migration() -> None:
    assert LATEST >= 4


@pytest.mark.parametrize("start", range(LATEST))
async def test_a_database_upgraded_from_every_version_equals_a_fresh_one(tmp_path: Path, start: int) -> None:
    fresh = await Database.open(tmp_path / "fresh.sqlite3")
    old = await Database.open(tmp_path / "old.sqlite3", target_version=start)
    await old.close()
    upgraded = await Database.open(tmp_path / "old.sqlite3")
    try:
        assert await upgraded.current_version() == await fresh.current_version() == LATEST
        assert await _schema(upgraded) == await _schema(fresh)
        assert "shown_at" in {row["name"] for row in await upgraded.fetch_all("PRAGMA table_info(draft_cursors)")}
    finally:
        await fresh.close()
        await upgraded.close()


async def test_a_cursor_from_before_v4_has_no_date_after_the_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "v3.sqlite3"
    old = await Database.open(path, target_version=3)
    try:
        t = dt_text(T0)
        async with old.transaction() as conn:
            await conn.execute("INSERT INTO units (code, name, full_name, kind, division_type, province_code,"
                               " folded_name) VALUES ('21370', 'Phước Giang', 'Xã Phước Giang', 'commune', 'xã',"
                               " '51', 'xa phuoc giang')")
            await conn.execute("INSERT INTO people (id, telegram_id, full_name, created_at) VALUES (1, 1001, 'Lan', ?)",
                               (t,))
            await conn.execute(
                "INSERT INTO periods (id, form_id, key, starts_on, ends_on, opens_at, deadline_at)"
                " VALUES (1, 'tthc-weekly', '2025-W50', '2025-12-08', '2025-12-14', ?, '2025-12-11T15:00:00+07:00')",
                (t,),
            )
            await conn.execute(
                "INSERT INTO drafts (id, period_id, unit_code, created_at, updated_at) VALUES (1, 1, '21370', ?, ?)",
                (t, t),
            )
            await conn.execute(
                "INSERT INTO draft_cursors (draft_id, person_id, field_id, mode, updated_at)"
                " VALUES (1, 1, 'digitized', 'answer', ?)",
                (t,),
            )
    finally:
        await old.close()
    storage = await Storage.open(path)
    try:
        cursor = await storage.drafts.get_cursor(1, 1)
        assert cursor is not None and (cursor.field_id, cursor.mode, cursor.shown_at) == ("digitized", "answer", None)
        # the next showing of its question is recorded
        assert await storage.drafts.mark_shown(1, 1, at(1), mode="answer", field_id="digitized")
        assert (await storage.drafts.get_cursor(1, 1)).shown_at == at(1)  # type: ignore[union-attr]
    finally:
        await storage.close()


async def test_the_first_showing_counts_and_only_where_the_cursor_stands(world: World, db_path: Path) -> None:
    drafts = world.storage.drafts
    draft = await drafts.get_or_create(world.period.id, PHUOC_GIANG.code, at())
    moved = await drafts.set_cursor(draft.id, world.lan.id, "carried_over", at(1))
    assert moved.shown_at is None
    # shown somewhere else (another question, another mode): not recorded
    assert not await drafts.mark_shown(draft.id, world.lan.id, at(1), mode="answer", field_id="digitized")
    assert not await drafts.mark_shown(draft.id, world.lan.id, at(1), mode="review", field_id="carried_over")
    assert not await drafts.mark_shown(draft.id, world.minh.id, at(1), mode="answer", field_id="carried_over")
    assert (await drafts.get_cursor(draft.id, world.lan.id)).shown_at is None  # type: ignore[union-attr]
    # shown: recorded once; showing it again later does not move the date
    assert await drafts.mark_shown(draft.id, world.lan.id, at(1), mode="answer", field_id="carried_over")
    assert not await drafts.mark_shown(draft.id, world.lan.id, at(5), mode="answer", field_id="carried_over")
    assert (await drafts.get_cursor(draft.id, world.lan.id)).shown_at == at(1)  # type: ignore[union-attr]
    # a moved cursor starts without a date unless the caller keeps it
    kept = await drafts.set_cursor(draft.id, world.lan.id, "carried_over", at(6), shown_at=at(1))
    assert kept.shown_at == at(1) and kept.updated_at == at(6)
    moved = await drafts.set_cursor(draft.id, world.lan.id, "received_online_full", at(7))
    assert moved.shown_at is None
    assert await drafts.mark_shown(draft.id, world.lan.id, at(7) + timedelta(seconds=3), mode="answer",
                                   field_id="received_online_full")
    await world.storage.close()

    reopened = await Storage.open(db_path)  # a restart loses nothing
    try:
        cursor = await reopened.drafts.get_cursor(draft.id, world.lan.id)
        assert cursor is not None and cursor.shown_at == at(7) + timedelta(seconds=3)
        assert [c.shown_at for c in await reopened.drafts.cursors_of(world.lan.id)] == [cursor.shown_at]
    finally:
        await reopened.close()


async def test_the_last_answer_a_person_gave(world: World) -> None:
    drafts = world.storage.drafts
    draft = await drafts.get_or_create(world.period.id, PHUOC_GIANG.code, at())
    assert await drafts.last_given(draft.id, world.lan.id) is None
    await drafts.set_answer(draft.id, "carried_over", 53, world.lan.id, at(1))
    await drafts.set_answer(draft.id, "received_online_full", 40, world.lan.id, at(1))  # same instant: order written
    await drafts.set_answer(draft.id, "received_in_person", 7, world.minh.id, at(2))  # a colleague's
    await drafts.clear_answer(draft.id, "carried_over", world.lan.id, at(3))  # a removal is not an answer
    last = await drafts.last_given(draft.id, world.lan.id)
    assert last is not None and (last.field_id, last.new_value, last.changed_by_name) == (
        "received_online_full", 40, "Nguyễn Thị Lan")
    assert (await drafts.last_given(draft.id, world.minh.id)).new_value == 7  # type: ignore[union-attr]

"""Schema migrations: fresh databases, upgrades from every earlier version, failures."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import aiosqlite
import pytest
from storage_helpers import T0

from storage import MIGRATIONS, Database, Migration, MigrationError, Role, Storage, latest_version
from storage.codec import dt_text
from storage.codes import codes_of
from storage.migrations import SchemaTooNewError, split_statements

LATEST = latest_version()


async def _tables(db: Database) -> set[str]:
    rows = await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row["name"] for row in rows}


# -- data as each version's schema holds it (raw SQL: the repositories speak the latest) ------


async def _seed_v1(db: Database) -> None:
    t = dt_text(T0)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO units VALUES ('51', 'Quảng Ngãi', 'Tỉnh Quảng Ngãi', 'province', 'tỉnh', '51', 'tinh quang ngai')"
        )
        await conn.execute(
            "INSERT INTO units VALUES ('21370', 'Phước Giang', 'Xã Phước Giang', 'commune', 'xã', '51', 'xa phuoc giang')"
        )
        await conn.execute("INSERT INTO people (id, telegram_id, full_name, created_at) VALUES (1, 1001, 'Lan', ?)", (t,))
        await conn.execute(
            "INSERT INTO memberships (person_id, role, unit_code, created_at) VALUES (1, 'reporter', '21370', ?)", (t,)
        )
        await conn.execute(
            "INSERT INTO periods (id, form_id, key, starts_on, ends_on, opens_at, deadline_at)"
            " VALUES (1, 'tthc-weekly', '2025-W50', '2025-12-08', '2025-12-14', ?, '2025-12-11T15:00:00+07:00')",
            (t,),
        )
        await conn.execute(
            "INSERT INTO drafts (id, period_id, unit_code, created_at, updated_at) VALUES (1, 1, '21370', ?, ?)", (t, t)
        )
        await conn.execute(
            "INSERT INTO draft_answers VALUES (1, 'received_in_person', '42', 1, ?)", (t,)
        )
        await conn.execute(
            "INSERT INTO submissions (period_id, unit_code, version, answers, explanations, submitted_by, submitted_at)"
            " VALUES (1, '21370', 1, '{\"received_in_person\":42}', '{}', 1, ?)",
            (t,),
        )


async def _check_v1(storage: Storage) -> None:
    assert (await storage.units.get("21370")).full_name == "Xã Phước Giang"  # type: ignore[union-attr]
    lan = await storage.people.get_by_telegram_id(1001)
    assert lan is not None
    assert [m.role for m in await storage.people.memberships_of(lan.id)] == [Role.REPORTER]
    period = await storage.periods.get("tthc-weekly", "2025-W50")
    assert period is not None
    draft = await storage.drafts.find(period.id, "21370")
    assert draft is not None
    assert await storage.drafts.values(draft.id) == {"received_in_person": 42}
    latest = await storage.submissions.latest(period.id, "21370")
    assert latest is not None and latest.answers == {"received_in_person": 42}


async def _seed_v2(db: Database) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO unit_settings VALUES ('21370', '{\"signer_name\":\"Nguyễn Văn A\"}', 1, ?)", (dt_text(T0),)
        )
        await conn.execute(
            "INSERT INTO templates (name, unit_code, version, filename, content, size, sha256, uploaded_at)"
            " VALUES ('tthc-weekly', NULL, 1, 'mau.docx', x'504b0304', 4, 'abc', ?)",
            (dt_text(T0),),
        )


async def _check_v2(storage: Storage) -> None:
    settings = await storage.unit_settings.get("21370")
    assert settings is not None and settings.signer_name == "Nguyễn Văn A"
    template = await storage.templates.latest("tthc-weekly")
    assert template is not None and template.version == 1
    assert await storage.templates.content(template.id) == b"PK\x03\x04"


async def _seed_v3(db: Database) -> None:
    t = dt_text(T0)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO calendar_overrides VALUES ('tthc-weekly', '{\"deadline\":{\"weekday\":\"friday\",\"time\":\"10:00\"}}', 900001, ?)",
            (t,),
        )
        await conn.execute(
            "INSERT INTO notices (kind, period_id, person_id, chat_id, due_at, ref, status, claimed_at)"
            " VALUES ('blocked', NULL, NULL, 2001, ?, 'person:1', 'sending', ?)",
            (t, t),
        )
        await conn.execute("INSERT INTO notice_runs VALUES (1, 'opening', ?, 'fired', 1, ?)", (t, t))


async def _check_v3(storage: Storage) -> None:
    override = await storage.calendar.override("tthc-weekly")
    assert override is not None and override.settings == {"deadline": {"weekday": "friday", "time": "10:00"}}
    [notice] = await storage.notices.list_for_chat(2001, "blocked")
    assert notice.ref == "person:1" and notice.status == "sending"
    run = await storage.calendar.run(1, "opening", T0)
    assert run is not None and run.status == "fired" and run.recorded == 1


async def _seed_v4(db: Database) -> None:
    await db.execute(
        "INSERT INTO draft_cursors (draft_id, person_id, field_id, mode, updated_at, shown_at)"
        " VALUES (1, 1, 'received_online_full', 'answer', ?, ?) ON CONFLICT (draft_id, person_id) DO UPDATE SET"
        " field_id = excluded.field_id, mode = excluded.mode, shown_at = excluded.shown_at",
        (dt_text(T0), dt_text(T0 + timedelta(seconds=7))),
    )


async def _check_v4(storage: Storage) -> None:
    cursor = await storage.drafts.get_cursor(1, 1)
    assert cursor is not None and cursor.field_id == "received_online_full"
    assert cursor.shown_at == T0 + timedelta(seconds=7)


async def _seed_v5(db: Database) -> None:
    t = dt_text(T0)
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO form_versions VALUES ('nq57-monthly', 2, 'Báo cáo tháng', 'id: nq57-monthly', ?)",
                           (t,))
        await conn.execute(
            "INSERT INTO periods (id, form_id, key, starts_on, ends_on, opens_at, deadline_at)"
            " VALUES (2, 'nq57-monthly', '2026-04', '2026-04-01', '2026-04-30', ?, '2026-05-05T15:00:00+07:00')", (t,))
        await conn.execute(
            "INSERT INTO submissions (period_id, unit_code, version, answers, explanations, submitted_by, submitted_at,"
            " form_id, form_version) VALUES (2, '21370', 1, '{\"meetings\":2}', '{}', 1, ?, 'nq57-monthly', 2)",
            (t,))


async def _check_v5(storage: Storage) -> None:
    weekly = await storage.submissions.latest(1, "21370")
    assert weekly is not None and (weekly.form_id, weekly.form_version) == ("tthc-weekly", 1)  # before v5: 1
    monthly = await storage.submissions.latest(2, "21370")
    assert monthly is not None and (monthly.form_id, monthly.form_version) == ("nq57-monthly", 2)
    record = await storage.form_versions.get("nq57-monthly", 2)
    assert record is not None and record.source == "id: nq57-monthly"


async def _seed_v6(db: Database) -> None:
    submission = await db.fetch_value("SELECT MIN(id) FROM submissions")
    await db.execute("INSERT INTO return_asks (chat_id, submission_id, asked_at) VALUES (3001, ?, ?)"
                     " ON CONFLICT (chat_id) DO NOTHING", (submission, dt_text(T0)))


async def _check_v6(storage: Storage) -> None:
    ask = await storage.return_asks.get(3001)
    assert ask is not None and ask.asked_at == T0


async def _seed_v7(db: Database) -> None:
    await db.execute("UPDATE draft_cursors SET answered_message = 4242 WHERE draft_id = 1 AND person_id = 1")


async def _check_v7(storage: Storage) -> None:
    cursor = await storage.drafts.get_cursor(1, 1)
    assert cursor is not None and cursor.answered_message == 4242  # None for cursors from before v7


async def _seed_v8(db: Database) -> None:
    t = dt_text(T0)
    async with db.transaction() as conn:  # someone only on Zalo, a member of Lan's commune
        await conn.execute("INSERT INTO people (id, zalo_id, messenger, full_name, created_at)"
                           " VALUES (7, 'a1b2c3d4e5f6a7b8c9d0', 'zalo', 'Hoa', ?)", (t,))
        await conn.execute("INSERT INTO memberships (person_id, role, unit_code, created_at)"
                           " VALUES (7, 'reporter', '21370', ?)", (t,))
        await conn.execute("UPDATE people SET messenger = 'zalo', zalo_id = 'lan-on-zalo' WHERE id = 1")
        await conn.execute("INSERT OR REPLACE INTO chat_options (messenger, chat_id, options, typed, offered_at)"
                           " VALUES ('zalo', 'lan-on-zalo', '[{\"key\": \"1\", \"label\": \"Tiếp tục\","
                           " \"action\": \"r:1:res\"}]', 0, ?)", (t,))
        await conn.execute("DELETE FROM inbox")
        await conn.execute("INSERT INTO inbox (messenger, body, received_at) VALUES ('zalo', '{}', ?)", (t,))


async def _check_v8(storage: Storage) -> None:
    hoa = await storage.people.get_by_zalo_id("a1b2c3d4e5f6a7b8c9d0")
    assert hoa is not None and hoa.telegram_id is None and hoa.messenger == "zalo" and hoa.full_name == "Hoa"
    assert [p.id for p in await storage.people.reporters_of("21370")] == [7, 1]  # Hoa, Lan (by name)
    lan = await storage.people.get_by_telegram_id(1001)  # Telegram people keep their id, and link Zalo
    assert lan is not None and lan.zalo_id == "lan-on-zalo" and lan.messenger == "zalo"
    offer = await storage.chat_options.offered("zalo", "lan-on-zalo")
    assert [(o.key, o.label, o.action) for o in offer.options] == [("1", "Tiếp tục", "r:1:res")]
    assert [r.body for r in await storage.inbox.left("zalo")] == ["{}"]


async def _seed_v9(db: Database) -> None:
    t, later = dt_text(T0), dt_text(T0 + timedelta(days=14))
    async with db.transaction() as conn:  # an invitation with a code; Lan's link code; a wrong code typed
        await conn.execute("INSERT INTO invites (token_hash, role, unit_code, created_at, expires_at, code_hash)"
                           " VALUES (?, 'reporter', '21370', ?, ?, ?)", ("c" * 64, t, later, "d" * 64))
        await conn.execute("INSERT INTO link_codes (code_hash, person_id, messenger, created_at, expires_at)"
                           " VALUES (?, 1, 'telegram', ?, ?)", ("e" * 64, t, later))
        await conn.execute("INSERT INTO code_attempts (actor, at, purpose) VALUES ('zalo:x', ?, 'invite')", (t,))


async def _check_v9(storage: Storage) -> None:
    assert await codes_of(storage).invite_token_hash("d" * 64) == "c" * 64
    row = await codes_of(storage).link_code("e" * 64)
    assert row is not None and row["person_id"] == 1 and row["messenger"] == "telegram"
    assert await codes_of(storage).failures_since(T0 - timedelta(hours=1), "zalo:x") == 1


async def _seed_v10(db: Database) -> None:
    await db.execute("UPDATE submissions SET status = status")  # rows from before keep their moment's meaning


async def _check_v10(storage: Storage) -> None:
    rows = await storage.db.fetch_all("SELECT untimed FROM submissions")
    assert all(row["untimed"] == 0 for row in rows)  # every report stored before was timed


async def _seed_v11(db: Database) -> None:
    t = dt_text(T0)
    async with db.transaction() as conn:  # a template kept, and an upload answered (removed)
        for name in ("tthc-weekly-v11", "tthc-weekly:pending"):
            await conn.execute("INSERT OR IGNORE INTO templates (name, unit_code, version, filename, content, size,"
                               " sha256, uploaded_at) VALUES (?, NULL, 1, 'mau.docx', x'504b', 2, 'ab', ?)", (name, t))
        await conn.execute("DELETE FROM templates WHERE name = 'tthc-weekly:pending'")


async def _check_v11(storage: Storage) -> None:
    kept = await storage.templates.latest("tthc-weekly-v11")
    assert kept is not None and await storage.templates.content(kept.id) == b"PK"
    probe = await storage.templates.add("v11-probe:pending", None, "mau.docx", b"PK probe", None, T0)
    assert await storage.templates.remove(probe.id)
    again = await storage.templates.add("v11-probe:pending", None, "mau.docx", b"PK probe", None, T0)
    assert again.id > probe.id  # an id once given is never given again
    assert await storage.templates.remove(again.id)


SEEDS: dict[int, tuple[Callable[[Database], Awaitable[None]], Callable[[Storage], Awaitable[None]]]] = {
    1: (_seed_v1, _check_v1),
    2: (_seed_v2, _check_v2),
    3: (_seed_v3, _check_v3),
    4: (_seed_v4, _check_v4),
    5: (_seed_v5, _check_v5),
    6: (_seed_v6, _check_v6),
    7: (_seed_v7, _check_v7),
    8: (_seed_v8, _check_v8),
    9: (_seed_v9, _check_v9),
    10: (_seed_v10, _check_v10),
    11: (_seed_v11, _check_v11),
}


def test_every_version_has_seed_data_for_the_upgrade_tests() -> None:
    assert sorted(SEEDS) == [m.version for m in MIGRATIONS]


# -- tests -------------------------------------------------------------------------------------


async def test_a_fresh_database_reaches_the_latest_version(db_path: Path) -> None:
    db = await Database.open(db_path)
    try:
        assert await db.current_version() == LATEST
        assert {"units", "people", "memberships", "invites", "periods", "drafts", "draft_answers",
                "answer_history", "draft_explanations", "draft_cursors", "submissions", "notices",
                "audit_log", "unit_settings", "templates"} <= await _tables(db)
    finally:
        await db.close()
    again = await Database.open(db_path)  # reopening applies nothing
    try:
        assert await again.current_version() == LATEST
    finally:
        await again.close()


@pytest.mark.parametrize("start", range(LATEST))
async def test_upgrade_from_every_earlier_version_keeps_the_data(db_path: Path, start: int) -> None:
    old = await Database.open(db_path, target_version=start)
    try:
        assert await old.current_version() == start
        for version in range(1, start + 1):
            await SEEDS[version][0](old)
    finally:
        await old.close()

    storage = await Storage.open(db_path)
    try:
        assert await storage.db.current_version() == LATEST
        for version in range(1, start + 1):
            await SEEDS[version][1](storage)
        # and the upgraded database takes new data of every version
        for version in range(start + 1, LATEST + 1):
            if version == 1:
                await _seed_v1(storage.db)
            else:
                await SEEDS[version][0](storage.db)
        for version in range(1, LATEST + 1):
            await SEEDS[version][1](storage)
    finally:
        await storage.close()


async def test_a_failing_migration_rolls_back_and_keeps_the_version(db_path: Path) -> None:
    broken = (*MIGRATIONS, Migration(LATEST + 1, "broken", "CREATE TABLE half_done (x); INSERT INTO nowhere VALUES (1);"))
    with pytest.raises(MigrationError, match="broken"):
        await Database.open(db_path, migrations=broken)
    db = await Database.open(db_path)
    try:
        assert await db.current_version() == LATEST
        assert "half_done" not in await _tables(db)
    finally:
        await db.close()


async def test_a_failing_python_migration_rolls_back_too(db_path: Path) -> None:
    db = await Database.open(db_path)
    await db.close()

    async def half_then_fail(conn: aiosqlite.Connection) -> None:
        await conn.execute("INSERT INTO audit_log (at, action) VALUES ('2025-12-08T08:00:00+07:00', 'migrated')")
        raise ValueError("data fix failed")

    with pytest.raises(MigrationError, match="data fix failed"):
        await Database.open(db_path, migrations=(*MIGRATIONS, Migration(LATEST + 1, "data fix", half_then_fail)))
    db = await Database.open(db_path)
    try:
        assert await db.current_version() == LATEST
        assert await db.fetch_value("SELECT count(*) FROM audit_log") == 0
    finally:
        await db.close()


async def test_a_later_migration_applies_in_its_own_transaction(db_path: Path) -> None:
    db = await Database.open(db_path)
    await db.close()
    extra = Migration(LATEST + 1, "people language", "ALTER TABLE people ADD COLUMN language TEXT DEFAULT 'vi';")
    db = await Database.open(db_path, migrations=(*MIGRATIONS, extra))
    try:
        assert await db.current_version() == LATEST + 1
        assert "language" in {row["name"] for row in await db.fetch_all("PRAGMA table_info(people)")}
    finally:
        await db.close()
    # An application that does not know version LATEST + 1 refuses the newer database.
    with pytest.raises(SchemaTooNewError):
        await Database.open(db_path)


async def test_a_table_rebuild_with_foreign_keys_off(db_path: Path) -> None:
    storage = await Storage.open(db_path)
    await _seed_v1(storage.db)
    await storage.close()
    rebuild = Migration(
        LATEST + 1,
        "rebuild people",
        """
        CREATE TABLE people_new (id INTEGER PRIMARY KEY, telegram_id INTEGER NOT NULL UNIQUE,
            full_name TEXT NOT NULL DEFAULT '', username TEXT, active INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL, blocked_at TEXT, reminders_paused_from TEXT, reminders_paused_to TEXT,
            phone TEXT);
        INSERT INTO people_new (id, telegram_id, full_name, username, active, created_at, blocked_at,
            reminders_paused_from, reminders_paused_to)
            SELECT id, telegram_id, full_name, username, active, created_at, blocked_at,
                reminders_paused_from, reminders_paused_to FROM people;
        DROP TABLE people;
        ALTER TABLE people_new RENAME TO people;
        """,
        foreign_keys_off=True,
    )
    db = await Database.open(db_path, migrations=(*MIGRATIONS, rebuild))
    try:
        assert await db.current_version() == LATEST + 1
        assert await db.pragma("foreign_keys") == 1
        assert await db.fetch_value("SELECT count(*) FROM memberships") == 1
    finally:
        await db.close()


def test_migration_versions_must_be_in_order() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, LATEST + 1))


async def test_out_of_order_migrations_are_refused(db_path: Path) -> None:
    with pytest.raises(ValueError, match="in order"):
        await Database.open(db_path, migrations=(MIGRATIONS[0], Migration(3, "gap", "SELECT 1;")))


def test_split_statements_keeps_triggers_strings_and_comments_whole() -> None:
    script = """
    -- a comment; with a semicolon and an apostrophe's
    CREATE TABLE t (x TEXT DEFAULT 'a;b');
    CREATE TRIGGER tr BEFORE DELETE ON t BEGIN SELECT RAISE(ABORT, 'no; never'); END;
    INSERT INTO t VALUES ('c;d')
    ;
    """
    statements = split_statements(script)
    assert len(statements) == 3
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")
    with pytest.raises(ValueError, match="incomplete"):
        split_statements("CREATE TABLE t (x); SELECT 1")


async def test_current_version_of_a_database_or_a_connection(storage: Storage) -> None:
    from storage.migrations import current_version

    assert await current_version(storage.db) == LATEST
    async with storage.db.transaction() as conn:
        assert await current_version(conn) == LATEST

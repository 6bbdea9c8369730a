"""Reminders to a population on both messengers, through both sandboxes over real HTTP: each
person gets the reminder once, on the messenger they used last; someone Zalo cannot reach gets it
on Telegram if they have it, and is marked blocked if not."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

from bot.administering.units import official_units
from bot.app import build_application
from bot.clock import VN_TZ, FakeClock
from bot.notices.plan import REMINDER
from bot.notices.routing import NO_TELEGRAM, RoutingSender
from bot.settings import Settings
from sandbox import SandboxClient, SandboxServer
from storage import Storage
from storage.models import NoticeStatus, Role

REMINDER_AT = datetime(2025, 12, 17, 9, 0, tzinfo=VN_TZ)  # the first reminder of 2025-W50
ZALO_TOKEN = "738499441022218443:HcapvQPPTFJvrEX"

# (name, telegram id, zalo id, messenger used last, Zalo cannot reach them)
PEOPLE = [
    ("Telegram only", 810001, None, None, False),
    ("Zalo only", None, "z-only", "zalo", False),
    ("Both, Zalo last", 810003, "z-both-zalo", "zalo", False),
    ("Both, Telegram last", 810004, "z-both-tg", "telegram", False),
    ("Zalo unreachable, has Telegram", 810005, "z-gone-tg", "zalo", True),
    ("Zalo only, unreachable", None, "z-gone", "zalo", True),
    ("Zalo only 2", None, "z-only-2", "zalo", False),
]


async def _seed(storage: Storage, at: datetime) -> dict[str, int]:
    units = official_units()
    await storage.units.upsert_many(units)
    communes = [u for u in units if u.kind == "commune"][:len(PEOPLE)]
    ids: dict[str, int] = {}
    async with storage.db.transaction() as conn:
        for (name, telegram_id, zalo_id, messenger, _), unit in zip(PEOPLE, communes, strict=True):
            rows = await conn.execute_fetchall(
                "INSERT INTO people (telegram_id, zalo_id, messenger, full_name, created_at)"
                " VALUES (?, ?, ?, ?, ?) RETURNING id", (telegram_id, zalo_id, messenger, name, at.isoformat()))
            person_id = int(list(rows)[0][0])
            ids[name] = person_id
            await storage.people.add_membership(person_id, Role.REPORTER, unit.code, at)
    return ids


async def _seeded(database: Path) -> dict[str, int]:
    storage = await Storage.open(database)
    try:
        return await _seed(storage, REMINDER_AT - timedelta(days=30))
    finally:
        await storage.close()


@contextlib.asynccontextmanager
async def _world(tmp_path: Path) -> AsyncIterator[tuple[SandboxServer, SandboxClient, dict[str, int]]]:
    """Both sandboxes running, PEOPLE seeded in tmp_path's baocao.db and their accounts added: the
    server, its client, and PEOPLE's ids by name."""
    server = SandboxServer()
    base = await server.start()
    try:
        ids = await _seeded(tmp_path / "baocao.db")
        async with SandboxClient(base) as client:
            await _add_users(client)
            yield server, client, ids
    finally:
        await server.stop()


async def _add_users(client: SandboxClient) -> None:
    """PEOPLE's accounts on the sandbox's two messengers (the unreachable Zalo ones marked so)."""
    for name, telegram_id, zalo_id, _, unreachable in PEOPLE:
        if telegram_id is not None:
            await client.add_user(telegram_id, name)
        if zalo_id is not None:
            await client.zalo.add_user(zalo_id, name)
            if unreachable:
                await client.zalo.set_unreachable(zalo_id)


async def _received(client: SandboxClient) -> dict[str, tuple[int, int]]:
    """How many messages each of PEOPLE received: (on Telegram, on Zalo)."""
    got: dict[str, tuple[int, int]] = {}
    for name, telegram_id, zalo_id, _, _ in PEOPLE:
        on_telegram = len(await client.bot_messages(telegram_id)) if telegram_id is not None else 0
        on_zalo = len(await client.zalo.bot_messages(zalo_id)) if zalo_id is not None else 0
        got[name] = (on_telegram, on_zalo)
    return got


async def test_a_reminder_reaches_each_person_once_on_the_messenger_used_last(tmp_path: Path) -> None:
    async with _world(tmp_path) as (server, client, ids):
        settings = Settings(_env_file=None, database_path=tmp_path / "baocao.db", bot_api_base_url=server.base_url,
                            zalo_bot_token=ZALO_TOKEN, zalo_api_base_url=server.zalo.api_base_url,
                            zalo_send_rate=4)  # slow enough that Zalo notices wait their turn (NotYet)
        app = build_application(settings, token="123456:TEST", clock=FakeClock(REMINDER_AT))
        async with app:
            scheduler = app.reminders
            assert scheduler is not None
            [period] = [p for p in await scheduler.reminders.ensure_periods("tthc-weekly", REMINDER_AT)
                        if p.key == "2025-W50"]
            recorded = await scheduler.reminders.fire(period, REMINDER, REMINDER_AT)
            first = await scheduler.broadcaster.drain()
            again = await scheduler.broadcaster.drain()  # a second sweep sends nothing twice
            sender = scheduler.broadcaster.sender
            assert isinstance(sender, RoutingSender)
            storage = app.services.storage
            notices = await storage.notices.list_for_period(period.id, REMINDER)
            blocked = await storage.people.get(ids["Zalo only, unreachable"])

        got = await _received(client)

    assert recorded == len(PEOPLE)
    assert got == {  # (Telegram, Zalo) messages each received
        "Telegram only": (1, 0),
        "Zalo only": (0, 1),
        "Both, Zalo last": (0, 1),
        "Both, Telegram last": (1, 0),
        "Zalo unreachable, has Telegram": (1, 0),
        "Zalo only, unreachable": (0, 0),
        "Zalo only 2": (0, 1),
    }
    assert (first.sent, first.blocked, again.sent) == (len(PEOPLE) - 1, 1, 0)
    assert sorted(n.status for n in notices).count(NoticeStatus.SENT) == len(PEOPLE) - 1
    assert blocked is not None and not blocked.active  # marked as Telegram's blocked users are


async def test_a_zalo_only_process_reaches_zalo_and_marks_telegram_notices_failed(tmp_path: Path) -> None:
    """No TELEGRAM_BOT_TOKEN: whoever has a Zalo account gets the reminder there (even if they used
    Telegram last); a notice only Telegram could carry is marked failed with the reason, not lost
    silently, and Telegram is never asked anything."""
    async with _world(tmp_path) as (server, client, ids):
        settings = Settings(_env_file=None, database_path=tmp_path / "baocao.db", zalo_bot_token=ZALO_TOKEN,
                            zalo_api_base_url=server.zalo.api_base_url)
        app = build_application(settings, clock=FakeClock(REMINDER_AT))
        assert not app.telegram_runs and app.updater is None
        async with app:
            scheduler = app.reminders
            assert scheduler is not None
            [period] = [p for p in await scheduler.reminders.ensure_periods("tthc-weekly", REMINDER_AT)
                        if p.key == "2025-W50"]
            await scheduler.reminders.fire(period, REMINDER, REMINDER_AT)
            await scheduler.broadcaster.drain()
            notices = {n.person_id: n for n in
                       await app.services.storage.notices.list_for_period(period.id, REMINDER)}
        got = await _received(client)

    assert got == {
        "Telegram only": (0, 0),
        "Zalo only": (0, 1),
        "Both, Zalo last": (0, 1),
        "Both, Telegram last": (0, 1),  # Zalo runs, Telegram does not
        "Zalo unreachable, has Telegram": (0, 0),
        "Zalo only, unreachable": (0, 0),
        "Zalo only 2": (0, 1),
    }
    for name in ("Telegram only", "Zalo unreachable, has Telegram"):
        notice = notices[ids[name]]
        assert notice.status == NoticeStatus.FAILED, (name, notice)
        assert notice.last_error is not None and NO_TELEGRAM in notice.last_error, (name, notice)
    assert notices[ids["Both, Telegram last"]].status == NoticeStatus.SENT

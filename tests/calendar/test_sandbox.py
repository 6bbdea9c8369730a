"""Broadcasts through the sandbox (a local Bot API with Telegram's limits enforced and faults
injected): a restart in the middle of a broadcast, and a crash between Telegram's confirmation
and the database's record — each person gets each notice exactly once; the one who blocked the
bot is reported to the supervisor once; the limits are never exceeded."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import pytest

from bot.administering.units import official_units
from bot.app import build_application
from bot.clock import FakeClock
from bot.context import BaocaoApplication
from bot.notices.broadcast import SimulatedCrash
from bot.notices.plan import OPENING
from bot.settings import Settings
from sandbox import SandboxClient
from storage import Storage
from storage.models import NoticeStatus, Role
from tests.calendar.conftest import OPENS, PROVINCE, scheduler_of

SUPERVISOR = 6001
OPENING_TEXT = "Đã mở báo cáo Tuần 50/2025"


async def seeded(settings: Settings, client: SandboxClient, count: int) -> list[int]:
    """``seed_many`` on the test's database file, closed again before the bot opens it."""
    storage = await Storage.open(settings.database_path)
    try:
        return await seed_many(storage, client, count)
    finally:
        await storage.close()


async def seed_many(storage: Storage, client: SandboxClient, count: int) -> list[int]:
    """``count`` communes of Thái Nguyên with one reporter each, and a supervisor; all started the bot."""
    units = official_units(PROVINCE)
    await storage.units.upsert_many(units)
    chats = []
    for index, unit in enumerate([u for u in units if u.kind == "commune"][:count]):
        chat = 5001 + index
        person = await storage.people.get_or_create(chat, OPENS - timedelta(days=7), f"Cán bộ {index + 1}")
        await storage.people.add_membership(person.id, Role.REPORTER, unit.code, OPENS - timedelta(days=7))
        await client.add_user(chat, f"Cán bộ {index + 1}")
        chats.append(chat)
    boss = await storage.people.get_or_create(SUPERVISOR, OPENS - timedelta(days=7), "Lê Thị Hoa")
    await storage.people.add_membership(boss.id, Role.SUPERVISOR, PROVINCE, OPENS - timedelta(days=7))
    await client.add_user(SUPERVISOR, "Hoa")
    return chats


@asynccontextmanager
async def bot_over(settings: Settings, base: str, clock: FakeClock) -> AsyncIterator[BaocaoApplication]:
    """The application as `python -m bot run` builds it (HTTP, PacedRateLimiter), on the sandbox."""
    app = build_application(settings.model_copy(update={"bot_api_base_url": base}), token="123456:TEST", clock=clock)
    async with app:
        yield app


async def texts_in(client: SandboxClient, chat: int, containing: str) -> list[str]:
    return [m["text"] for m in await client.bot_messages(chat) if containing in (m["text"] or "")]


async def test_restart_mid_broadcast_with_429s_timeouts_and_a_blocked_user(
    sandbox, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, client = sandbox
    monkeypatch.setenv("REMINDERS_MAX_IN_FLIGHT", "2")
    clock = FakeClock(OPENS)
    chats = await seeded(settings, client, 12)
    blocked = chats[4]
    await client.block(blocked)
    for fault in (
        {"kind": "429", "count": 2, "retry_after": 1},
        {"kind": "500", "count": 1},
        {"kind": "502", "count": 1},
        {"kind": "timeout", "count": 1, "delay": 1.0, "executed": True},  # a slow answer: delivered, waited for
        {"kind": "timeout", "count": 1, "delay": 0.3, "executed": False},  # 504 after a while: not delivered
    ):
        await client.inject_fault("sendMessage", **fault)

    # the first run: stopped (a deploy, SIGTERM) once a few notices went out
    async with bot_over(settings, server.base_url, clock) as app:
        await scheduler_of(app).startup()
        for _ in range(500):
            if server.stats.sends_accepted >= 4:
                break
            await asyncio.sleep(0.01)
        stats_at_stop = dict(await client.stats())
    storage = await Storage.open(settings.database_path)
    period = await storage.periods.get("tthc-weekly", "2025-W50")
    first = {n.chat_id: n.status for n in await storage.notices.list_for_period(period.id, OPENING)}
    await storage.close()
    assert NoticeStatus.PENDING in first.values(), "the restart had nothing left to send"
    assert NoticeStatus.SENDING not in first.values()  # a clean stop leaves nothing in flight
    assert stats_at_stop["sends_accepted"] < 12

    # the second run, a minute later: sends the rest, nothing twice
    clock.advance(timedelta(minutes=1))
    async with bot_over(settings, server.base_url, clock) as app:
        scheduler = scheduler_of(app)
        report = await scheduler.startup()
        await scheduler.broadcaster.wait_idle()
        assert report.fired == [] and report.interrupted == 0

    for chat in chats:
        expected = 0 if chat == blocked else 1
        assert len(await texts_in(client, chat, OPENING_TEXT)) == expected, chat
    [told] = await texts_in(client, SUPERVISOR, "")
    assert "Cán bộ 5 (" in told and "đã chặn bot" in told

    # the sandbox's own record: one accepted sendMessage per chat, whatever was retried
    accepted: dict[int, int] = {}
    for entry in await client.requests(method="sendMessage"):
        if entry.get("status") == 200:
            chat = int(entry["params"]["chat_id"])
            accepted[chat] = accepted.get(chat, 0) + 1
    assert accepted == {**{c: 1 for c in chats if c != blocked}, SUPERVISOR: 1}
    stats = await client.stats()
    assert stats["faults_injected"] == {"429": 2, "500": 1, "502": 1, "timeout": 2}
    assert stats["answered_429"]["limit"] == 0 and stats["max_sends_in_1s"] <= 30
    assert stats["forbidden_403"] == 1  # tried once, never again

    storage = await Storage.open(settings.database_path)
    try:
        notices = {n.chat_id: n for n in await storage.notices.list_for_period(period.id, OPENING)}
        assert {c: n.status for c, n in notices.items()} == {
            c: NoticeStatus.FAILED if c == blocked else NoticeStatus.SENT for c in chats}
        assert all(n.message_id is not None for c, n in notices.items() if c != blocked)
        assert not (await storage.people.get_by_telegram_id(blocked)).active
        assert len(await storage.notices.list_for_chat(SUPERVISOR)) == 1
    finally:
        await storage.close()


async def test_a_crash_between_confirmation_and_record_sends_nothing_twice(
    sandbox, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, client = sandbox
    monkeypatch.setenv("REMINDERS_MAX_IN_FLIGHT", "3")
    clock = FakeClock(OPENS)
    chats = await seeded(settings, client, 8)
    await client.inject_fault("sendMessage", kind="429", count=1, retry_after=1)

    confirmed: list[int] = []

    async def power_cut(notice: Any, message: Any) -> None:
        confirmed.append(notice.chat_id)
        if len(confirmed) >= 3:  # Telegram delivered it; the process dies before the database hears
            raise SimulatedCrash

    async with bot_over(settings, server.base_url, clock) as app:
        scheduler = scheduler_of(app)
        scheduler.broadcaster.after_send = power_cut
        await scheduler.startup()
        with pytest.raises(SimulatedCrash):
            await scheduler.broadcaster.wait_idle()
    in_flight = len(confirmed) - 2
    assert in_flight >= 1

    clock.advance(timedelta(minutes=2))
    async with bot_over(settings, server.base_url, clock) as app:
        scheduler = scheduler_of(app)
        report = await scheduler.startup()
        await scheduler.broadcaster.wait_idle()
        assert report.interrupted == in_flight  # marked unknown, not sent again

    for chat in chats:
        assert len(await texts_in(client, chat, OPENING_TEXT)) == 1, chat
    storage = await Storage.open(settings.database_path)
    try:
        period = await storage.periods.get("tthc-weekly", "2025-W50")
        statuses = [n.status for n in await storage.notices.list_for_period(period.id, OPENING)]
        assert statuses.count(NoticeStatus.UNKNOWN) == in_flight
        assert statuses.count(NoticeStatus.SENT) == len(chats) - in_flight
    finally:
        await storage.close()


async def test_an_answer_that_never_comes_is_not_sent_again(
    sandbox, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At most once: a send whose answer never came is not repeated — delivered once if Telegram
    had carried it out, lost if not (the documented price of never sending twice)."""
    server, client = sandbox
    monkeypatch.setenv("REMINDERS_SEND_TIMEOUT", "0.4")
    clock = FakeClock(OPENS)
    chats = await seeded(settings, client, 3)
    done, lost, fine = chats
    await client.inject_fault("sendMessage", kind="timeout", chat_id=done, delay=1.2, executed=True)
    await client.inject_fault("sendMessage", kind="timeout", chat_id=lost, delay=1.2, executed=False)
    async with bot_over(settings, server.base_url, clock) as app:
        scheduler = scheduler_of(app)
        await scheduler.startup()
        await scheduler.broadcaster.wait_idle()
        await asyncio.sleep(1.0)  # let the sandbox finish the answers nobody waits for
        assert scheduler.broadcaster.totals.unknown == 2
        clock.advance(timedelta(minutes=5))
        await scheduler.broadcaster.drain()  # a later sweep sends nothing again
    assert [len(await texts_in(client, c, OPENING_TEXT)) for c in (done, lost, fine)] == [1, 0, 1]


async def test_a_broadcast_keeps_telegrams_limits(sandbox, settings: Settings) -> None:
    server, client = sandbox
    clock = FakeClock(OPENS)
    chats = await seeded(settings, client, 60)
    async with bot_over(settings, server.base_url, clock) as app:
        scheduler = scheduler_of(app)
        loop = asyncio.get_running_loop()
        started = loop.time()
        await scheduler.startup()
        await scheduler.broadcaster.wait_idle()
        took = loop.time() - started
    stats = await client.stats()
    assert stats["sends_accepted"] == 60 and scheduler.broadcaster.totals.sent == 60
    assert stats["max_sends_in_1s"] <= 30 and stats["answered_429"]["limit"] == 0
    assert stats["sends_within_1s_same_chat"] == 0
    assert 1.0 + 29 / 32 <= took < 59 / 29 + 1.5  # sends 31–60 each waited a second after 1–30
    assert [len(await texts_in(client, c, OPENING_TEXT)) for c in chats[:5]] == [1] * 5


async def test_when_telegram_is_down_the_rest_waits_for_the_next_sweep(
    sandbox, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, client = sandbox
    monkeypatch.setenv("REMINDERS_TRIES_PER_ROUND", "1")
    monkeypatch.setenv("REMINDERS_BREAKER", "3")
    monkeypatch.setenv("REMINDERS_MAX_IN_FLIGHT", "1")
    clock = FakeClock(OPENS)
    chats = await seeded(settings, client, 10)
    await client.inject_fault("sendMessage", kind="500")  # every send, until cleared
    async with bot_over(settings, server.base_url, clock) as app:
        scheduler = scheduler_of(app)
        await scheduler.startup()
        await scheduler.broadcaster.wait_idle()
        assert scheduler.broadcaster.totals.later == 3  # three failures in a row end the round
        assert (await client.stats())["faults_injected"] == {"500": 3}
        await client.clear_faults()
        clock.advance(timedelta(minutes=1))
        report = await scheduler.broadcaster.drain()  # the next sweep
        assert report.sent == 10
    assert [len(await texts_in(client, c, OPENING_TEXT)) for c in chats] == [1] * 10


async def test_killed_while_waiting_out_a_429_nothing_is_lost(
    sandbox, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A notice is claimed only on its turn, right before its request leaves, and given back when
    Telegram answers 429: killed while the sending waits (for its turn, or out a 429), nothing is
    left in flight, so the restart sends everything, once."""
    server, client = sandbox
    clock = FakeClock(OPENS)
    chats = await seeded(settings, client, 10)
    # Every chat's first try is refused with a 2 s wait: once the tenth is refused, all of them wait
    # out their 429 and nothing is on its way (a single refused chat let the others' sends be in
    # flight at the kill, which is the at-most-once case of the kill -9 tests, not this one).
    await client.inject_fault("sendMessage", kind="429", count=len(chats), retry_after=2)
    async with bot_over(settings, server.base_url, clock) as app:
        scheduler = scheduler_of(app)
        await scheduler.startup()
        for _ in range(300):
            if (await client.stats())["answered_429"]["injected"] >= len(chats):
                break
            await asyncio.sleep(0.01)
        assert (await client.stats())["answered_429"]["injected"] == len(chats)
        storage = app.services.storage
        period = await storage.periods.get("tthc-weekly", "2025-W50")
        for _ in range(50):  # the last refusal reaches the sender a moment after the sandbox sent it
            statuses = [n.status for n in await storage.notices.list_for_period(period.id, OPENING)]
            if NoticeStatus.SENDING not in statuses:
                break
            await asyncio.sleep(0.01)
        assert statuses == [NoticeStatus.PENDING] * len(chats)  # each refused try gave its notice back
        task = scheduler.broadcaster._task
        assert task is not None and not task.done()  # the retries wait out their 2 s
        task.cancel()  # kill: no clean-up in the sender
        await asyncio.wait({task})
        statuses = [n.status for n in await storage.notices.list_for_period(period.id, OPENING)]
        assert statuses == [NoticeStatus.PENDING] * len(chats)
    clock.advance(timedelta(minutes=1))
    async with bot_over(settings, server.base_url, clock) as app:
        report = await scheduler_of(app).startup()
        await scheduler_of(app).broadcaster.wait_idle()
        assert report.interrupted == 0
    assert [len(await texts_in(client, c, OPENING_TEXT)) for c in chats] == [1] * 10

"""The calendar's timetable and its sender with no Telegram at all: a second channel implements
the port of bot.notices.sending (as Zalo will), on a real SQLite file. What each outcome the
channel reports does to the notice — sent once, blocked, gone, retried after the wait the
channel asked, unknown and never sent again, withheld — and that the claim is taken on the
request's turn."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from bot.chat.actions import OpenReport
from bot.chat.replies import Message
from bot.clock import FakeClock
from bot.domain.forms import load_forms
from bot.notices.plan import OPENING
from bot.notices.reminders import ReminderConfig
from bot.notices.sending import Blocked, Gone, Outcome, RetryLater, Sent, Turn, Unknown, Withheld
from bot.notices.timetable import Timetable, Wakeup
from bot.settings import Settings
from storage import Storage
from storage.models import NoticeStatus
from tests.calendar.conftest import OPENS, World, seed


@dataclass
class ScriptedChannel:
    """A channel other than Telegram: it takes the turn as every channel must, sees the claim in
    SQLite at that moment, then answers what its script says for the chat (``Sent`` when the
    script says nothing more)."""

    storage: Storage
    script: dict[int, list[Outcome]] = field(default_factory=dict)
    delivered: list[tuple[int, Message]] = field(default_factory=list)
    tries: list[int] = field(default_factory=list)
    tried_at: dict[int, list[float]] = field(default_factory=dict)
    claimed_on_turn: list[NoticeStatus] = field(default_factory=list)
    refuse_turns: set[int] = field(default_factory=set)  # chats whose notice another sender holds

    async def send(self, chat_id: int, message: Message, turn: Turn, *, answer_within: float) -> Outcome:
        assert answer_within == ReminderConfig().send_timeout
        if chat_id in self.refuse_turns:
            [notice] = await self.storage.notices.list_for_chat(chat_id)
            await self.storage.notices.claim(notice.id, OPENS)  # someone else took it meanwhile
        if not await turn.take():
            return Withheld()
        self.tries.append(chat_id)
        self.tried_at.setdefault(chat_id, []).append(asyncio.get_running_loop().time())
        [notice] = [n for n in await self.storage.notices.list_for_chat(chat_id) if n.status == NoticeStatus.SENDING]
        self.claimed_on_turn.append(notice.status)
        planned = self.script.get(chat_id)
        if planned:
            return planned.pop(0)
        self.delivered.append((chat_id, message))
        return Sent(9000 + len(self.delivered))


@pytest.fixture
async def storage(settings: Settings) -> AsyncIterator[Storage]:
    opened = await Storage.open(settings.database_path)
    try:
        yield opened
    finally:
        await opened.close()


async def opening(storage: Storage, settings: Settings, channel: ScriptedChannel) -> tuple[Timetable, World, int]:
    """The timetable over ``channel``, the opening of 2025-W50 fired on time; the period's id."""
    clock = FakeClock(OPENS)
    world = await seed(storage, clock.now())
    timetable = Timetable(storage, clock, load_forms(settings.forms_dir), ReminderConfig(), channel)
    await timetable.load()
    plan = await timetable.coming()
    [wakeup] = [w for w in plan["tthc-weekly"] if w.kind == OPENING and w.period_key == "2025-W50"]
    assert wakeup == Wakeup("tthc-weekly", wakeup.period_id, "2025-W50", OPENING, OPENS)
    assert Wakeup.from_data(wakeup.data()) == wakeup
    assert await timetable.fire(wakeup) == 4
    await timetable.broadcaster.wait_idle()
    return timetable, world, wakeup.period_id


async def statuses(storage: Storage, world: World) -> dict[str, NoticeStatus]:
    return {p.full_name: (await storage.notices.list_for_chat(p.telegram_id, OPENING))[0].status
            for p in world.reporters}


async def test_each_reporter_gets_the_opening_once_through_the_channel(storage: Storage, settings: Settings) -> None:
    channel = ScriptedChannel(storage)
    timetable, world, period_id = await opening(storage, settings, channel)
    assert sorted(chat for chat, _ in channel.delivered) == sorted(p.telegram_id for p in world.reporters)
    assert set(channel.claimed_on_turn) == {NoticeStatus.SENDING}  # claimed when the request left, not before
    chat, message = channel.delivered[0]
    assert "Đã mở báo cáo Tuần 50/2025" in message.text
    assert [choice.action for row in message.choices for choice in row] == [OpenReport(period_id)]
    [notice] = await storage.notices.list_for_chat(chat, OPENING)
    assert notice.status == NoticeStatus.SENT and notice.message_id == 9001

    # the moment fired again (a restart, a second job): nothing recorded, nothing sent
    assert await timetable.fire(Wakeup("tthc-weekly", period_id, "2025-W50", OPENING, OPENS)) == 0
    report = await timetable.broadcaster.drain()
    assert report.sent == 0 and len(channel.delivered) == 4


async def test_what_each_outcome_of_the_channel_does(storage: Storage, settings: Settings) -> None:
    channel = ScriptedChannel(storage)
    world_ids = [3001, 3002, 3003, 3004]  # Lan, Minh, Hùng, Thu (tests.calendar.conftest.seed)
    lan, minh, hung, thu = world_ids
    channel.script = {
        lan: [Blocked("bot was blocked by the user")],
        minh: [RetryLater("429", seconds=0.2), RetryLater("502")],  # the asked wait, then the back-off
        hung: [Unknown("read timeout")],
        thu: [Gone("chat not found")],
    }
    timetable, world, _ = await opening(storage, settings, channel)
    assert await statuses(storage, world) == {
        world.lan.full_name: NoticeStatus.FAILED, world.minh.full_name: NoticeStatus.SENT,
        world.hung.full_name: NoticeStatus.UNKNOWN, world.thu.full_name: NoticeStatus.FAILED}
    assert [chat for chat, _ in channel.delivered if chat != world.hoa.telegram_id] == [minh]
    first, second, third = channel.tried_at[minh]
    assert second - first >= 0.2 - 0.01  # what the channel asked
    assert third - second >= 1.0 - 0.01  # no wait asked: the back-off's second step
    [minh_notice] = await storage.notices.list_for_chat(minh, OPENING)
    assert minh_notice.attempts == 3 and minh_notice.last_error == "502"  # two tries noted, then the sent one
    # the person who blocked the bot: marked, and the supervisor told through the same channel
    assert not (await storage.people.get(world.lan.id)).active  # type: ignore[union-attr]
    [(_, told)] = [(c, m) for c, m in channel.delivered if c == world.hoa.telegram_id]
    assert "đã chặn bot" in told.text
    [lan_notice] = await storage.notices.list_for_chat(lan, OPENING)
    assert lan_notice.last_error == "blocked: bot was blocked by the user"

    # the next rounds: the unknown one is never sent again, the refused one not either
    tries = list(channel.tries)
    report = await timetable.broadcaster.drain()
    assert report.sent == 0 and channel.tries == tries


async def test_a_notice_another_sender_holds_is_withheld(storage: Storage, settings: Settings) -> None:
    channel = ScriptedChannel(storage, refuse_turns={3003})
    _, world, _ = await opening(storage, settings, channel)
    assert world.hung.telegram_id not in [chat for chat, _ in channel.delivered]
    assert len(channel.delivered) == 3
    assert (await statuses(storage, world))[world.hung.full_name] == NoticeStatus.SENDING  # the other sender's

"""The Zalo side of the notices' port against the Zalo sandbox over real HTTP: each of Zalo's
answers becomes the right outcome, the claim is taken only when the request leaves, long texts go
in parts, and the pace holds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from bot.chat.replies import Message
from bot.clock import VN_TZ, FakeClock
from bot.notices.broadcast import _Claim
from bot.notices.sending import Blocked, Gone, NotYet, RetryLater, Sent, Unknown, Withheld
from handlers.zalo.client import ZaloBotClient, text_parts
from handlers.zalo.notice_sender import ZaloNoticeSender
from handlers.zalo.pacing import ZaloPace
from sandbox import SandboxClient, SandboxServer
from storage import Storage
from storage.models import NoticeStatus

TOKEN = "738499441022218443:HcapvQPPTFJvrEX"
LAN = "e4ea2cd5189df1c3a88c"
CLOCK = FakeClock(datetime(2026, 12, 7, 9, 0, tzinfo=VN_TZ))


@pytest.fixture
async def zalo(server: SandboxServer, client: SandboxClient) -> AsyncIterator[ZaloBotClient]:
    await client.zalo.add_user(LAN, "Nguyễn Thị Lan")
    async with ZaloBotClient(TOKEN, base_url=server.zalo.api_base_url, request_timeout=2.0) as c:
        yield c


async def claim(storage: Storage, chat_id: int = -5) -> _Claim:
    assert await storage.notices.record_due("opening", chat_id, CLOCK.now())
    notice = (await storage.notices.due(CLOCK.now(), timedelta(hours=6)))[-1]
    return _Claim(storage.notices, notice.id, CLOCK)


def sender(zalo: ZaloBotClient, rate: float = 50.0) -> ZaloNoticeSender:
    return ZaloNoticeSender(zalo, ZaloPace(rate))


async def test_a_notice_is_sent_and_its_claim_taken(zalo: ZaloBotClient, client: SandboxClient,
                                                    storage: Storage) -> None:
    turn = await claim(storage)
    outcome = await sender(zalo).send_to(LAN, Message("Kỳ báo cáo tuần 50 đã mở."), turn, answer_within=5)
    assert isinstance(outcome, Sent)
    assert [m["text"] for m in await client.zalo.bot_messages(LAN)] == ["Kỳ báo cáo tuần 50 đã mở."]
    notice = await storage.notices.get(turn.notice_id)
    assert notice is not None and notice.status == NoticeStatus.SENDING


async def test_a_notice_no_longer_ours_is_not_sent(zalo: ZaloBotClient, client: SandboxClient,
                                                   storage: Storage) -> None:
    turn = await claim(storage)
    await storage.notices.mark_dropped(turn.notice_id, "submitted meanwhile")
    outcome = await sender(zalo).send_to(LAN, Message("Nhắc hạn"), turn, answer_within=5)
    assert isinstance(outcome, Withheld)
    assert await client.zalo.bot_messages(LAN) == []


async def test_an_unreachable_user_is_blocked(zalo: ZaloBotClient, client: SandboxClient,
                                              storage: Storage) -> None:
    await client.zalo.set_unreachable(LAN)
    outcome = await sender(zalo).send_to(LAN, Message("Nhắc hạn"), await claim(storage), answer_within=5)
    assert isinstance(outcome, Blocked)


async def test_429_is_retry_later_after_what_zalo_asked_and_holds_its_chat(
    zalo: ZaloBotClient, client: SandboxClient, storage: Storage
) -> None:
    await client.zalo.add_user("u-other", "Người khác")
    await client.zalo.inject_fault("sendMessage", "429", count=1, retry_after=2)
    paced = sender(zalo)
    outcome = await paced.send_to(LAN, Message("Nhắc hạn"), await claim(storage), answer_within=5)
    assert isinstance(outcome, RetryLater) and outcome.seconds is not None and outcome.seconds >= 2
    started = time.monotonic()
    other = await paced.send_to("u-other", Message("Nhắc hạn"), await claim(storage, -7), answer_within=5)
    assert isinstance(other, Sent) and time.monotonic() - started < 1.0  # another chat is not held back
    again = await paced.send_to(LAN, Message("Nhắc hạn"), await claim(storage, -6), answer_within=5)
    assert isinstance(again, NotYet) and again.seconds >= 1.5  # the chat waits what Zalo asked


async def test_a_long_429_holds_every_zalo_send(zalo: ZaloBotClient, client: SandboxClient,
                                                storage: Storage) -> None:
    pace = ZaloPace(50.0)
    pace.hold(6.0, LAN)  # more than HOLD_ALL_AFTER: every chat waits
    await client.zalo.add_user("u-other", "Người khác")
    outcome = await ZaloNoticeSender(zalo, pace).send_to("u-other", Message("x"), await claim(storage),
                                                         answer_within=5)
    assert isinstance(outcome, NotYet) and outcome.seconds > 5
    assert await client.zalo.bot_messages("u-other") == []


async def test_server_errors_retry_and_a_lost_answer_is_unknown(zalo: ZaloBotClient, client: SandboxClient,
                                                               storage: Storage) -> None:
    await client.zalo.inject_fault("sendMessage", "500", count=1)
    assert isinstance(await sender(zalo).send_to(LAN, Message("a"), await claim(storage), answer_within=5),
                      RetryLater)
    await client.zalo.inject_fault("sendMessage", "timeout", count=1, delay=3)
    outcome = await sender(zalo).send_to(LAN, Message("b"), await claim(storage, -6), answer_within=1)
    assert isinstance(outcome, Unknown)


async def test_a_refused_request_is_gone(zalo: ZaloBotClient, storage: Storage) -> None:
    outcome = await sender(zalo).send_to("no-such-user", Message("a"), await claim(storage), answer_within=5)
    assert isinstance(outcome, Gone | Blocked)  # the sandbox may answer 400 or 403 for a stranger


async def test_a_long_notice_goes_in_parts_cut_at_line_ends(zalo: ZaloBotClient, client: SandboxClient,
                                                           storage: Storage) -> None:
    lines = [f"{n}. Xã số {n}: 1.234 hồ sơ" for n in range(200)]
    text = "\n".join(lines)
    outcome = await sender(zalo).send_to(LAN, Message(text), await claim(storage), answer_within=5)
    assert isinstance(outcome, Sent)
    sent = [m["text"] for m in await client.zalo.bot_messages(LAN)]
    assert len(sent) == len(text_parts(text)) > 1 and all(len(part or "") <= 2000 for part in sent)
    assert "\n".join(part or "" for part in sent) == text  # no line was split


async def test_the_pace_spreads_sends(zalo: ZaloBotClient, storage: Storage, client: SandboxClient) -> None:
    for n in range(4):
        await client.zalo.add_user(f"u{n}", f"Người {n}")
    paced = sender(zalo, rate=10.0)
    started = time.monotonic()
    for n in range(4):
        assert isinstance(await paced.send_to(f"u{n}", Message("x"), await claim(storage, -10 - n),
                                              answer_within=5), Sent)
    assert time.monotonic() - started >= 0.3  # 4 sends at 10/s: three gaps of 0.1 s at least


async def test_a_notice_whose_turn_is_far_comes_back_not_yet_without_its_claim(
    zalo: ZaloBotClient, client: SandboxClient, storage: Storage
) -> None:
    await client.zalo.add_user("u-next", "Người sau")
    paced = sender(zalo, rate=1.0)
    assert isinstance(await paced.send_to(LAN, Message("a"), await claim(storage), answer_within=5), Sent)
    turn = await claim(storage, -8)
    outcome = await paced.send_to("u-next", Message("b"), turn, answer_within=5)
    assert isinstance(outcome, NotYet) and 0.9 < outcome.seconds <= 1.2
    notice = await storage.notices.get(turn.notice_id)
    assert notice is not None and notice.status == NoticeStatus.PENDING and not turn.held
    assert await client.zalo.bot_messages("u-next") == []
    await asyncio.sleep(outcome.seconds)
    assert isinstance(await paced.send_to("u-next", Message("b"), turn, answer_within=5), Sent)  # its turn kept

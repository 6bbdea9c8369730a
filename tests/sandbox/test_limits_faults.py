"""Telegram's flood limits, injected faults, blocked users and the counters that show them."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from sandbox import Limits, SandboxClient, SandboxServer
from tests.sandbox.conftest import USER, BotApi


async def _users(client: SandboxClient, n: int, first: int = 5000) -> list[int]:
    ids = list(range(first, first + n))
    for i in ids:
        await client.add_user(i, f"U{i}")
    return ids


@pytest.mark.parametrize("limits", [Limits(per_chat_burst=100)])
async def test_global_limit_refuses_a_burst_over_30_per_second(
    api: BotApi, client: SandboxClient, server: SandboxServer
) -> None:
    ids = await _users(client, 40)
    results = await asyncio.gather(*(api("sendMessage", chat_id=i, text="Nhắc nộp báo cáo") for i in ids))
    ok = [b for s, b in results if s == 200]
    refused = [b for s, b in results if s == 429]
    assert len(ok) == 30 and len(refused) == 10
    for body in refused:
        assert body["error_code"] == 429 and body["description"].startswith("Too Many Requests: retry after ")
        assert isinstance(body["parameters"]["retry_after"], int) and body["parameters"]["retry_after"] >= 1
    # refused requests were not executed
    assert sum(len(server.state.bot_messages(i)) for i in ids) == 30
    stats = await client.stats()
    assert stats["sends_accepted"] == 30 and stats["answered_429"] == {"limit": 10, "injected": 0}
    assert stats["limit_429_by_reason"] == {"global": 10} and stats["max_sends_in_1s"] == 30


async def test_per_chat_bucket_allows_a_short_burst_then_429(
    api: BotApi, client: SandboxClient, user: int
) -> None:
    sent = await api.ok(
        "sendMessage",
        chat_id=user,
        text="Câu 1",
        reply_markup={"inline_keyboard": [[{"text": "Có", "callback_data": "y"}]]},
    )
    # answering a button with an edit and a new message is within the burst
    await api.ok("editMessageText", chat_id=user, message_id=sent["message_id"], text="Câu 1: Có")
    await api.ok("sendMessage", chat_id=user, text="Câu 2")
    status, body = await api("sendMessage", chat_id=user, text="Câu 3")
    assert status == 429 and body["parameters"]["retry_after"] == 1
    await asyncio.sleep(1.05)
    await api.ok("sendMessage", chat_id=user, text="Câu 3")
    stats = await client.stats()
    assert stats["limit_429_by_reason"] == {"chat": 1}
    assert stats["sends_within_1s_same_chat"] == 2 and stats["sends_by_chat"] == {str(user): 4}


@pytest.mark.parametrize("limits", [Limits(group_per_minute=2, per_chat_burst=10)])
async def test_group_limit_per_minute(api: BotApi, client: SandboxClient) -> None:
    await client.add_group(-77, "Tỉnh")
    await api.ok("sendMessage", chat_id=-77, text="1")
    await api.ok("sendMessage", chat_id=-77, text="2")
    status, body = await api("sendMessage", chat_id=-77, text="3")
    assert status == 429 and 55 <= body["parameters"]["retry_after"] <= 60


async def test_limits_switchable_by_control_api(api: BotApi, client: SandboxClient, user: int) -> None:
    assert (await client.set_limits(enforce=False))["enforce"] is False
    for i in range(6):
        await api.ok("sendMessage", chat_id=user, text=str(i))
    stats = await client.stats()
    assert stats["sends_within_1s_same_chat"] == 5 and stats["answered_429"]["limit"] == 0
    await client.set_limits(enforce=True, per_chat_burst=1)
    status, _ = await api("sendMessage", chat_id=user, text="x")
    assert status == 429


@pytest.mark.parametrize("limits", [Limits(enforce=False)])
async def test_injected_429_500_502(
    api: BotApi, client: SandboxClient, server: SandboxServer, user: int
) -> None:
    await client.inject_fault("sendMessage", "429", count=1, retry_after=7)
    status, body = await api("sendMessage", chat_id=user, text="a")
    assert (status, body["parameters"]) == (429, {"retry_after": 7})
    assert server.state.bot_messages(user) == []
    await api.ok("sendMessage", chat_id=user, text="a")  # count exhausted

    await client.inject_fault("*", "500", count=1)
    status, body = await api("getMe")
    assert (status, body) == (500, {"ok": False, "error_code": 500, "description": "Internal Server Error"})

    await client.inject_fault("sendMessage", "502", count=1)
    async with aiohttp.ClientSession() as http:
        async with http.post(
            f"{server.bot_base_url}123456:TEST/sendMessage", data={"chat_id": str(user), "text": "b"}
        ) as resp:
            assert resp.status == 502 and "Bad Gateway" in await resp.text()
    stats = await client.stats()
    assert stats["answered_429"] == {"limit": 0, "injected": 1}
    assert stats["faults_injected"] == {"429": 1, "500": 1, "502": 1}
    logged = await client.requests(method="sendMessage")
    assert [r["status"] for r in logged] == [429, 200, 502] and logged[0]["fault"] == "429"


@pytest.mark.parametrize("limits", [Limits(enforce=False)])
async def test_slow_and_timeout_faults(
    api: BotApi, client: SandboxClient, server: SandboxServer, user: int
) -> None:
    await client.inject_fault("sendMessage", "slow", count=1, delay=0.4)
    started = time.monotonic()
    await api.ok("sendMessage", chat_id=user, text="chậm")
    assert time.monotonic() - started >= 0.4

    # timeout: the client gives up first; by default the message was delivered all the same
    await client.inject_fault("sendMessage", "timeout", count=1, delay=1.5)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.4)) as impatient:
        with pytest.raises(asyncio.TimeoutError):
            await BotApi(server.base_url, impatient)("sendMessage", chat_id=user, text="đã gửi")
    assert [m.text for m in server.state.bot_messages(user)] == ["chậm", "đã gửi"]

    await client.inject_fault("sendMessage", "timeout", count=1, delay=0.3, executed=False)
    status, body = await api("sendMessage", chat_id=user, text="mất")
    assert status == 504 and len(server.state.bot_messages(user)) == 2


@pytest.mark.parametrize("limits", [Limits(enforce=False)])
async def test_probability_is_reproducible_with_a_seed_and_chat_filter(
    api: BotApi, client: SandboxClient
) -> None:
    await client.add_user(USER, "Lan")
    await client.add_user(1002, "Minh")

    async def pattern() -> list[int]:
        await client.clear_faults()
        await client.inject_fault("sendMessage", "500", probability=0.5, seed=42, chat_id=USER)
        return [(await api("sendMessage", chat_id=USER, text="x"))[0] for _ in range(12)]

    first = await pattern()
    assert set(first) == {200, 500}
    assert await pattern() == first
    assert (await api("sendMessage", chat_id=1002, text="x"))[0] == 200  # other chats untouched
    await client.clear_faults()
    assert {(await api("sendMessage", chat_id=USER, text="x"))[0] for _ in range(5)} == {200}


async def test_reset_forgets_everything(
    api: BotApi, client: SandboxClient, server: SandboxServer, user: int
) -> None:
    await api.ok("sendMessage", chat_id=user, text="x")
    await client.inject_fault("*", "500")
    await client.set_limits(enforce=False)
    await client.reset()
    assert server.state.users == {} and server.faults.rules == [] and server.limits.enforce is True
    assert (await client.stats())["requests_total"] == 0
    assert (await api("getMe"))[0] == 200

"""The control API's Zalo part over real HTTP: acting as Zalo users, reading what the bot sent them,
waiting for it, the request log, faults on Zalo requests, unreachable users, counters, reset."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from sandbox import SandboxClient, SandboxError, SandboxServer
from tests.sandbox.zalo_helpers import ZaloApi


async def test_users_and_chat_history_in_order(zapi: ZaloApi, client: SandboxClient, zuser: str) -> None:
    anonymous = await client.zalo.add_user(None, "Bình")
    assert len(anonymous["id"]) == 20  # an id like Zalo's is made up
    sent = await client.zalo.send_text(zuser, "/baocao")
    assert sent["update"]["message"]["message_id"] == sent["message_id"]
    await zapi.ok("sendMessage", chat_id=zuser, text="1 = Như kỳ trước, 2 = Không có")
    history = await client.zalo.messages(zuser)
    assert [(m["from"], m["text"]) for m in history] == [
        ("user", "/baocao"),
        ("bot", "1 = Như kỳ trước, 2 = Không có"),
    ]
    assert await client.zalo.messages(zuser, since=history[-1]["seq"]) == []
    with pytest.raises(SandboxError) as caught:
        await client.zalo.send_text("nobody", "chào")
    assert caught.value.status == 404
    with pytest.raises(SandboxError):
        await client.zalo.send_text(zuser, "")


async def test_wait_for_the_bots_next_message(zapi: ZaloApi, client: SandboxClient, zuser: str) -> None:
    sent = await client.zalo.send_text(zuser, "/baocao")

    async def bot_replies_later() -> None:
        await asyncio.sleep(0.2)
        await zapi.ok("sendMessage", chat_id=zuser, text="Đang xử lý…")
        await zapi.ok("sendMessage", chat_id=zuser, text="Xong")

    task = asyncio.create_task(bot_replies_later())
    first = await client.zalo.wait_for_bot_message(zuser, since=sent["seq"])
    assert first["text"] == "Đang xử lý…"
    done = await client.zalo.wait_for_bot_message(
        zuser, since=sent["seq"], predicate=lambda m: m["text"] == "Xong"
    )
    await task
    with pytest.raises(TimeoutError):
        await client.zalo.wait_for_bot_message(zuser, since=done["seq"], timeout=0.3)


async def test_request_log_and_pending_updates(zapi: ZaloApi, client: SandboxClient, zuser: str) -> None:
    await client.zalo.send_text(zuser, "một")
    await client.zalo.send_sticker(zuser)
    pending = await client.zalo.pending_updates()
    assert pending["events"] == ["message.text.received", "message.sticker.received"]
    await zapi("sendMessage", chat_id=zuser, text="x", reply_markup={"keyboard": []})
    [entry] = await client.zalo.requests("sendMessage")
    assert entry["status"] == 400 and entry["params"]["reply_markup"] == {"keyboard": []}
    assert entry["description"] == "Bad Request: unknown parameter reply_markup"


async def test_an_unreachable_user_answers_403_until_reachable_again(
    zapi: ZaloApi, client: SandboxClient, zuser: str
) -> None:
    assert (await client.zalo.set_unreachable(zuser))["unreachable"] is True
    status, body = await zapi("sendMessage", chat_id=zuser, text="Nhắc nộp báo cáo")
    assert (status, body["error_code"], body["description"]) == (
        403,
        403,
        "Forbidden: the user cannot be reached",
    )
    status, _ = await zapi("sendPhoto", chat_id=zuser, photo="https://bot.example.vn/c.png")
    assert status == 403
    await client.zalo.set_unreachable(zuser, False)
    await zapi.ok("sendMessage", chat_id=zuser, text="Nhắc nộp báo cáo")
    stats = await client.zalo.stats()
    assert stats["unreachable_403"] == 2 and stats["sends_accepted"] == 1


async def test_faults_429_5xx_unreachable(
    zapi: ZaloApi, client: SandboxClient, zuser: str, server: SandboxServer, http: aiohttp.ClientSession
) -> None:
    await client.zalo.inject_fault("sendMessage", "429", count=1, retry_after=3)
    async with http.post(f"{zapi.url}/sendMessage", json={"chat_id": zuser, "text": "x"}) as resp:
        body = await resp.json()
        assert resp.status == 429 and resp.headers["Retry-After"] == "3"
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    await client.zalo.inject_fault("sendMessage", "500", count=1)
    await client.zalo.inject_fault("sendMessage", "502", count=1)
    await client.zalo.inject_fault("sendMessage", "unreachable", count=1, chat_id=zuser)
    status, body = await zapi("sendMessage", chat_id=zuser, text="x")
    assert (status, body["error_code"]) == (500, 500)
    async with http.post(f"{zapi.url}/sendMessage", json={"chat_id": zuser, "text": "x"}) as resp:
        assert resp.status == 502 and "Bad Gateway" in await resp.text()
    status, body = await zapi("sendMessage", chat_id=zuser, text="x")
    assert status == 403
    await zapi.ok("sendMessage", chat_id=zuser, text="x")  # every rule fired its count
    assert len(await client.zalo.bot_messages(zuser)) == 1
    stats = await client.zalo.stats()
    assert stats["faults_injected"] == {"429": 1, "500": 1, "502": 1, "unreachable": 1}
    # Telegram's faults are apart
    assert (await client.stats())["faults_injected_total"] == 0
    with pytest.raises(SandboxError):
        await client.zalo.inject_fault("sendMessage", "blocked")


async def test_slow_and_timeout_faults(zapi: ZaloApi, client: SandboxClient, zuser: str) -> None:
    await client.zalo.inject_fault("sendMessage", "slow", count=1, delay=0.5)
    started = time.monotonic()
    await zapi.ok("sendMessage", chat_id=zuser, text="chậm")
    assert time.monotonic() - started >= 0.5
    await client.zalo.inject_fault("sendMessage", "timeout", count=1, delay=3)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(zapi("sendMessage", chat_id=zuser, text="mất câu trả lời"), 0.5)
    await asyncio.sleep(0.1)
    # carried out although the answer never came: a retry would send it twice
    assert [m["text"] for m in await client.zalo.bot_messages(zuser)] == ["chậm", "mất câu trả lời"]
    await client.zalo.inject_fault("sendMessage", "timeout", count=1, delay=0.3, executed=False)
    status, _ = await zapi("sendMessage", chat_id=zuser, text="không gửi")
    assert status == 504
    assert len(await client.zalo.bot_messages(zuser)) == 2
    await client.zalo.clear_faults()
    assert (await client.zalo.webhook())["info"]["url"] == ""


async def test_limits_when_a_test_sets_them(zapi: ZaloApi, client: SandboxClient, zuser: str) -> None:
    await client.zalo.set_limits(enforce=True, per_chat_burst=2, per_chat_per_second=0.5)
    await zapi.ok("sendMessage", chat_id=zuser, text="1")
    await zapi.ok("sendMessage", chat_id=zuser, text="2")
    status, body = await zapi("sendMessage", chat_id=zuser, text="3")
    assert status == 429 and body["parameters"]["retry_after"] >= 1
    assert (await client.zalo.stats())["answered_429"] == {"limit": 1, "injected": 0}
    await client.zalo.reset()
    assert await client.zalo.users() == []
    assert (await client.zalo.stats())["requests_total"] == 0


async def test_the_web_chat_offers_zalo_people(
    client: SandboxClient, server: SandboxServer, http: aiohttp.ClientSession
) -> None:
    await client.zalo.add_user("khach", "Khách")
    base = server.base_url
    person = {"id": "lan1", "display_name": "Nguyễn Thị Lan", "role": "reporter", "units": ["Xã Đại Từ"]}
    async with http.post(f"{base}/control/zalo/people", json=person) as resp:
        lan = await resp.json()
    assert (lan["messenger"], lan["role_label"], lan["name"]) == ("zalo", "Cán bộ báo cáo", "Nguyễn Thị Lan")
    async with http.get(f"{base}/control/zalo/people") as resp:
        assert [p["id"] for p in await resp.json()] == ["lan1", "khach"]  # people with a profile first
    for bad in ({"id": "x"}, {"id": "a b", "display_name": "X"}):
        async with http.post(f"{base}/control/zalo/people", json=bad) as resp:
            assert resp.status == 400, bad
    async with http.get(f"{base}/control/people") as resp:
        assert await resp.json() == []  # the Telegram roster is apart
    await client.reset()
    assert server.webchat.zalo_profiles == {}

"""The control API: acting as users, reading the chat, waiting for the bot, the request log, the CLI."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from sandbox import Limits, SandboxClient, SandboxError, SandboxServer
from tests.sandbox.conftest import USER, BotApi

pytestmark = pytest.mark.parametrize("limits", [Limits(enforce=False)])
ROOT = Path(__file__).resolve().parents[2]


async def test_chat_history_in_order_with_since(api: BotApi, client: SandboxClient, user: int) -> None:
    await client.send_text(user, "/start")
    reply = await api.ok(
        "sendMessage",
        chat_id=user,
        text="Chào Lan",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )
    history = await client.messages(user)
    assert [(m["from"], m["text"]) for m in history] == [("user", "/start"), ("bot", "Chào Lan")]
    seq = max(m["seq"] for m in history)
    await api.ok("editMessageText", chat_id=user, message_id=reply["message_id"], text="Chào Lan!")
    changed = await client.messages(user, since=seq)
    assert [(m["message_id"], m["text"], m["edited"]) for m in changed] == [
        (reply["message_id"], "Chào Lan!", True)
    ]
    assert [m["text"] for m in await client.bot_messages(user)] == ["Chào Lan!"]


async def test_wait_for_bot_message(api: BotApi, client: SandboxClient, user: int) -> None:
    sent = await client.send_text(user, "/start")

    async def bot_replies_later() -> None:
        await asyncio.sleep(0.2)
        await api.ok("sendMessage", chat_id=user, text="Đang xử lý…")
        await asyncio.sleep(0.1)
        await api.ok("sendMessage", chat_id=user, text="Xong")

    task = asyncio.create_task(bot_replies_later())
    first = await client.wait_for_bot_message(user, after_message_id=sent["message_id"])
    assert first["text"] == "Đang xử lý…"
    done = await client.wait_for_bot_message(
        user, after_message_id=sent["message_id"], predicate=lambda m: m["text"] == "Xong"
    )
    assert done["message_id"] == sent["message_id"] + 2
    await task
    with pytest.raises(TimeoutError):
        await client.wait_for_bot_message(user, after_message_id=done["message_id"], timeout=0.3)
    # an edit counts when waiting `since` a point in time
    seq = (await client.messages(user))[-1]["seq"]
    await api.ok("editMessageText", chat_id=user, message_id=done["message_id"], text="Xong rồi")
    assert (await client.wait_for_bot_message(user, since=seq))["text"] == "Xong rồi"


async def test_user_edits_and_replies(api: BotApi, client: SandboxClient, user: int) -> None:
    question = await api.ok("sendMessage", chat_id=user, text="Dân số?", reply_markup={"force_reply": True})
    answer = await client.send_text(user, "1794", reply_to_message_id=question["message_id"])
    await client.edit_text(user, answer["message_id"], "1.794")
    first, second = await api.ok("getUpdates")
    assert first["message"]["reply_to_message"]["text"] == "Dân số?"
    assert second["edited_message"]["text"] == "1.794" and "edit_date" in second["edited_message"]


async def test_pending_updates_and_request_log(api: BotApi, client: SandboxClient, user: int) -> None:
    await client.send_text(user, "một")
    await client.send_photo(user)
    pending = await client.pending_updates()
    assert pending["count"] == 2 and pending["kinds"] == ["message", "message"]
    await api.ok("sendMessage", chat_id=user, text="x", parse_mode="HTML")
    await api("sendMessage", chat_id=user)
    log = await client.requests(method="sendMessage")
    assert [(r["status"], r["params"].get("text")) for r in log] == [(200, "x"), (400, None)]
    assert (
        log[0]["params"]["chat_id"] == str(USER)
        and log[1]["description"] == "Bad Request: message text is empty"
    )
    since = log[-1]["seq"]
    await api.ok("getMe")
    assert [r["method"] for r in await client.requests(since=since)] == ["getMe"]


async def test_control_errors(client: SandboxClient, server: SandboxServer, user: int) -> None:
    with pytest.raises(SandboxError) as err:
        await client.send_text(424242, "ai đó")
    assert err.value.status == 404
    with pytest.raises(SandboxError, match="kind must be one of"):
        await client.inject_fault("sendMessage", "explode")
    with pytest.raises(SandboxError):
        await client.download("no-such-file")
    with pytest.raises(SandboxError, match="unknown limit"):
        await client.set_limits(colour=1)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server.base_url}/control") as resp:
            assert "POST /control/users/{user_id}/tap" in (await resp.json())["endpoints"]
        async with http.post(f"{server.base_url}/control/users", data=b"[1]") as resp:
            assert resp.status == 400


async def test_user_document_can_be_downloaded_by_the_control_api(client: SandboxClient, user: int) -> None:
    sent = await client.send_document(user, "Số liệu".encode(), "so lieu.txt", caption="đây")
    assert sent["document"]["mime_type"] == "text/plain"
    assert await client.download(sent["document"]["file_id"]) == "Số liệu".encode()


async def test_python_m_sandbox_serves_and_prints_the_base_url(limits: Limits) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        "0",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 15)).decode()
        assert line.startswith("Sandbox Bot API at http://127.0.0.1:")
        base = line.split()[4]
        hint = (await asyncio.wait_for(proc.stdout.readline(), 5)).decode()
        assert "/control" in hint
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/bot1:x/getMe") as resp:
                assert (await resp.json())["result"]["id"] == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 10)

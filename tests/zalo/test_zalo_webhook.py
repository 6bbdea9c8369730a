"""Zalo's webhook mode: the channel serves the path of its URL, registers it with setWebhook and
its secret, and the sandbox delivers the official's messages there — answered like polled ones."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp

from handlers.zalo.webhook import SECRET_HEADER
from tests.e2e.test_webhook import _post_raw
from tests.e2e.zalo_world import ZALO_LAN, ZaloChat, field_of
from tests.zalo.conftest import running_world

SECRET = "s3cret-zalo-hook"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_webhook_takes_the_officials_messages(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/zalo/hook"
    async with running_world(tmp_path, webhook=(url, SECRET, port)) as world:
        assert (await world.client.zalo.webhook())["info"]["url"] == url
        lan = ZaloChat(world.client.zalo, ZALO_LAN)
        question = await lan.ask("/baocao", lambda m: field_of(m) is not None, timeout=15)
        answered = await lan.ask("53", lambda m: field_of(m) is not None)
        assert field_of(question) == "carried_over" and field_of(answered) == "received_online_full"
        assert await world.storage.inbox.left("zalo") == []


async def test_the_webhook_refuses_strangers_and_a_wrong_path_and_nothing_reaches_the_journeys(
        tmp_path: Path) -> None:
    """Twin of the Telegram webhook's end to end: a request without the right secret (wrong, none)
    is refused with 403, another path with 404, and the official is answered nothing."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/zalo/hook"
    async with running_world(tmp_path, webhook=(url, SECRET, port)) as world:
        assert not await world.client.zalo.requests(method="getUpdates")  # the updates come by POST
        forged = {"event_name": "message.text.received", "message": {
            "from": {"id": ZALO_LAN, "display_name": "Lan", "is_bot": False}, "chat": {"id": ZALO_LAN},
            "text": "/help", "message_id": "forged1", "date": 1_700_000_000_000}}
        async with aiohttp.ClientSession() as http:
            for headers in ({SECRET_HEADER: "wrong-secret-zalo"}, {}):
                async with http.post(url, json=forged, headers=headers) as resp:
                    assert resp.status == 403
            async with http.post(f"http://127.0.0.1:{port}/elsewhere", json=forged,
                                 headers={SECRET_HEADER: SECRET}) as resp:
                assert resp.status == 404
        await asyncio.sleep(0.5)
        assert await world.client.zalo.bot_messages(ZALO_LAN) == []
        assert await world.storage.inbox.left("zalo") == []


async def test_the_webhook_refuses_a_stranger_before_reading_the_body_and_caps_it(tmp_path: Path) -> None:
    """Twin of issue 12's Telegram test: a stranger's 90 MB body is refused at once from the
    headers (403, the body never read), and with the secret a body over 1 MB is refused (413),
    declared or chunked — at once, without waiting for a body that may never come."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/zalo/hook"
    async with running_world(tmp_path, webhook=(url, SECRET, port)) as world:
        big = {"Content-Type": "application/json", "Content-Length": str(90 * 1024 * 1024)}
        for headers in (big, {**big, SECRET_HEADER: "wrong-secret-zalo"}):
            status, took = await _post_raw(port, "zalo/hook", headers, send=65536)
            assert status.startswith("HTTP/1.1 403"), status
            assert took < 2, took
        # strangers pushing 30 MB each: refused, their bodies never held
        results = await asyncio.gather(*(_post_raw(port, "zalo/hook", big, send=30 * 1024 * 1024)
                                         for _ in range(4)))
        assert all(status.startswith("HTTP/1.1 403") for status, _ in results), results

        status, took = await _post_raw(port, "zalo/hook", {**big, SECRET_HEADER: SECRET}, send=65536)
        assert status.startswith("HTTP/1.1 413"), status
        assert took < 2, took
        chunked = {"Content-Type": "application/json", "Transfer-Encoding": "chunked", SECRET_HEADER: SECRET}
        piece = b"10000\r\n" + b" " * 65536 + b"\r\n"
        status, _ = await _post_raw(port, "zalo/hook", chunked, send=2 * 1024 * 1024, chunk=piece)
        assert status.startswith("HTTP/1.1 413"), status

        # and the official is still answered
        lan = ZaloChat(world.client.zalo, ZALO_LAN)
        question = await lan.ask("/baocao", lambda m: field_of(m) is not None, timeout=15)
        assert field_of(question) == "carried_over"

"""Zalo's webhook mode: the channel serves the path of its URL, registers it with setWebhook and
its secret, and the sandbox delivers the official's messages there — answered like polled ones."""

from __future__ import annotations

import asyncio
from pathlib import Path

from handlers.zalo.webhook import SECRET_HEADER
from tests.e2e.test_webhook import free_port
from tests.e2e.webhook_probe import (
    forged_refused,
    strangers_pushing_refused,
    strangers_refused_at_once,
    too_big_refused,
)
from tests.e2e.zalo_world import ZALO_LAN, ZaloChat, field_of
from tests.zalo.conftest import running_world

SECRET = "s3cret-zalo-hook"


async def test_the_webhook_takes_the_officials_messages(tmp_path: Path) -> None:
    port = free_port()
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
    port = free_port()
    url = f"http://127.0.0.1:{port}/zalo/hook"
    async with running_world(tmp_path, webhook=(url, SECRET, port)) as world:
        assert not await world.client.zalo.requests(method="getUpdates")  # the updates come by POST
        forged = {"event_name": "message.text.received", "message": {
            "from": {"id": ZALO_LAN, "display_name": "Lan", "is_bot": False}, "chat": {"id": ZALO_LAN},
            "text": "/help", "message_id": "forged1", "date": 1_700_000_000_000}}
        await forged_refused(url, port, forged, SECRET_HEADER, "wrong-secret-zalo", SECRET)
        await asyncio.sleep(0.5)
        assert await world.client.zalo.bot_messages(ZALO_LAN) == []
        assert await world.storage.inbox.left("zalo") == []


async def test_the_webhook_refuses_a_stranger_before_reading_the_body_and_caps_it(tmp_path: Path) -> None:
    """Twin of issue 12's Telegram test: a stranger's 90 MB body is refused at once from the
    headers (403, the body never read), and with the secret a body over 1 MB is refused (413),
    declared or chunked — at once, without waiting for a body that may never come."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/zalo/hook"
    async with running_world(tmp_path, webhook=(url, SECRET, port)) as world:
        await strangers_refused_at_once(port, "zalo/hook", SECRET_HEADER, "wrong-secret-zalo")
        # strangers pushing 30 MB each: refused, their bodies never held
        await strangers_pushing_refused(port, "zalo/hook", strangers=4, each=30 * 1024 * 1024)
        await too_big_refused(port, "zalo/hook", SECRET_HEADER, SECRET)

        # and the official is still answered
        lan = ZaloChat(world.client.zalo, ZALO_LAN)
        question = await lan.ask("/baocao", lambda m: field_of(m) is not None, timeout=15)
        assert field_of(question) == "carried_over"

"""Zalo's webhook mode: the channel serves the path of its URL, registers it with setWebhook and
its secret, and the sandbox delivers the official's messages there — answered like polled ones."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.e2e.zalo_world import ZALO_LAN, ZaloChat, field_of
from tests.zalo.conftest import running_world


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_webhook_takes_the_officials_messages(tmp_path: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/zalo/hook"
    async with running_world(tmp_path, webhook=(url, "s3cret-zalo-hook", port)) as world:
        assert (await world.client.zalo.webhook())["info"]["url"] == url
        lan = ZaloChat(world.client.zalo, ZALO_LAN)
        question = await lan.ask("/baocao", lambda m: field_of(m) is not None, timeout=15)
        answered = await lan.ask("53", lambda m: field_of(m) is not None)
        assert field_of(question) == "carried_over" and field_of(answered) == "received_online_full"
        assert await world.storage.inbox.left("zalo") == []

"""Webhook delivery: updates POSTed with the secret header, retried on failure; getUpdates gets 409."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from sandbox import SandboxClient
from tests.sandbox.conftest import BotApi
from tests.sandbox.receiver import Receiver, receiving


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    async with receiving("X-Telegram-Bot-Api-Secret-Token") as rec:
        yield rec


async def test_updates_arrive_by_post_with_the_secret(
    api: BotApi, client: SandboxClient, receiver: Receiver, user: int
) -> None:
    assert await api.ok("setWebhook", url=receiver.url, secret_token="bi-mat_123") is True
    status, body = await api("getUpdates")
    assert status == 409
    assert body["description"] == (
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
    )
    await client.send_text(user, "/start")
    await client.send_text(user, "hai")
    await receiver.wait_for(2)
    assert [(secret, u["message"]["text"]) for secret, u in receiver.received] == [
        ("bi-mat_123", "/start"),
        ("bi-mat_123", "hai"),
    ]
    info = await api.ok("getWebhookInfo")
    assert info["url"] == receiver.url and info["pending_update_count"] == 0

    await api.ok("deleteWebhook")
    await client.send_text(user, "ba")
    assert [u["message"]["text"] for u in await api.ok("getUpdates")] == ["ba"]


async def test_failed_deliveries_are_retried_in_order(
    api: BotApi, client: SandboxClient, receiver: Receiver, user: int
) -> None:
    receiver.fail_next = 2
    await api.ok("setWebhook", url=receiver.url)
    await client.send_text(user, "một")
    await client.send_text(user, "hai")
    await receiver.wait_for(2)
    assert [u["message"]["text"] for _, u in receiver.received] == ["một", "hai"]
    assert receiver.received[0][0] is None  # no secret set, no header
    info = await api.ok("getWebhookInfo")
    assert info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"
    attempts = (await client.webhook())["attempts"]
    assert [a["status"] for a in attempts] == [500, 500, 200, 200]


async def test_pending_updates_wait_for_a_webhook_and_drop_pending(
    api: BotApi, client: SandboxClient, receiver: Receiver, user: int
) -> None:
    await client.send_text(user, "cũ")
    await api.ok("setWebhook", url=receiver.url, drop_pending_updates=True)
    await client.send_text(user, "mới")
    await receiver.wait_for(1)
    await asyncio.sleep(0.1)
    assert [u["message"]["text"] for _, u in receiver.received] == ["mới"]
    status, body = await api("setWebhook", url="ftp://nowhere")
    assert status == 400 and "bad webhook" in body["description"]

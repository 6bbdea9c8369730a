"""Our Zalo Bot API client (handlers/zalo) against the sandbox over real HTTP: typed updates,
long polling one update at a time with 408 as "none", refusals and faults as typed exceptions,
the webhook's secret checked before the body is read."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from bot.settings import Settings
from handlers.zalo.client import ZaloBotClient
from handlers.zalo.errors import (
    ZaloBadRequest,
    ZaloConflict,
    ZaloNetworkError,
    ZaloRetryAfter,
    ZaloServerError,
    ZaloTimedOut,
    ZaloUnauthorized,
    ZaloUnreachableUser,
)
from handlers.zalo.models import ZaloUpdate
from handlers.zalo.webhook import SECRET_HEADER, webhook_handler
from sandbox import SandboxClient, SandboxServer
from tests.sandbox.receiver import serve
from tests.sandbox.zalo_helpers import ZALO_TOKEN


@pytest.fixture
async def zalo(server: SandboxServer) -> AsyncIterator[ZaloBotClient]:
    async with ZaloBotClient(ZALO_TOKEN, base_url=server.zalo.api_base_url, request_timeout=2.0) as c:
        yield c


async def test_get_me(zalo: ZaloBotClient) -> None:
    me = await zalo.get_me()
    assert me.id == "738499441022218443" and me.can_join_groups is False


async def test_token_and_base_url_from_the_settings(server: SandboxServer) -> None:
    settings = Settings(
        _env_file=None, zalo_bot_token=ZALO_TOKEN, zalo_api_base_url=server.base_url + "/zalo/"
    )  # type: ignore[call-arg]
    async with ZaloBotClient.from_settings(settings) as zalo:
        assert (await zalo.get_me()).id == "738499441022218443"
    with pytest.raises(ValueError, match="ZALO_BOT_TOKEN"):
        ZaloBotClient.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]


async def test_long_polling_one_update_at_a_time_and_408_is_none(
    zalo: ZaloBotClient, client: SandboxClient, zuser: str
) -> None:
    await client.zalo.send_text(zuser, "/baocao")
    await client.zalo.send_image(zuser, caption="biên bản")
    first = await zalo.get_update(timeout=1)
    second = await zalo.get_update(timeout=1)
    assert first is not None and first.kind == "text" and first.message is not None
    assert first.message.text == "/baocao" and first.message.sender.display_name == "Nguyễn Thị Lan"
    assert first.message.chat.id == zuser and first.message.sent_at.year >= 2025
    assert second is not None and second.kind == "image" and second.message is not None
    assert second.message.photo_url is not None and second.message.caption == "biên bản"
    assert await zalo.get_update(timeout=1) is None  # Zalo's 408
    await client.zalo.send_text(zuser, "hai")
    await client.zalo.send_text(zuser, "ba")
    updates = zalo.updates(timeout=1)
    texts = [(await anext(updates)).message.text for _ in range(2)]  # type: ignore[union-attr]
    await updates.aclose()
    assert texts == ["hai", "ba"]
    assert [r["params"] for r in await client.zalo.requests("getUpdates")][0] == {"timeout": "1"}


async def test_both_names_for_the_sender_and_the_photo(zalo: ZaloBotClient, client: SandboxClient) -> None:
    await client.zalo.add_user("u2", "Trần Văn Bình", name_field="name")
    await client.zalo.send_image("u2", photo_url="https://example.vn/a.jpg", photo_field="photo")
    await client.zalo.send_unsupported("u2", "voice")
    update = await zalo.get_update(timeout=1)
    assert update is not None and update.message is not None
    assert update.message.sender.display_name == "Trần Văn Bình"
    assert update.message.photo_url == "https://example.vn/a.jpg"
    unsupported = await zalo.get_update(timeout=1)
    assert unsupported is not None and unsupported.kind == "unsupported"
    assert unsupported.message is not None and unsupported.message.text is None


async def test_sends_and_refusals(zalo: ZaloBotClient, client: SandboxClient, zuser: str) -> None:
    sent = await zalo.send_message(zuser, "x" * 2000)
    assert await zalo.call("sendSticker", {"chat_id": zuser, "sticker": "d063f44dc80821567819"})
    assert len(sent.message_id) == 20 and sent.date is not None
    with pytest.raises(ZaloBadRequest) as caught:
        await zalo.send_message(zuser, "x" * 2001)
    assert caught.value.error_code == 400 and "too long" in caught.value.description
    with pytest.raises(ZaloBadRequest) as caught:
        await zalo.call(
            "sendMessage", {"chat_id": zuser, "text": "Chọn", "reply_markup": '{"inline_keyboard": []}'}
        )
    assert caught.value.description == "Bad Request: unknown parameter reply_markup"
    await zalo.send_photo(zuser, "https://bot.example.vn/c.png", caption="Biểu đồ")
    with pytest.raises(ZaloBadRequest):
        await zalo.send_photo(zuser, "http://bot.example.vn/c.png")
    await zalo.send_chat_action(zuser)
    assert [m["kind"] for m in await client.zalo.bot_messages(zuser)] == ["text", "sticker", "photo"]


async def test_faults_map_to_typed_exceptions(zalo: ZaloBotClient, client: SandboxClient, zuser: str) -> None:
    await client.zalo.inject_fault("sendMessage", "429", count=1, retry_after=7)
    with pytest.raises(ZaloRetryAfter) as retry:
        await zalo.send_message(zuser, "x")
    assert retry.value.retry_after == 7 and retry.value.error_code == 429
    for kind in ("500", "502"):
        await client.zalo.inject_fault("sendMessage", kind, count=1)
        with pytest.raises(ZaloServerError) as server_error:
            await zalo.send_message(zuser, "x")
        assert server_error.value.error_code == int(kind)
    await client.zalo.set_unreachable(zuser)
    with pytest.raises(ZaloUnreachableUser) as unreachable:
        await zalo.send_message(zuser, "x")
    assert unreachable.value.chat_id == zuser
    await client.zalo.set_unreachable(zuser, False)
    await client.zalo.inject_fault("sendChatAction", "unreachable", count=1, chat_id=zuser)
    with pytest.raises(ZaloUnreachableUser):
        await zalo.send_chat_action(zuser)
    await client.zalo.inject_fault("sendMessage", "timeout", count=1, delay=5)
    with pytest.raises(ZaloTimedOut):
        await zalo.send_message(zuser, "x")  # request_timeout is 2 s
    await client.zalo.inject_fault("getUpdates", "500", count=1)
    with pytest.raises(ZaloServerError):
        await zalo.get_update(timeout=1)


async def test_a_wrong_token_is_unauthorized(server: SandboxServer) -> None:
    async with ZaloBotClient("not-a-token", base_url=server.zalo.api_base_url) as wrong:
        with pytest.raises(ZaloUnauthorized):
            await wrong.get_me()


async def test_polling_survives_a_server_error(
    zalo: ZaloBotClient, client: SandboxClient, zuser: str
) -> None:
    await client.zalo.inject_fault("getUpdates", "502", count=1)
    await client.zalo.send_text(zuser, "vẫn đến")
    updates = zalo.updates(timeout=1)
    update = await asyncio.wait_for(anext(updates), 5)
    await updates.aclose()
    assert update.message is not None and update.message.text == "vẫn đến"


async def test_webhook_secret_is_checked_before_the_body(
    zalo: ZaloBotClient, client: SandboxClient, zuser: str, http: aiohttp.ClientSession
) -> None:
    received: list[ZaloUpdate] = []
    arrived = asyncio.Event()

    async def on_update(update: ZaloUpdate) -> None:
        received.append(update)
        arrived.set()

    app = web.Application()
    app.router.add_post("/zalo/hook", webhook_handler("bi-mat-123456", on_update))
    runner, base = await serve(app)
    try:
        await zalo.set_webhook(f"{base}/zalo/hook", "bi-mat-123456")
        assert (await zalo.get_webhook_info()).url == f"{base}/zalo/hook"
        with pytest.raises(ZaloConflict):
            await zalo.get_update(timeout=1)
        await client.zalo.send_text(zuser, "qua webhook")
        await asyncio.wait_for(arrived.wait(), 5)
        assert received[0].message is not None and received[0].message.text == "qua webhook"
        # a forged request: refused before its body is read, nothing handed on
        forged = b'{"event_name": "message.text.received", "message": {}}'
        for headers in ({SECRET_HEADER: "doan-mo-123456"}, {}):
            async with http.post(f"{base}/zalo/hook", data=forged, headers=headers) as resp:
                assert resp.status == 403
        async with http.post(
            f"{base}/zalo/hook", data=b"[]", headers={SECRET_HEADER: "bi-mat-123456"}
        ) as resp:
            assert resp.status == 400
        assert len(received) == 1
        await zalo.delete_webhook()
        assert (await zalo.get_webhook_info()).url == ""
    finally:
        await runner.cleanup()


async def test_no_answer_is_a_network_error_that_never_shows_the_token() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nobody listens there
    async with ZaloBotClient(ZALO_TOKEN, base_url=f"http://127.0.0.1:{port}") as unreachable:
        with pytest.raises(ZaloNetworkError) as caught:
            await unreachable.send_message("u1", "chào")
    assert ZALO_TOKEN.split(":")[1] not in str(caught.value) and caught.value.__cause__ is None

"""Zalo's Bot API shape in the sandbox, over real HTTP: one update per getUpdates, 408 when none,
string ids, dates in ms, 2,000-character texts, unknown parameters refused, the webhook."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from sandbox import SandboxClient, SandboxServer
from tests.sandbox.receiver import Receiver
from tests.sandbox.zalo_helpers import ZaloApi


async def test_get_me_answers_with_string_ids(zapi: ZaloApi) -> None:
    me = await zapi.ok("getMe")
    assert me["id"] == "738499441022218443" and isinstance(me["account_name"], str)
    assert me["can_join_groups"] is False


async def test_get_updates_hands_out_one_update_per_call_then_408(
    zapi: ZaloApi, client: SandboxClient, zuser: str
) -> None:
    before = int(time.time() * 1000)
    await client.zalo.send_text(zuser, "/baocao")
    await client.zalo.send_text(zuser, "1.794")
    first = await zapi.ok("getUpdates", timeout="1")
    second = await zapi.ok("getUpdates", timeout="1")
    assert isinstance(first, dict) and first["event_name"] == "message.text.received"
    message = first["message"]
    assert message["text"] == "/baocao" and second["message"]["text"] == "1.794"
    assert message["from"] == {"id": zuser, "display_name": "Nguyễn Thị Lan", "is_bot": False}
    assert message["chat"] == {"id": zuser, "chat_type": "PRIVATE"}
    assert isinstance(message["message_id"], str) and message["message_id"] != second["message"]["message_id"]
    assert before <= message["date"] <= time.time() * 1000 + 1  # milliseconds
    started = time.monotonic()
    status, body = await zapi("getUpdates", timeout="1")
    assert (status, body["ok"], body["error_code"]) == (408, False, 408)
    assert 0.9 <= time.monotonic() - started < 3


async def test_a_long_poll_wakes_when_the_user_writes(
    zapi: ZaloApi, client: SandboxClient, zuser: str
) -> None:
    poll = asyncio.create_task(zapi("getUpdates", timeout="10"))
    await asyncio.sleep(0.2)
    started = time.monotonic()
    await client.zalo.send_text(zuser, "chào")
    status, body = await poll
    assert status == 200 and body["result"]["message"]["text"] == "chào"
    assert time.monotonic() - started < 2


async def test_timeout_must_be_a_string(zapi: ZaloApi) -> None:
    status, body = await zapi("getUpdates", timeout=30)
    assert status == 400 and body["description"] == "Bad Request: parameter timeout must be a string"
    status, body = await zapi("getUpdates", timeout="soon")
    assert status == 400


async def test_image_sticker_and_unsupported_updates(
    zapi: ZaloApi, client: SandboxClient, zuser: str, http: aiohttp.ClientSession
) -> None:
    await client.zalo.send_image(zuser, caption="ảnh biên bản")
    await client.zalo.send_sticker(zuser, "0e078a2fb66a5f34067b")
    await client.zalo.send_unsupported(zuser, "voice")
    image, sticker, unsupported = [await zapi.ok("getUpdates", timeout="0") for _ in range(3)]
    assert image["event_name"] == "message.image.received" and image["message"]["caption"] == "ảnh biên bản"
    async with http.get(image["message"]["photo_url"]) as resp:
        assert resp.status == 200 and (await resp.read()).startswith(b"\x89PNG")
    assert sticker["event_name"] == "message.sticker.received"
    assert sticker["message"]["sticker"] == "0e078a2fb66a5f34067b"
    assert unsupported["event_name"] == "message.unsupported.received"
    assert not {"text", "photo_url", "photo", "sticker", "caption"} & set(unsupported["message"])
    # the other public client's names: "name" for the sender, "photo" for the image
    await client.zalo.add_user("u2", "Trần Văn Bình", name_field="name")
    await client.zalo.send_image("u2", photo_url="https://example.vn/a.jpg", photo_field="photo")
    other = (await zapi.ok("getUpdates", timeout="0"))["message"]
    assert other["from"]["name"] == "Trần Văn Bình" and other["photo"] == "https://example.vn/a.jpg"


async def test_send_message_takes_2000_characters_and_refuses_more(
    zapi: ZaloApi, client: SandboxClient, zuser: str
) -> None:
    sent = await zapi.ok("sendMessage", chat_id=zuser, text="a" * 1999 + "😀")  # 2,000 characters
    assert set(sent) == {"message_id", "date"} and isinstance(sent["message_id"], str)
    status, body = await zapi("sendMessage", chat_id=zuser, text="a" * 2001)
    assert (status, body["ok"], body["error_code"]) == (400, False, 400)
    assert "too long" in body["description"]
    status, body = await zapi("sendMessage", chat_id=zuser, text="   ")
    assert status == 400
    texts = [m["text"] for m in await client.zalo.bot_messages(zuser)]
    assert texts == ["a" * 1999 + "😀"]


@pytest.mark.parametrize(
    "extra",
    [
        {"reply_markup": {"inline_keyboard": [[{"text": "1", "callback_data": "1"}]]}},
        {"parse_mode": "HTML"},
        {"reply_to_message_id": "abc"},
    ],
)
async def test_any_parameter_not_in_the_method_is_refused(
    zapi: ZaloApi, client: SandboxClient, zuser: str, extra: dict[str, object]
) -> None:
    status, body = await zapi("sendMessage", chat_id=zuser, text="Chọn 1 hoặc 2", **extra)
    name = next(iter(extra))
    assert (status, body["description"]) == (400, f"Bad Request: unknown parameter {name}")
    assert await client.zalo.bot_messages(zuser) == []


async def test_ids_are_strings(zapi: ZaloApi, client: SandboxClient) -> None:
    await client.zalo.add_user("123", "Lan")
    status, body = await zapi("sendMessage", chat_id=123, text="chào")
    assert status == 400 and body["description"] == "Bad Request: parameter chat_id must be a string"
    status, body = await zapi("sendMessage", chat_id="999", text="chào")
    assert status == 400 and body["description"] == "Bad Request: chat not found"


async def test_send_photo_by_https_url_only(zapi: ZaloApi, client: SandboxClient, zuser: str) -> None:
    await zapi.ok("sendPhoto", chat_id=zuser, photo="https://bot.example.vn/c/abc.png", caption="Biểu đồ")
    status, body = await zapi("sendPhoto", chat_id=zuser, photo="http://bot.example.vn/c/abc.png")
    assert status == 400 and "https" in body["description"]
    status, body = await zapi("sendPhoto", chat_id=zuser, photo="AgACAgIAAxkBAAIB")  # a Telegram file id
    assert status == 400
    status, body = await zapi("sendDocument", chat_id=zuser, document="https://bot.example.vn/r.docx")
    assert status == 404
    [photo] = await client.zalo.bot_messages(zuser)
    assert (photo["kind"], photo["photo_url"], photo["caption"]) == (
        "photo",
        "https://bot.example.vn/c/abc.png",
        "Biểu đồ",
    )


async def test_send_chat_action(zapi: ZaloApi, client: SandboxClient, zuser: str) -> None:
    assert await zapi.ok("sendChatAction", chat_id=zuser, action="typing") is True
    status, _ = await zapi("sendChatAction", chat_id=zuser, action="upload_document")
    assert status == 400
    assert [a["action"] for a in await client.zalo.chat_actions()] == ["typing"]


async def test_token_method_and_body_errors(
    zapi: ZaloApi, server: SandboxServer, http: aiohttp.ClientSession
) -> None:
    async with http.post(f"{server.base_url}/zalo/botnot-a-token/getMe", json={}) as resp:
        assert resp.status == 401 and (await resp.json())["error_code"] == 401
    status, body = await zapi("editMessageText", chat_id="x", text="y")
    assert (status, body["description"]) == (404, "Not Found")
    async with http.post(f"{zapi.url}/sendMessage", data={"chat_id": "x", "text": "y"}) as resp:
        assert resp.status == 400  # form-encoded: Zalo takes JSON


async def test_webhook_delivers_one_update_per_request_with_the_secret(
    zapi: ZaloApi, client: SandboxClient, zuser: str, zreceiver: Receiver
) -> None:
    for url, secret in (("http://bot.example.vn/hook", "bi-mat-123"), (zreceiver.url, "ngan")):
        status, body = await zapi("setWebhook", url=url, secret_token=secret)
        assert status == 400, body
    status, body = await zapi("setWebhook", url=zreceiver.url)
    assert (status, body["description"]) == (400, "Bad Request: parameter secret_token is required")
    assert await zapi.ok("setWebhook", url=zreceiver.url, secret_token="bi-mat-123") is True
    assert (await zapi.ok("getWebhookInfo"))["url"] == zreceiver.url
    status, body = await zapi("getUpdates", timeout="1")
    assert status == 409 and "webhook" in body["description"]
    zreceiver.fail_next = 1
    await client.zalo.send_text(zuser, "một")
    await client.zalo.send_text(zuser, "hai")
    await zreceiver.wait_for(2)
    assert [(secret, u["event_name"], u["message"]["text"]) for secret, u in zreceiver.received] == [
        ("bi-mat-123", "message.text.received", "một"),
        ("bi-mat-123", "message.text.received", "hai"),
    ]
    attempts = (await client.zalo.webhook())["attempts"]
    assert [a["status"] for a in attempts] == [500, 200, 200]
    assert await zapi.ok("deleteWebhook") is True
    assert (await zapi.ok("getWebhookInfo"))["url"] == ""
    await client.zalo.send_text(zuser, "ba")
    assert (await zapi.ok("getUpdates", timeout="1"))["message"]["text"] == "ba"


async def test_a_webhook_set_during_a_long_poll_ends_it(zapi: ZaloApi, zreceiver: Receiver) -> None:
    poll = asyncio.create_task(zapi("getUpdates", timeout="10"))
    await asyncio.sleep(0.2)
    await zapi.ok("setWebhook", url=zreceiver.url, secret_token="bi-mat-123")
    status, _ = await asyncio.wait_for(poll, 2)
    assert status == 409


async def test_the_telegram_side_does_not_see_zalo_users(
    zapi: ZaloApi, client: SandboxClient, zuser: str, http: aiohttp.ClientSession, server: SandboxServer
) -> None:
    await client.zalo.send_text(zuser, "chào")
    async with http.post(f"{server.bot_base_url}123456:TEST/getUpdates", data={"timeout": "0"}) as resp:
        assert (await resp.json())["result"] == []
    await client.reset()  # /control/reset forgets the Zalo side too
    assert await client.zalo.users() == [] and (await client.zalo.pending_updates())["count"] == 0


async def test_a_poll_whose_caller_has_gone_does_not_swallow_the_update(
    zapi: ZaloApi, client: SandboxClient, zuser: str
) -> None:
    """Zalo has no offset: an update handed to a caller that stopped waiting would be lost."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=0.3)) as impatient:
        with pytest.raises(TimeoutError):
            async with impatient.post(f"{zapi.url}/getUpdates", json={"timeout": "5"}) as resp:
                await resp.read()
    await asyncio.sleep(0.1)
    await client.zalo.send_text(zuser, "còn nguyên")
    await asyncio.sleep(0.1)
    assert (await client.zalo.pending_updates())["count"] == 1
    assert (await zapi.ok("getUpdates", timeout="1"))["message"]["text"] == "còn nguyên"

"""The sandbox checked against Telegram's published Bot API (sandbox/spec/telegram-bot-api.json):
every method it implements exists there, and every object it answers with, walked recursively,
has all required fields, no unknown field, and the declared types."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox import Limits, SandboxClient, SandboxServer
from sandbox.media import tiny_png
from sandbox.spec import check_params, load_spec, validate
from tests.sandbox.conftest import USER, BotApi

INLINE = {
    "inline_keyboard": [
        [{"text": "Có", "callback_data": "yes"}, {"text": "Web", "url": "https://example.org"}]
    ]
}


def test_every_implemented_method_is_in_the_spec(server: SandboxServer) -> None:
    spec = load_spec()
    assert spec.version.startswith("Bot API")
    for method in server.api.handlers:
        assert method in spec.methods, method


def test_validator_catches_each_kind_of_departure() -> None:
    user = {"id": 1, "is_bot": False, "first_name": "A"}
    assert validate(user, ["User"]) == []
    assert any(
        "lacks required field 'first_name'" in e for e in validate({"id": 1, "is_bot": False}, ["User"])
    )
    assert any("has no field 'nickname'" in e for e in validate({**user, "nickname": "x"}, ["User"]))
    assert any("expected Integer" in e for e in validate({**user, "id": "1"}, ["User"]))
    assert any("expected Boolean" in e for e in validate({**user, "is_bot": 0}, ["User"]))
    assert validate([[{"text": "a", "callback_data": "b"}]], ["Array of Array of InlineKeyboardButton"]) == []
    assert validate([{"text": 5}], ["Array of InlineKeyboardButton"]) != []
    assert validate("x", ["Integer", "String"]) == [] and validate(1.5, ["Integer", "String"]) != []
    # a union type is checked against its members, discriminated by their constant fields
    banned = {"status": "kicked", "user": user, "until_date": 0}
    assert validate(banned, ["ChatMember"]) == []
    assert validate({**banned, "status": "boss"}, ["ChatMember"]) != []
    chat = {"id": 1, "type": "private"}
    assert validate({"chat": chat, "message_id": 1, "date": 0}, ["MaybeInaccessibleMessage"]) == []


def test_request_parameters_are_checked_against_the_spec() -> None:
    assert check_params("sendMessage", {"chat_id": "5", "text": "a", "disable_notification": "true"}) == {
        "chat_id": 5,
        "text": "a",
        "disable_notification": True,
    }
    for bad, message in [
        ({"chat_id": "5", "text": "a", "colour": "red"}, "unknown parameter colour"),
        ({"chat_id": "5"}, "message text is empty"),
        ({"text": "a"}, "parameter chat_id is required"),
        ({"chat_id": "5", "text": "a", "reply_markup": "{not json"}, "can't parse reply_markup"),
        (
            {"chat_id": "5", "text": "a", "reply_markup": '{"inline_keyboard": [[{"callback_data": "x"}]]}'},
            "lacks required field 'text'",
        ),
    ]:
        try:
            check_params("sendMessage", bad)
        except Exception as exc:  # noqa: BLE001 - the message is what is checked
            assert message in str(exc), (bad, exc)
        else:
            raise AssertionError(f"accepted {bad}")
    # a reply keyboard may name its buttons by bare strings, as Telegram allows
    out = check_params(
        "sendMessage", {"chat_id": 1, "text": "a", "reply_markup": {"keyboard": [["Có", "Không"]]}}
    )
    assert out["reply_markup"]["keyboard"][0][0] == {"text": "Có"}


@pytest.mark.parametrize("limits", [Limits(enforce=False)])
async def test_every_method_and_object_walked_against_the_spec(
    server: SandboxServer, client: SandboxClient, api: BotApi
) -> None:
    """Exercise every implemented method and every kind of update, validating each answer explicitly."""
    spec = load_spec()
    called: set[str] = set()
    seen: set[str] = set()  # every object type found in the answers, nested ones included

    async def call(method: str, _files: dict[str, tuple[str, bytes]] | None = None, **params: Any) -> Any:
        result = await api.ok(method, _files, **params)
        errors = validate(result, spec.methods[method].returns, seen=seen)
        assert errors == [], (method, errors)
        called.add(method)
        return result

    await client.add_user(USER, "Lan", "Nguyễn", username="lan_nguyen")
    await client.add_group(-100, "Xã Phước Giang")
    await client.add_user(1002, "Minh")

    me = await call("getMe")
    assert me["is_bot"] is True and me["id"] == 123456 and me["username"] == "baocao_sandbox_bot"
    assert me["first_name"] == "Báo cáo bot" and "can_join_groups" in me and "supports_inline_queries" in me

    # every kind of update a user can cause
    start = await client.send_text(USER, "/start abc")
    await client.edit_text(USER, start["message_id"], "/start def")
    await client.send_text(1002, "chào nhóm /help@baocao_sandbox_bot", chat_id=-100)
    await client.send_photo(USER, caption="ảnh")
    await client.send_sticker(USER)
    await client.send_voice(USER, duration=3)
    await client.send_document(USER, b"PK\x03\x04fake", "bao_cao.docx")
    sent = await call(
        "sendMessage", chat_id=USER, text="<b>Chọn</b> 😀 một", parse_mode="HTML", reply_markup=INLINE
    )
    await client.send_text(USER, "trả lời", reply_to_message_id=sent["message_id"])
    await client.tap(USER, sent["message_id"], data="yes")
    await client.block(1002)
    await client.unblock(1002)
    updates = await call("getUpdates", timeout=0)
    kinds = {next(k for k in u if k != "update_id") for u in updates}
    assert kinds == {"message", "edited_message", "callback_query", "my_chat_member"}
    media = {
        k
        for u in updates
        if "message" in u
        for k in ("photo", "sticker", "voice", "document", "reply_to_message")
        if k in u["message"]
    }
    assert media == {"photo", "sticker", "voice", "document", "reply_to_message"}
    for u in updates:
        assert validate(u, ["Update"], seen=seen) == []
    query_id = next(u["callback_query"]["id"] for u in updates if "callback_query" in u)
    await call(
        "getUpdates",
        offset=updates[-1]["update_id"] + 1,
        timeout=0,
        limit=10,
        allowed_updates=["message", "callback_query"],
    )

    # every sending / editing method and the markup kinds
    await call(
        "sendMessage",
        chat_id=USER,
        text="Nhập số",
        reply_markup={"force_reply": True, "input_field_placeholder": "VD: 1.794"},
    )
    await call(
        "sendMessage",
        chat_id=USER,
        text="Chọn",
        reply_markup={"keyboard": [[{"text": "Có"}]], "resize_keyboard": True},
    )
    await call(
        "sendMessage",
        chat_id=USER,
        text="Xong",
        reply_markup={"remove_keyboard": True},
        disable_notification=True,
    )
    await call(
        "sendMessage",
        chat_id=-100,
        text="*Đậm* _nghiêng_ 1\\.794",
        parse_mode="MarkdownV2",
        reply_parameters={"message_id": 1},
        link_preview_options={"is_disabled": True},
    )
    await call(
        "editMessageText", chat_id=USER, message_id=sent["message_id"], text="Đã chọn", reply_markup=INLINE
    )
    await call("editMessageReplyMarkup", chat_id=USER, message_id=sent["message_id"])
    await call("answerCallbackQuery", callback_query_id=query_id, text="OK")
    doc = await call(
        "sendDocument", {"document": ("bao_cao.docx", b"PK\x03\x04docx")}, chat_id=USER, caption="Báo cáo"
    )
    await call("sendDocument", chat_id=USER, document=doc["document"]["file_id"])
    photo = await call("sendPhoto", {"photo": ("chart.png", tiny_png(640, 480))}, chat_id=USER)
    file = await call("getFile", file_id=photo["photo"][-1]["file_id"])
    assert file["file_path"].startswith("photos/")
    await call("sendChatAction", chat_id=USER, action="upload_document")
    await call("deleteMessage", chat_id=USER, message_id=doc["message_id"])

    # commands per scope
    for scope in ({"type": "default"}, {"type": "all_private_chats"}, {"type": "chat", "chat_id": USER}):
        await call(
            "setMyCommands",
            commands=[{"command": "start", "description": "Bắt đầu"}],
            scope=scope,
            language_code="vi",
        )
        assert await call("getMyCommands", scope=scope, language_code="vi") == [
            {"command": "start", "description": "Bắt đầu"}
        ]
    await call("deleteMyCommands", scope={"type": "chat", "chat_id": USER}, language_code="vi")

    # webhook round trip (nothing listens: the error shows in getWebhookInfo, which must still conform)
    await call(
        "setWebhook", url="http://127.0.0.1:9/hook", secret_token="s3cret", allowed_updates=["message"]
    )
    info = await call("getWebhookInfo")
    assert info["url"] == "http://127.0.0.1:9/hook"
    await call("deleteWebhook", drop_pending_updates=True)
    assert (await call("getWebhookInfo"))["url"] == ""
    await call("close")
    await call("logOut")

    assert called == set(server.api.handlers), set(server.api.handlers) - called
    assert seen >= {
        "User",
        "Chat",
        "Message",
        "MessageEntity",
        "Update",
        "CallbackQuery",
        "MaybeInaccessibleMessage",
        "InlineKeyboardMarkup",
        "InlineKeyboardButton",
        "Document",
        "PhotoSize",
        "Sticker",
        "Voice",
        "File",
        "BotCommand",
        "WebhookInfo",
        "ChatMemberUpdated",
        "ChatMember",
        "ChatMemberMember",
        "ChatMemberBanned",
    }, seen
    assert server.spec_violations == []

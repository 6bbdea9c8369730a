"""Bot API behaviour over real HTTP: long polling, ids, buttons, edits, files, commands, errors."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from sandbox import Limits, SandboxClient, SandboxError, SandboxServer
from sandbox.media import tiny_png
from tests.sandbox.conftest import TOKEN, BotApi

KEYBOARD = {
    "inline_keyboard": [
        [{"text": "Có", "callback_data": "ans:yes"}, {"text": "Bỏ qua", "callback_data": "ans:skip"}]
    ]
}

pytestmark = pytest.mark.parametrize("limits", [Limits(enforce=False)])


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    api: BotApi, client: SandboxClient, user: int
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(api.ok("getUpdates", timeout=10))
    await asyncio.sleep(0.3)
    assert not poll.done()
    await client.send_text(user, "xin chào")
    updates = await asyncio.wait_for(poll, 3)
    assert time.monotonic() - started < 3
    assert [u["message"]["text"] for u in updates] == ["xin chào"]


async def test_long_poll_times_out_empty(api: BotApi) -> None:
    started = time.monotonic()
    assert await api.ok("getUpdates", timeout=1) == []
    assert 0.9 < time.monotonic() - started < 3


async def test_offset_confirms_and_limit(api: BotApi, client: SandboxClient, user: int) -> None:
    for i in range(3):
        await client.send_text(user, f"m{i}")
    first = await api.ok("getUpdates", limit=2)
    assert [u["message"]["text"] for u in first] == ["m0", "m1"]
    again = await api.ok("getUpdates")  # unconfirmed updates come again
    assert [u["update_id"] for u in again] == [u["update_id"] for u in first] + [first[-1]["update_id"] + 1]
    rest = await api.ok("getUpdates", offset=first[-1]["update_id"] + 1)
    assert [u["message"]["text"] for u in rest] == ["m2"]
    assert await api.ok("getUpdates", offset=rest[-1]["update_id"] + 1) == []
    assert (await client.pending_updates())["count"] == 0


async def test_a_newer_poll_terminates_the_older_with_409(api: BotApi) -> None:
    older = asyncio.create_task(api("getUpdates", timeout=5))
    await asyncio.sleep(0.2)
    assert await api.ok("getUpdates", timeout=0) == []
    status, body = await asyncio.wait_for(older, 2)
    assert status == 409 and "terminated by other getUpdates request" in body["description"]


async def test_allowed_updates_filters_kinds(api: BotApi, client: SandboxClient, user: int) -> None:
    sent = await api.ok("sendMessage", chat_id=user, text="Chọn", reply_markup=KEYBOARD)
    await client.send_text(user, "văn bản")
    await client.tap(user, sent["message_id"], data="ans:yes")
    updates = await api.ok("getUpdates", allowed_updates=["callback_query"])
    assert [next(k for k in u if k != "update_id") for u in updates] == ["callback_query"]


async def test_message_ids_increase_per_chat_for_user_and_bot(
    api: BotApi, client: SandboxClient, user: int
) -> None:
    await client.add_user(1002, "Minh")
    a = await client.send_text(user, "một")
    b = await api.ok("sendMessage", chat_id=user, text="hai")
    c = await client.send_text(1002, "khác")
    d = await client.send_text(user, "ba")
    assert (a["message_id"], b["message_id"], d["message_id"]) == (1, 2, 3)
    assert c["message_id"] == 1
    assert b["chat"] == {
        "id": user,
        "type": "private",
        "first_name": "Lan",
        "last_name": "Nguyễn",
        "username": "lan_nguyen",
    }
    assert b["from"]["is_bot"] is True and b["from"]["id"] == 123456


async def test_command_entities_like_telegram(api: BotApi, client: SandboxClient, user: int) -> None:
    await client.send_text(user, "/start abc")
    await client.send_text(user, "😀 /help@baocao_sandbox_bot now")
    updates = await api.ok("getUpdates")
    assert updates[0]["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    # offsets count UTF-16 code units: the emoji is two
    assert updates[1]["message"]["entities"] == [{"type": "bot_command", "offset": 3, "length": 24}]


async def test_group_messages(api: BotApi, client: SandboxClient, user: int) -> None:
    await client.add_group(-4001, "Xã A")
    await client.send_text(user, "/baocao", chat_id=-4001)
    [update] = await api.ok("getUpdates")
    msg = update["message"]
    assert msg["chat"] == {"id": -4001, "type": "group", "title": "Xã A"} and msg["from"]["id"] == user
    sent = await api.ok("sendMessage", chat_id=-4001, text="OK")
    assert sent["message_id"] == 2


async def test_tap_existing_button_and_answer(
    api: BotApi, client: SandboxClient, server: SandboxServer, user: int
) -> None:
    sent = await api.ok("sendMessage", chat_id=user, text="Có đồng ý?", reply_markup=KEYBOARD)
    assert sent["reply_markup"] == KEYBOARD
    tapped = await client.tap(user, sent["message_id"], text="Bỏ qua")
    [update] = await api.ok("getUpdates")
    query = update["callback_query"]
    assert query["id"] == tapped["callback_query_id"] and query["data"] == "ans:skip"
    assert query["from"]["id"] == user and query["message"]["message_id"] == sent["message_id"]
    assert query["chat_instance"]
    assert await api.ok("answerCallbackQuery", callback_query_id=query["id"], text="Đã ghi") is True
    status, body = await api("answerCallbackQuery", callback_query_id=query["id"])
    assert status == 400 and "query is too old" in body["description"]
    [answer] = await client.callback_answers()
    assert answer["text"] == "Đã ghi" and answer["data"] == "ans:skip" and answer["user_id"] == user
    status, body = await api("answerCallbackQuery", callback_query_id="123")
    assert status == 400


async def test_tap_on_a_missing_button_or_message_is_refused(
    api: BotApi, client: SandboxClient, user: int
) -> None:
    sent = await api.ok("sendMessage", chat_id=user, text="Chọn", reply_markup=KEYBOARD)
    mine = await client.send_text(user, "tôi")
    for message_id, data in [
        (sent["message_id"], "ans:nope"),
        (99, "ans:yes"),
        (mine["message_id"], "ans:yes"),
    ]:
        with pytest.raises(SandboxError) as err:
            await client.tap(user, message_id, data=data)
        assert err.value.status == 400
    url_only = await api.ok(
        "sendMessage",
        chat_id=user,
        text="x",
        reply_markup={"inline_keyboard": [[{"text": "Web", "url": "https://x.org"}]]},
    )
    with pytest.raises(SandboxError, match="no callback_data"):
        await client.tap(user, url_only["message_id"], text="Web")


async def test_old_buttons_still_tap_and_carry_the_current_message(
    api: BotApi, client: SandboxClient, user: int
) -> None:
    old = await api.ok("sendMessage", chat_id=user, text="Câu 1", reply_markup=KEYBOARD)
    await api.ok("sendMessage", chat_id=user, text="Câu 2", reply_markup=KEYBOARD)
    await api.ok(
        "editMessageText",
        chat_id=user,
        message_id=old["message_id"],
        text="Câu 1 (đã sửa)",
        reply_markup=KEYBOARD,
    )
    await client.tap(user, old["message_id"], data="ans:yes")
    [update] = await api.ok("getUpdates")
    assert update["callback_query"]["message"]["text"] == "Câu 1 (đã sửa)"
    assert "edit_date" in update["callback_query"]["message"]


async def test_edits_update_text_markup_and_history(api: BotApi, client: SandboxClient, user: int) -> None:
    sent = await api.ok("sendMessage", chat_id=user, text="Câu hỏi", reply_markup=KEYBOARD)
    edited = await api.ok(
        "editMessageText",
        chat_id=user,
        message_id=sent["message_id"],
        text="<i>Đã trả lời</i>",
        parse_mode="HTML",
    )
    assert (
        edited["text"] == "Đã trả lời"
        and "reply_markup" not in edited
        and edited["edit_date"] >= sent["date"]
    )
    status, body = await api(
        "editMessageText",
        chat_id=user,
        message_id=sent["message_id"],
        text="<i>Đã trả lời</i>",
        parse_mode="HTML",
    )
    assert status == 400 and body["description"].startswith("Bad Request: message is not modified")
    marked = await api.ok(
        "editMessageReplyMarkup", chat_id=user, message_id=sent["message_id"], reply_markup=KEYBOARD
    )
    assert marked["reply_markup"] == KEYBOARD
    [msg] = await client.bot_messages(user)
    assert msg["edited"] and msg["text"] == "Đã trả lời" and msg["reply_markup"] == KEYBOARD
    assert [h["text"] for h in msg["history"]] == ["Câu hỏi", "Đã trả lời"]
    # the user's messages and unknown messages cannot be edited
    mine = await client.send_text(user, "tôi")
    status, body = await api("editMessageText", chat_id=user, message_id=mine["message_id"], text="x")
    assert (status, body["description"]) == (400, "Bad Request: message can't be edited")
    status, body = await api("editMessageText", chat_id=user, message_id=999, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")


async def test_delete_message(api: BotApi, client: SandboxClient, user: int) -> None:
    sent = await api.ok("sendMessage", chat_id=user, text="xoá tôi")
    assert await api.ok("deleteMessage", chat_id=user, message_id=sent["message_id"]) is True
    status, _ = await api("deleteMessage", chat_id=user, message_id=sent["message_id"])
    assert status == 400
    [msg] = await client.messages(user)
    assert msg["deleted"] is True


async def test_document_upload_getfile_download_round_trip(
    api: BotApi, client: SandboxClient, http: aiohttp.ClientSession, server: SandboxServer, user: int
) -> None:
    payload = b"PK\x03\x04" + bytes(range(256)) * 10
    sent = await api.ok(
        "sendDocument",
        {"document": ("Báo cáo tuần.docx", payload)},
        chat_id=user,
        caption="<b>Tuần 50</b>",
        parse_mode="HTML",
    )
    doc = sent["document"]
    assert doc["file_name"] == "Báo cáo tuần.docx" and doc["file_size"] == len(payload)
    assert doc["mime_type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert sent["caption"] == "Tuần 50" and sent["caption_entities"] == [
        {"type": "bold", "offset": 0, "length": 7}
    ]
    file = await api.ok("getFile", file_id=doc["file_id"])
    assert file["file_unique_id"] == doc["file_unique_id"] and file["file_size"] == len(payload)
    async with http.get(f"{server.base_url}/file/bot{TOKEN}/{file['file_path']}") as resp:
        assert resp.status == 200 and await resp.read() == payload
    assert await client.download(doc["file_id"]) == payload
    [shown] = await client.bot_messages(user)
    assert shown["document"]["url"].endswith(f"/control/files/{doc['file_id']}")
    # re-send by file_id keeps the file
    again = await api.ok("sendDocument", chat_id=user, document=doc["file_id"])
    assert again["document"]["file_unique_id"] == doc["file_unique_id"]
    status, body = await api("sendDocument", chat_id=user, document="nonsense")
    assert (status, body["description"]) == (400, "Bad Request: wrong file identifier/HTTP URL specified")
    status, body = await api("sendDocument", {"document": ("empty.docx", b"")}, chat_id=user)
    assert (status, body["description"]) == (400, "Bad Request: file must be non-empty")
    status, body = await api("getFile", file_id="nope")
    assert status == 400


async def test_photos(api: BotApi, client: SandboxClient, user: int) -> None:
    png = tiny_png(800, 600)
    sent = await api.ok("sendPhoto", {"photo": ("chart.png", png)}, chat_id=user, caption="Biểu đồ")
    sizes = sent["photo"]
    assert (sizes[-1]["width"], sizes[-1]["height"]) == (800, 600) and sizes[0]["width"] == 90
    file = await api.ok("getFile", file_id=sizes[-1]["file_id"])
    assert await client.download(file["file_id"]) == png
    status, body = await api("sendPhoto", {"photo": ("x.png", b"not an image")}, chat_id=user)
    assert (status, body["description"]) == (400, "Bad Request: IMAGE_PROCESS_FAILED")
    # a user's photo can be fetched by the bot
    await client.send_photo(user, width=100, height=50)
    [update] = await api.ok("getUpdates")
    user_photo = update["message"]["photo"][-1]
    assert (user_photo["width"], user_photo["height"]) == (100, 50)
    assert (await api.ok("getFile", file_id=user_photo["file_id"]))["file_path"].startswith("photos/")


async def test_user_media_updates(api: BotApi, client: SandboxClient, user: int) -> None:
    await client.send_sticker(user, "🎉")
    await client.send_voice(user, duration=4)
    await client.send_document(user, b"a,b\n1,2\n", "so_lieu.csv", caption="số liệu")
    sticker, voice, document = (u["message"] for u in await api.ok("getUpdates"))
    assert sticker["sticker"]["emoji"] == "🎉" and sticker["sticker"]["type"] == "regular"
    assert voice["voice"]["duration"] == 4 and voice["voice"]["mime_type"] == "audio/ogg"
    assert document["document"]["file_name"] == "so_lieu.csv" and document["caption"] == "số liệu"
    file = await api.ok("getFile", file_id=document["document"]["file_id"])
    assert file["file_size"] == 8


async def test_commands_per_scope(api: BotApi, client: SandboxClient, user: int) -> None:
    base = [{"command": "start", "description": "Bắt đầu"}]
    admin = base + [{"command": "tonghop", "description": "Tổng hợp tỉnh"}]
    await api.ok("setMyCommands", commands=base)
    await api.ok(
        "setMyCommands",
        commands=base + [{"command": "baocao", "description": "Báo cáo"}],
        scope={"type": "all_private_chats"},
    )
    await api.ok("setMyCommands", commands=admin, scope={"type": "chat", "chat_id": user})
    assert await api.ok("getMyCommands") == base
    assert await api.ok("getMyCommands", scope={"type": "chat", "chat_id": user}) == admin
    assert await api.ok("getMyCommands", scope={"type": "chat", "chat_id": user}, language_code="en") == []
    shown = await client.commands(chat_id=user)
    assert shown["effective"] == admin and len(shown["sets"]) == 3
    await api.ok("deleteMyCommands", scope={"type": "chat", "chat_id": user})
    assert [c["command"] for c in (await client.commands(chat_id=user))["effective"]] == ["start", "baocao"]
    status, body = await api("setMyCommands", commands=[{"command": "Bad-Command", "description": "x"}])
    assert (status, body["description"]) == (400, "Bad Request: BOT_COMMAND_INVALID")
    status, body = await api("setMyCommands", commands=base, scope={"type": "chat", "chat_id": 424242})
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


async def test_unknown_method_and_bad_token(
    http: aiohttp.ClientSession, server: SandboxServer, client: SandboxClient
) -> None:
    for path in (f"/bot{TOKEN}/sendTelepathy", "/botnot-a-token/getMe"):
        async with http.post(server.base_url + path) as resp:
            assert resp.status == 404
            assert await resp.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    async with http.get(f"{server.base_url}/bot{TOKEN}/GETME") as resp:  # case-insensitive, GET works
        assert (await resp.json())["result"]["is_bot"] is True
    async with http.get(f"{server.base_url}/bot987:other-token/getMe") as resp:
        assert (await resp.json())["result"]["id"] == 987
    [logged] = await client.requests(method="sendTelepathy")
    assert logged["status"] == 404


async def test_unknown_and_missing_parameters(
    api: BotApi, http: aiohttp.ClientSession, server: SandboxServer, user: int
) -> None:
    status, body = await api("sendMessage", chat_id=user, text="x", colour="red")
    assert (status, body) == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: unknown parameter colour"},
    )
    status, body = await api("sendMessage", chat_id=user)
    assert body["description"] == "Bad Request: message text is empty"
    status, body = await api("sendMessage", chat_id=user, text="   ")
    assert body["description"] == "Bad Request: message text is empty"
    status, body = await api("sendMessage", text="x")
    assert body["description"] == "Bad Request: parameter chat_id is required"
    status, body = await api("sendMessage", chat_id="abc", text="x")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    status, body = await api("sendMessage", chat_id=777, text="x")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")
    status, body = await api("sendMessage", chat_id=user, text="x" * 4097)
    assert body["description"] == "Bad Request: message is too long"
    status, body = await api(
        "sendMessage", chat_id=user, text="x", reply_markup={"inline_keyboard": [[{"text": "a"}]]}
    )
    assert "Text buttons are unallowed" in body["description"]
    status, body = await api(
        "sendMessage",
        chat_id=user,
        text="x",
        reply_markup={"inline_keyboard": [[{"text": "a", "callback_data": "d" * 65}]]},
    )
    assert body["description"] == "Bad Request: BUTTON_DATA_INVALID"
    status, body = await api("sendMessage", chat_id=user, text="x", reply_parameters={"message_id": 99})
    assert body["description"] == "Bad Request: message to be replied not found"
    # JSON bodies and query strings work too
    async with http.post(
        f"{server.base_url}/bot{TOKEN}/sendMessage", json={"chat_id": user, "text": "json"}
    ) as resp:
        assert (await resp.json())["result"]["text"] == "json"
    async with http.get(
        f"{server.base_url}/bot{TOKEN}/sendMessage", params={"chat_id": str(user), "text": "query"}
    ) as resp:
        assert (await resp.json())["result"]["text"] == "query"


async def test_parse_mode_errors_like_telegram(api: BotApi, user: int) -> None:
    cases = [
        (
            "HTML",
            "Dòng 1<br>Dòng 2",
            'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 7',
        ),
        (
            "HTML",
            "<b>đậm",
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
        ),
        (
            "MarkdownV2",
            "Dân số: 1.794",
            "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
        ),
        (
            "MarkdownV2",
            "*đậm",
            "Bad Request: can't parse entities: Can't find end of Bold entity at byte offset 0",
        ),
        (
            "Markdown",
            "_nghiêng",
            "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 0",
        ),
    ]
    for mode, text, description in cases:
        status, body = await api("sendMessage", chat_id=user, text=text, parse_mode=mode)
        assert (status, body["description"]) == (400, description), text
    ok = await api.ok(
        "sendMessage",
        chat_id=user,
        text='<a href="https://x.org">liên kết</a> &lt;3 <code>x</code>',
        parse_mode="HTML",
    )
    assert ok["text"] == "liên kết <3 x"
    assert ok["entities"] == [
        {"type": "text_link", "offset": 0, "length": 8, "url": "https://x.org"},
        {"type": "code", "offset": 12, "length": 1},
    ]


async def test_blocked_user_gets_403_and_my_chat_member(
    api: BotApi, client: SandboxClient, server: SandboxServer, user: int
) -> None:
    await client.block(user)
    for method, params in [
        ("sendMessage", {"text": "x"}),
        ("sendChatAction", {"action": "typing"}),
        ("sendDocument", {"document": "x"}),
    ]:
        status, body = await api(method, chat_id=user, **params)
        assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user"), method
    [update] = await api.ok("getUpdates")
    assert update["my_chat_member"]["new_chat_member"]["status"] == "kicked"
    await client.unblock(user)
    assert (await api.ok("sendMessage", chat_id=user, text="lại"))["text"] == "lại"
    assert (await client.stats())["forbidden_403"] == 3
    await client.add_user(2002, "Chưa bắt đầu", started=False)
    status, body = await api("sendMessage", chat_id=2002, text="x")
    assert (status, body["description"]) == (403, "Forbidden: bot can't initiate conversation with a user")


async def test_send_chat_action(api: BotApi, user: int) -> None:
    assert await api.ok("sendChatAction", chat_id=user, action="typing") is True
    status, _ = await api("sendChatAction", chat_id=user, action="dancing")
    assert status == 400


async def test_lengths_are_counted_in_utf16_units_as_telegram_counts(
    api: BotApi, client: SandboxClient, user: int
) -> None:
    """2,049 emoji are 2,049 characters but 4,098 UTF-16 units: over the limit; an answer to a tap
    of 101 "𝔸" is 202 units: over its 200."""
    status, body = await api("sendMessage", chat_id=user, text="😀" * 2049)
    assert (status, body["description"]) == (400, "Bad Request: message is too long")
    assert (await api.ok("sendMessage", chat_id=user, text="😀" * 2048))["text"] == "😀" * 2048
    status, body = await api("sendDocument", {"document": ("a.txt", b"x")}, chat_id=user, caption="𝔸" * 513)
    assert (status, body["description"]) == (400, "Bad Request: message caption is too long")
    sent = await api.ok("sendMessage", chat_id=user, text="Có đồng ý?", reply_markup=KEYBOARD)
    await client.tap(user, sent["message_id"], text="Bỏ qua")
    [update] = await api.ok("getUpdates")
    status, body = await api("answerCallbackQuery", callback_query_id=update["callback_query"]["id"], text="𝔸" * 101)
    assert (status, body["description"]) == (400, "Bad Request: MESSAGE_TOO_LONG")
    assert await api.ok("answerCallbackQuery", callback_query_id=update["callback_query"]["id"], text="𝔸" * 100)

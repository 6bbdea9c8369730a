"""The real python-telegram-bot 22 against the sandbox over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from sandbox import Limits, SandboxClient, SandboxServer
from sandbox.media import tiny_png
from tests.sandbox.conftest import TOKEN

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Có", callback_data="ans:yes"),
            InlineKeyboardButton("Bỏ qua", callback_data="ans:skip"),
        ]
    ]
)


def builder(server: SandboxServer) -> ApplicationBuilder:
    return ApplicationBuilder().token(TOKEN).base_url(server.bot_base_url).base_file_url(server.file_base_url)


@pytest.fixture
async def bot(server: SandboxServer) -> AsyncIterator[Bot]:
    app = builder(server).updater(None).build()
    async with app:
        yield app.bot


@pytest.mark.parametrize("limits", [Limits(enforce=False)])
async def test_bot_methods_work(bot: Bot, client: SandboxClient, server: SandboxServer, user: int) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username, me.first_name) == (
        123456,
        True,
        "baocao_sandbox_bot",
        "Báo cáo bot",
    )

    sent = await bot.send_message(
        user, "<b>Báo cáo</b> tuần 50", parse_mode=ParseMode.HTML, reply_markup=KEYBOARD
    )
    assert sent.text == "Báo cáo tuần 50" and sent.reply_markup == KEYBOARD and sent.chat.id == user
    assert sent.entities[0].type == "bold"

    doc_msg = await bot.send_document(user, document=b"PK\x03\x04 not really a docx", filename="x.docx")
    assert doc_msg.document.file_name == "x.docx"
    file = await bot.get_file(doc_msg.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"PK\x03\x04 not really a docx"
    vn = await bot.send_document(
        user, document=b"abc", filename="Báo cáo Phước Giang.docx", caption="Tuần 50"
    )
    assert vn.document.file_name == "Báo cáo Phước Giang.docx"

    photo = await bot.send_photo(user, photo=tiny_png(300, 200))
    assert (photo.photo[-1].width, photo.photo[-1].height) == (300, 200)

    edited = await bot.edit_message_text("Đã chọn: Có", chat_id=user, message_id=sent.message_id)
    assert edited.text == "Đã chọn: Có" and edited.edit_date is not None and edited.reply_markup is None
    await bot.edit_message_reply_markup(chat_id=user, message_id=sent.message_id, reply_markup=KEYBOARD)

    await client.tap(user, sent.message_id, data="ans:skip")
    [update] = await bot.get_updates(timeout=1)
    assert (
        update.callback_query.data == "ans:skip"
        and update.callback_query.message.message_id == sent.message_id
    )
    assert await bot.answer_callback_query(update.callback_query.id, text="Đã bỏ qua") is True
    assert (await client.callback_answers())[0]["text"] == "Đã bỏ qua"

    assert (
        await bot.set_my_commands([BotCommand("start", "Bắt đầu"), BotCommand("baocao", "Nộp báo cáo")])
        is True
    )
    assert await bot.set_my_commands(
        [BotCommand("tonghop", "Tổng hợp")], scope=BotCommandScopeChat(user), language_code="vi"
    )
    assert [c.command for c in await bot.get_my_commands()] == ["start", "baocao"]
    assert [
        c.command for c in await bot.get_my_commands(scope=BotCommandScopeChat(user), language_code="vi")
    ] == ["tonghop"]
    assert (await client.commands(chat_id=user, language_code="vi"))["effective"][0]["command"] == "tonghop"
    assert await bot.delete_my_commands(scope=BotCommandScopeChat(user), language_code="vi")

    assert await bot.send_chat_action(user, ChatAction.UPLOAD_DOCUMENT)
    assert await bot.delete_message(user, doc_msg.message_id)
    info = await bot.get_webhook_info()
    assert info.url == "" and info.pending_update_count == 1  # fetched but not yet confirmed by an offset


@pytest.mark.parametrize("limits", [Limits(enforce=False)])
async def test_legacy_and_modern_arguments_pass_the_strict_spec_check(
    bot: Bot, client: SandboxClient, user: int
) -> None:
    first = await bot.send_message(user, "một")
    await bot.send_message(
        user,
        "hai",
        reply_to_message_id=first.message_id,
        allow_sending_without_reply=True,
        disable_web_page_preview=True,
        disable_notification=True,
        protect_content=True,
        reply_markup=ForceReply(input_field_placeholder="VD: 1.794"),
    )
    reply = await bot.send_message(
        user,
        "ba",
        reply_markup=ReplyKeyboardMarkup([["Có", "Không"]], resize_keyboard=True, one_time_keyboard=True),
    )
    assert reply.reply_markup is None  # Message.reply_markup only carries inline keyboards
    shown = await client.bot_messages(user)
    assert shown[1]["reply_to_message_id"] == first.message_id
    assert shown[2]["reply_markup"]["keyboard"] == [[{"text": "Có"}, {"text": "Không"}]]
    await bot.set_webhook(
        "http://127.0.0.1:9/hook", secret_token="abc", allowed_updates=Update.ALL_TYPES, max_connections=5
    )
    with pytest.raises(Conflict):
        await bot.get_updates()
    await bot.delete_webhook(drop_pending_updates=True)
    await bot.close()
    await bot.log_out()


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
@pytest.mark.parametrize("limits", [Limits(enforce=False)])
async def test_errors_map_to_ptb_exceptions(
    bot: Bot, client: SandboxClient, server: SandboxServer, user: int
) -> None:
    await client.inject_fault("sendMessage", "429", count=1, retry_after=3)
    with pytest.raises(RetryAfter, match="Retry in 3 seconds"):
        await bot.send_message(user, "x")
    with pytest.raises(BadRequest, match="(?i)unsupported start tag"):
        await bot.send_message(user, "a<br>b", parse_mode=ParseMode.HTML)
    await client.inject_fault("sendMessage", "502", count=1)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(user, "x")
    buf = io.BytesIO()
    buf.write(b"PK\x03\x04 report")  # written and not rewound: python-telegram-bot uploads 0 bytes
    with pytest.raises(BadRequest, match="(?i)file must be non-empty"):
        await bot.send_document(user, document=buf, filename="bao_cao.docx")
    await client.block(user)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(user, "x")
    await client.unblock(user)
    await client.inject_fault("sendMessage", "timeout", count=1, delay=2.0)
    with pytest.raises(TimedOut):
        await bot.send_message(user, "đã tới dù hết giờ", read_timeout=0.3)
    assert server.state.bot_messages(user)[-1].text == "đã tới dù hết giờ"


async def test_application_polls_and_its_replies_land_in_the_chat(
    server: SandboxServer, client: SandboxClient, user: int
) -> None:
    errors: list[BaseException] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"Xin chào! payload={context.args}", reply_markup=KEYBOARD)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer()
        await query.edit_message_text(f"Bạn chọn: {query.data}")
        await context.bot.send_message(query.message.chat.id, "Câu tiếp theo")

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(f"Đã nhận: {update.effective_message.text}")

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)  # type: ignore[arg-type]

    app: Application[Any, Any, Any, Any, Any, Any] = (
        builder(server).get_updates_request(HTTPXRequest(read_timeout=5)).build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_error_handler(on_error)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            sent = await client.send_text(user, "/start phuoc-giang")
            greeting = await client.wait_for_bot_message(user, after_message_id=sent["message_id"])
            assert greeting["text"] == "Xin chào! payload=['phuoc-giang']"
            tapped = await client.tap(user, greeting["message_id"], text="Có")
            follow_up = await client.wait_for_bot_message(
                user, since=tapped["seq"], predicate=lambda m: m["text"] == "Câu tiếp theo"
            )
            assert follow_up["message_id"] == greeting["message_id"] + 1
            [edited] = [
                m for m in await client.bot_messages(user) if m["message_id"] == greeting["message_id"]
            ]
            assert edited["text"] == "Bạn chọn: ans:yes" and edited["edited"]
            assert (await client.callback_answers())[0]["data"] == "ans:yes"
            # three sends to this chat within a second used the burst (greeting, edit, next question);
            # a human takes longer than that to type the next answer
            await asyncio.sleep(1.0)
            said = await client.send_text(user, "1.794")
            echo_msg = await client.wait_for_bot_message(user, after_message_id=said["message_id"])
            assert echo_msg["text"] == "Đã nhận: 1.794"
        finally:
            await app.updater.stop()
            await app.stop()
    assert errors == []
    assert (await client.pending_updates())["count"] == 0
    stats = await client.stats()
    assert stats["answered_429"] == {"limit": 0, "injected": 0}

"""The last line before Telegram: whatever a handler or a notice sends, through the bot the
application is built with, no text leaves over Telegram's limits in UTF-16 units (a message 4,096,
a caption 1,024, a callback answer 200); marked-up texts are left alone."""

from __future__ import annotations

from pathlib import Path

from bot.app import build_application
from bot.domain.message_length import utf16_len
from bot.settings import Settings
from handlers.fitting_bot import FittingBot
from tests.fakes import RecordingRequest, as_update, callback_update, text_update


async def test_every_text_sent_fits_in_telegram_units(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, database_path=tmp_path / "b.db")  # type: ignore[call-arg]
    request = RecordingRequest()
    app = build_application(settings, request=request, token="123456:TEST", rate_limiter=False)
    assert isinstance(app.bot, FittingBot)
    async with app:
        bot = app.bot
        await bot.send_message(7, "😀" * 3000)
        await bot.send_message(chat_id=7, text="𝔸" * 2100)
        message = as_update(text_update(7, "xin chào"), bot).effective_message
        assert message is not None
        await message.reply_text("👍🏽" * 1100)
        await bot.edit_message_text("😀" * 2049, chat_id=7, message_id=5)
        await bot.send_document(7, document=b"x", filename="a.docx", caption="𝔸" * 600)
        query = as_update(callback_update(7, "r:1:v"), bot).callback_query
        assert query is not None
        await query.answer("😀" * 150, show_alert=True)
        await bot.send_message(7, "<b>ngắn</b>", parse_mode="HTML")
    sent = [c for c in request.calls if c.method != "getMe"]
    assert [c.method for c in sent] == ["sendMessage", "sendMessage", "sendMessage", "editMessageText",
                                        "sendDocument", "answerCallbackQuery", "sendMessage"]
    limits = [4096, 4096, 4096, 4096, 1024, 200]
    for call, limit in zip(sent, limits, strict=False):
        text = str(call.params.get("text") or call.params.get("caption"))
        assert utf16_len(text) <= limit and text.endswith("…"), call.method
    assert sent[-1].params["text"] == "<b>ngắn</b>"

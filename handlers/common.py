"""Telegram's side of what covers every journey: the central error handler and the answers to
stray input (bot.onboarding.stray)."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, MessageHandler, filters

from bot.chat.replies import Message
from bot.context import BotContext
from bot.onboarding import stray
from handlers.delivery import deliver

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure with its update and tell the user, in Vietnamese, that nothing saved is lost."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            for reply in stray.error():
                if isinstance(reply, Message):
                    await context.bot.send_message(update.effective_chat.id, reply.text)
        except Exception:  # noqa: BLE001 - telling the user is best effort
            log.warning("could not tell the user about the error", exc_info=True)


async def on_group_message(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await deliver(update, context, stray.group_message(message.text))


async def on_media(update: Update, context: BotContext) -> None:
    if update.effective_message is not None:
        await deliver(update, context, stray.media())


async def on_unknown_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is not None and message.text:
        await deliver(update, context, stray.unknown_command(message.text))


async def on_stray_text(update: Update, context: BotContext) -> None:
    if update.effective_message is not None:
        await deliver(update, context, stray.stray_text())


async def on_stale_button(update: Update, context: BotContext) -> None:
    if update.callback_query is not None:
        await deliver(update, context, stray.stale_choice())


def register_fallbacks(application: Application[Any, Any, Any, Any, Any, Any], group: int = 0) -> None:
    """Last in the order: whatever no journey took gets a short Vietnamese hint."""
    application.add_handler(MessageHandler(filters.ChatType.GROUPS, on_group_message), group)
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL, on_media), group
    )
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.COMMAND, on_unknown_command), group)
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT, on_stray_text), group)
    application.add_handler(CallbackQueryHandler(on_stale_button), group)

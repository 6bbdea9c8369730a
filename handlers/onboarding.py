"""Telegram's side of first contact (bot.onboarding.welcome): /start with or without an
invitation's token, and /help."""

from __future__ import annotations

from typing import Any

from telegram import Message as TelegramMessage
from telegram import Update
from telegram.ext import Application, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.onboarding.codes import normalized
from bot.onboarding.linking import show_link_code
from bot.onboarding.typed_codes import typed_code
from bot.onboarding.welcome import Newcomer, help_for, start
from handlers import menus
from handlers.delivery import deliver
from handlers.identity import identity_of


async def on_start(update: Update, context: BotContext) -> None:
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None:
        return
    services = context.services
    token = context.args[0] if context.args else None
    welcome = await start(services.storage, services.settings, Newcomer(user.id, user.full_name, user.username),
                          token, now=services.clock.now())
    if welcome.identity is not None:
        context.identity = welcome.identity  # who the person is now, for the rest of this update
        await menus.set_commands_for(context.bot, message.chat_id, welcome.identity)
    await deliver(update, context, welcome.replies)


async def on_help(update: Update, context: BotContext) -> None:
    identity = await identity_of(update, context)
    if identity is None or update.effective_message is None:
        return
    await deliver(update, context, await help_for(context.services.storage, identity))


async def on_lienket(update: Update, context: BotContext) -> None:
    """/lienket: a one-time code to type on Zalo (bot.onboarding.linking)."""
    identity = await identity_of(update, context)
    if identity is None or update.effective_message is None:
        return
    services = context.services
    await deliver(update, context, await show_link_code(services.storage, identity, now=services.clock.now()))


class _CodeShaped(filters.MessageFilter):
    """A message that is just a code (an invitation's or an account link's): bot.onboarding.codes."""

    def filter(self, message: TelegramMessage) -> bool:
        return message.text is not None and normalized(message.text) is not None


async def on_code(update: Update, context: BotContext) -> None:
    """A code typed instead of following a link (as on Zalo): join, or link the accounts."""
    user = update.effective_user
    message = update.effective_message
    identity = await identity_of(update, context)
    if user is None or message is None or message.text is None or identity is None:
        return
    services = context.services
    welcome = await typed_code(services.storage, services.settings, identity, message.text,
                               full_name=user.full_name, now=services.clock.now())
    if welcome is None:
        return
    if welcome.identity is not None:
        context.identity = welcome.identity
        await menus.set_commands_for(context.bot, message.chat_id, welcome.identity)
    await deliver(update, context, welcome.replies)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(CommandHandler("start", on_start, filters=filters.ChatType.PRIVATE))
    application.add_handler(CommandHandler("help", on_help, filters=filters.ChatType.PRIVATE))
    application.add_handler(CommandHandler("lienket", on_lienket, filters=filters.ChatType.PRIVATE))
    application.add_handler(MessageHandler(
        filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND & _CodeShaped(), on_code))

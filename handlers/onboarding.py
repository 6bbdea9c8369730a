"""Telegram's side of first contact (bot.onboarding.welcome): /start with or without an
invitation's token, and /help."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.context import BotContext
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


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(CommandHandler("start", on_start, filters=filters.ChatType.PRIVATE))
    application.add_handler(CommandHandler("help", on_help, filters=filters.ChatType.PRIVATE))

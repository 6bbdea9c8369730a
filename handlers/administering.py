"""Telegram's side of the admin's journey (bot.administering): /moi and /nguoidung, and the taps
on their choices, dispatched on the decoded action."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.administering import invitations, people
from bot.chat.actions import AskRevoke, CancelRevoke, ConfirmRevoke, Invite, decode, matches
from bot.context import BotContext
from bot.onboarding import stray
from handlers.delivery import deliver
from handlers.identity import identity_of


async def moi(update: Update, context: BotContext) -> None:
    identity = await identity_of(update, context)
    if identity is None or update.effective_message is None:
        return
    await deliver(update, context, await invitations.search(context.services.storage, identity, context.args or []))


async def nguoidung(update: Update, context: BotContext) -> None:
    identity = await identity_of(update, context)
    if identity is None or update.effective_message is None:
        return
    query = " ".join(context.args or [])
    await deliver(update, context, await people.list_people(context.services.storage, identity, query))


async def on_tap(update: Update, context: BotContext) -> None:
    query = update.callback_query
    identity = await identity_of(update, context)
    if query is None or identity is None:
        return
    services = context.services
    now = services.clock.now()
    match decode(query.data):
        case Invite() as action:
            replies = await invitations.invite(services.storage, identity, action, now=now,
                                               bot_username=context.bot.username)
        case AskRevoke() | ConfirmRevoke() | CancelRevoke() as step:
            replies = await people.revoke(services.storage, identity, step, now=now)
        case _:
            replies = stray.stale_choice()
    await deliver(update, context, replies)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("moi", moi, filters=private))
    application.add_handler(CommandHandler("nguoidung", nguoidung, filters=private))
    application.add_handler(CallbackQueryHandler(on_tap, pattern=matches(Invite)))
    application.add_handler(CallbackQueryHandler(on_tap, pattern=matches(AskRevoke, ConfirmRevoke, CancelRevoke)))

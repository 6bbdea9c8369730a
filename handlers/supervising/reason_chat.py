"""The reason of a return typed in chat, on Telegram, around bot/supervising/return_reason.py: a
supervisor's private text is looked at before every journey's (a group between the identity's and
the journeys'), taken as the reason when one is awaited — nothing else then sees it — and /huy
cancels the return; any other command ends the wait and goes on to its own handler."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from bot.context import BotContext
from bot.supervising import return_reason
from bot.supervising.scope import supervises
from handlers.delivery import deliver
from handlers.identity import IDENTITY_GROUP, identity_of
from handlers.supervising.chat import telegram_tell

REASON_GROUP = IDENTITY_GROUP + 1  # after the identity is known, before the journeys (group 0)


def command_of(text: str) -> str | None:
    """"huy" for "/huy" or "/huy@baocao_bot …"; None for a text that is not a command."""
    if not text.startswith("/"):
        return None
    return text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower()


async def before_others(update: Update, context: BotContext) -> None:
    message = update.message
    identity = await identity_of(update, context)
    if message is None or message.text is None or identity is None or not supervises(identity):
        return
    services = context.services
    command = command_of(message.text)
    if command == "huy":
        cancelled = await return_reason.cancel(services, identity)
        if cancelled is not None:
            await deliver(update, context, cancelled)
            raise ApplicationHandlerStop
        return
    if command is not None:
        dropped = await return_reason.drop(services, identity, quietly=command == "tralai")
        if dropped:
            await deliver(update, context, dropped)
        return
    taken = await return_reason.take_reason(services, identity, message.text, telegram_tell(context))
    if taken is not None:
        await deliver(update, context, taken)
        raise ApplicationHandlerStop


def handler() -> MessageHandler[BotContext, None]:
    """Private text messages (not edits: an edited message is no new reason)."""
    return MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & filters.UpdateType.MESSAGE, before_others)

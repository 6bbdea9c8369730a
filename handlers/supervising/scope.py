"""The Telegram side of who may use the supervising journey: the sender's identity (looked up once
per update, ``context.identity``) and the refusal; the rules are in bot/supervising/scope.py."""

from __future__ import annotations

from telegram import Update

from bot.chat.access import Identity
from bot.context import BotContext
from bot.supervising.scope import refusal, supervises
from handlers.delivery import deliver
from handlers.identity import identity_of


async def supervisor_or_refuse(update: Update, context: BotContext) -> Identity | None:
    """The person, when they supervise a province or administer; None otherwise, after telling them
    they may not."""
    identity = await identity_of(update, context)
    if identity is None or not supervises(identity):
        await refuse(update, context)
        return None
    return identity


async def refuse(update: Update, context: BotContext) -> None:
    await deliver(update, context, refusal())

"""Who sent an update, looked up once before any handler runs (a handler of group ``IDENTITY_GROUP``,
the first), so every handler of the update reads the same identity from ``context.identity``."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.chat.access import Identity, identify
from bot.context import BotContext

IDENTITY_GROUP = -2  # first; group -1 looks at a supervisor's text before the journeys (group 0)


async def remember(update: Update, context: BotContext) -> None:
    user = update.effective_user
    if user is not None:
        services = context.services
        identity = context.identity = await identify(services.storage, services.settings, user.id)
        if identity.person is not None and identity.person.messenger == "zalo":  # back on Telegram
            await services.storage.people.set_messenger(identity.person.id, "telegram")


async def identity_of(update: Update, context: BotContext, *, again: bool = False) -> Identity | None:
    """The identity of the update's sender; ``again`` looks it up anew (after this update changed
    who the person is, e.g. an invitation accepted)."""
    if context.identity is None or again:
        await remember(update, context)
    return context.identity


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(TypeHandler(Update, remember), group=IDENTITY_GROUP)

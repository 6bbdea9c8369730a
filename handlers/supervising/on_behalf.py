"""/nhapthay on Telegram, around bot/supervising/on_behalf.py."""

from __future__ import annotations

from telegram import Update

from bot.chat.access import Identity
from bot.context import BaocaoApplication, BotContext
from bot.supervising import on_behalf
from bot.supervising.on_behalf import Resubmitted, entry_template
from handlers.delivery import deliver
from handlers.supervising.chat import telegram_tell
from handlers.supervising.scope import supervisor_or_refuse

__all__ = ["entry_template", "nhapthay", "submit"]  # entry_template: the template as the chat sends it


async def nhapthay(update: Update, context: BotContext) -> None:
    identity = await supervisor_or_refuse(update, context)
    if identity is None:
        return
    message = update.effective_message
    assert message is not None
    await deliver(update, context, await on_behalf.on_behalf_command(context.services, identity, message.text or ""))


def _resubmitted(context: BotContext) -> Resubmitted | None:
    application = context.application
    if isinstance(application, BaocaoApplication) and application.reminders is not None:
        resubmitted: Resubmitted = application.reminders.resubmitted
        return resubmitted
    return None


async def submit(update: Update, context: BotContext, identity: Identity, code: str, period_id: int) -> None:
    await deliver(update, context, await on_behalf.submit_on_behalf(
        context.services, identity, code, period_id, telegram_tell(context), _resubmitted(context)))

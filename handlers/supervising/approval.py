"""/duyet and /tralai, and the reporter's «Sửa báo cáo» on a returned report (which opens the
reporting journey's edit menu): Telegram in and out around bot/supervising/approval.py. When the
corrected report is sent again, the supervisor who returned it is told
(``ReminderScheduler.resubmitted``, called by the reporting journey)."""

from __future__ import annotations

from telegram import Update

from bot.chat.access import Identity
from bot.context import BotContext
from bot.reporting.screens import edit_menu
from bot.supervising import approval
from handlers.delivery import deliver
from handlers.identity import identity_of
from handlers.supervising.chat import telegram_tell
from handlers.supervising.scope import supervisor_or_refuse


def _arguments(update: Update) -> str:
    message = update.effective_message
    parts = ((message.text or "") if message else "").split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


async def duyet(update: Update, context: BotContext) -> None:
    identity = await supervisor_or_refuse(update, context)
    if identity is None:
        return
    parsed = approval.approve_arguments(_arguments(update))
    if isinstance(parsed, list):
        await deliver(update, context, parsed)
        return
    await approve(update, context, identity, parsed)


async def approve(update: Update, context: BotContext, identity: Identity, submission_id: int) -> None:
    await deliver(update, context, await approval.approve(context.services, identity, submission_id,
                                                          telegram_tell(context)))


async def tralai(update: Update, context: BotContext) -> None:
    identity = await supervisor_or_refuse(update, context)
    if identity is None:
        return
    await deliver(update, context, await approval.return_report(context.services, identity, _arguments(update),
                                                                telegram_tell(context)))


async def correct_returned(update: Update, context: BotContext, submission_id: int) -> None:
    """The reporter's «Sửa báo cáo» on a returned report: the edit menu of that period's report;
    the reporting journey takes it from there."""
    identity = await identity_of(update, context)
    assert identity is not None
    opened = await approval.open_correction(context.services, identity, submission_id)
    if isinstance(opened, list):
        await deliver(update, context, opened)
        return
    await deliver(update, context, [edit_menu(opened).message()])

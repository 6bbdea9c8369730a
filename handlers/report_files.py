"""Telegram's side of the reports' .docx files (bot/reporting/documents.py): /baocaocu lists the
periods submitted, and a tap on one sends its file."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.chat.actions import EarlierReports, PastReportFile, decode, matches
from bot.context import BotContext
from bot.reporting.documents import earlier_reports as list_earlier_reports
from bot.reporting.documents import past_report_file
from handlers.delivery import deliver
from handlers.identity import identity_of


async def earlier_reports(update: Update, context: BotContext) -> None:
    """/baocaocu: the periods this person's communes submitted, newest first, as buttons."""
    identity = await identity_of(update, context)
    if update.effective_message is not None and identity is not None:
        await deliver(update, context, await list_earlier_reports(context.services, identity, context.args or ()))


async def on_file_button(update: Update, context: BotContext) -> None:
    identity = await identity_of(update, context)
    action = decode(update.callback_query.data if update.callback_query else None)
    if identity is not None and isinstance(action, PastReportFile):
        await deliver(update, context, await past_report_file(context.services, identity, action))
    elif identity is not None and isinstance(action, EarlierReports):
        if update.callback_query is not None:
            await update.callback_query.answer()
        await deliver(update, context, await list_earlier_reports(context.services, identity, (), action.form))


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(CommandHandler("baocaocu", earlier_reports, filters=filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(on_file_button, pattern=matches(PastReportFile, EarlierReports)))

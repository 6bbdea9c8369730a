"""Telegram's side of the reporting journey (bot/reporting/journey.py): /baocao, /huy, the commune
and the report chosen («Nhập báo cáo» under a notice too), typed and edited messages, media mid-form and the taps on the questions' buttons go to the
service; its replies are delivered, and the date Telegram gave a question's first message is
recorded (a typed answer dated before it is not taken)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.chat.actions import ChooseCommune, ChooseReport, OpenReport, decode, matches
from bot.context import BaocaoApplication, BotContext
from bot.reporting.journey import DRAFT_ACTIONS, ReportingJourney, Turn
from handlers.delivery import deliver
from handlers.identity import identity_of


def journey(context: BotContext) -> ReportingJourney:
    scheduler = context.application.reminders if isinstance(context.application, BaocaoApplication) else None
    return ReportingJourney(context.services, scheduler.resubmitted if scheduler is not None else None)


async def _send(update: Update, context: BotContext, turn: Turn) -> None:
    sent = await deliver(update, context, turn.replies)
    await turn.shown(sent[0].date if sent else None)


async def baocao(update: Update, context: BotContext) -> None:
    """/baocao; also «Nhập báo cáo» under a notice (handlers/calendar.py, which answers that tap)."""
    identity = await identity_of(update, context)
    if identity is not None:
        await _send(update, context, await journey(context).start(identity))


async def choose_unit(update: Update, context: BotContext) -> None:
    identity = await identity_of(update, context)
    action = decode(update.callback_query.data if update.callback_query else None)
    if identity is not None and isinstance(action, ChooseCommune):
        await _send(update, context, await journey(context).choose_commune(identity, action))


async def choose_report(update: Update, context: BotContext) -> None:
    """A report chosen after /baocao (several open), or «Nhập báo cáo» under a notice (handlers/calendar.py)."""
    identity = await identity_of(update, context)
    action = decode(update.callback_query.data if update.callback_query else None)
    if identity is not None and isinstance(action, ChooseReport | OpenReport):
        await _send(update, context, await journey(context).choose_report(identity, action))


async def on_text(update: Update, context: BotContext) -> None:
    message = update.effective_message
    identity = await identity_of(update, context)
    if message is None or message.text is None or identity is None:
        return
    turn = await journey(context).text(identity, message.text, sent_at=message.date,
                                       edited=update.edited_message is not None, message=message.message_id)
    await _send(update, context, turn)


async def on_media(update: Update, context: BotContext) -> None:
    """A photo, sticker, voice or file mid-conversation: say so, and ask the question again."""
    identity = await identity_of(update, context)
    if update.effective_message is not None and identity is not None:
        await _send(update, context, await journey(context).media(identity))


async def cancel(update: Update, context: BotContext) -> None:
    """/huy: pause; nothing answered is lost."""
    identity = await identity_of(update, context)
    if update.effective_message is not None and identity is not None:
        await _send(update, context, await journey(context).cancel(identity))


async def on_button(update: Update, context: BotContext) -> None:
    identity = await identity_of(update, context)
    action = decode(update.callback_query.data if update.callback_query else None)
    if identity is not None and isinstance(action, DRAFT_ACTIONS):
        await _send(update, context, await journey(context).tap(identity, action))


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("baocao", baocao, filters=private))
    application.add_handler(CommandHandler("huy", cancel, filters=private))
    application.add_handler(CallbackQueryHandler(choose_unit, pattern=matches(ChooseCommune)))
    application.add_handler(CallbackQueryHandler(choose_report, pattern=matches(ChooseReport)))
    application.add_handler(CallbackQueryHandler(on_button, pattern=matches(*DRAFT_ACTIONS)))
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL, on_media)
    )

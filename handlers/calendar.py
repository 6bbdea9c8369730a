"""Telegram's side of the calendar in chat (bot.calendar): the choices under notices
(«Nhập báo cáo», «Nhắc các xã chưa nộp»), a reporter's leave (/nghiphep), the admin's view and
change of the calendar (/lich), and Telegram's word that someone blocked the bot."""

from __future__ import annotations

import logging
from typing import Any

from telegram import ChatMemberUpdated, Update
from telegram.ext import Application, CallbackQueryHandler, ChatMemberHandler, CommandHandler, filters

from bot.calendar.blocking import chat_closed, chat_opened
from bot.calendar.leave import leave
from bot.calendar.nudging import nudge_missing
from bot.calendar.schedule import calendar
from bot.chat.actions import NudgeMissing, OpenReport, decode, matches
from bot.context import BotContext
from bot.notices.timetable import Timetable
from bot.onboarding import stray
from handlers import reporting
from handlers.delivery import deliver
from handlers.identity import identity_of

log = logging.getLogger(__name__)


def _scheduler(context: BotContext) -> Timetable:
    scheduler = getattr(context.application, "reminders", None)
    assert isinstance(scheduler, Timetable), "the reminder scheduler is installed by initialize()"
    return scheduler


async def open_report(update: Update, context: BotContext) -> None:
    """«Nhập báo cáo» on an opening, reminder or deadline notice: that notice's report."""
    await reporting.choose_report(update, context)


async def nudge(update: Update, context: BotContext) -> None:
    """«Nhắc các xã chưa nộp» on the supervisor's list: remind those still missing, once an hour at most."""
    query = update.callback_query
    identity = await identity_of(update, context)
    if query is None or identity is None:
        return
    action = decode(query.data)
    if not isinstance(action, NudgeMissing):
        await deliver(update, context, stray.stale_choice())
        return
    scheduler = _scheduler(context)
    replies = await nudge_missing(context.services.storage, identity, action, scheduler.nudge,
                                  now=context.services.clock.now(), nudge_minutes=scheduler.config.nudge_minutes,
                                  forms=context.services.forms)
    await deliver(update, context, replies)


async def nghiphep(update: Update, context: BotContext) -> None:
    identity = await identity_of(update, context)
    if identity is None or update.effective_message is None:
        return
    services = context.services
    await deliver(update, context, await leave(services.storage, identity, context.args or [],
                                               now=services.clock.now()))


async def lich(update: Update, context: BotContext) -> None:
    identity = await identity_of(update, context)
    if identity is None or update.effective_message is None:
        return
    services = context.services
    replies = await calendar(services.storage, services.forms, identity, context.args or [],
                             _scheduler(context).change_calendar, now=services.clock.now())
    await deliver(update, context, replies)


async def on_my_chat_member(update: Update, context: BotContext) -> None:
    """Telegram says a user blocked (or unblocked) the bot in their private chat."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    storage = context.services.storage
    now = context.services.clock.now()
    status = change.new_chat_member.status
    if status in ("kicked", "left"):
        await chat_closed(storage, change.from_user.id, _scheduler(context).blocked, now=now)
    elif status == "member":
        await chat_opened(storage, change.from_user.id, now=now)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CallbackQueryHandler(open_report, pattern=matches(OpenReport)))
    application.add_handler(CallbackQueryHandler(nudge, pattern=matches(NudgeMissing)))
    application.add_handler(CommandHandler("nghiphep", nghiphep, filters=private))
    application.add_handler(CommandHandler("lich", lich, filters=private))
    application.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))

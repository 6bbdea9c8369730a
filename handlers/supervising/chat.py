"""Sending in the supervisor's chat: the «sv:» callback data, replies split to Telegram's length, telling a commune's
reporters, and the form and clock the journey works with."""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.domain.forms import WEEKLY_FORM_ID, Form
from bot.domain.message_length import message_parts
from storage.models import Unit

log = logging.getLogger(__name__)
PREFIX = "sv"


def data(*parts: object) -> str:
    value = ":".join([PREFIX, *(str(part) for part in parts)])
    assert len(value.encode()) <= 64, value
    return value


def form_of(context: BotContext, form_id: str = WEEKLY_FORM_ID) -> Form:
    return context.services.forms[form_id]


def now_of(context: BotContext) -> datetime:
    return context.services.clock.now()


def chat_id_of(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


async def reply(update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup | None = None,
                parse_mode: str | None = None) -> Message | None:
    parts = message_parts(text)
    sent = None
    for index, part in enumerate(parts):
        sent = await context.bot.send_message(chat_id_of(update), part, parse_mode=parse_mode,
                                              reply_markup=markup if index == len(parts) - 1 else None)
    return sent


async def tell_reporters(context: BotContext, unit: Unit, text: str,
                         markup: InlineKeyboardMarkup | None = None) -> int:
    told = 0
    for person in await context.services.storage.people.reporters_of(unit.code):
        try:
            await context.bot.send_message(person.telegram_id, text, reply_markup=markup)
            told += 1
        except TelegramError:
            log.warning("could not tell reporter %s of %s", person.id, unit.code, exc_info=True)
    return told

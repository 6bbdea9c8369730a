"""Sending in the supervisor's chat outside a tap's own answer, and telling a commune's reporters
(the journey's ``Tell`` on Telegram)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.chat.replies import Message as Said
from bot.context import BotContext
from bot.supervising.tell import Tell
from handlers.delivery import keyboard
from storage.models import Person

log = logging.getLogger(__name__)


def chat_id_of(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


def telegram_tell(context: BotContext) -> Tell:
    """The journey's ``Tell`` on Telegram: one message to the person's private chat."""

    async def tell(person: Person, message: Said) -> bool:
        if person.telegram_id is None:
            return False  # only on Zalo: not reachable from here
        try:
            await context.bot.send_message(person.telegram_id, message.text, reply_markup=keyboard(message))
        except TelegramError:
            log.warning("could not tell reporter %s", person.id, exc_info=True)
            return False
        return True

    return tell

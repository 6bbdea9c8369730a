"""Sending in the supervisor's chat outside a tap's own answer, and telling a commune's reporters
(the journey's ``Tell`` on Telegram)."""

from __future__ import annotations

import logging

from telegram import Bot, Update
from telegram.error import TelegramError

from bot.chat.replies import Message as Said
from bot.context import BotContext
from bot.notices.routing import messenger_of
from bot.supervising.tell import Tell
from handlers.delivery import keyboard
from storage.models import Person

log = logging.getLogger(__name__)


def chat_id_of(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


def telegram_tell(context: BotContext) -> Tell:
    """The journey's ``Tell`` on Telegram: one message to the person's private chat — on Zalo,
    when that is the messenger they used last and the Zalo channel runs."""
    zalo = getattr(context.application, "zalo_channel", None)
    return bot_tell(context.bot, zalo.tell if zalo is not None else None)


def bot_tell(bot: Bot, zalo: Tell | None = None) -> Tell:
    """A ``Tell`` over ``bot`` (outside any update: the Zalo channel's way to Telegram people);
    ``zalo`` takes those who use Zalo."""

    async def tell(person: Person, message: Said) -> bool:
        if messenger_of(person, zalo_runs=zalo is not None) == "zalo":  # as the notices go
            return await zalo(person, message) if zalo is not None else False  # only on Zalo, no channel here
        assert person.telegram_id is not None
        try:
            await bot.send_message(person.telegram_id, message.text, reply_markup=keyboard(message))
        except TelegramError:
            log.warning("could not tell reporter %s", person.id, exc_info=True)
            return False
        return True

    return tell

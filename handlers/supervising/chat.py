"""Sending in the supervisor's chat outside a tap's own answer, and telling a commune's reporters
(the journey's ``Tell`` on Telegram)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.domain.message_length import message_parts
from bot.replies import Document, Picture, Reply
from bot.replies import Message as Said
from bot.supervising.tell import Tell
from handlers.delivery import keyboard
from storage.models import Person

log = logging.getLogger(__name__)


def chat_id_of(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


async def send_reply(context: BotContext, chat_id: int, reply: Reply) -> None:
    """A reply sent to a chat outside the update's own answer (after a tap was answered, or from
    work running in the background): messages, pictures and files; taps are not answered here."""
    if isinstance(reply, Picture):
        await context.bot.send_photo(chat_id, photo=reply.content, caption=reply.caption or None)
    elif isinstance(reply, Document):
        await context.bot.send_document(chat_id, document=reply.content, filename=reply.filename,
                                        caption=reply.caption or None)
    elif isinstance(reply, Said):
        parts = message_parts(reply.text)
        for index, part in enumerate(parts):
            await context.bot.send_message(chat_id, part,
                                           reply_markup=keyboard(reply) if index == len(parts) - 1 else None)


def telegram_tell(context: BotContext) -> Tell:
    """The journey's ``Tell`` on Telegram: one message to the person's private chat."""

    async def tell(person: Person, message: Said) -> bool:
        try:
            await context.bot.send_message(person.telegram_id, message.text, reply_markup=keyboard(message))
        except TelegramError:
            log.warning("could not tell reporter %s", person.id, exc_info=True)
            return False
        return True

    return tell

"""Telegram's side of a journey's replies: messages with their choices become messages with inline
buttons (each choice's action encoded as callback data in bot.actions), long texts are split as
Telegram counts them, files and pictures are sent, and taps are answered."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram import Message as TelegramMessage
from telegram.error import BadRequest

from bot.actions import encode
from bot.context import BotContext
from bot.domain.message_length import message_parts
from bot.replies import ClearChoices, Document, Message, Picture, Reply, TapAnswer


def keyboard(message: Message) -> InlineKeyboardMarkup | None:
    """The message's choices as inline buttons, or None when it has none."""
    if not message.choices:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(choice.label, callback_data=encode(choice.action))
                                  for choice in row] for row in message.choices])


async def deliver(update: Update, context: BotContext, replies: Sequence[Reply]) -> list[TelegramMessage]:
    """Send ``replies`` in order to the chat of ``update``; returns the messages sent. A tap left
    unanswered by the replies is acknowledged at the end, so its button stops spinning."""
    chat = update.effective_chat
    query = update.callback_query
    tapped = query.message if query is not None and isinstance(query.message, TelegramMessage) else None
    answered = False
    sent: list[TelegramMessage] = []
    for reply in replies:
        if isinstance(reply, TapAnswer):
            if query is not None and not answered:
                await query.answer(reply.text or None, show_alert=reply.alert)
                answered = True
            elif reply.text and chat is not None:
                sent.append(await context.bot.send_message(chat.id, reply.text))
        elif isinstance(reply, ClearChoices):
            if tapped is not None and tapped.reply_markup is not None:
                try:
                    await tapped.edit_reply_markup(reply_markup=None)
                except BadRequest:  # already changed by another tap
                    pass
        elif chat is None:
            continue
        elif isinstance(reply, Message):
            sent.extend(await _send_text(context, chat.id, reply, tapped))
        elif isinstance(reply, Document):
            sent.append(await context.bot.send_document(chat.id, document=reply.content, filename=reply.filename,
                                                        caption=reply.caption or None))
        elif isinstance(reply, Picture):
            sent.append(await context.bot.send_photo(chat.id, photo=reply.content, caption=reply.caption or None))
    if query is not None and not answered:
        try:
            await query.answer()
        except BadRequest:  # answered already by the handler that handed this update on, or too old
            pass
    return sent


async def _send_text(context: BotContext, chat_id: int, message: Message,
                     tapped: TelegramMessage | None) -> list[TelegramMessage]:
    parts = message_parts(message.text)  # no blank piece: Telegram refuses an empty message
    markup = keyboard(message)
    if message.replace and tapped is not None and len(parts) == 1:
        try:
            edited = await tapped.edit_text(parts[0], reply_markup=markup)
            return [edited] if isinstance(edited, TelegramMessage) else []
        except BadRequest:  # unchanged, or too old to edit: send it anew
            pass
    sent = []
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        sent.append(await context.bot.send_message(chat_id, part, reply_markup=markup if last else None))
    return sent

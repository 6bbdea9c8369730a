"""Telegram's side of a journey's replies: messages with their choices become messages with inline
buttons (each choice's action encoded as callback data in bot.chat.actions), long texts are split as
Telegram counts them, files and pictures are sent, and taps are answered."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram import Message as TelegramMessage
from telegram.error import BadRequest, TelegramError

from bot.chat.actions import encode
from bot.chat.replies import ClearChoices, Document, Later, Message, Picture, Reply, TapAnswer, ToOthers
from bot.context import BaocaoApplication, BotContext
from bot.domain.message_length import message_parts

log = logging.getLogger(__name__)

LATER_WAIT = 0.5  # seconds a Later reply is waited for before the next update is taken


def keyboard(message: Message | Document) -> InlineKeyboardMarkup | None:
    """The message's (or file's) choices as inline buttons, or None when it has none."""
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
        if isinstance(reply, TapAnswer) and query is not None and not answered:
            await query.answer(reply.text or None, show_alert=reply.alert)
            answered = True
        elif isinstance(reply, ClearChoices):
            await _clear(tapped, reply)
        elif chat is not None:
            sent.extend(await send(context, chat.id, reply, tapped, update))
    if query is not None and not answered:
        try:
            await query.answer()
        except BadRequest:  # answered already by the handler that handed this update on, or too old
            pass
    return sent


async def send(context: BotContext, chat_id: int, reply: Reply, tapped: TelegramMessage | None = None,
               update: Update | None = None) -> list[TelegramMessage]:
    """One reply to a chat, outside a tap's own answer (a tap's answer becomes a message; the
    choices of ``tapped`` can be replaced by a message that asks to). A ``Later`` reply that fails
    reaches the error handlers with ``update``, so its sender is told."""
    if isinstance(reply, Message):
        return await _send_text(context, chat_id, reply, tapped)
    if isinstance(reply, Document):
        return [await context.bot.send_document(chat_id, document=reply.content, filename=reply.filename,
                                                caption=reply.caption or None, reply_markup=keyboard(reply))]
    if isinstance(reply, Picture):
        return [await context.bot.send_photo(chat_id, photo=reply.content, caption=reply.caption or None)]
    if isinstance(reply, TapAnswer) and reply.text:
        return [await context.bot.send_message(chat_id, reply.text)]
    if isinstance(reply, ToOthers):
        await tell_others(context, reply)
    if isinstance(reply, Later):
        # Made beside the updates; waited for a moment, so that a report made in the usual tens of
        # milliseconds still comes before the answer to the person's next message.
        await asyncio.wait({beside_updates(context, _later(context, chat_id, reply), update)}, timeout=LATER_WAIT)
    return []


def beside_updates(context: BotContext, work: Coroutine[Any, Any, None],
                   update: object | None = None) -> asyncio.Task[None]:
    """Run ``work`` beside the updates (python-telegram-bot handles them one at a time): a report
    file whose template runs up to the render time limit holds no one else's message."""
    application = context.application
    assert isinstance(application, BaocaoApplication)
    return application.in_background(work, update)


async def _later(context: BotContext, chat_id: int, later: Later) -> None:
    for reply in await later.make():
        await send(context, chat_id, reply)


async def _clear(tapped: TelegramMessage | None, reply: ClearChoices) -> None:
    if tapped is None:
        return
    parts = message_parts(reply.text) if reply.text else []
    try:
        if len(parts) == 1 and parts[0] != tapped.text:
            await tapped.edit_text(parts[0], reply_markup=None)
        elif tapped.reply_markup is not None:
            await tapped.edit_reply_markup(reply_markup=None)
    except BadRequest:  # already changed by another tap
        pass


async def tell_others(context: BotContext, notice: ToOthers) -> None:
    """Send ``notice`` to each of its chats; one that cannot be reached is logged and skipped."""
    for chat_id in notice.chat_ids:
        try:
            await context.bot.send_message(chat_id, notice.text)
        except TelegramError:
            log.warning("could not reach %s", chat_id, exc_info=True)


async def _send_text(context: BotContext, chat_id: int, message: Message,
                     tapped: TelegramMessage | None) -> list[TelegramMessage]:
    parts = message_parts(message.text)
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

"""/tonghop and /chuanop on Telegram, around bot/supervising/rollup.py and missing.py: the rollup
is made beside the update queue (others are answered meanwhile; a second request of the same
chat is asked to wait), its progress shown by editing the «Đang tổng hợp…» message."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from typing import Any, TypeVar

from telegram import Message, Update
from telegram.error import BadRequest, TelegramError

from bot.chat.access import Identity
from bot.chat.actions import ShowRollup
from bot.chat.catalogue import say
from bot.chat.replies import Message as Said
from bot.context import BotContext
from bot.domain.message_length import message_parts
from bot.supervising import missing, rollup
from bot.supervising.rollup_service import ProgressState
from handlers.delivery import beside_updates, deliver, keyboard, send
from handlers.supervising.chat import chat_id_of
from handlers.supervising.scope import supervisor_or_refuse

log = logging.getLogger(__name__)
PROGRESS_AFTER = 0.7  # seconds before the first progress edit ("more than a moment")
PROGRESS_EVERY = 1.0  # seconds between progress edits (Telegram allows about one edit a second)
GOODBYE_TIMEOUT = 2.0  # seconds to tell the official, at shutdown, that the rollup was cut off
RUNNING = "rollups_running"  # bot_data: the chats whose rollup is being made
T = TypeVar("T")


async def tonghop(update: Update, context: BotContext) -> None:
    identity = await supervisor_or_refuse(update, context)
    if identity is None:
        return
    await _start(update, context, identity,
                 await rollup.rollup_command(context.services, identity, list(context.args or [])))


async def on_rollup_tap(update: Update, context: BotContext, identity: Identity, action: ShowRollup) -> None:
    await _start(update, context, identity, await rollup.rollup_tap(context.services, identity, action))


async def _start(update: Update, context: BotContext, identity: Identity, asked: rollup.Asked) -> None:
    if isinstance(asked, list):
        await deliver(update, context, asked)
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    chat_id = chat_id_of(update)
    running: set[int] = context.bot_data.setdefault(RUNNING, set())
    if chat_id in running:
        await deliver(update, context, rollup.busy())
        return
    status = await context.bot.send_message(chat_id, asked.started)
    running.add(chat_id)
    # the work takes seconds for a whole country: the other officials' messages do not wait for it
    beside_updates(context, _make_and_send(context, identity, asked, status, running), update)


async def _make_and_send(context: BotContext, identity: Identity, job: rollup.RollupJob, status: Message,
                         running: set[int]) -> None:
    chat_id = status.chat_id
    try:
        progress = ProgressState()
        replies = await _with_progress(context, status, progress,
                                       rollup.make_rollup(context.services, identity, job, progress))
        first, rest = replies[0], replies[1:]
        assert isinstance(first, Said)
        await _show(context, status, first)
        for reply in rest:
            await send(context, chat_id, reply)
    except asyncio.CancelledError:  # the bot is shutting down: say so, briefly, rather than nothing
        with contextlib.suppress(Exception):
            await asyncio.wait_for(context.bot.send_message(chat_id, say("shutdown.rollup_interrupted")),
                                   GOODBYE_TIMEOUT)
        raise
    finally:
        running.discard(chat_id)


async def _show(context: BotContext, status: Message, message: Said) -> None:
    """The rollup's message in place of «Đang tổng hợp…», its choices under its last part."""
    parts = message_parts(message.text)
    markup = keyboard(message)
    await _edit(context, status, parts[0], markup if len(parts) == 1 else None)
    for index, part in enumerate(parts[1:], start=1):
        await context.bot.send_message(status.chat_id, part, reply_markup=markup if index == len(parts) - 1 else None)


async def _edit(context: BotContext, message: Message, text: str, markup: Any = None) -> None:
    try:
        await context.bot.edit_message_text(text, chat_id=message.chat_id, message_id=message.message_id,
                                            reply_markup=markup)
    except BadRequest:  # unchanged text, or the message is gone: say it anew
        await context.bot.send_message(message.chat_id, text, reply_markup=markup)


async def _with_progress(context: BotContext, status: Message, progress: ProgressState, work: Awaitable[T]) -> T:
    """Await ``work``, editing ``status`` with the progress when it takes more than a moment."""
    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    started = loop.time()
    shown = ""
    while True:
        elapsed = loop.time() - started
        wait = PROGRESS_AFTER - elapsed if not shown and elapsed < PROGRESS_AFTER else PROGRESS_EVERY
        try:
            done, _ = await asyncio.wait({task}, timeout=max(wait, 0.01))
        except asyncio.CancelledError:
            task.cancel()  # the work stops too (its worker thread at its next step)
            raise
        if done:
            return task.result()
        text = progress.text
        if text and text != shown:
            shown = text
            try:
                await context.bot.edit_message_text(text, chat_id=status.chat_id, message_id=status.message_id)
            except TelegramError:  # progress is best effort
                log.debug("progress edit failed", exc_info=True)


async def chuanop(update: Update, context: BotContext) -> None:
    identity = await supervisor_or_refuse(update, context)
    if identity is None:
        return
    await deliver(update, context, await missing.missing_command(context.services, identity,
                                                                 " ".join(context.args or [])))

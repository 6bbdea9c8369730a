"""/xa on Telegram, around bot/supervising/commune.py: the commune's card, its recent weeks in a
fixed-width block (HTML <pre>) and its .docx."""

from __future__ import annotations

import html
from collections.abc import Sequence

from telegram import Update
from telegram.constants import ParseMode

from bot.context import BotContext
from bot.supervising.commune import CardPart, HistoryTable, commune_command
from handlers.delivery import beside_updates, deliver, send
from handlers.supervising.chat import chat_id_of
from handlers.supervising.scope import supervisor_or_refuse


async def xa(update: Update, context: BotContext) -> None:
    identity = await supervisor_or_refuse(update, context)
    if identity is None:
        return
    query = " ".join(context.args or [])

    async def card() -> None:  # its .docx renders beside the updates (a slow template holds no one)
        await show_card(update, context, await commune_command(context.services, identity, query))

    beside_updates(context, card(), update)


async def show_card(update: Update, context: BotContext, parts: Sequence[CardPart]) -> None:
    """The card's replies in order (the tap answered with the first ones), its table as a
    monospace block."""
    tables = [index for index, part in enumerate(parts) if isinstance(part, HistoryTable)]
    split = tables[0] if tables else len(parts)
    await deliver(update, context, [part for part in parts[:split] if not isinstance(part, HistoryTable)])
    chat_id = chat_id_of(update)
    for part in parts[split:]:
        if isinstance(part, HistoryTable):
            body = html.escape("\n".join(part.lines()))
            await context.bot.send_message(chat_id, f"{part.title}\n<pre>{body}</pre>", parse_mode=ParseMode.HTML)
        else:
            await send(context, chat_id, part)

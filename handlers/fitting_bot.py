"""The bot every handler and notice sends through: python-telegram-bot's ExtBot, except that no text
leaves over Telegram's limits, counted as Telegram counts them (UTF-16 code units).

Long texts are split where they are made (``message_parts``); this is the last line: a message text
over 4,096 units, a caption over 1,024 or a callback answer over 200 is cut with "…" (and logged)
rather than refused by Telegram, which would leave the person with no answer at all. Texts with a
parse mode or entities are left alone: cutting them could break their markup."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Message
from telegram.ext import ExtBot

from bot.domain.message_length import MAX_CALLBACK_ANSWER, MAX_CAPTION, MAX_TEXT, cut, utf16_len

log = logging.getLogger(__name__)


def _fitted(args: tuple[Any, ...], kwargs: dict[str, Any], name: str, index: int | None, limit: int,
            method: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``args``/``kwargs`` with the text called ``name`` (or positional at ``index``) cut to ``limit``."""
    marked = any(kwargs.get(key) for key in ("parse_mode", "entities", "caption_entities"))  # DEFAULT_NONE is falsy
    if marked or (index is not None and len(args) > index + 1):  # markup, or parameters given by position
        return args, kwargs
    if isinstance(kwargs.get(name), str):
        text = kwargs[name]
        if utf16_len(text) > limit:
            log.warning("%s: a text of %d UTF-16 units was cut to %d", method, utf16_len(text), limit)
            kwargs = {**kwargs, name: cut(text, limit)}
    elif index is not None and len(args) > index and isinstance(args[index], str):
        text = args[index]
        if utf16_len(text) > limit:
            log.warning("%s: a text of %d UTF-16 units was cut to %d", method, utf16_len(text), limit)
            args = (*args[:index], cut(text, limit), *args[index + 1:])
    return args, kwargs


class FittingBot(ExtBot[Any]):
    """ExtBot whose texts always fit (see the module's docstring)."""

    async def send_message(self, *args: Any, **kwargs: Any) -> Message:
        args, kwargs = _fitted(args, kwargs, "text", 1, MAX_TEXT, "sendMessage")
        return await super().send_message(*args, **kwargs)

    async def edit_message_text(self, *args: Any, **kwargs: Any) -> Message | bool:
        args, kwargs = _fitted(args, kwargs, "text", 0, MAX_TEXT, "editMessageText")
        return await super().edit_message_text(*args, **kwargs)

    async def send_document(self, *args: Any, **kwargs: Any) -> Message:
        args, kwargs = _fitted(args, kwargs, "caption", None, MAX_CAPTION, "sendDocument")
        return await super().send_document(*args, **kwargs)

    async def send_photo(self, *args: Any, **kwargs: Any) -> Message:
        args, kwargs = _fitted(args, kwargs, "caption", None, MAX_CAPTION, "sendPhoto")
        return await super().send_photo(*args, **kwargs)

    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        args, kwargs = _fitted(args, kwargs, "text", None, MAX_CALLBACK_ANSWER, "answerCallbackQuery")
        return await super().answer_callback_query(*args, **kwargs)

"""Text measured as Telegram measures it: in UTF-16 code units, not Python characters.

An emoji, "𝔸" or any other character outside the Basic Multilingual Plane is one Python character but
two UTF-16 units, and Telegram refuses a message over 4,096 units ("message is too long"), a caption
over 1,024 and a callback answer over 200. Everything the bot sends is measured here: ``split_message``
cuts a long text into messages at line ends, ``cut`` shortens one value shown in a reply. Another
messenger's limit is given with its own ``measure`` (Zalo counts characters: ``len``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

Measure = Callable[[str], int]  # the length a messenger counts for a text

MAX_TEXT = 4096  # sendMessage, editMessageText
MAX_CAPTION = 1024  # sendDocument, sendPhoto
MAX_CALLBACK_ANSWER = 200  # answerCallbackQuery's text
ELLIPSIS = "…"


def utf16_len(text: str) -> int:
    """The length Telegram counts: UTF-16 code units (two for a character beyond U+FFFF)."""
    return len(text.encode("utf-16-le")) // 2


def _units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def _fit_end(text: str, start: int, limit: int, measure: Measure = utf16_len) -> int:
    """The largest ``end`` such that ``text[start:end]`` measures at most ``limit`` units."""
    units = _units if measure is utf16_len else measure
    used, end = 0, start
    while end < len(text):
        used += units(text[end])
        if used > limit:
            break
        end += 1
    return end


def _joins_previous(char: str) -> bool:
    """A character drawn together with the one before it: a combining mark, a skin tone, a variation
    selector, a zero-width joiner (a cut before it would tear "👍🏽" or "ế" apart)."""
    return (unicodedata.category(char) in {"Mn", "Me", "Mc"} or "\U0001f3fb" <= char <= "\U0001f3ff"
            or char in {"\u200d", "\ufe0f", "\ufe0e"})


def _cluster_end(text: str, start: int, end: int) -> int:
    """``end`` moved back so that the cut does not fall inside a character drawn as one."""
    cut = end
    while cut > start + 1 and cut < len(text) and (_joins_previous(text[cut]) or text[cut - 1] == "\u200d"):
        cut -= 1
    return cut if cut > start else end


def split_message(text: str, limit: int = MAX_TEXT, *, measure: Measure = utf16_len) -> list[str]:
    """``text`` in pieces of at most ``limit`` UTF-16 units (or what ``measure`` counts) whose
    concatenation is ``text``: cut after a line end when one falls in the piece, else after a space,
    else between two characters (never inside a surrogate pair, nor, when it can be helped, inside an
    emoji or a letter with its marks).
    A piece may end with the line break it was cut at; Telegram trims it."""
    if limit < 2:
        raise ValueError("a limit below 2 cannot hold every character")
    pieces: list[str] = []
    start = 0
    while measure(text[start:]) > limit:
        end = _fit_end(text, start, limit, measure)
        cut = text.rfind("\n", start, end) + 1
        if cut <= start:
            cut = text.rfind(" ", start, end) + 1
        if cut <= start:
            cut = _cluster_end(text, start, end)
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


def message_parts(text: str, limit: int = MAX_TEXT, *, measure: Measure = utf16_len) -> list[str]:
    """The messages to send for ``text``: ``split_message``'s pieces without the blank ones (Telegram
    refuses an empty message); never empty when ``text`` has something to show."""
    parts = [part for part in split_message(text, limit, measure=measure) if part.strip()]
    return parts or [text]


def cut(text: str, limit: int) -> str:
    """``text`` when it fits in ``limit`` UTF-16 units, else its beginning ending with "…"."""
    if utf16_len(text) <= limit:
        return text
    if limit < 1:
        return ""
    end = _cluster_end(text, 0, _fit_end(text, 0, limit - 1))
    return text[:end].rstrip() + ELLIPSIS

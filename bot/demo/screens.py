"""What a simulated official recognises on the bot's screens: the catalogue's sentences
(templates/messages.yaml) as patterns, so that the simulation reads what the bot says from the one
place the bot's words live — a reworded sentence is still recognised."""

from __future__ import annotations

import re
from functools import cache
from string import Formatter

from bot.chat.catalogue import sentence


@cache
def pattern(key: str) -> re.Pattern[str]:
    """The sentence of ``key`` as a pattern: its words as written, each ``{parameter}`` any text
    (a named group; a parameter used twice must be the same text twice)."""
    parts: list[str] = []
    named: set[str] = set()
    for literal, name, _, _ in Formatter().parse(sentence(key)):
        parts.append(re.escape(literal))
        if name is None:
            continue
        parts.append(f"(?P={name})" if name in named else f"(?P<{name}>.*?)")
        named.add(name)
    return re.compile("".join(parts), re.DOTALL)


def shows(text: str, key: str) -> bool:
    """Whether ``text`` holds the sentence of ``key`` (whatever its parameters)."""
    return pattern(key).search(text) is not None


def read(text: str, key: str) -> dict[str, str] | None:
    """The parameters of the sentence of ``key`` as ``text`` shows them, or None."""
    found = pattern(key).search(text)
    return None if found is None else found.groupdict()

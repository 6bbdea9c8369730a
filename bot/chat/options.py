"""Choices as typed options, for a messenger without buttons (Zalo): each choice of a turn gets a
key — "1", "2" … ("0" for the way back, a GoBack choice) — shown under the message as
"key = label" lines (catalogue: zalo_options.*), and what the person types back is read against
the options offered last: the key, or the option's label compared without diacritics, case or
punctuation.

When the turn asks a question that takes a typed value (a figure, a text, a reason), a bare
number is the answer, never an option: the options are then keyed by letters ("a", "b" …), and
still by their words. Nothing here knows the messenger; the channel stores the offer
(storage/chat_options.py) and hands a picked option's action to the journeys, which check it
again as they check a tap."""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

from bot.chat.actions import GoBack, encode
from bot.chat.catalogue import say
from bot.chat.replies import Choice
from bot.domain.themes import words as folded_words
from storage.chat_options import Offer, OfferedOption

BACK_KEY = "0"
LETTERS = string.ascii_lowercase
_PARENTHESES = re.compile(r"\([^)]*\)")
_KEY = re.compile(r"^\s*([0-9]{1,3}|[a-zA-Z])\s*[.)]?\s*$")


def number_choices(rows: Sequence[Sequence[Choice]], *, typed: bool, taken: int = 0) -> list[OfferedOption]:
    """The options of ``rows`` with their keys: numbers from ``taken`` + 1 (the back option: 0), or
    letters when a question awaits a typed value (``typed``). ``taken``: options already keyed in
    the same turn (an earlier message's)."""
    options: list[OfferedOption] = []
    count = taken
    for row in rows:
        for choice in row:
            if not typed and isinstance(choice.action, GoBack):
                key = BACK_KEY
            else:
                key = LETTERS[count % len(LETTERS)] if typed else str(count + 1)
                count += 1
            options.append(OfferedOption(key, choice.label, encode(choice.action)))
    return options


def options_text(options: Sequence[OfferedOption], *, typed: bool) -> str:
    """The lines shown under a message: how to choose, then one "key = label" line per option."""
    head = say("zalo_options.head_letters") if typed else say("zalo_options.head_numbers")
    lines = [say("zalo_options.line", key=option.key, label=option.label) for option in options]
    return "\n".join([head, *lines])


def words(text: str) -> str:
    """``text`` as compared: folded (no diacritics, lower case), without what is in parentheses,
    punctuation or symbols (a label's leading check mark and its accents are dropped)."""
    return folded_words(_PARENTHESES.sub(" ", text))


def pick(text: str, offer: Offer) -> OfferedOption | None:
    """The option ``text`` names among those offered, or None: its key ("2", "2.", "b"), or its
    words (the whole label, or the part before a ":"), when exactly one option has them. A bare
    number is never an option while a question awaits a typed value."""
    if not offer.options:
        return None
    key = _KEY.match(text)
    if key is not None:
        typed_key = key[1].lower()
        if offer.typed and typed_key.isdigit():
            return None
        return next((option for option in offer.options if option.key == typed_key), None)
    said = words(text)
    if not said:
        return None
    found = [option for option in offer.options
             if said in {words(option.label), words(option.label.split(":", 1)[0])}]
    return found[0] if len(found) == 1 else None


def names_no_option(text: str, offer: Offer) -> bool:
    """Whether ``text`` is a number typed at options keyed by numbers that names none of them (a
    key out of range: the channel says so and keeps the options)."""
    key = _KEY.match(text)
    return (bool(offer.options) and not offer.typed and key is not None and key[1].isdigit()
            and pick(text, offer) is None)

"""Telling a commune's reporters something (an approval, a return, a report entered on their
behalf): the channel hands the journey a ``Tell`` that sends one message to one person and says
whether it arrived."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.chat.replies import Message
from storage import Storage
from storage.models import Person, Unit

Tell = Callable[[Person, Message], Awaitable[bool]]


async def tell_reporters(storage: Storage, unit: Unit, message: Message, tell: Tell) -> int:
    """Send ``message`` to the commune's reporters who can be reached; how many received it."""
    told = 0
    for person in await storage.people.reporters_of(unit.code):
        if await tell(person, message):
            told += 1
    return told

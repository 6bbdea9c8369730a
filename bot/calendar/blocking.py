"""Someone closed their chat with the bot (blocked it) or opened it again: notices stop going to
them (their supervisors are told), or go again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from storage import Storage

TellSupervisors = Callable[[int], Awaitable[int]]


async def chat_closed(storage: Storage, user_id: int, tell_supervisors: TellSupervisors, *, now: datetime) -> bool:
    """The person blocked the bot: marked so, and their supervisors told (``tell_supervisors``
    records that notice); False for someone the bot does not know."""
    person = await storage.people.get_by_telegram_id(user_id)
    if person is None:
        return False
    await storage.people.set_blocked(person.id, now)
    await tell_supervisors(person.id)
    return True


async def chat_opened(storage: Storage, user_id: int, *, now: datetime) -> bool:
    """The person unblocked the bot: notices go to them again; False when nothing changed."""
    person = await storage.people.get_by_telegram_id(user_id)
    if person is None or person.active:
        return False
    await storage.people.set_active(person.id, True, now)
    return True

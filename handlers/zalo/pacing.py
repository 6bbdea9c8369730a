"""Sending to Zalo at a conservative pace: Zalo publishes no limits, so notices leave at most
ZALO_SEND_RATE per second overall (evenly spread, one every 1/rate s) and at most one per chat in
``per_chat_interval`` (1.05 s, as on Telegram). A 429 holds every Zalo send for the time it asked
(an unpublished limit is more likely the bot's than one chat's)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


class ZaloPace:
    def __init__(self, per_second: float, *, per_chat_interval: float = 1.05,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self.gap = 1.0 / per_second
        self.per_chat_interval = per_chat_interval
        self._monotonic = monotonic
        self._lock = asyncio.Lock()
        self._next = 0.0  # earliest instant of the next send, overall
        self._held_until = 0.0
        self._chat_next: dict[str, float] = {}

    async def turn(self, chat_id: str) -> None:
        """Wait for this send's turn (overall, for its chat, and after any hold)."""
        while True:
            async with self._lock:
                now = self._monotonic()
                held = self._held_until - now
                if held <= 0:
                    slot = max(now, self._next)
                    at = max(slot, self._chat_next.get(chat_id, 0.0))
                    self._next = slot + self.gap
                    self._chat_next[chat_id] = at + self.per_chat_interval
                    if len(self._chat_next) > 4096:  # forget chats whose interval has passed
                        self._chat_next = {k: v for k, v in self._chat_next.items() if v > now}
                    break
            await asyncio.sleep(held)
        await asyncio.sleep(at - now)
        held = self._held_until - self._monotonic()  # a 429 came while this send waited its turn
        if held > 0:
            await asyncio.sleep(held)

    def hold(self, seconds: float) -> None:
        """A 429: no Zalo send leaves for ``seconds``."""
        self._held_until = max(self._held_until, self._monotonic() + seconds)

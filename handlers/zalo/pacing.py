"""Sending to Zalo at a conservative pace: Zalo publishes no limits, so notices leave at most
ZALO_SEND_RATE per second overall — never more than that many in any 1.1 s, and at least
1.1/rate s apart so that they are spread over the second — and at most one per chat in
``per_chat_interval`` (1.05 s, as on Telegram). Each send gets a turn (``reserve``: the sends after it get later ones)
and is let go only after the window is checked at the moment it leaves (nothing awaited in
between), so a late wake-up cannot bunch sends together. A caller that need not wait (the notices'
sender) is told how long instead, and does other work meanwhile.
A 429 is handled as on Telegram (handlers.pacing): it holds back only its chat for the time Zalo
asked — under this pace a 429 is a passing bunching on the way, not the pace being too fast — and
every Zalo send when Zalo asks for more than ``HOLD_ALL_AFTER`` (5 s)."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

MARGIN = 1.1  # the window is 1.1 s: jitter on the way can hardly put one more into Zalo's second
EARLY = 0.005  # seconds: a turn this close is taken now
STALE = 2.0  # seconds: a turn not used this long after it came is given up (its notice went elsewhere)
HOLD_ALL_AFTER = 5.0  # seconds: a 429 asking longer holds every Zalo send


class ZaloPace:
    def __init__(self, per_second: float, *, per_chat_interval: float = 1.05,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self.gap = MARGIN / per_second
        self.per_window = max(1, int(per_second))
        self.per_chat_interval = per_chat_interval
        self._monotonic = monotonic
        self._next_free = 0.0  # the next turn not yet given to a send
        self._slots: dict[str, float] = {}  # each waiting chat's turn
        self._sent: deque[float] = deque()  # when the recent sends left
        self._held_until = 0.0
        self._chat_next: dict[str, float] = {}

    def _wait(self, chat_id: str, now: float) -> float:
        """Seconds before a send to ``chat_id`` may leave, by the window, the chat and any hold."""
        while self._sent and self._sent[0] <= now - MARGIN:
            self._sent.popleft()
        waits = [self._held_until - now, self._chat_next.get(chat_id, 0.0) - now]
        if len(self._sent) >= self.per_window:
            waits.append(self._sent[0] + MARGIN - now)
        return max(waits)

    def reserve(self, chat_id: str) -> float:
        """0: a send to ``chat_id`` leaves now (it is counted). Otherwise the seconds until its
        turn, which is kept for it (the next sends get later turns): ask again then."""
        now = self._monotonic()
        slot = self._slots.get(chat_id)
        if slot is None or slot < now - STALE:  # a new send, or one whose turn was not used
            slot = max(now, self._next_free, self._held_until, self._chat_next.get(chat_id, 0.0))
            self._next_free = slot + self.gap
            self._slots[chat_id] = slot
        if slot > now + EARLY:
            return slot - now
        wait = self._wait(chat_id, now)  # checked at the moment it leaves: a late turn cannot bunch
        if wait > 0:
            self._slots[chat_id] = now + wait
            return wait
        del self._slots[chat_id]
        self._sent.append(now)
        self._chat_next[chat_id] = now + self.per_chat_interval
        if len(self._chat_next) > 4096:  # forget chats whose interval has passed
            self._chat_next = {k: v for k, v in self._chat_next.items() if v > now}
        return 0.0

    async def turn(self, chat_id: str) -> None:
        """Wait until a send to ``chat_id`` may leave; it leaves now."""
        wait = self.reserve(chat_id)
        while wait > 0:
            await asyncio.sleep(wait)
            wait = self.reserve(chat_id)

    def hold(self, seconds: float, chat_id: str | None = None) -> None:
        """A 429 on a send to ``chat_id``: that chat waits ``seconds`` (every chat, when it is more
        than ``HOLD_ALL_AFTER`` or no chat is named)."""
        until = self._monotonic() + seconds
        if chat_id is None or seconds > HOLD_ALL_AFTER:
            self._held_until = max(self._held_until, until)
        else:
            self._chat_next[chat_id] = max(self._chat_next.get(chat_id, 0.0), until)

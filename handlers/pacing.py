"""Sending at Telegram's pace.

``PacedRateLimiter`` is python-telegram-bot's ``AIORateLimiter`` (overall and group limits,
``RetryAfter`` retried ``max_retries`` times) plus what it lacks, applied right before each
request leaves, retries included:

- overall (``SendWindow``): at most 30 sends — Telegram's limit — counted in any 1.005 s, a send
  counting from when it leaves until its answer is back (Telegram counts it somewhere in
  between), so no delay on the way can squeeze 31 into Telegram's second; at least ``min_gap``
  apart, so that the 30 are spread over the second rather than sent at once. A send Telegram
  refused with 429 was not carried out and gives its place back at once: a bad answer costs a
  round trip, not a slot. (``AIORateLimiter``'s own overall bucket is switched off: it lets up
  to about twice its rate through in the first second, and counts refused tries as sends.)
- per chat: a broadcast send (``rate_limit_args=PACED``) leaves at least ``per_chat_interval``
  (1.05 s) after the previous message to that chat, whatever sent it. Replies to what a user
  just did are not held back per chat (Telegram allows short bursts there).

A 429 on a broadcast send holds back only that chat for the ``retry_after`` Telegram asked
(the other chats go on: under our own pace a 429 is about one chat, or a passing fault); one
asking for more than ``hold_all_after`` (5 s) holds every send, as ``AIORateLimiter`` does for
the others.

What a failed send means is handlers.send_errors; the notices' sender is handlers.notice_sender.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from handlers.send_errors import classify

SENDING_ENDPOINTS = frozenset({
    "sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup", "sendVideo", "sendAudio", "sendVoice",
    "sendAnimation", "sendSticker", "sendLocation", "sendContact", "sendPoll", "copyMessage", "copyMessages",
    "forwardMessage", "forwardMessages", "editMessageText", "editMessageReplyMarkup", "editMessageCaption",
    "editMessageMedia",
})
TELEGRAM_PER_SECOND = 30  # sends in any one-second window

@dataclass(frozen=True)
class Paced:
    """``rate_limit_args`` of a broadcast send: paced per chat as well; ``max_retries`` for
    RetryAfter. ``on_turn`` is awaited right before the request leaves (each try), ``on_unsent``
    when Telegram answered that it did not carry it out (a 429 about to be retried, a 5xx)."""

    max_retries: int | None = None
    on_turn: Callable[[], Awaitable[None]] | None = None
    on_unsent: Callable[[], Awaitable[None]] | None = None


PACED = Paced()


class _Ticket:
    """One send's place in the window: when it left, and when its answer came back."""

    __slots__ = ("answered", "left")

    def __init__(self, left: float) -> None:
        self.left = left
        self.answered: float | None = None


class SendWindow:
    """At most ``limit`` sends counted in any ``span`` seconds, each leaving at least ``gap``
    after the one before.

    Telegram counts a send at some moment between the request leaving and its answer coming
    back, so a send is taken to count until ``span`` after its answer (while it is on its way,
    it counts). A new send leaves only when fewer than ``limit`` do: whatever the delays on the
    way (a slow network, a busy event loop), no ``span`` at Telegram holds more than ``limit``.
    A send Telegram did not carry out (429) gives its place back at once."""

    def __init__(self, *, limit: int, span: float, gap: float) -> None:
        self.limit = limit
        self.span = span
        self.gap = gap
        self.hold_until = -math.inf  # Telegram asked every send to wait (a long RetryAfter)
        self._gate = asyncio.Lock()
        self._changed = asyncio.Event()
        self._tickets: list[_Ticket] = []

    async def take(self) -> _Ticket:
        """Wait for a place; the send counts from now."""
        loop = asyncio.get_running_loop()
        async with self._gate:
            while True:
                now = loop.time()
                ready = self._ready(now)
                if ready <= now:
                    break
                self._changed.clear()  # an answer or a place given back may make it sooner
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), None if ready == math.inf else ready - now)
            ticket = _Ticket(now)
            self._tickets.append(ticket)
            return ticket

    def leaving(self, ticket: _Ticket) -> None:
        """The request leaves now (after whatever ran between its turn and the request)."""
        ticket.left = max(ticket.left, asyncio.get_running_loop().time())

    def answered(self, ticket: _Ticket) -> None:
        """Its answer (or error) came back: Telegram counted it, if at all, before now."""
        ticket.answered = asyncio.get_running_loop().time()
        self._changed.set()

    def give_back(self, ticket: _Ticket) -> None:
        """Telegram did not carry the send out, or it never left: it does not count."""
        if ticket in self._tickets:
            self._tickets.remove(ticket)
        self._changed.set()

    def _ready(self, now: float) -> float:
        """When the next send may leave: ``gap`` after the last one that counts (a send given
        back leaves no gap behind), and once fewer than ``limit`` count; ``inf``: when an
        answer comes back."""
        self._tickets = [t for t in self._tickets if t.answered is None or t.answered > now - self.span]
        if not self._tickets:
            return self.hold_until
        spread = max(max(t.left for t in self._tickets) + self.gap, self.hold_until)
        if len(self._tickets) < self.limit:
            return spread
        ends = sorted(math.inf if t.answered is None else t.answered for t in self._tickets)
        return max(spread, ends[-self.limit] + self.span)


class PacedRateLimiter(AIORateLimiter):
    def __init__(
        self,
        *,
        max_per_second: int = TELEGRAM_PER_SECOND,
        margin: float = 0.005,
        min_gap: float = 1 / 32,
        per_chat_interval: float = 1.05,
        max_retries: int = 3,
        hold_all_after: float = 5.0,
        group_max_rate: float = 20,
        group_time_period: float = 60,
    ) -> None:
        if not 0 < max_per_second <= TELEGRAM_PER_SECOND:
            raise ValueError(f"max_per_second must be within (0, {TELEGRAM_PER_SECOND}]")
        if margin < 0 or min_gap < 0:
            raise ValueError("margin and min_gap cannot be negative")
        # The overall limit is the window's alone: AIORateLimiter's leaky bucket counts every try,
        # refused ones included, so under 5 % of 429s it would hold accepted sends to 28.5/s.
        super().__init__(overall_max_rate=0, overall_time_period=0, group_max_rate=group_max_rate,
                         group_time_period=group_time_period, max_retries=max_retries)
        self.max_retries = max_retries
        self.window = SendWindow(limit=max_per_second, span=1.0 + margin, gap=min_gap)
        self.per_chat_interval = per_chat_interval
        self.hold_all_after = hold_all_after
        self._chat_last: dict[int, float] = {}
        self._chat_locks: dict[int, asyncio.Lock] = {}

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | Paced | None,
    ) -> Any:
        paced = isinstance(rate_limit_args, Paced)
        retries = rate_limit_args.max_retries if isinstance(rate_limit_args, Paced) else rate_limit_args
        chat_id = _chat_id(data.get("chat_id"))
        if endpoint not in SENDING_ENDPOINTS or chat_id is None:
            return await super().process_request(callback, args, kwargs, endpoint, data, retries)

        hooks = rate_limit_args if isinstance(rate_limit_args, Paced) else None

        async def on_its_turn(*a: Any, **kw: Any) -> Any:
            ticket = await self.wait_turn(chat_id, paced=paced)
            try:
                if hooks is not None and hooks.on_turn is not None:
                    await hooks.on_turn()
            except BaseException:
                self.window.give_back(ticket)  # it never left
                raise
            self.window.leaving(ticket)
            try:
                result = await callback(*a, **kw)
            except BaseException as error:
                if isinstance(error, RetryAfter):
                    self.window.give_back(ticket)
                else:
                    self.window.answered(ticket)
                if not isinstance(error, Exception):
                    raise
                if hooks is not None and hooks.on_unsent is not None and classify(error) == "retry":
                    await hooks.on_unsent()
                if paced and isinstance(error, RetryAfter):
                    raise _Refused(error) from error  # handled below, not by AIORateLimiter's pause of all
                raise
            self.window.answered(ticket)
            return result

        if not paced:
            return await super().process_request(on_its_turn, args, kwargs, endpoint, data, retries)
        tries = (retries if retries is not None else self.max_retries) + 1
        for attempt in range(1, tries + 1):
            try:
                return await super().process_request(on_its_turn, args, kwargs, endpoint, data, retries)
            except _Refused as refused:
                self._hold_back(chat_id, refused.error)
                if attempt == tries:
                    raise refused.error from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _hold_back(self, chat_id: int, error: RetryAfter) -> None:
        """Telegram asked to wait: this chat, or every send when it asks for long."""
        wait = error._retry_after.total_seconds() + 0.1  # noqa: SLF001 - the timedelta, without the int warning
        now = asyncio.get_running_loop().time()
        if wait > self.hold_all_after:
            self.window.hold_until = max(self.window.hold_until, now + wait)
        self._chat_last[chat_id] = max(self._chat_last.get(chat_id, -math.inf), now + wait - self.per_chat_interval)

    async def wait_turn(self, chat_id: int, *, paced: bool) -> _Ticket:
        """Wait until a message to ``chat_id`` may leave now; its place in the overall window."""
        loop = asyncio.get_running_loop()
        if not paced:
            ticket = await self.window.take()
            self._chat_last[chat_id] = loop.time()
            return ticket
        lock = self._chat_locks.setdefault(chat_id, asyncio.Lock())
        async with lock:
            wait = self._chat_last.get(chat_id, -math.inf) + self.per_chat_interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            ticket = await self.window.take()
            self._chat_last[chat_id] = loop.time()
        if not lock.locked() and len(self._chat_locks) > 10_000:
            self._forget_idle_chats(loop.time())
        return ticket

    def _forget_idle_chats(self, now: float) -> None:
        for chat_id in [c for c, t in self._chat_last.items() if now - t > self.per_chat_interval]:
            lock = self._chat_locks.get(chat_id)
            if lock is None or not lock.locked():
                self._chat_last.pop(chat_id, None)
                self._chat_locks.pop(chat_id, None)


class _Refused(Exception):
    """A broadcast send answered 429, carried past ``AIORateLimiter`` (which would hold every
    request) to ``PacedRateLimiter.process_request``, which holds back that chat only."""

    def __init__(self, error: RetryAfter) -> None:
        super().__init__(str(error))
        self.error = error


def _chat_id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

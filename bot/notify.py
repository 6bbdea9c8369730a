"""Sending at Telegram's pace, and what a failed send means.

``PacedRateLimiter`` is python-telegram-bot's ``AIORateLimiter`` (overall and group limits,
``RetryAfter`` retried ``max_retries`` times with every request paused meanwhile) plus two
paces it lacks, applied right before each request leaves, retries included:

- overall: requests that carry a ``chat_id`` leave on a rhythm of ``1 / overall_per_second``
  (29/s by default), so that no one-second window ever holds more than 30 — Telegram's limit —
  with room for jitter (``AIORateLimiter``'s own leaky bucket lets up to about twice its rate
  through in the first second);
- per chat: a broadcast send (``rate_limit_args=PACED``) leaves at least ``per_chat_interval``
  (1.05 s) after the previous message to that chat, whatever sent it. Replies to what a user
  just did are not held back per chat (Telegram allows short bursts there).

``classify`` sorts a send's exception into what to do with the notice:

| verdict | exceptions | the request … |
|---|---|---|
| ``retry`` | ``RetryAfter``; an HTTP 5xx answer; a connection or pool timeout/error | was not carried out: send again |
| ``ambiguous`` | a read/write timeout, a connection dropped mid-answer | may or may not have been carried out |
| ``blocked`` | ``Forbidden`` (403) | the person blocked the bot |
| ``refused`` | ``BadRequest`` and other answers | will never be carried out |
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Literal

import httpx
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter

SENDING_ENDPOINTS = frozenset({
    "sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup", "sendVideo", "sendAudio", "sendVoice",
    "sendAnimation", "sendSticker", "sendLocation", "sendContact", "sendPoll", "copyMessage", "copyMessages",
    "forwardMessage", "forwardMessages", "editMessageText", "editMessageReplyMarkup", "editMessageCaption",
    "editMessageMedia",
})
_LATE_TOLERANCE = 0.005  # a wake-up this late still counts as on time (no drift from sleep overshoot)
_TELEGRAM_WINDOW = 30  # sends in any one-second window

Verdict = Literal["retry", "ambiguous", "blocked", "refused"]


@dataclass(frozen=True)
class Paced:
    """``rate_limit_args`` of a broadcast send: paced per chat as well; ``max_retries`` for
    RetryAfter. ``on_turn`` is awaited right before the request leaves (each try), ``on_unsent``
    when Telegram answered that it did not carry it out (a 429 about to be retried, a 5xx)."""

    max_retries: int | None = None
    on_turn: Callable[[], Awaitable[None]] | None = None
    on_unsent: Callable[[], Awaitable[None]] | None = None


PACED = Paced()


class PacedRateLimiter(AIORateLimiter):
    def __init__(
        self,
        *,
        overall_per_second: float = 29.0,
        per_chat_interval: float = 1.05,
        max_retries: int = 3,
        group_max_rate: float = 20,
        group_time_period: float = 60,
    ) -> None:
        if not 0 < overall_per_second <= 30:
            raise ValueError("overall_per_second must be within (0, 30]")
        super().__init__(overall_max_rate=30, overall_time_period=1, group_max_rate=group_max_rate,
                         group_time_period=group_time_period, max_retries=max_retries)
        self.overall_interval = 1.0 / overall_per_second
        # Keeping the rhythm lets one gap shrink by a late wake-up, never two in a row: 30 gaps
        # still span more than a second as long as the tolerance stays under what 30 gaps spare.
        self.late_tolerance = min(_LATE_TOLERANCE, max(0.0, _TELEGRAM_WINDOW * self.overall_interval - 1.0) / 2)
        self.per_chat_interval = per_chat_interval
        self._gate = asyncio.Lock()
        self._last_send = -math.inf
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
            await self.wait_turn(chat_id, paced=paced)
            if hooks is not None and hooks.on_turn is not None:
                await hooks.on_turn()
            try:
                return await callback(*a, **kw)
            except Exception as error:
                if hooks is not None and hooks.on_unsent is not None and classify(error) == "retry":
                    await hooks.on_unsent()
                raise

        return await super().process_request(on_its_turn, args, kwargs, endpoint, data, retries)

    async def wait_turn(self, chat_id: int, *, paced: bool) -> None:
        """Wait until a message to ``chat_id`` may leave now; count it as sent."""
        loop = asyncio.get_running_loop()
        if not paced:
            await self._overall_turn(loop)
            self._chat_last[chat_id] = loop.time()
            return
        lock = self._chat_locks.setdefault(chat_id, asyncio.Lock())
        async with lock:
            wait = self._chat_last.get(chat_id, -math.inf) + self.per_chat_interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            await self._overall_turn(loop)
            self._chat_last[chat_id] = loop.time()
        if not lock.locked() and len(self._chat_locks) > 10_000:
            self._forget_idle_chats(loop.time())

    async def _overall_turn(self, loop: asyncio.AbstractEventLoop) -> None:
        async with self._gate:
            target = self._last_send + self.overall_interval
            now = loop.time()
            if target > now:
                await asyncio.sleep(target - now)
                now = loop.time()
            # on time (or a hair late): keep the rhythm; much later (the loop was busy): start afresh
            self._last_send = target if 0 <= now - target < self.late_tolerance else now

    def _forget_idle_chats(self, now: float) -> None:
        for chat_id in [c for c, t in self._chat_last.items() if now - t > self.per_chat_interval]:
            lock = self._chat_locks.get(chat_id)
            if lock is None or not lock.locked():
                self._chat_last.pop(chat_id, None)
                self._chat_locks.pop(chat_id, None)


def _chat_id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _causes(exc: BaseException) -> list[BaseException]:
    found = []
    current = exc.__cause__
    while current is not None and len(found) < 10:
        found.append(current)
        current = current.__cause__
    return found


_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def classify(exc: BaseException) -> Verdict:
    """What a send's exception means for the notice (see the module's table)."""
    if isinstance(exc, RetryAfter):
        return "retry"
    if isinstance(exc, Forbidden):
        return "blocked"
    if isinstance(exc, BadRequest):  # a NetworkError in python-telegram-bot, but a refusal
        return "refused"
    if isinstance(exc, NetworkError):  # TimedOut included
        causes = _causes(exc)
        if any(isinstance(cause, _NOT_SENT) for cause in causes) or str(exc).startswith("Pool timeout"):
            return "retry"  # the request never left
        if isinstance(exc, TimedOut) or any(isinstance(cause, httpx.HTTPError) for cause in causes):
            return "ambiguous"  # it left; the answer did not come back
        return "retry"  # Telegram answered with a server error: nothing was done
    if isinstance(exc, TelegramError):
        return "refused"
    return "ambiguous"


def retry_delay(exc: BaseException, attempt: int) -> float:
    """Seconds before trying again: what RetryAfter asks, else 0.5, 1, 2, 4 … up to 8."""
    if isinstance(exc, RetryAfter):
        return exc._retry_after.total_seconds() + 0.1  # noqa: SLF001 - the timedelta, without the int warning
    return min(8.0, 0.5 * 2 ** (attempt - 1))

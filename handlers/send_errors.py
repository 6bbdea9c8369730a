"""What a failed Telegram send means: ``classify`` sorts a send's exception into what to do with it.

| verdict | exceptions | the request … |
|---|---|---|
| ``retry`` | ``RetryAfter``; an HTTP 5xx answer; a connection or pool timeout/error | was not carried out: send again |
| ``ambiguous`` | a read/write timeout, a connection dropped mid-answer | may or may not have been carried out |
| ``blocked`` | ``Forbidden`` (403) | the person blocked the bot |
| ``refused`` | ``BadRequest`` and other answers | will never be carried out |
"""

from __future__ import annotations

from typing import Literal

import httpx
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.notices.broadcast import backoff

Verdict = Literal["retry", "ambiguous", "blocked", "refused"]

_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def _causes(exc: BaseException) -> list[BaseException]:
    found: list[BaseException] = []
    current = exc.__cause__
    while current is not None and len(found) < 10:
        found.append(current)
        current = current.__cause__
    return found


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


def asked_wait(exc: BaseException) -> float | None:
    """Seconds Telegram asked to wait (RetryAfter, plus 0.1 s), or None when it asked nothing."""
    if isinstance(exc, RetryAfter):
        return exc._retry_after.total_seconds() + 0.1  # noqa: SLF001 - the timedelta, without the int warning
    return None


def retry_delay(exc: BaseException, attempt: int) -> float:
    """Seconds before trying again: what RetryAfter asks, else 0.5, 1, 2, 4 … up to 8."""
    asked = asked_wait(exc)
    return asked if asked is not None else backoff(attempt)

"""Zalo's side of the notices' port (bot.notices.sending): a notice is sent as text (no buttons on
Zalo: its choices are left to the typed commands the text names), in parts of at most 2,000
characters cut at line ends, at ``ZaloPace``'s pace, and Zalo's answer becomes one of the port's
outcomes:

| Zalo answers | outcome |
|---|---|
| the sent message | ``Sent`` |
| 403 on the send (``ZaloUnreachableUser``) | ``Blocked``: marked like a Telegram user who blocked the bot |
| 429 | ``RetryLater`` after what it asked (its chat held that long; every chat beyond 5 s) |
| 5xx; a connection that never opened | ``RetryLater`` |
| no answer in time; a connection lost on the way | ``Unknown`` (it may have arrived: not sent again) |
| 400, 401, 409 … | ``Gone`` |

The claim (``Turn.take``) is taken after the pace's wait, right before the first part leaves; a
part after the first that fails makes the notice ``Unknown`` (part of it arrived). A notice whose
turn is more than ``PARK_AFTER`` away comes back as ``NotYet`` (its turn kept), so that the
broadcaster's workers go on with Telegram's notices instead of waiting for Zalo's pace."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Awaitable, Callable, Sequence

from bot.chat.replies import Message
from bot.notices.sending import Blocked, Gone, NotYet, Outcome, RetryLater, Sent, Turn, Unknown, Withheld
from handlers.zalo.client import ZaloBotClient, text_parts
from handlers.zalo.errors import (
    ZaloError,
    ZaloNetworkError,
    ZaloRetryAfter,
    ZaloServerError,
    ZaloTimedOut,
    ZaloUnreachableUser,
)
from handlers.zalo.pacing import ZaloPace

PARK_AFTER = 0.25  # seconds: a notice whose turn is further off is handed back (NotYet) rather than waited for
ZaloIdOf = Callable[[int], Awaitable[str | None]]
Render = Callable[[Message], Sequence[str]]
_NEVER_LEFT = ("ClientConnector",)  # aiohttp's errors before a connection opened (client.py names them)


def plain_text(message: Message) -> list[str]:
    """The default rendering of a notice on Zalo: its text, in parts."""
    return text_parts(message.text)


def message_number(message_id: str) -> int:
    """Zalo's message id (a string) as the number the notices' record keeps."""
    return int(message_id) if message_id.isdigit() and len(message_id) < 19 else zlib.crc32(message_id.encode())


def outcome_of(error: ZaloError) -> Outcome:
    """A failed send in the port's words (see the module's table)."""
    detail = f"{type(error).__name__}: {error}"
    if isinstance(error, ZaloRetryAfter):
        return RetryLater(detail, error.retry_after + 0.1)
    if isinstance(error, ZaloUnreachableUser):
        return Blocked(str(error))
    if isinstance(error, ZaloServerError):
        return RetryLater(detail)
    if isinstance(error, ZaloTimedOut):
        return Unknown(detail)
    if isinstance(error, ZaloNetworkError):
        never_left = any(name in str(error) for name in _NEVER_LEFT)
        return RetryLater(detail) if never_left else Unknown(detail)
    return Gone(detail)


class ZaloNoticeSender:
    """Sends notices through ``client`` at ``pace``. As the port's ``Sender`` it finds the Zalo id
    of a notice's chat with ``zalo_id_of``; ``send_to`` takes the Zalo id itself."""

    def __init__(self, client: ZaloBotClient, pace: ZaloPace, *, zalo_id_of: ZaloIdOf | None = None,
                 render: Render = plain_text, park_after: float = PARK_AFTER) -> None:
        self.client = client
        self.park_after = park_after
        self.pace = pace
        self.zalo_id_of = zalo_id_of
        self.render = render

    async def send(self, chat_id: int, message: Message, turn: Turn, *, answer_within: float) -> Outcome:
        zalo_id = await self.zalo_id_of(chat_id) if self.zalo_id_of is not None else None
        if zalo_id is None:
            return Gone(f"chat {chat_id} has no Zalo account")
        return await self.send_to(zalo_id, message, turn, answer_within=answer_within)

    async def send_to(self, zalo_id: str, message: Message, turn: Turn, *, answer_within: float) -> Outcome:
        first: int | None = None
        for part in self.render(message):
            wait = self.pace.reserve(zalo_id)
            if first is None and wait > self.park_after:
                return NotYet(wait)  # its turn is kept; the broadcaster sends others meanwhile
            while wait > 0:
                await asyncio.sleep(wait)
                wait = self.pace.reserve(zalo_id)
            if first is None and not await turn.take():
                return Withheld()
            try:
                result = await self.client.call("sendMessage", {"chat_id": zalo_id, "text": part},
                                                wait_seconds=answer_within)
            except ZaloError as error:
                if isinstance(error, ZaloRetryAfter):
                    self.pace.hold(error.retry_after, zalo_id)
                outcome = outcome_of(error)
                if first is not None and not isinstance(outcome, Blocked):
                    return Unknown(f"part of the notice was sent: {outcome}")
                return outcome
            number = message_number(str(result.get("message_id", ""))) if isinstance(result, dict) else 0
            first = number if first is None else first
        return Sent(first or 0)

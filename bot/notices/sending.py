"""The port through which a notice leaves: what a channel (Telegram today, Zalo later) implements
to send one message, and what a send can come to, in the channel's words translated once.

The sender (bot.notices.broadcast) decides what to do with each outcome; the channel only says
which one it was:

| outcome | the channel … |
|---|---|
| ``Sent`` | carried the message out (its message id) |
| ``Blocked`` | refused it because the person blocked the bot |
| ``Gone`` | refused it for good (no such chat, a request it will never take) |
| ``RetryLater`` | did not carry it out (asked to wait ``seconds``, a server error, the request never left) |
| ``Unknown`` | may or may not have carried it out (the request left, its answer never came) |
| ``Withheld`` | was not asked: at the request's turn the notice was no longer this sender's |
| ``NotYet`` | was not asked: its pace has room only in ``seconds`` (try then; not a try) |

Exactly once rests on ``Turn``: the channel calls ``take`` right before the request leaves (after
any wait for its pace), sends nothing when it answers False, and calls ``give_back`` when the
channel answered "not done" and the channel itself will try again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.chat.replies import Message


@dataclass(frozen=True)
class Sent:
    message_id: int


@dataclass(frozen=True)
class Blocked:
    detail: str


@dataclass(frozen=True)
class Gone:
    detail: str


@dataclass(frozen=True)
class RetryLater:
    detail: str
    seconds: float | None = None  # what the channel asked to wait; None: the sender's own back-off


@dataclass(frozen=True)
class Unknown:
    detail: str


@dataclass(frozen=True)
class Withheld:
    """The notice was claimed, sent or dropped by someone else meanwhile: nothing was sent."""


@dataclass(frozen=True)
class NotYet:
    """The channel's pace has no room for this send before ``seconds``: nothing was claimed or
    sent, it is not counted as a try, and the sender's worker goes on with other notices
    meanwhile (a slow messenger's pace never holds up a faster one's)."""

    seconds: float


Outcome = Sent | Blocked | Gone | RetryLater | Unknown | Withheld | NotYet


class Turn(Protocol):
    """One notice's claim, taken by the channel right before its request leaves."""

    async def take(self) -> bool:
        """Claim the notice now; False: it is no longer ours, do not send it."""
        ...

    async def give_back(self) -> None:
        """The channel answered "not done": the notice is free again (until the next ``take``)."""
        ...


class Sender(Protocol):
    """A channel's way of sending one notice, at the channel's own pace."""

    async def send(self, chat_id: int, message: Message, turn: Turn, *, answer_within: float) -> Outcome:
        """Send ``message`` (its text and choices) to ``chat_id``, waiting at most ``answer_within``
        seconds for the channel's answer once the request left."""
        ...

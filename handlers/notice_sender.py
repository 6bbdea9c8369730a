"""Telegram's side of the notices' port (bot.notices.sending): a notice is sent through the
application's bot, its choices as inline buttons, at the pace of ``PacedRateLimiter``
(handlers.pacing), and Telegram's answer becomes one of the port's outcomes
(handlers.send_errors says what a failed send means).

With ``PacedRateLimiter`` the notice is claimed on the request's turn, right before it leaves
(``Paced.on_turn``), and given back when Telegram answered "not done" (``Paced.on_unsent``); a
429 comes straight back (``max_retries=0``) so that the try after it waits in the sender's
queue, not in a worker. Without it (tests build the bot with no limiter) the claim comes right
before the request."""

from __future__ import annotations

from typing import Any

from telegram.ext import ExtBot

from bot.chat.replies import Message
from bot.notices.sending import Blocked, Gone, Outcome, RetryLater, Sent, Turn, Unknown, Withheld
from handlers.delivery import keyboard
from handlers.pacing import Paced, PacedRateLimiter
from handlers.send_errors import asked_wait, classify


class _NotOurs(Exception):
    """At the request's turn the notice was no longer ours: the request does not leave."""


class TelegramNoticeSender:
    """Sends notices through ``bot`` (the application's, with its rate limiter)."""

    def __init__(self, bot: ExtBot[Any]) -> None:
        self.bot = bot

    @property
    def paced(self) -> bool:
        return isinstance(getattr(self.bot, "rate_limiter", None), PacedRateLimiter)

    async def send(self, chat_id: int, message: Message, turn: Turn, *, answer_within: float) -> Outcome:
        async def take() -> None:
            if not await turn.take():
                raise _NotOurs

        paced = Paced(max_retries=0, on_turn=take, on_unsent=turn.give_back) if self.paced else None
        if paced is None and not await turn.take():
            return Withheld()
        try:
            if paced is None:
                sent = await self.bot.send_message(chat_id, message.text, reply_markup=keyboard(message),
                                                   read_timeout=answer_within)
            else:
                sent = await self.bot.send_message(chat_id, message.text, reply_markup=keyboard(message),
                                                   read_timeout=answer_within, rate_limit_args=paced)
        except _NotOurs:
            return Withheld()
        except Exception as error:  # noqa: BLE001 - sorted by classify
            return outcome_of(error)
        return Sent(sent.message_id)


def outcome_of(error: BaseException) -> Outcome:
    """A failed send in the port's words."""
    detail = f"{type(error).__name__}: {error}"
    verdict = classify(error)
    if verdict == "blocked":
        return Blocked(str(error))
    if verdict == "refused":
        return Gone(detail)
    if verdict == "ambiguous":
        return Unknown(detail)
    return RetryLater(detail, asked_wait(error))

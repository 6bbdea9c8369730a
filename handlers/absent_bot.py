"""The Telegram bot of a Zalo-only process (ZALO_BOT_TOKEN without TELEGRAM_BOT_TOKEN): the
application's ``bot`` must exist (python-telegram-bot builds its jobs and contexts around one), but
it never asks Telegram anything, not even ``getMe`` at start-up. Nothing reaches it by design: the
process polls no Telegram updates, and notices to people who use Telegram are refused by the
routing (bot.notices.routing) instead of being sent."""

from __future__ import annotations

from typing import Any

from telegram import User
from telegram.error import InvalidToken

from handlers.fitting_bot import FittingBot

ABSENT_TOKEN = "0:NO-TELEGRAM-TOKEN"  # the token's shape python-telegram-bot checks; never sent anywhere


class AbsentTelegramBot(FittingBot):
    """A bot whose start-up asks Telegram nothing (no token to ask with)."""

    async def initialize(self) -> None:
        return None

    async def _do_post(self, *args: Any, **kwargs: Any) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Every Bot API request: refused here, nothing leaves the process (a bug if ever reached)."""
        raise InvalidToken("no TELEGRAM_BOT_TOKEN: this process serves Zalo only")

    @property
    def bot(self) -> User:
        """Who the bot is, known from ``getMe`` on Telegram; here a stand-in (python-telegram-bot names its tasks with the id)."""
        return User(id=0, first_name="no Telegram", is_bot=True)

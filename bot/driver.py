"""The bot as a script drives it (the demo's simulation): the application of bot.app, long-polling
a Bot API (the sandbox), with its calendar's timetable fired by the script instead of the job
queue, and what the script may ask of it — whether it answers a command or a button — without
knowing python-telegram-bot's types."""

from __future__ import annotations

import contextlib
import re

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.app import build_application
from bot.clock import Clock
from bot.notices.timetable import Timetable
from bot.services import Services
from bot.settings import Settings


class DrivenBot:
    """One application, opened by ``open`` and ended by ``close`` (whatever happened between)."""

    def __init__(self, settings: Settings, *, token: str, clock: Clock) -> None:
        # no rate limiter: the script's sandbox does not enforce Telegram's limits
        self.application = build_application(settings, token=token, clock=clock, rate_limiter=False)

    @property
    def services(self) -> Services:
        return self.application.services

    @property
    def timetable(self) -> Timetable | None:
        """The calendar's timetable, whose moments the script fires itself (None: no calendar)."""
        return self.application.reminders

    async def open(self) -> None:
        """Open the storage and install the calendar; its jobs are taken off the job queue (the
        script fires the moments on its own clock)."""
        await self.application.initialize()
        queue = self.application.job_queue
        if queue is not None:
            for job in queue.jobs():
                job.schedule_removal()

    async def start(self) -> None:
        """Take updates from the Bot API and handle them, until ``close``."""
        updater = self.application.updater
        assert updater is not None
        await updater.start_polling(poll_interval=0, timeout=5, allowed_updates=Update.ALL_TYPES)
        await self.application.start()

    async def close(self) -> None:
        application = self.application
        with contextlib.suppress(Exception):
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
        await application.shutdown()

    def answers_command(self, name: str) -> bool:
        """Whether some handler takes ``/name``."""
        return any(isinstance(handler, CommandHandler) and name in handler.commands
                   for group in self.application.handlers.values() for handler in group)

    def answers_button(self, data: str) -> bool:
        """Whether some handler takes a tap on a button carrying ``data``."""
        for group in self.application.handlers.values():
            for handler in group:
                if not isinstance(handler, CallbackQueryHandler):
                    continue
                pattern = handler.pattern  # a str is compiled; bot.chat.actions.matches gives a callable
                if isinstance(pattern, re.Pattern) and pattern.match(data) or callable(pattern) and pattern(data):
                    return True
        return False

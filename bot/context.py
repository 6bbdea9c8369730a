"""The Application subclass and the callback context every handler and job receives."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.services import Services


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context of every handler and job: `context.services` reaches the app's services."""

    @property
    def services(self) -> Services:
        application = self.application
        assert isinstance(application, BaocaoApplication)
        return application.services


class BaocaoApplication(Application[Any, Any, Any, Any, Any, Any]):
    """An Application that opens the storage on initialize and closes it on shutdown,
    both under `run_polling`/`run_webhook` and under `async with app` in tests."""

    services: Services
    reminders: Any = None  # bot.scheduler.ReminderScheduler, installed by initialize

    async def initialize(self) -> None:
        from bot.render_pool import POOL, limits_from
        from bot.scheduler import install_reminders
        from storage import Storage

        POOL.configure(limits_from(self.services.settings))
        POOL.start()  # the render workers, forked from a warm server, take their first job in ms

        if self.services._storage is None:
            self.services.attach_storage(await Storage.open(self.services.settings.database_path))
        await super().initialize()
        await install_reminders(self)  # reminder jobs queued; they run once the application starts

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._background: set[asyncio.Task[None]] = set()  # work started with in_background

    def in_background(self, work: Coroutine[Any, Any, Any], update: object | None = None) -> asyncio.Task[None]:
        """Run long work (a rollup) beside the updates: python-telegram-bot handles updates one
        at a time, so a handler that waits for it would hold every other official's message.
        An error reaches the error handlers with the update, as a handler's would."""

        async def run() -> None:
            try:
                await work
            except Exception as error:  # noqa: BLE001 - handed to the error handlers
                await self.process_error(update, error)

        task = asyncio.get_running_loop().create_task(run(), name="baocao-background")
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def wait_background(self) -> None:
        """Wait until the work started with ``in_background`` is done (shutdown, tests)."""
        while self._background:
            await asyncio.wait(set(self._background))

    async def shutdown(self) -> None:
        try:
            await self.wait_background()
            if self.reminders is not None:
                await self.reminders.shutdown()  # notices in flight finish before the bot closes
            await super().shutdown()
        finally:
            from bot.render_pool import POOL

            POOL.stop()
            if self.services._storage is not None:
                await self.services._storage.close()
                self.services.attach_storage(None)

"""The Application subclass and the callback context every handler and job receives."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.chat.access import Identity
from bot.services import Services

if TYPE_CHECKING:
    from bot.notices.reminders import ReminderConfig
    from bot.notices.timetable import Timetable
    from handlers.zalo.channel import ZaloChannel

log = logging.getLogger(__name__)

BACKGROUND_GRACE = 2.0  # seconds a rollup in flight at shutdown gets to finish before it is cancelled
BACKGROUND_GOODBYE = 3.0  # seconds a cancelled rollup gets to tell its official and end


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The callback context of every handler and job: `context.services` reaches the app's services;
    `context.identity` is who sent the update, looked up once before any handler (handlers.identity)."""

    identity: Identity | None = None

    @property
    def services(self) -> Services:
        application = self.application
        assert isinstance(application, BaocaoApplication)
        return application.services


class BaocaoApplication(Application[Any, Any, Any, Any, Any, Any]):
    """An Application that opens the storage on initialize and closes it on shutdown,
    both under `run_polling`, the webhook server and `async with app` in tests.

    Stopping (SIGTERM) is bounded: ``stop`` first tells the notice sender to take no new notice,
    then lets python-telegram-bot handle the updates already received; ``shutdown`` gives the
    background work (rollups) ``BACKGROUND_GRACE`` seconds to finish and cancels the rest (the
    official is told to ask again; the chart's process is killed), while the sends in flight get
    ``REMINDERS_STOP_TIMEOUT`` seconds (then they are cut off: their notices stay ``sending`` and
    become ``unknown`` at the next start; those not claimed stay pending and go out then)."""

    services: Services
    reminders: Timetable | None = None  # bot.scheduler.ReminderScheduler, installed by initialize
    reminder_config: ReminderConfig | None = None  # None: from the environment (REMINDERS_…); the demo sets its own
    zalo_channel: ZaloChannel | None = None  # the Zalo channel beside Telegram (bot.app), polled from start to stop
    telegram_runs: bool = True  # False in a Zalo-only process (no TELEGRAM_BOT_TOKEN): Telegram is never asked

    async def initialize(self) -> None:
        from bot.documents.pool import POOL, limits_from
        from bot.reporting.form_versions import remember_forms
        from bot.scheduler import install_reminders
        from storage import Storage

        POOL.configure(limits_from(self.services.settings))
        POOL.start()  # the render workers, forked from a warm server, take their first job in ms

        if self.services._storage is None:
            self.services.attach_storage(await Storage.open(self.services.settings.database_path))
        await remember_forms(self.services)
        await super().initialize()
        await install_reminders(self, self.reminder_config)  # reminder jobs queued; they run once the application starts

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._background: set[asyncio.Task[None]] = set()  # work started with in_background
        self._zalo_stop = asyncio.Event()
        self._zalo_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await super().start()
        settings = self.services.settings
        if self.zalo_channel is not None and settings.zalo_webhook_url is not None:
            assert settings.zalo_webhook_secret is not None  # required with the URL (Settings)
            await self.zalo_channel.start_webhook(
                url=str(settings.zalo_webhook_url), secret=settings.zalo_webhook_secret.get_secret_value(),
                listen=settings.webhook_listen, port=settings.zalo_webhook_port)
        elif self.zalo_channel is not None and self._zalo_task is None:
            self._zalo_stop.clear()
            self._zalo_task = asyncio.get_running_loop().create_task(
                self.zalo_channel.run_polling(self._zalo_stop), name="zalo-polling")

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
        """Wait until the work started with ``in_background`` is done (tests)."""
        while self._background:
            await asyncio.wait(set(self._background))

    async def end_background(self, grace: float = BACKGROUND_GRACE) -> None:
        """Let the background work finish within ``grace`` seconds, then cancel it; wait at most
        ``BACKGROUND_GOODBYE`` more for the cancelled work to end (it says goodbye in the chat)."""
        tasks = set(self._background)
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=grace)
        if not pending:
            return
        log.warning("%d background tasks (rollups) still running at shutdown are stopped", len(pending))
        for task in pending:
            task.cancel()
        _, stuck = await asyncio.wait(pending, timeout=BACKGROUND_GOODBYE)
        if stuck:
            log.warning("%d background tasks did not end when cancelled", len(stuck))

    async def stop(self) -> None:
        if self.reminders is not None:
            self.reminders.hold()  # no new notice leaves from now on; those in flight finish
        if self.zalo_channel is not None:
            await self.zalo_channel.stop_webhook()
        if self._zalo_task is not None:  # Zalo's update in hand is finished; no new one is taken
            self._zalo_stop.set()
            try:
                await asyncio.wait_for(self._zalo_task, BACKGROUND_GRACE * 2)
            except Exception:  # noqa: BLE001 - stopping goes on whatever the poller did
                log.warning("the Zalo poller did not stop cleanly", exc_info=True)
            self._zalo_task = None
        await super().stop()

    async def shutdown(self) -> None:
        try:
            ending = [self.end_background()]
            if self.zalo_channel is not None:
                ending.append(self.zalo_channel.close())  # its rollups and files in flight, then its client
            if self.reminders is not None:
                ending.append(self.reminders.shutdown())  # sends in flight finish (within bounds)
            await asyncio.gather(*ending)
            await super().shutdown()
        finally:
            from bot.documents.pool import POOL

            POOL.stop()
            if self.services._storage is not None:
                await self.services._storage.close()
                self.services.attach_storage(None)

"""The Application subclass and the callback context every handler and job receives."""

from __future__ import annotations

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
        from bot.scheduler import install_reminders
        from storage import Storage

        if self.services._storage is None:
            self.services.attach_storage(await Storage.open(self.services.settings.database_path))
        await super().initialize()
        await install_reminders(self)  # reminder jobs queued; they run once the application starts

    async def shutdown(self) -> None:
        try:
            if self.reminders is not None:
                await self.reminders.shutdown()  # notices in flight finish before the bot closes
            await super().shutdown()
        finally:
            if self.services._storage is not None:
                await self.services._storage.close()
                self.services.attach_storage(None)

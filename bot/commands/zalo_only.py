"""`python -m bot run` with ZALO_BOT_TOKEN and no TELEGRAM_BOT_TOKEN: the Zalo channel alone.

python-telegram-bot's Application still carries the services, the reminders' JobQueue and the
start/stop order (``BaocaoApplication``), but it is built without an updater and with a Telegram bot
that asks Telegram nothing (bot.app); here it is started and stopped by hand instead of by
``run_polling``: initialize, the file links' server, start (the Zalo poller or Zalo's webhook, and
the reminders' jobs), then wait for SIGTERM or SIGINT, and stop and shut down as under
``run_polling``, losing nothing."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import TYPE_CHECKING

from bot.context import BaocaoApplication
from bot.settings import Settings

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)


async def serve_zalo_only(application: BaocaoApplication, settings: Settings) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stopping.set)
    runners: list[web.AppRunner] = []
    await application.initialize()
    try:
        links = application.services.file_links
        if links is not None:
            from bot.files.server import start_file_server

            runners.append(await start_file_server(links, application.services, listen=settings.file_link_listen,
                                                   port=settings.file_link_port))
        await application.start()
        log.info("serving Zalo only (no TELEGRAM_BOT_TOKEN)")
        await stopping.wait()
        log.info("stopping")
        await application.stop()
    finally:
        for runner in runners:
            await runner.cleanup()
        await application.shutdown()

"""The webhook's own small HTTP server (aiohttp), for `python -m bot run` with WEBHOOK_URL.

python-telegram-bot's webhook server (tornado) reads a request's whole body, up to 100 MB, before
anything looks at its secret: a stranger could make the bot hold hundreds of MB. Here the
X-Telegram-Bot-Api-Secret-Token header is checked first, at the webhook door shared with Zalo's
(handlers/webhook_door.py): a request without the right secret is answered 403 and its body is
never read (the connection is closed); with the right secret, a body larger than ``MAX_BODY``
(Telegram's updates weigh a few KB) is answered 413. The updates
go to ``Application.update_queue``, as python-telegram-bot documents for a custom webhook
server (its "customwebhookbot" example).

``serve`` runs the bot until SIGTERM or SIGINT: the server listens, the webhook is registered with
setWebhook (with the secret), and the application runs; at the signal the server stops taking
requests (Telegram sends again what it could not deliver), then the application stops as
under long polling (bounded: ``BaocaoApplication``)."""

from __future__ import annotations

import asyncio
import json
import logging
import signal

from aiohttp import web
from telegram import Update

from bot.context import BaocaoApplication
from handlers.webhook_door import LINGER, MAX_BODY, guarded_body

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SHUTDOWN_TIMEOUT = 1.0  # seconds the requests in progress get when the server stops


def webhook_app(application: BaocaoApplication, path: str, secret: str) -> web.Application:
    """The aiohttp application answering POST /``path`` (see the module's docstring)."""

    async def receive(request: web.Request) -> web.Response:
        body = await guarded_body(request, SECRET_HEADER, secret, name="Telegram")
        if isinstance(body, web.Response):
            return body
        try:
            data = json.loads(body)
            update = Update.de_json(data, application.bot) if isinstance(data, dict) else None
        except Exception:  # noqa: BLE001 - anything that is not an update is refused alike
            update = None
        if update is None:
            log.warning("webhook request with a body that is not an update refused")
            return web.Response(status=400)
        application.bot.insert_callback_data(update)
        await application.update_queue.put(update)
        return web.Response(status=200)

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(f"/{path}", receive)
    if path:
        app.router.add_post(f"/{path}/", receive)
    links = application.services.file_links
    if links is not None:  # the file links share the webhook's port (bot.files.server)
        from bot.files.server import add_file_routes

        add_file_routes(app, links, application.services)
    return app


async def serve(application: BaocaoApplication, *, listen: str, port: int, path: str, url: str, secret: str) -> None:
    """Run the bot behind its webhook until SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(webhook_app(application, path, secret), handle_signals=False, access_log=None,
                           shutdown_timeout=SHUTDOWN_TIMEOUT, lingering_time=LINGER)
    async with application:  # initialize (storage, reminders) … shutdown
        await runner.setup()
        try:
            await web.TCPSite(runner, listen, port).start()
            await application.bot.set_webhook(url, secret_token=secret, allowed_updates=Update.ALL_TYPES)
            if application.post_init is not None:
                await application.post_init(application)
            await application.start()
            log.info("webhook server listening on %s:%s", listen, port)
            await stop.wait()
            log.info("stop signal received: shutting down")
        finally:
            await runner.cleanup()  # no new update comes in; those received are handled below
            if application.running:
                await application.stop()

"""The webhook's own small HTTP server (aiohttp), for `python -m bot run` with WEBHOOK_URL.

python-telegram-bot's webhook server (tornado) reads a request's whole body, up to 100 MB, before
anything looks at its secret: a stranger could make the bot hold hundreds of MB. Here the
X-Telegram-Bot-Api-Secret-Token header is checked first: a request without the right secret is
answered 403 and its body is never read (the connection is closed); with the right secret, a
body larger than ``MAX_BODY`` (Telegram's updates weigh a few KB) is answered 413. The updates
go to ``Application.update_queue``, as python-telegram-bot documents for a custom webhook
server (its "customwebhookbot" example).

``serve`` runs the bot until SIGTERM or SIGINT: the server listens, the webhook is registered with
setWebhook (with the secret), and the application runs; at the signal the server stops taking
requests (Telegram sends again what it could not deliver), then the application stops as
under long polling (bounded: ``BaocaoApplication``)."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal

from aiohttp import web
from telegram import Update

from bot.context import BaocaoApplication

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # bytes of one update's body
SHUTDOWN_TIMEOUT = 1.0  # seconds the requests in progress get when the server stops
# After a refusal, what the client still sends is read and dropped (never kept) for this long, so
# that it sees the answer before the connection closes (a close with unread data resets it).
LINGER = 2.0


def _closing(status: int) -> web.Response:
    """An answer after which the connection is closed: what the client still sends is dropped
    (for ``LINGER`` seconds at most), never kept."""
    response = web.Response(status=status)
    response.force_close()
    return response


def webhook_app(application: BaocaoApplication, path: str, secret: str) -> web.Application:
    """The aiohttp application answering POST /``path`` (see the module's docstring)."""
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace"), expected):
            log.debug("webhook request without the right secret refused")
            return _closing(403)
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _closing(413)
        try:
            body = await request.read()  # at most MAX_BODY (client_max_size), chunked bodies too
        except web.HTTPRequestEntityTooLarge:
            return _closing(413)
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

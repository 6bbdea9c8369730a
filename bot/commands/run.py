"""`python -m bot run`: serve Telegram by long polling, or by webhook when WEBHOOK_URL is set.

Webhook mode: the bot's own small server (``bot.commands.webhook_server``) listens on
WEBHOOK_LISTEN:WEBHOOK_PORT (normally behind a reverse proxy that terminates HTTPS) at the path of
WEBHOOK_URL, registers WEBHOOK_URL with setWebhook together with WEBHOOK_SECRET, answers 403 to any
request that does not carry that secret in X-Telegram-Bot-Api-Secret-Token without reading its
body, and 413 to a body over 1 MB. Long polling (the default) needs no open port.

With ZALO_BOT_TOKEN the Zalo channel (handlers/zalo) runs beside Telegram in the same process: long
polling of ZALO_API_BASE_URL, or Zalo's webhook when ZALO_WEBHOOK_URL is set (with ZALO_WEBHOOK_SECRET;
its server listens on WEBHOOK_LISTEN:ZALO_WEBHOOK_PORT).

With ZALO_BOT_TOKEN and no TELEGRAM_BOT_TOKEN the process serves Zalo alone (bot.commands.zalo_only):
no Telegram request at all; a notice to someone who can only be reached on Telegram is marked failed
with its reason and logged (bot.notices.routing).

Either way SIGTERM (or SIGINT) stops the bot within about 6 s, losing nothing (``BaocaoApplication``)."""

from __future__ import annotations

import argparse
import asyncio
import logging
from urllib.parse import urlsplit

from telegram import Update

from bot.app import build_application
from bot.chat.catalogue import say
from bot.commands.webhook_server import serve
from bot.commands.zalo_only import serve_zalo_only
from bot.context import BaocaoApplication
from bot.logs import setup_logging
from bot.memory import limit_arenas
from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)


def webhook_path(url: str) -> str:
    """The path the local server answers on: the path of the public URL, without the leading slash
    (``https://bot.example.vn/telegram/hook`` → ``telegram/hook``)."""
    return urlsplit(url).path.lstrip("/")


def run(settings: Settings) -> None:
    if settings.telegram_bot_token is None and settings.zalo_bot_token is None:
        raise SettingsError(
            "Setting TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN is missing: put one (or both) in .env, "
            "or run `make run` without a token to try the bot in the local sandbox."
        )
    limit_arenas()  # before any worker thread: the rollups' threads would each keep an arena
    application = build_application(settings)
    if settings.telegram_bot_token is None:
        asyncio.run(serve_zalo_only(application, settings))
        return
    if settings.uses_webhook:
        assert settings.webhook_url is not None and settings.webhook_secret is not None
        url = str(settings.webhook_url)
        if urlsplit(url).scheme != "https" and settings.bot_api_base_url is None:
            raise SettingsError("Setting WEBHOOK_URL is invalid: Telegram delivers updates only to https:// addresses")
        secret = settings.webhook_secret.get_secret_value()
        # setWebhook's parameters are logged at DEBUG: keep the secret out of the log, as the token is.
        setup_logging(settings.log_level, secrets=[settings.telegram_bot_token.get_secret_value(), secret])
        log.info("starting with a webhook: %s, listening on %s:%s", url, settings.webhook_listen,
                 settings.webhook_port)
        asyncio.run(serve(application, listen=settings.webhook_listen, port=settings.webhook_port,
                          path=webhook_path(url), url=url, secret=secret))
    else:
        log.info("starting with long polling")
        serve_files_beside(application, settings)
        application.run_polling(allowed_updates=Update.ALL_TYPES)


def serve_files_beside(application: BaocaoApplication, settings: Settings) -> None:
    """Under long polling (no webhook server to share), the file links get their own server on
    FILE_LINK_LISTEN:FILE_LINK_PORT, started after the application's start-up and stopped after it."""
    links = application.services.file_links
    if links is None:
        return
    from aiohttp import web

    from bot.files.server import start_file_server

    runners: list[web.AppRunner] = []
    started, stopped = application.post_init, application.post_shutdown

    async def start(app: BaocaoApplication) -> None:
        if started is not None:
            await started(app)
        runners.append(await start_file_server(links, app.services, listen=settings.file_link_listen,
                                               port=settings.file_link_port))

    async def stop(app: BaocaoApplication) -> None:
        for runner in runners:
            await runner.cleanup()
        if stopped is not None:
            await stopped(app)

    application.post_init = start  # type: ignore[assignment]  # python-telegram-bot's own hook attribute
    application.post_shutdown = stop  # type: ignore[assignment]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "run",
        help=say("cli.run_help"),
        description="Run the bot against Telegram and/or Zalo (whichever tokens are set): long polling, or a webhook when WEBHOOK_URL is set "
        "(with WEBHOOK_SECRET; the local server listens on WEBHOOK_LISTEN:WEBHOOK_PORT). With ZALO_BOT_TOKEN, "
        "the Zalo channel runs beside it (Zalo's webhook when ZALO_WEBHOOK_URL is set).",
    )
    parser.set_defaults(func=lambda args, settings: run(settings))

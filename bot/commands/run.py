"""`python -m bot run`: serve Telegram by long polling, or by webhook when WEBHOOK_URL is set."""

from __future__ import annotations

import argparse
import logging

from telegram import Update

from bot.app import build_application
from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)


def run(settings: Settings) -> None:
    if settings.telegram_bot_token is None:
        raise SettingsError(
            "Setting TELEGRAM_BOT_TOKEN is missing: put it in .env, "
            "or run `make run` without a token to try the bot in the local sandbox."
        )
    application = build_application(settings)
    if settings.uses_webhook:
        assert settings.webhook_url is not None and settings.webhook_secret is not None
        url = str(settings.webhook_url)
        path = url.split("://", 1)[1].partition("/")[2]
        log.info("starting with a webhook on %s:%s", settings.webhook_listen, settings.webhook_port)
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=path,
            webhook_url=url,
            secret_token=settings.webhook_secret.get_secret_value(),
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        log.info("starting with long polling")
        application.run_polling(allowed_updates=Update.ALL_TYPES)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "run",
        help="chạy bot với Telegram (long polling; webhook khi có WEBHOOK_URL)",
        description="Run the bot against Telegram: long polling, or a webhook when WEBHOOK_URL is set.",
    )
    parser.set_defaults(func=lambda args, settings: run(settings))

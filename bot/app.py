"""The one factory that builds the bot, used by `python -m bot run`, the demo and the tests."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from telegram.ext import ApplicationBuilder, ContextTypes, Defaults
from telegram.request import BaseRequest, HTTPXRequest

from bot.clock import Clock, SystemClock
from bot.context import BaocaoApplication, BotContext
from bot.domain.forms import load_forms
from bot.services import Services
from bot.settings import Settings
from handlers import register_handlers
from handlers.absent_bot import ABSENT_TOKEN, AbsentTelegramBot
from handlers.fitting_bot import FittingBot
from handlers.pacing import PacedRateLimiter

if TYPE_CHECKING:
    from handlers.zalo.channel import ZaloChannel

log = logging.getLogger(__name__)


async def _set_default_menu(application: object) -> None:
    """Strangers see /start and /help; each person's own menu is set when they bind (handlers.menus)."""
    from telegram.error import TelegramError

    from handlers.menus import set_default_commands

    assert isinstance(application, BaocaoApplication)
    try:
        await set_default_commands(application.bot)
    except TelegramError:
        log.warning("could not set the default command menu", exc_info=True)


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    token: str | None = None,
    updates_request: BaseRequest | None = None,
    clock: Clock | None = None,
    rate_limiter: bool = True,
) -> BaocaoApplication:
    """Build the bot. `request` replaces the HTTP layer (tests); the Bot API base URL comes from settings.

    With ZALO_BOT_TOKEN and no Telegram token, a Zalo-only application: its Telegram bot never asks
    Telegram anything (handlers.absent_bot), it has no updater, and ``telegram_runs`` is False."""
    telegram_runs = True
    if token is None:
        if settings.telegram_bot_token is not None:
            token = settings.telegram_bot_token.get_secret_value()
        elif settings.zalo_bot_token is not None:
            telegram_runs = False
            token = ABSENT_TOKEN
        else:
            raise ValueError("a bot token is needed: TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN, or token= for the sandbox")
    clock = clock or SystemClock(settings.tz)
    services = Services(settings=settings, clock=clock, forms=load_forms(settings.forms_dir))

    base = str(settings.bot_api_base_url).rstrip("/") if settings.bot_api_base_url is not None else None
    # AIORateLimiter (max_retries=3) plus at most 30 sends in any 1.02 s and 1/s per chat for broadcasts
    limiter = PacedRateLimiter(max_retries=3, per_chat_interval=1.05) if rate_limiter else None
    kind = FittingBot if telegram_runs else AbsentTelegramBot
    bot = kind(  # the builder's own ExtBot, except that no text leaves over Telegram's limits
        token,
        base_url=f"{base}/bot" if base else "https://api.telegram.org/bot",
        base_file_url=f"{base}/file/bot" if base else "https://api.telegram.org/file/bot",
        request=request or HTTPXRequest(connection_pool_size=256),
        get_updates_request=updates_request or request or HTTPXRequest(connection_pool_size=1),
        defaults=Defaults(tzinfo=settings.tz),
        rate_limiter=limiter,
    )
    # The builder's type changes with its options: one variable holds it whichever options are set.
    builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder()
        .application_class(BaocaoApplication)
        .bot(bot)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(False)
    )
    if not telegram_runs:
        builder = builder.updater(None)  # no Telegram updates to poll
    builder = builder.post_init(_set_default_menu)  # under run_polling and the webhook server (bot.commands.webhook_server)
    application = builder.build()
    assert isinstance(application, BaocaoApplication)
    application.services = services
    application.telegram_runs = telegram_runs
    register_handlers(application)
    if settings.zalo_bot_token is not None:
        application.zalo_channel = zalo_channel(application)
    return application


def zalo_channel(application: BaocaoApplication) -> ZaloChannel:
    """The Zalo channel beside Telegram, over the same services: the reminders' scheduler for
    nudges and the calendar, the Telegram bot to tell those who use Telegram."""
    from handlers.supervising.chat import bot_tell
    from handlers.zalo.channel import ZaloChannel
    from handlers.zalo.client import ZaloBotClient
    from handlers.zalo.files import services_file_link

    services = application.services
    # found at each file offered: the demo installs its local file links after the channel is made
    channel = ZaloChannel(services, ZaloBotClient.from_settings(services.settings),
                          file_link=services_file_link(services),
                          timetable=lambda: application.reminders)
    if application.telegram_runs:  # a Telegram person told from Zalo (never back to Zalo)
        channel.other_tell = bot_tell(application.bot)
    return channel

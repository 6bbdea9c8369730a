"""`python -m bot demo`: the local sandbox and the bot together, no Telegram token needed."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal

from telegram import Update

from bot.app import build_application
from bot.settings import Settings
from sandbox.server import SandboxServer

log = logging.getLogger(__name__)

DEMO_TOKEN = "777000:sandbox-demo"


async def demo(settings: Settings, port: int | None = None, *, ready: asyncio.Event | None = None,
               stop: asyncio.Event | None = None) -> None:
    sandbox = SandboxServer()
    base_url = await sandbox.start(host="127.0.0.1", port=settings.sandbox_port if port is None else port)
    demo_settings = settings.model_copy(
        update={
            "telegram_bot_token": None,
            "bot_api_base_url": base_url,
            "database_path": settings.database_path.with_name("demo.db"),
        }
    )
    application = build_application(demo_settings, token=DEMO_TOKEN)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        async with application:
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0, timeout=10, allowed_updates=Update.ALL_TYPES)
            await application.start()
            print(_banner(base_url), flush=True)
            if ready is not None:
                ready.set()
            await stop.wait()
            await application.updater.stop()
            await application.stop()
    finally:
        await sandbox.stop()


def _banner(base_url: str) -> str:
    return (
        f"Sandbox Telegram cục bộ: {base_url}  (bot đang chạy, không cần token)\n"
        f"Thử nói chuyện với bot như một người dùng:\n"
        f"  curl -s -XPOST {base_url}/control/users -H 'Content-Type: application/json' "
        "-d '{\"id\": 1001, \"first_name\": \"Lan\"}'\n"
        f"  curl -s -XPOST {base_url}/control/users/1001/text -H 'Content-Type: application/json' "
        "-d '{\"text\": \"/start\"}'\n"
        f"  curl -s {base_url}/control/chats/1001/messages\n"
        "Dừng: Ctrl+C"
    )


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "demo",
        help="chạy bot cùng sandbox Telegram cục bộ, không cần token",
        description="Run the local Bot API sandbox and the bot together, with no Telegram token.",
    )
    parser.add_argument("--port", type=int, default=None, help="port of the sandbox (default: SANDBOX_PORT, 8081)")
    parser.set_defaults(func=lambda args, settings: asyncio.run(demo(settings, port=args.port)))

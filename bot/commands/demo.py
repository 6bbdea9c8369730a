"""`python -m bot demo`: the local sandbox and the bot together, no Telegram token needed.

Without options it seeds a demo province (its real communes, demo officials bound by invitations, a
supervisor and an admin, a few earlier weeks of reports) in its own database (demo.db beside
DATABASE_PATH), starts the sandbox with its web chat, and serves the bot until Ctrl+C.
With --simulate it plays a whole reporting week for every commune at accelerated time instead
(bot/demo/simulate.py) and leaves the files it produced in an output folder."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import logging
import signal
from pathlib import Path

from pydantic import SecretStr
from telegram import Update

from bot.app import build_application
from bot.chat.catalogue import say
from bot.demo.seed import DEFAULT_PROVINCE, DEMO_FORM, DemoWorld, seed_demo
from bot.demo.zalo_people import seed_zalo_people
from bot.notices.reminders import ReminderConfig
from bot.settings import Settings, SettingsError
from sandbox.server import SandboxServer

log = logging.getLogger(__name__)

DEMO_TOKEN = "777000:sandbox-demo"
DEMO_ZALO_TOKEN = "777001:sandbox-zalo-demo"  # the Zalo channel runs beside Telegram, on the sandbox's Zalo side
HISTORY_WEEKS = 4


def demo_settings(settings: Settings, base_url: str, database: Path | None = None) -> Settings:
    return settings.model_copy(
        update={
            "telegram_bot_token": None,
            "bot_api_base_url": base_url,
            "zalo_bot_token": SecretStr(DEMO_ZALO_TOKEN),
            "zalo_api_base_url": f"{base_url}/zalo",
            "database_path": database or settings.database_path.with_name("demo.db"),
            "webhook_url": None,
            "webhook_secret": None,
        }
    )


async def demo(
    settings: Settings,
    port: int | None = None,
    *,
    host: str = "127.0.0.1",
    province: str | None = None,
    ready: asyncio.Event | None = None,
    stop: asyncio.Event | None = None,
) -> None:
    sandbox = SandboxServer()
    wanted = settings.sandbox_port if port is None else port
    try:
        base_url = await sandbox.start(host=host, port=wanted)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise SettingsError(f"Port {wanted} is in use: stop what uses it, or pass --port / set SANDBOX_PORT") from None
        raise
    local = demo_settings(settings, base_url)
    application = build_application(local, token=DEMO_TOKEN)
    # The seeded weeks' reminders are long past: expected here, so not a warning to the person trying the demo.
    application.reminder_config = ReminderConfig(drops_expected=True)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    files = None
    try:
        if application.services.file_links is None:  # the Zalo chat's downloads (bot.files)
            from bot.files.server import serve_local_files

            files = await serve_local_files(application.services, host=host)
        async with application:
            services = application.services
            world = await seed_demo(
                services.storage, services.clock.now(),
                province_code=province or settings.default_province or DEFAULT_PROVINCE,
                form=services.forms[DEMO_FORM], history_weeks=HISTORY_WEEKS,
            )
            for entry in world.roster():
                sandbox.webchat.add_person(
                    entry["id"], entry["first_name"], entry["last_name"], role=entry["role"],
                    title=entry["title"], units=entry["units"],
                )
            for data, unit in await seed_zalo_people(services.storage, world.province, world.communes,
                                                     services.clock.now()):
                sandbox.webchat.add_zalo_person(data.zalo_id, data.display_name, role=str(data.role),
                                                title=data.title, units=[unit.full_name])
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0, timeout=10, allowed_updates=Update.ALL_TYPES)
            await application.start()
            print(banner(base_url, world, local.database_path), flush=True)
            if ready is not None:
                ready.set()
            await stop.wait()
            await application.updater.stop()
            await application.stop()
    finally:
        if files is not None:
            await files.cleanup()
        await sandbox.stop()


def banner(base_url: str, world: DemoWorld, database: Path) -> str:
    people = [f"    {p.demo.telegram_id}  {p.demo.full_name:<18} {say(_ROLE_KEYS[str(p.demo.role)]):<16} "
              f"{p.unit.full_name}" for p in world.people]
    return say("cli.demo_banner", province=world.province.full_name, communes=len(world.communes),
               database=database, people="\n".join(people), base_url=base_url)


_ROLE_KEYS = {"reporter": "cli.demo_role_reporter", "supervisor": "cli.demo_role_supervisor",
              "admin": "cli.demo_role_admin"}


def _share(text: str) -> float:
    """A share between 0 and 1 (--zalo-share)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(say("zalo_simulation.bad_share", value=text))
    return value


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.simulate:
        from bot.demo.simulate import run_simulation

        return asyncio.run(run_simulation(
            settings, province=args.province or settings.default_province or DEFAULT_PROVINCE,
            communes=args.communes, out=args.out, seed=args.seed, progress=not args.quiet,
            zalo_share=args.zalo_share,
        ))
    asyncio.run(demo(settings, port=args.port, host=args.host, province=args.province))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "demo",
        help=say("cli.demo_help"),
        description="Run the local Bot API sandbox and the bot together, with no Telegram token: a demo "
        "province is seeded and a web chat is served at /chat. With --simulate, play a whole reporting "
        "week for every commune at accelerated time and keep the files it produced.",
    )
    parser.add_argument("--port", type=int, default=None, help="port of the sandbox (default: SANDBOX_PORT, 8081)")
    parser.add_argument("--host", default="127.0.0.1", help="address the sandbox listens on (default: 127.0.0.1)")
    parser.add_argument("--province", default=None,
                        help="official code of the demo province (default: DEFAULT_PROVINCE, else 19 = Thái Nguyên)")
    parser.add_argument("--simulate", action="store_true", help="play a whole week at accelerated time, then stop")
    parser.add_argument("--communes", type=int, default=None,
                        help="with --simulate: only the first N communes (default: all of the province)")
    parser.add_argument("--out", type=Path, default=None,
                        help="with --simulate: output folder (default: a new folder under data/demo-simulation/)")
    parser.add_argument("--seed", type=int, default=1, help="with --simulate: random seed (default: 1)")
    parser.add_argument("--quiet", action="store_true", help="with --simulate: no progress bar")
    parser.add_argument("--zalo-share", type=_share, default=0.3,
                        help="with --simulate: share of the communes whose official reports on Zalo, typing the "
                        "numbered options (0 to 1; default: 0.3)")
    parser.set_defaults(func=_run)

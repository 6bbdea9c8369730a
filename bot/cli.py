"""The command line: `python -m bot <command>`. Commands and options are interfaces others script
against: keep their names, and document each in README and in its --help.

Each command lives in a module of `bot.commands` that exposes
`register(commands: argparse._SubParsersAction) -> None`, which adds its parser and sets
`func=<callable(args, settings) -> int>` as the parser's default."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bot import __version__
from bot.domain.forms import FormError
from bot.logs import setup_logging
from bot.settings import SettingsError, load_settings

COMMAND_MODULES = ("run", "demo", "units", "migrate", "invite", "render", "calendar", "backup", "rollup", "importing")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="baocao-bot: báo cáo tuần của xã, phường gửi tỉnh qua Telegram.",
    )
    parser.add_argument("--version", action="version", version=f"baocao-bot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"bot.commands.{name}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings()
        token = settings.telegram_bot_token
        setup_logging(settings.log_level, secrets=[token.get_secret_value()] if token else [])
        return int(args.func(args, settings) or 0)
    except (SettingsError, FormError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130

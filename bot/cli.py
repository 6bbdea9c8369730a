"""The command line: `python -m bot <command>`. Commands and options are interfaces others script
against: keep their names, and document each in README and in its --help.

Each command lives in a module of `bot.commands` that exposes
`register(commands: argparse._SubParsersAction) -> None`, which adds its parser and sets
`func=<callable(args, settings) -> int>` as the parser's default. Only the chosen command's module
is imported (a command's dependencies — Telegram, document rendering — cost tens of megabytes and
seconds that `import` or `migrate` do not need); the list of all commands imports every one."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from bot import __version__
from bot.chat.catalogue import say
from bot.domain.forms import FormError
from bot.logs import setup_logging
from bot.settings import SettingsError, load_settings
from storage import DatabaseUnavailable

# command name → its module in bot.commands, in the order --help lists them
COMMAND_MODULES = {
    "run": "run", "demo": "demo", "units": "units", "migrate": "migrate", "invite": "invite", "render": "render",
    "calendar": "calendar", "backup": "backup", "rollup": "rollup", "import": "importing", "forms": "forms",
}


# DatabaseUnavailable.reason → the catalogue's words for it
DATABASE_REASONS = {
    "cannot_create_folder": "database_path.cannot_create_folder",
    "not_a_folder": "database_path.not_a_folder",
    "is_folder": "database_path.is_folder",
    "read_only_folder": "database_path.read_only_folder",
    "cannot_open": "database_path.cannot_open",
    "read_only": "database_path.read_only",
    "not_a_database": "database_path.not_a_database",
}


def database_unusable(error: DatabaseUnavailable) -> str:
    """One line naming DATABASE_PATH, what is wrong with it and what to do."""
    reason = say(DATABASE_REASONS.get(error.reason, "database_path.cannot_open"), folder=error.folder)
    return say("database_path.unusable", path=error.path, reason=reason)


def chosen_command(argv: Sequence[str]) -> str | None:
    """The command named on the command line (the first word that is not an option: the top-level
    options take no value), or None when there is none or it is unknown."""
    word = next((arg for arg in argv if not arg.startswith("-")), None)
    return word if word in COMMAND_MODULES else None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv`` naming a command, only that command's module is imported (without
    one, or with an unknown one, every command is, so that --help and the error list them all)."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description=say("cli.about"),
    )
    parser.add_argument("--version", action="version", version=f"baocao-bot {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = chosen_command(argv) if argv is not None else None
    for name, module in COMMAND_MODULES.items():
        if chosen is None or name == chosen:
            importlib.import_module(f"bot.commands.{module}").register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(words).parse_args(words)
    try:
        settings = load_settings()
        secrets = [secret.get_secret_value() for secret in (settings.telegram_bot_token, settings.zalo_bot_token,
                                                            settings.zalo_webhook_secret) if secret is not None]
        setup_logging(settings.log_level, secrets=secrets)
        return int(args.func(args, settings) or 0)
    except (SettingsError, FormError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except DatabaseUnavailable as exc:
        print(f"error: {database_unusable(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130

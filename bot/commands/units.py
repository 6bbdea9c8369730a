"""`python -m bot units import`: load the official administrative units into the database."""

from __future__ import annotations

import argparse
import asyncio

from bot.administering.units import import_units
from bot.chat.catalogue import say
from bot.settings import Settings
from storage import Storage


async def units_import(settings: Settings, province: str | None) -> str:
    storage = await Storage.open(settings.database_path)
    try:
        result = await import_units(storage, province)
    finally:
        await storage.close()
    return say("cli.units_imported", added=result.added, updated=result.updated, unchanged=result.unchanged)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    units = commands.add_parser("units", help=say("cli.units_help"),
                                description="Official administrative units.")
    actions = units.add_subparsers(dest="units_command", metavar="ACTION", required=True)
    parser = actions.add_parser(
        "import",
        help=say("cli.units_import_help"),
        description="Load the official units from the vietnam-provinces package; running it twice changes nothing.",
    )
    parser.add_argument("--province", metavar="CODE", help="only this province, e.g. 19 (Thái Nguyên)")
    parser.set_defaults(func=lambda args, settings: print(asyncio.run(units_import(settings, args.province))))

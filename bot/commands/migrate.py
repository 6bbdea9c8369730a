"""`python -m bot migrate`: create the database or bring it to the latest schema."""

from __future__ import annotations

import argparse
import asyncio

from bot.chat.catalogue import say
from bot.settings import Settings
from storage import Storage
from storage.migrations import current_version


async def migrate(settings: Settings) -> str:
    storage = await Storage.open(settings.database_path)
    try:
        version = await current_version(storage.db)
    finally:
        await storage.close()
    return say("cli.migrated", path=settings.database_path, version=version)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("migrate", help=say("cli.migrate_help"),
                                 description="Create the database or apply pending schema migrations.")
    parser.set_defaults(func=lambda args, settings: print(asyncio.run(migrate(settings))))

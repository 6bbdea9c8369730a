"""`python -m bot invite`: invitation links for a whole province at once, as .csv or .xlsx."""

from __future__ import annotations

import argparse
import asyncio
import csv
from datetime import timedelta
from pathlib import Path

import xlsxwriter

from bot.administering.roles import role_name
from bot.administering.tokens import DEFAULT_TTL, create_invite, deep_link
from bot.administering.units import import_units, normalize_province_code
from bot.chat.catalogue import say
from bot.clock import SystemClock
from bot.domain.numbers import format_date
from bot.onboarding.codes import add_invite_code, shown
from bot.settings import Settings, SettingsError
from storage import Storage
from storage.models import Role, UnitKind

COLUMN_KEYS = ("administering.column_code", "administering.column_unit", "administering.column_role",
               "administering.column_link", "administering.column_expires", "codes.column")
ROLE_TITLES = {Role.REPORTER: "administering.title_reporter", Role.SUPERVISOR: "administering.title_supervisor"}


def columns() -> list[str]:
    return [say(key) for key in COLUMN_KEYS]


async def make_invites(settings: Settings, province: str, role: Role, bot_username: str,
                       days: int | None) -> list[list[str]]:
    clock = SystemClock(settings.tz)
    storage = await Storage.open(settings.database_path)
    try:
        code = normalize_province_code(province)
        if await storage.units.get(code) is None:
            await import_units(storage, code)
        province_unit = await storage.units.get(code)
        if province_unit is None or province_unit.kind != UnitKind.PROVINCE:
            raise SettingsError(say("administering.no_province", code=province))
        units = [province_unit] if role == Role.SUPERVISOR else await storage.units.list_communes(code)
        rows = []
        async with storage.db.transaction():  # every link of the province, or none
            for unit in units:
                token, invite = await create_invite(storage, role, unit, created_by=None, now=clock.now(),
                                                    ttl=DEFAULT_TTL if days is None else timedelta(days=days))
                code = await add_invite_code(storage, invite.id)
                rows.append([unit.code, unit.full_name, say(ROLE_TITLES[role]), deep_link(bot_username, token),
                             format_date(invite.expires_at.date()), shown(code)])
        return rows
    finally:
        await storage.close()


def write(rows: list[list[str]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".xlsx":
        book = xlsxwriter.Workbook(str(out))
        sheet = book.add_worksheet(say("administering.sheet"))
        bold = book.add_format({"bold": True})
        sheet.write_row(0, 0, columns(), bold)
        for index, row in enumerate(rows, start=1):
            sheet.write_row(index, 0, row[:3])
            sheet.write_url(index, 3, row[3], string=row[3])
            sheet.write(index, 4, row[4])
            sheet.write(index, 5, row[5])
        sheet.set_column(0, 0, 10)
        sheet.set_column(1, 1, 28)
        sheet.set_column(2, 2, 16)
        sheet.set_column(3, 3, 70)
        sheet.set_column(4, 4, 12)
        sheet.set_column(5, 5, 14)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, len(rows), len(COLUMN_KEYS) - 1)
        book.close()
    else:
        with out.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns())
            writer.writerows(rows)


def run(args: argparse.Namespace, settings: Settings) -> int:
    username = (args.bot_username or settings.bot_username or "").lstrip("@")
    if not username:
        raise SettingsError("Setting BOT_USERNAME is missing: give --bot-username or BOT_USERNAME in .env.")
    role = Role(args.role)
    rows = asyncio.run(make_invites(settings, args.province, role, username, args.days))
    out = Path(args.out)
    write(rows, out)
    print(say("administering.invites_written", count=len(rows), role=role_name(role), path=out))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "invite",
        help=say("cli.invite_help"),
        description="Create one single-use invitation link per commune of a province (role reporter), "
                    "or one for the province (role supervisor), written to a .csv or .xlsx file.",
    )
    parser.add_argument("--province", required=True, metavar="CODE", help="official province code, e.g. 19")
    parser.add_argument("--role", choices=[Role.REPORTER.value, Role.SUPERVISOR.value], default=Role.REPORTER.value)
    parser.add_argument("--out", required=True, metavar="FILE", help="FILE.csv or FILE.xlsx")
    parser.add_argument("--bot-username", default=None, help="the bot's @username (default: BOT_USERNAME)")
    parser.add_argument("--days", type=int, default=None, help="days until the links expire (default 14)")
    parser.set_defaults(func=run)

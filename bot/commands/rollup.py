"""`python -m bot rollup`: a province's (or the whole country's) rollup of one period, without
Telegram: the .docx, the .xlsx and the chart written to a folder, the chat message printed.

    python -m bot rollup --province 19 --period 2025-W50 --out out/
    python -m bot rollup --province all --period 2025-W50 --out out/     # the whole country, by province
    python -m bot rollup --form nq57-monthly --province 19 --period 2026-04 --out out/   # the monthly report
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.administering.units import import_units, normalize_province_code
from bot.chat.catalogue import say
from bot.clock import SystemClock
from bot.commands.form_option import FormOptionError, add_form_option, period_of_form
from bot.domain.forms import WEEKLY_FORM_ID, load_forms
from bot.settings import Settings
from bot.supervising.rollup_service import NATIONAL, RollupError, RollupFiles, find_period, produce
from storage import Storage


async def make_rollup(settings: Settings, province: str, period_key: str | None,
                      form_id: str = WEEKLY_FORM_ID) -> RollupFiles:
    forms = load_forms(settings.forms_dir)
    if form_id not in forms:
        raise RollupError(say("cli.no_form", form=form_id, folder=settings.forms_dir))
    form = forms[form_id]
    if period_key is not None:
        try:
            period_key = str(period_of_form(form, period_key))
        except FormOptionError as exc:
            raise RollupError(str(exc)) from None
    clock = SystemClock(settings.tz)
    national = province.strip().lower() in {NATIONAL, "toanquoc", "toan-quoc"}
    try:
        code = None if national else normalize_province_code(province)
    except ValueError:
        raise RollupError(say("cli.rollup_bad_province", province=province)) from None
    storage = await Storage.open(settings.database_path)
    try:
        if await storage.units.count() == 0 or (code is not None and not await storage.units.list_communes(code)):
            try:
                await import_units(storage, code)
            except ValueError:
                raise RollupError(say("rollup.no_province", code=province)) from None
        now = clock.now()
        period = await find_period(storage, form, period_key, now)
        files = await produce(storage, form, period, code, templates_dir=settings.templates_dir,
                              report_date=now.date(), tz=settings.tz, forms=forms)
    finally:
        await storage.close()
    return files


def write_files(files: RollupFiles, out: Path) -> str:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in ((files.docx_name, files.docx), (files.xlsx_name, files.xlsx),
                          (files.chart_name, files.chart), (files.full_chart_name, files.full_chart)):
        (out / name).write_bytes(content)
        written.append(f"  {out / name} ({max(1, len(content) // 1024)} KB)")
    timing = ", ".join(f"{k.removesuffix('_s')} {v * 1000:.0f} ms" for k, v in files.timings.items())
    return "\n".join([files.message, "", say("cli.rollup_written", files="\n".join(written), timing=timing)])


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        files = asyncio.run(make_rollup(settings, args.province, args.period, args.form))
        print(write_files(files, args.out))
    except RollupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "rollup",
        help=say("cli.rollup_help"),
        description="Write a province's rollup of one period (the .docx, the .xlsx and the chart) to a folder "
                    "and print the chat message; --province all gives the whole country by province.",
    )
    parser.add_argument("--province", required=True, metavar="CODE", help="official province code, e.g. 19; all: the whole country")
    parser.add_argument("--period", metavar="KEY", default=None,
                        help="period key of the form, e.g. 2025-W50, 2026-04 for a monthly form "
                             "(default: the latest period past its deadline)")
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="folder to write the files to")
    add_form_option(parser)
    parser.set_defaults(func=run)

"""`python -m bot import FILE`: reports for many communes and periods at once, entered on their
behalf, from an .xlsx (the rollup's columns: an export re-imports) or a JSON list of
``{"unit": "01894", "period": "2025-W50", "answers": {field id: value}}``. Every row gets the
reporter's checks and one line of result; importing the same file twice changes nothing. Rows are
stored in batches of short transactions, so the bot keeps answering officials during an import.

    python -m bot import reports.xlsx
    python -m bot import reports.json --dry-run
    python -m bot import sheet.xlsx --period 2025-W50 --province 19
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from bot.administering.units import import_units, normalize_province_code, official_units
from bot.chat.catalogue import say
from bot.clock import SystemClock
from bot.commands.form_option import FormOptionError, add_form_option, period_of_form
from bot.domain.forms import Form, load_forms
from bot.importing.batches import import_stream
from bot.importing.entry import ImportFileError, Row, read_rows, summary_of
from bot.settings import Settings
from storage import Storage
from storage.models import UnitKind


def read_file(settings: Settings, path: Path, form_id: str) -> tuple[Form, Iterator[Row]]:
    """The form and the file's rows (read lazily, as the import takes them)."""
    forms = load_forms(settings.forms_dir)
    if form_id not in forms:
        raise ImportFileError(say("cli.no_form", form=form_id, folder=settings.forms_dir))
    form = forms[form_id]
    if not path.exists():
        raise ImportFileError(say("cli.no_file", path=path))
    return form, read_rows(path, form, settings.tz)


async def run_import(settings: Settings, form: Form, rows: Iterable[Row], *, period: str | None,
                     province: str | None, dry_run: bool, out: TextIO = sys.stdout) -> tuple[str, bool]:
    """Import the rows in batches, printing each row's line to ``out`` as it is done; the summary
    and whether a row failed. The bot keeps writing between batches."""
    if period is not None:
        try:
            period = str(period_of_form(form, period))
        except FormOptionError as exc:
            raise ImportFileError(str(exc)) from None
    code = normalize_province_code(province) if province else None
    clock = SystemClock(settings.tz)
    storage = await Storage.open(settings.database_path)
    counts: Counter[str] = Counter()
    try:
        communes = None
        if await storage.units.count() == 0:
            if dry_run:  # a dry run stores nothing, not even the units: it finds communes in the official list
                communes = [unit for unit in official_units(code) if unit.kind == UnitKind.COMMUNE]
            else:
                await import_units(storage, code)
        async for result in import_stream(storage, form, rows, now=clock.now(), default_period=period,
                                          province=code, dry_run=dry_run, communes=communes):
            counts[result.outcome] += 1
            print(result.line(), file=out)
    finally:
        await storage.close()
    text = summary_of(sum(counts.values()), counts)
    if dry_run:
        text = say("cli.dry_run", summary=text)
    return text, counts["error"] > 0


# The cyclic garbage collector's thresholds during an import: at Python's default (a collection every
# 700 new objects) it scanned the import's caches over and over, 15 % of the import's time; the
# objects of an import are freed by reference counting, the rare cycles still collected.
IMPORT_GC_THRESHOLDS = (50_000, 50, 100)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The collector's thresholds raised for the duration (see IMPORT_GC_THRESHOLDS)."""
    before = gc.get_threshold()
    gc.set_threshold(*IMPORT_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        form, rows = read_file(settings, args.file, args.form)
        with fewer_collections():
            text, failed = asyncio.run(run_import(settings, form, rows, period=args.period,
                                                  province=args.province, dry_run=args.dry_run))
    except (ImportFileError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(text)
    return 1 if failed else 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "import",
        help=say("cli.import_help"),
        description="Load reports for many communes and periods, entered on their behalf, from an .xlsx with the "
                    "rollup's columns (an export re-imports) or a JSON list of {unit, period, answers}; every row "
                    "is checked like a reporter's answers and gets one line of result. Importing the same file "
                    "twice changes nothing. Exit status 1 when a row failed.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="FILE.xlsx or FILE.json")
    parser.add_argument("--period", metavar="KEY",
                        help="period of rows without one, of the form's kind: e.g. 2025-W50, 2026-04 for a monthly form")
    parser.add_argument("--province", metavar="CODE", help="only communes of this province, e.g. 19")
    parser.add_argument("--dry-run", action="store_true", help="check every row, store nothing")
    add_form_option(parser)
    parser.set_defaults(func=run)

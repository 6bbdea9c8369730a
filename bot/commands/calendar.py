"""`python -m bot calendar`: the coming periods of a form, as the bot will run them — dates,
opening, reminders, deadline and why it moved — so an admin can check the schedule first."""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.chat.catalogue import say
from bot.commands.form_option import add_form_option
from bot.domain.forms import load_forms
from bot.domain.numbers import format_date
from bot.domain.scheduled import default_form_id
from bot.notices.plan import describe_plan, effective_spec, format_moment, plan
from bot.settings import Settings

_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class CalendarCommandError(ValueError):
    pass


def parse_date(text: str) -> date:
    """ "20/4/2026", "20/04/2026" or "2026-04-20"."""
    text = text.strip()
    if match := _VN_DATE.match(text):
        day, month, year = int(match[1]), int(match[2]), int(match[3])
    else:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise argparse.ArgumentTypeError(say("cli.calendar_bad_date", text=text)) from None
    try:
        return date(year, month, day)
    except ValueError:
        raise argparse.ArgumentTypeError(say("cli.calendar_no_such_day", text=text)) from None


def stored_override(database: Path, form_id: str) -> tuple[dict[str, Any], str] | None:
    """The calendar change set in chat, read without creating or migrating the database."""
    if not database.exists():
        return None
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
            row = conn.execute(
                "SELECT settings, updated_at FROM calendar_overrides WHERE form_id = ?", (form_id,)
            ).fetchone()
    except sqlite3.Error:  # an older schema, or not a database: the form file alone
        return None
    return None if row is None else (json.loads(row[0]), row[1])


def calendar_text(settings: Settings, form_id: str | None, start: date | None, weeks: int) -> str:
    forms = load_forms(settings.forms_dir)
    form_id = form_id or default_form_id(forms)
    if form_id not in forms:
        raise CalendarCommandError(say("cli.calendar_no_form", form=form_id, known=", ".join(sorted(forms))))
    form = forms[form_id]
    spec = form.period
    found = stored_override(settings.database_path, form_id)
    source = say("cli.calendar_from_file", form=form_id)
    if found is not None:
        spec = effective_spec(spec, found[0])
        source = say("cli.calendar_overridden", form=form_id, at=format_moment(datetime.fromisoformat(found[1])),
                     changed=", ".join(sorted(found[0])))
    day = start or datetime.now(spec.tz).date()
    planned = plan(spec, day, weeks)
    title = say("cli.calendar_title", title=form.title, form=form_id, weeks=weeks, day=format_date(day))
    return describe_plan(spec, planned, title=title) + "\n\n" + source


def _run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        print(calendar_text(settings, args.form, args.start, args.weeks))
    except CalendarCommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "calendar",
        help=say("cli.calendar_help"),
        description="Print the coming periods of a form: the week's dates, opening, reminders and deadline "
                    "(and why it moved: weekends, public holidays), as the bot will run them.",
    )
    add_form_option(parser, fallback=True)
    parser.add_argument("--from", dest="start", metavar="DATE", type=parse_date,
                        help="first day to look from, dd/mm/yyyy or yyyy-mm-dd (default: today)")
    parser.add_argument("--weeks", metavar="N", type=int, default=8, help="how many periods (default: 8)")
    parser.set_defaults(func=_run)

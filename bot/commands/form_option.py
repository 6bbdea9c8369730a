"""The ``--form ID`` option of every command that concerns a form (render, import, rollup,
calendar): the weekly report by default, and a period key read as that form's (a week "2025-W50"
for the weekly report, a month "2026-04" for the monthly one), refused in Vietnamese otherwise."""

from __future__ import annotations

import argparse
from datetime import date, timedelta

from bot.chat.catalogue import say
from bot.domain.forms import WEEKLY_FORM_ID, Form
from bot.domain.periods import PeriodKey, PeriodKeyError

FORM_HELP = (f"the form, by its id as `python -m bot forms list` prints it (default: {WEEKLY_FORM_ID}, the weekly "
             "report; nq57-monthly: the monthly Resolution 57 report)")


class FormOptionError(ValueError):
    """A form or a period the command cannot take; the message is Vietnamese."""


def add_form_option(parser: argparse.ArgumentParser, *, fallback: bool = False, note: str = "") -> None:
    """``--form FORM_ID``, the weekly report by default (``fallback``: None, the command then
    chooses: the weekly report, or the first form when the forms folder has no weekly one, or the
    variant its settings name); ``note`` ends the help with what the command does without it."""
    parser.add_argument("--form", default=None if fallback else WEEKLY_FORM_ID, metavar="FORM_ID",
                        help=f"{FORM_HELP}; {note}" if note else FORM_HELP)


def example_key(form: Form, today: date | None = None) -> str:
    """A period key of the form's kind: "2025-W50", "2026-04"."""
    day = (today or date(2026, 5, 1)) - timedelta(days=7)
    return str(PeriodKey.containing(form.period.kind, day))


def period_of_form(form: Form, text: str) -> PeriodKey:
    """The period ``text`` names, of the form's kind ("2026-04" for a monthly form)."""
    try:
        key = PeriodKey.parse(text.strip())
    except PeriodKeyError:
        raise FormOptionError(say("form_option.bad_period", period=text, form=form.id,
                                  example=example_key(form))) from None
    if key.kind != form.period.kind:
        raise FormOptionError(say("form_option.other_kind", period=text, form=form.id,
                                  example=example_key(form))) from None
    return key

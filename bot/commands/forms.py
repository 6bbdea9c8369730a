"""`python -m bot forms list` and `python -m bot forms check FILE.yaml`: the forms the bot loads
(id, title, period kind, version), and a form file checked before it is installed, each problem
with its line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.chat.catalogue import say
from bot.domain.form_lines import problem_lines
from bot.domain.forms import FormError, form_mappings, load_forms, parse_form
from bot.domain.rollup_spec import RollupSpecError, rollup_of
from bot.settings import Settings

PERIOD_KINDS = {"weekly": "forms_command.weekly", "monthly": "forms_command.monthly"}


def forms_list(settings: Settings) -> str:
    """One line per form of FORMS_DIR: id, title, period kind, version (a table with a header)."""
    forms = load_forms(settings.forms_dir)
    if not forms:
        return say("forms_command.none", folder=settings.forms_dir)
    rows = [(say("forms_command.head_id"), say("forms_command.head_kind"), say("forms_command.head_version"),
             say("forms_command.head_title"))]
    for form in forms.values():
        kind = say(PERIOD_KINDS[form.period.kind])
        if form.variant_of is not None:
            kind = say("form_variants.variant_of", kind=kind, base=form.variant_of)
        elif not form.scheduled:
            kind = say("forms_command.not_scheduled", kind=kind)
        rows.append((form.id, kind, str(form.version), form.title))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3]
                     for row in rows)


def forms_check(path: Path, forms_dir: Path | None = None) -> tuple[int, str]:
    """(exit status, what to print): 0 and a summary for a good file, 1 and "FILE:LINE: problem"
    lines for a bad one (2 when it cannot be read). A variant (``extends``) is checked against
    the forms of its own folder, then those of ``forms_dir``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return 2, say("forms_command.unreadable", file=path, reason=getattr(error, "strerror", None) or error)
    try:
        form = parse_form(text, path.name, bases=lambda: _bases(path, forms_dir))
    except FormError as error:
        return 1, _problems(path, text, error.problems)
    try:
        rollup_of(form)  # what /tonghop would refuse: a figure or text naming what the form lacks
    except RollupSpecError as error:
        return 1, _problems(path, text, [f"rollup: {problem}" for problem in error.problems])
    valid = say("forms_command.valid", file=path, id=form.id, version=form.version, fields=len(form.fields))
    if form.variant_of is not None:
        valid += " " + say("form_variants.valid_variant", base=form.variant_of)
    return 0, valid


def _problems(path: Path, text: str, problems: Sequence[str]) -> str:
    lines = [f"{path}:{line}: {problem}" if line else f"{path}: {problem}"
             for line, problem in problem_lines(text, problems, path.name)]
    return "\n".join([*lines, say("forms_command.problems", count=len(lines))])


def _bases(path: Path, forms_dir: Path | None) -> dict[str, dict[str, object]]:
    found = form_mappings(forms_dir, skip=path) if forms_dir is not None else {}
    return {**found, **form_mappings(path.parent, skip=path)}


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "list":
        print(forms_list(settings))
        return 0
    status, text = forms_check(Path(args.file), Path(settings.forms_dir))
    print(text, file=sys.stderr if status else sys.stdout)
    return status


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "forms",
        help=say("cli.forms_help"),
        description="Forms the bot loads from FORMS_DIR. 'list' prints each form's id, period kind (weekly, "
                    "monthly), version and title; 'check FILE.yaml' validates a form file and prints each "
                    "problem as FILE:LINE: problem (exit status 1 when there are problems, 2 when the file "
                    "cannot be read).",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help=say("cli.forms_list_help"),
                       description="Print each form of FORMS_DIR: id, period kind, version, title.")
    check = actions.add_parser("check", help=say("cli.forms_check_help"),
                               description="Validate a form file; print each problem with its line number.")
    check.add_argument("file", metavar="FILE.yaml", help="the form file to check")
    parser.set_defaults(func=_run)

"""`python -m bot render`: a commune's report as a .docx, without Telegram.

    python -m bot render --unit 21370 --period 2025-W50 --answers answers.json --out bc.docx
    python -m bot render --unit 21370 --period 2025-W50 --out bc.docx      # the stored report
    python -m bot render --form nq57-monthly --unit 5800 --period 2026-04 \
        --answers templates/samples/nq57-monthly-phu-thinh.json --out bc-thang.docx

Renders a JSON of answers keyed by the form's field ids (or ``{"answers": {…}, "explanations":
{check: reason}}``, the shape of a stored submission), or, without ``--answers``, the latest
submitted version of that commune and period from the database; prints every check the answers
break with its message, so templates and settings can be checked before they reach the officials.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.chat.catalogue import say
from bot.clock import VN_TZ
from bot.commands.form_option import FormOptionError, add_form_option, period_of_form
from bot.documents.monthly import report_context
from bot.documents.render import TemplateError, form_template_path, template_bytes
from bot.documents.report import ReportUnit, report_filename
from bot.domain.answers import AnswerError, is_blank_value, parse_json_answer
from bot.domain.field_kinds import ANSWERED_KINDS
from bot.domain.forms import WEEKLY_FORM_ID, Form, load_form, load_forms
from bot.domain.numbers import CountParseError, format_count, format_date
from bot.domain.periods import PeriodKey, PeriodKeyError, period_for
from bot.domain.report_settings import NO_RECIPIENT, ReportSettings, merge, province_defaults
from bot.importing.entry import count_value, load_json_file
from bot.reporting.files import report_inputs
from bot.settings import Settings


class RenderCommandError(Exception):
    """Something the person at the command line must fix; the message says what."""


@dataclass
class Source:
    """What is rendered: answers, explanations, the date on the report, where they came from."""

    answers: dict[str, object]
    explanations: dict[str, Any] = field(default_factory=dict)
    report_date: date | None = None
    origin: str = ""
    previous: dict[str, Any] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    settings: list[Mapping[str, Any]] = field(default_factory=list)
    template: bytes | None = None


# --- looking things up ---------------------------------------------------------------------------


def find_unit(code: str) -> tuple[ReportUnit, str]:
    """A commune of the official list by its code ("21370", "5929" → "05929"), and the code of
    its province ("51")."""
    text = code.strip()
    if not text.isdigit():
        raise RenderCommandError(say("cli.render_bad_unit", code=code))
    wanted = text.zfill(5)
    try:
        from bot.administering.units import official_units
    except ImportError:  # pragma: no cover - bot.administering.units ships with storage
        return _find_unit_in_package(wanted)
    units = official_units()
    provinces = {unit.code: unit for unit in units if unit.kind == "province"}
    for unit in units:
        if unit.kind == "commune" and unit.code == wanted:
            province = provinces.get(unit.province_code)
            report_unit = ReportUnit(
                code=unit.code,
                full_name=unit.full_name,
                name=unit.name,
                province_name=province.full_name if province else "",
            )
            return report_unit, unit.province_code
    raise RenderCommandError(say("cli.render_no_unit", code=wanted))


def _find_unit_in_package(wanted: str) -> tuple[ReportUnit, str]:  # pragma: no cover - fallback only
    from vietnam_provinces import Province, Ward

    provinces = {int(p.code): p.name for p in Province.iter_all()}
    for ward in Ward.iter_all():
        if f"{int(ward.code):05d}" == wanted:
            province = provinces.get(int(ward.province_code), "")
            if province and not province.lower().startswith(("tỉnh ", "thành phố ")):
                province = say("units.province", name=province)
            unit = ReportUnit(code=wanted, full_name=ward.name, province_name=province)
            return unit, f"{int(ward.province_code):02d}"
    raise RenderCommandError(say("cli.render_no_unit", code=wanted))


def find_form(settings: Settings, form_id: str) -> Form:
    path = Path(settings.forms_dir) / f"{form_id}.yaml"
    if path.exists():
        return load_form(path)
    forms = load_forms(settings.forms_dir)
    if form_id not in forms:
        known = ", ".join(sorted(forms)) or say("cli.render_no_forms")
        raise RenderCommandError(say("cli.render_no_form", form=form_id, folder=settings.forms_dir, known=known))
    return forms[form_id]


def read_answers(path: Path, form: Form) -> tuple[dict[str, object], dict[str, Any], list[str]]:
    """Answers from a JSON file: ``{field_id: value}`` or ``{"answers": {…}, "explanations": {…}}``.
    Counts and decimals may be written as numbers or as officials type them ("1.794", "84,03");
    choices by option id or label, tables as the form declares them. Returns the answers,
    the explanations and warnings about keys the form does not know."""
    data = load_json_file(path, RenderCommandError, say("cli.render_answers_file"))
    if not isinstance(data, dict):
        raise RenderCommandError(say("cli.render_answers_not_object", path=path))
    explanations: dict[str, Any] = {}
    if isinstance(data.get("answers"), dict):
        raw_explanations = data.get("explanations") or {}
        if not isinstance(raw_explanations, dict):
            raise RenderCommandError(say("cli.render_explanations_not_object", path=path))
        explanations = raw_explanations
        data = data["answers"]
    answers, warnings = coerce_answers(form, data, str(path))
    return answers, explanations, warnings


def coerce_answers(form: Form, data: Mapping[str, Any], source: str) -> tuple[dict[str, object], list[str]]:
    answers: dict[str, object] = {}
    warnings: list[str] = []
    problems: list[str] = []
    for key, value in data.items():
        if form.kind_of(key) not in ANSWERED_KINDS:
            warnings.append(say("cli.render_unknown_field", key=key, form=form.id))
            continue
        field_ = form.field(key)
        if is_blank_value(field_, value):
            answers[key] = None  # null or a blanks.words entry: the blank (blanks.button), not 0
            continue
        if value is None:
            continue
        if field_.kind == "count":
            try:
                answers[key] = count_value(value, field_)
            except CountParseError as exc:
                problems.append(f"«{key}» ({field_.label}): {exc.reason}")
        elif field_.kind != "text":  # decimals, percentages, choices, targets, tables
            try:
                answers[key] = parse_json_answer(field_, value)
            except AnswerError as exc:
                problems.append(f"«{key}» ({field_.label}): {exc.reason}")
        else:  # a text, up to its field's limit as in chat and imports
            text = value if isinstance(value, str) else str(value)
            if len(text.strip()) > field_.text_limit:
                problems.append(f"«{key}» ({field_.label}): " + say(
                    "answers.text_too_long", length=format_count(len(text.strip())),
                    limit=format_count(field_.text_limit)))
            else:
                answers[key] = text
    if problems:
        raise RenderCommandError(say("cli.render_bad_answers", source=source, problems="\n  ".join(problems)))
    return answers, warnings


def read_settings_file(path: Path) -> dict[str, Any]:
    """The settings of ``--settings FILE.json``: any report setting (``title``, ``period_wording``
    week | as_of | quarter, ``recipient`` — empty for no «Kính gửi» line —, ``signing`` TM | KT,
    ``signer_name``, ``form_variant`` …); a setting unknown or a value not taken is refused."""
    data = load_json_file(path, RenderCommandError, say("cli.render_settings_file"))
    if not isinstance(data, dict):
        raise RenderCommandError(say("cli.render_settings_not_object", path=path))
    allowed = {"signer_authority", "signer_title", "extra", "signing"}
    unknown = set(data) - set(ReportSettings.model_fields) - allowed
    if unknown:
        known = ", ".join([*ReportSettings.model_fields, "signing"])
        raise RenderCommandError(say("cli.render_unknown_settings", path=path, unknown=", ".join(sorted(unknown)),
                                     known=known))
    if "recipient" in data and not (data["recipient"] or "").strip():
        data["recipient"] = NO_RECIPIENT  # written empty: no «Kính gửi» line
    try:
        ReportSettings.model_validate(data)
    except ValidationError as error:
        reasons = "; ".join(f"{'.'.join(map(str, item['loc'])) or '?'}: {item['msg']}" for item in error.errors())
        raise RenderCommandError(say("form_variants.bad_settings_file", path=path, reasons=reasons)) from None
    return data


def _variant(data: Mapping[str, Any] | None) -> str | None:
    value = (data or {}).get("form_variant")
    return value.strip() if isinstance(value, str) and value.strip() else None


# --- the stored side -----------------------------------------------------------------------------


def load_source(
    settings: Settings, form: Form, key: PeriodKey, unit: ReportUnit, province_code: str, need_submission: bool
) -> Source:
    """The stored submission (when ``need_submission``), last periods' answers, the unit's and
    province's settings and the stored template, if any. Without a database file: an empty
    source (the file is not created), or an error when the submission was asked for."""
    path = Path(settings.database_path)
    if not path.exists():
        if need_submission:
            raise RenderCommandError(say("cli.render_no_database", path=path))
        return Source(answers={})
    return asyncio.run(from_storage(path, form, key, unit, province_code, need_submission))


async def from_storage(
    path: Path, form: Form, key: PeriodKey, unit: ReportUnit, province_code: str, need_submission: bool
) -> Source:
    from storage import Storage

    storage = await Storage.open(path)
    try:
        source = Source(answers={})
        period = await storage.periods.get(form.schedule_id, str(key))
        if need_submission:
            if period is None:
                raise RenderCommandError(say("cli.render_no_period", period=key, form=form.id, path=path))
            submission = await storage.submissions.latest(period.id, unit.code)
            if submission is None:
                raise RenderCommandError(
                    say("cli.render_not_submitted", unit=unit.full_name, code=unit.code, period=key.label)
                )
            source.answers, _ = coerce_answers(form, submission.answers,
                                               say("cli.render_submission", version=submission.version))
            source.explanations = dict(submission.explanations)
            submitted = submission.submitted_at.astimezone(VN_TZ)
            source.report_date = submitted.date()
            source.origin = say("cli.render_submission_at", version=submission.version, time=f"{submitted:%H:%M}",
                                day=format_date(submitted.date()))
        inputs = await report_inputs(storage, form, key, unit.code, province_code or None,
                                     before=period.opens_at if period is not None else None)
        source.history, source.previous = inputs.history, inputs.previous
        source.settings, source.template = inputs.settings_layers, inputs.template
        return source
    finally:
        await storage.close()


# --- the command ---------------------------------------------------------------------------------


def render_command(args: argparse.Namespace, settings: Settings) -> int:
    file_settings = read_settings_file(args.settings) if args.settings is not None else None
    form = find_form(settings, args.form or _variant(file_settings) or WEEKLY_FORM_ID)
    try:
        key = period_of_form(form, args.period)
    except FormOptionError as exc:
        raise RenderCommandError(str(exc)) from None
    try:
        period = period_for(form.period, key)
    except PeriodKeyError as exc:
        raise RenderCommandError(say("cli.render_bad_period", period=args.period, form=form.id, reason=exc)) from None
    unit, province_code = find_unit(args.unit)

    source = load_source(settings, form, key, unit, province_code, need_submission=args.answers is None)
    warnings: list[str] = []
    if args.answers is not None:
        answers, explanations, warnings = read_answers(args.answers, form)
        source.answers, source.explanations = answers, explanations
        source.origin = say("cli.render_answers_origin", path=args.answers)
        source.report_date = None
    if args.date:
        try:
            source.report_date = date.fromisoformat(args.date)
        except ValueError:
            raise RenderCommandError(say("cli.render_bad_date", date=args.date)) from None
    report_date = source.report_date or datetime.now(VN_TZ).date()

    report_settings = province_defaults(unit.province_name) if unit.province_name else ReportSettings()
    for layer in source.settings:
        report_settings = merge(report_settings, layer)
    if file_settings is not None:
        report_settings = merge(report_settings, file_settings)

    if args.template is not None:
        try:
            template: bytes | Path = template_bytes(args.template)
        except OSError as exc:
            raise RenderCommandError(
                say("cli.render_unreadable_template", path=args.template, reason=exc.strerror or exc)
            ) from None
        template_origin = str(args.template)
    elif source.template is not None:
        template, template_origin = source.template, say("cli.render_stored_template")
    else:
        template = form_template_path(settings.templates_dir, form.id, form.template)
        template_origin = str(template)
        if not template.exists():
            raise RenderCommandError(say("cli.render_no_template", path=template))

    from bot.domain.evaluate import compute, evaluate_checks, skipped_checks

    checks = evaluate_checks(form, source.answers, source.previous, source.history or None)
    context = report_context(
        form,
        source.answers,
        unit=unit,
        period=period,
        settings=report_settings,
        report_date=report_date,
        explanations=source.explanations,
        previous=source.previous,
        checks=checks,
    )
    from bot.documents.pool import POOL, limits_from, render_docx_sync

    POOL.configure(limits_from(settings))  # the same time and memory limits as the bot's renders
    try:
        data = render_docx_sync(template, context)
    except TemplateError as exc:  # a stored or given template that does not render
        raise RenderCommandError(say("cli.render_template_failed", template=template_origin, reason=exc.reason)) from None
    finally:
        POOL.stop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)

    out = sys.stdout
    print(say("cli.render_report", unit=unit.full_name, code=unit.code, period=period.label), file=out)
    print(say("cli.render_sources", answers=source.origin, template=template_origin), file=out)
    for warning in warnings:
        print(say("cli.render_warning", warning=warning), file=out)
    missing = [
        item.short_label or item.label
        for item in form.questions(source.answers, source.previous)
        if item.id not in source.answers
    ]
    if missing:
        print(say("cli.render_unanswered", count=len(missing), items="; ".join(missing)), file=out)
    if checks:
        print(say("cli.render_checks_failed", count=len(checks)), file=out)
        for check in checks:
            severity = say("cli.render_hard") if check.is_hard else say("cli.render_soft")
            print(f"  [{severity}] {check.key}: {check.message}", file=out)
            reason = source.explanations.get(check.key) or source.explanations.get(check.check_id)
            if isinstance(reason, Mapping):
                reason = reason.get("reason")
            if reason:
                print(say("cli.render_explanation", reason=reason), file=out)
    else:
        print(say("cli.render_checks_passed"), file=out)
    blank = dict.fromkeys(i for _, ids in skipped_checks(form, compute(form, source.answers, source.previous)) for i in ids)
    if blank:  # answered with the blank (blanks.button): the checks that need them were not made
        print("  " + say("blanks.checks_skipped", figures=", ".join(f"«{form.label_of(i, short=True)}»" for i in blank)),
              file=out)
    print(say("cli.render_written", path=args.out, kilobytes=len(data) // 1024,
              filename=report_filename(key, unit.full_name)), file=out)
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        return render_command(args, settings)
    except (RenderCommandError, TemplateError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "render",
        help=say("cli.render_help"),
        description=(
            "Render a commune's report (.docx) from a JSON of answers keyed by the form's field ids, "
            "or, without --answers, from the latest stored submission of that commune and period; "
            "print every check the answers break."
        ),
    )
    parser.add_argument("--unit", required=True, metavar="CODE", help="official commune code, e.g. 21370")
    parser.add_argument("--period", required=True, metavar="KEY", help="period key, e.g. 2025-W50 or 2025-12")
    parser.add_argument(
        "--answers",
        type=Path,
        metavar="FILE.json",
        help='answers {"field_id": value} (or {"answers": {...}, "explanations": {...}}); '
        "default: the stored report",
    )
    parser.add_argument("--out", required=True, type=Path, metavar="FILE.docx", help="where to write the report")
    add_form_option(parser, fallback=True,
                    note="without it, the settings' form_variant chooses the weekly report's variant")
    parser.add_argument(
        "--settings",
        type=Path,
        metavar="FILE.json",
        help="report settings over the stored ones, e.g. {\"signer_name\": \"Nguyễn Văn An\"}"
        + " (also title, period_wording week|as_of|quarter, recipient empty for none, signing TM|KT, form_variant)",
    )
    parser.add_argument(
        "--template", type=Path, metavar="FILE.docx", help="template to use instead of the stored or shipped one"
    )
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="date on the report (default: submission date or today)")
    parser.set_defaults(func=run)

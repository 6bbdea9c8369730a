"""One commune on demand (/xa): its reporters, latest report with checks, versions, approval
state, the recent weeks side by side and the .docx, with the approve / return / enter choices."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.chat.access import Identity
from bot.chat.actions import Approve, EnterOnBehalf, PickCommune, ReturnReport, ShowCommune
from bot.chat.catalogue import say
from bot.chat.replies import Choice, Document, Message, Reply
from bot.domain.evaluate import CheckResult, evaluate_checks, format_value
from bot.domain.forms import Form
from bot.domain.message_length import MAX_CAPTION, cut
from bot.domain.numbers import format_count
from bot.domain.periods import PeriodKey, current_open_period, period_label
from bot.domain.rollup import APPROVAL_LABELS, explanation_text, format_moment
from bot.domain.rollup_figures import label_of
from bot.domain.rollup_spec import RollupSpecError, rollup_of
from bot.domain.text import fold
from bot.domain.values import compute
from bot.importing.entry import context_of
from bot.reporting.files import fallback_notice, fallback_of, render_submission
from bot.reporting.periods import ensure_period
from bot.services import Services
from bot.supervising.basics import official
from bot.supervising.scope import refusal, search_communes, submission_in_scope
from bot.supervising.which_form import ask_form, carried, pick, report_named
from storage import Storage
from storage.models import Submission, SubmissionStatus, Unit

HISTORY_WEEKS = 6
HISTORY_OTHER = 4  # figures of another form's last periods side by side
HISTORY_COLUMNS = ("received_new", "resolved", "pending", "on_time_rate", "online_rate")


def _headings() -> dict[str, str]:
    return {"received_new": say("supervising.column_received_new"), "resolved": say("supervising.column_resolved"),
            "pending": say("supervising.column_pending"), "on_time_rate": say("supervising.column_on_time_rate"),
            "online_rate": say("supervising.column_online_rate")}


@dataclass(frozen=True)
class HistoryTable:
    """The last weeks side by side, to be shown in a fixed-width font (newest first); the first
    row holds the headings."""

    title: str
    rows: tuple[tuple[str, ...], ...]

    def lines(self) -> list[str]:
        widths = [max(len(row[i]) for row in self.rows) for i in range(len(self.rows[0]))]
        return [" ".join(cell.rjust(width) if i else cell.ljust(width)
                         for i, (cell, width) in enumerate(zip(row, widths, strict=True))) for row in self.rows]


CardPart = Reply | HistoryTable


async def commune_command(services: Services, identity: Identity, query: str) -> Sequence[CardPart]:
    """/xa <tên xã> [báo cáo: «tuần», «tháng», «nq57»… last]: the card of the commune meant, else
    the communes to choose from."""
    picked = pick(services, query.split(), last_only=True)
    form = carried(services, picked.form)
    query = " ".join(picked.rest)
    if not query:
        return [Message(say("supervising.xa_help"))]
    units = await search_communes(services.storage, identity, query)
    if not units:
        return [Message(say("supervising.no_commune_match", query=query))]
    unit = units[0] if len(units) == 1 else named(units, query)
    if unit is None:
        return [Message(say("supervising.choose_commune"),
                        tuple((Choice(u.full_name, PickCommune(u.code, form)),) for u in units))]
    return await commune_card(services, identity, unit, None, form)


def named(units: Sequence[Unit], query: str) -> Unit | None:
    """The commune the query names outright ("Văn Lăng", "xã Văn Lăng"): the name as typed, with its
    diacritics, first — /xa Văn Lăng is not Xã Văn Lang — then the name without diacritics when only
    one commune has it; None when the person has to choose."""
    def same(name: str, text: str) -> bool:
        return " ".join(unicodedata.normalize("NFC", name).lower().split()) == text

    typed = " ".join(unicodedata.normalize("NFC", query).lower().split())
    exact = [u for u in units if same(u.name, typed) or same(u.full_name, typed)]
    if exact:
        return exact[0]
    folded = [u for u in units if fold(query) in (fold(u.name), fold(u.full_name))]
    return folded[0] if len(folded) == 1 else None


def _value_text(value: Any) -> str:
    if value is None:
        return say("supervising.value_missing")
    if isinstance(value, int):
        return format_count(value)
    text = " ".join(str(value).split())
    return text if len(text) <= 300 else text[:299] + "…"


def report_lines(form: Form, answers: dict[str, Any], explanations: dict[str, Any],
                 checks: Sequence[CheckResult], previous: dict[str, Any] | None = None) -> list[str]:
    """A report as text: the answers by section, the totals, the rates, the checks it breaks."""
    values = compute(form, answers, previous)
    lines: list[str] = []
    for section, fields in form.sections_with_fields():
        shown = [f for f in fields if form.applies(f, answers, previous) is not False]
        if not shown:
            continue
        if section is not None:
            lines.append(f"▸ {section.label}")
        lines += [f"• {f.button_label}: {_value_text(answers.get(f.id))}" for f in shown]
    derived = [d for d in form.derived if values.known(d.id)]
    if derived:
        lines.append("▸ " + say("supervising.section_totals"))
        lines += [f"• {d.label}: {format_value(form, values, d.id)}" for d in derived]
    rates = [r for r in form.rates if values.known(r.id)]
    if rates:
        lines.append("▸ " + say("supervising.section_rates"))
        lines += [f"• {r.label}: {format_value(form, values, r.id)}" for r in rates]
    for check in checks:
        reason = explanation_text(explanations.get(check.key))
        lines.append(f"{'✖' if check.is_hard else '⚠'} {check.message}")
        if reason:
            lines.append("   " + say("supervising.explanation", reason=reason))
    return lines


async def _names(storage: Storage, ids: set[int | None]) -> dict[int, str]:
    names: dict[int, str] = {}
    for person_id in ids:
        if person_id is not None:
            person = await storage.people.get(person_id)
            if person is not None:
                names[person_id] = person.full_name
    return names


def _status_line(submission: Submission, names: dict[int, str]) -> str:
    line = say("supervising.status", state=APPROVAL_LABELS.get(str(submission.status), str(submission.status)))
    if submission.status != SubmissionStatus.SUBMITTED and submission.status_at is not None:
        who = names.get(submission.status_by or -1, "")
        line += say("supervising.status_at", moment=format_moment(submission.status_at))
        line += say("supervising.status_by", who=who) if who else ""
    if submission.status == SubmissionStatus.RETURNED and submission.status_reason:
        line += say("supervising.status_reason", reason=submission.status_reason)
    return line


async def show_commune(services: Services, identity: Identity, code: str,
                       period_id: int | None = None, form_id: str | None = None) -> Sequence[CardPart]:
    """The card of the commune ``code`` (a tap); a refusal out of scope."""
    unit = await services.storage.units.get(code)
    if unit is None or not identity.can_see(unit.province_code):
        return refusal()
    return await commune_card(services, identity, unit, period_id, form_id)


async def _card_form(services: Services, period_id: int | None, form_id: str | None) -> Form | None:
    """The form of the card: the period's when one is asked for, else the one carried or said."""
    if period_id is not None:
        period = await services.storage.periods.get_by_id(period_id)
        if period is not None and period.form_id in services.forms:
            return services.forms[period.form_id]
    return pick(services, [], None, form_id).form


async def commune_card(services: Services, identity: Identity, unit: Unit,
                       period_id: int | None = None, form_id: str | None = None) -> Sequence[CardPart]:
    """The commune's card for the form ``form_id`` (None: the only one scheduled, else asked): its
    officials, its latest report (or the one of ``period_id``) with the checks, the versions, the
    last periods side by side, its .docx, and the choices to act on it."""
    if not identity.can_see(unit.province_code):
        return refusal()
    form = await _card_form(services, period_id, form_id)
    if form is None:
        return [ask_form(services, lambda chosen: ShowCommune(unit.code, None, chosen))]
    storage = services.storage
    now = services.clock.now()
    province = await storage.units.get(unit.province_code)
    reporters = await storage.people.reporters_of(unit.code)
    lines = [report_named(services, form) + say("supervising.card_title", commune=unit.full_name, code=unit.code,
                 province=province.full_name if province else unit.province_code),
             say("supervising.card_reporters",
                 names=", ".join(official(p) for p in reporters) or say("supervising.card_nobody"))]
    open_period = await ensure_period(storage, current_open_period(form.period, now))
    if await storage.submissions.latest(open_period.id, unit.code) is None:
        lines.append(say("supervising.open_missing", period=period_label(open_period.key)))
    on_behalf = Choice(say("supervising.on_behalf_button"), EnterOnBehalf(unit.code, carried(services, form)))
    recent = await storage.submissions.recent_for_unit(unit.code, form.id, limit=HISTORY_WEEKS)
    if not recent:
        lines.append(say("supervising.never_reported"))
        return [Message("\n".join(lines), ((on_behalf,),))]
    chosen = await storage.submissions.latest(period_id, unit.code) if period_id is not None else None
    latest = chosen or recent[0]
    period = await storage.periods.get_by_id(latest.period_id)
    assert period is not None
    versions = await storage.submissions.versions(period.id, unit.code)
    names = await _names(storage, {v.submitted_by for v in versions} | {latest.status_by})
    previous, history = await context_of(storage, form, unit, period)
    checks = evaluate_checks(form, dict(latest.answers), previous, history)
    lines += ["", say("supervising.card_report", period=period_label(period.key).upper(), version=latest.version,
                      id=latest.id)]
    lines += report_lines(form, dict(latest.answers), dict(latest.explanations), checks, previous)
    lines += ["", say("supervising.versions")]
    for version in versions:
        who = names.get(version.submitted_by or -1, say("supervising.unknown_submitter"))
        flags = [say(key) for key, on in (("supervising.flag_on_behalf", version.on_behalf),
                                          ("supervising.flag_late", version.late),
                                          ("import_times.flag_untimed", version.untimed)) if on]
        lines.append(say("supervising.version_line", version=version.version,
                         moment=format_moment(version.submitted_at), who=who)
                     + (f" ({', '.join(flags)})" if flags else ""))
    lines.append(_status_line(latest, names))
    rows: list[tuple[Choice, ...]] = []
    if latest.status != SubmissionStatus.APPROVED:
        rows.append((Choice(say("supervising.approve_button"), Approve(latest.id)),))
    rows.append((Choice(say("supervising.return_button"), ReturnReport(latest.id)),))
    rows.append((on_behalf,))
    report = await render_submission(storage, services.form_of(latest.form_id, latest.form_version),
                                     services.settings.templates_dir, unit, period.key, latest, **fallback_of(services))
    caption = cut(say("supervising.card_caption", period=period_label(period.key), commune=unit.full_name,
                      version=latest.version), MAX_CAPTION)
    return [Message("\n".join(lines), tuple(rows)), await _history_table(storage, form, recent),
            Document(report.filename, report.content, caption), *fallback_notice(report)]


async def submission_file(services: Services, identity: Identity, submission_id: int | None) -> list[Reply]:
    """The .docx of a submission (a tap under a notice); a refusal out of scope."""
    storage = services.storage
    found = await submission_in_scope(storage, identity, submission_id)
    if found is None:
        return refusal()
    answered = found.submission
    report = await render_submission(storage, services.form_of(answered.form_id, answered.form_version),
                                     services.settings.templates_dir, found.unit, found.period.key, answered,
                                     **fallback_of(services))
    return [Document(report.filename, report.content), *fallback_notice(report)]



def _columns(form: Form) -> tuple[list[str], dict[str, str]]:
    """The figures of the last periods side by side: the weekly ones, else the first figures of
    the form's rollup message (counts and rates of its own), by their short labels."""
    columns = [ident for ident in HISTORY_COLUMNS if form.kind_of(ident)]
    if columns:
        return columns, _headings()
    try:
        spec = rollup_of(form)
    except RollupSpecError:  # the form file's rollup section is wrong: /tonghop tells it; the card goes on
        return [], {}
    columns = [line.figure for line in spec.message if form.kind_of(line.figure) in ("count", "derived", "rate")]
    columns = columns[:HISTORY_OTHER]
    return columns, {ident: label_of(form, spec, ident, short=True) for ident in columns}


async def _history_table(storage: Storage, form: Form, recent: list[Submission]) -> HistoryTable:
    """The last weeks side by side, newest first."""
    columns, headings = _columns(form)
    rows = [(say("supervising.column_period"), *(headings[ident] for ident in columns))]
    for submission in recent:
        period = await storage.periods.get_by_id(submission.period_id)
        key = PeriodKey.parse(period.key) if period else None
        values = compute(form, submission.answers)
        cells = [f"T{key.number}/{str(key.year)[2:]}" if key else "?"]
        cells += [format_value(form, values, ident).removesuffix("%") for ident in columns]
        rows.append(tuple(cells))
    title = say("which_form.history_months") if form.period.kind == "monthly" else say("supervising.history_title")
    return HistoryTable(title, tuple(rows))

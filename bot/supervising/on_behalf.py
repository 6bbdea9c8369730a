"""Entering a report on a commune's behalf (/nhapthay): the copy-and-fill template, reading the
«Nhãn: giá trị» lines back into the commune's draft (one transaction), and submitting it marked
as entered on behalf."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from bot.chat.access import Identity, person_of
from bot.chat.actions import EnterOnBehalf, SubmitOnBehalf
from bot.chat.catalogue import say
from bot.chat.replies import Choice, Message, Reply
from bot.domain.answers import AnswerError, parse_answer, parse_table
from bot.domain.arguments import ArgumentError, is_keyword, parse_id
from bot.domain.decimals import format_decimal, from_canonical
from bot.domain.evaluate import defaults
from bot.domain.forms import Field, Form
from bot.domain.message_length import cut
from bot.domain.numbers import format_count
from bot.domain.periods import current_open_period, period_label
from bot.domain.text import fold
from bot.importing.entry import check_answers, context_of, enter_report, period_of
from bot.reporting.periods import ensure_period
from bot.reporting.soft_checks import MAX_REASON
from bot.reporting.variants import form_for_unit
from bot.services import Services
from bot.supervising.commune import report_lines
from bot.supervising.scope import commune_in_scope, period_key, refusal, search_communes
from bot.supervising.tell import Tell, tell_reporters
from bot.supervising.which_form import ask_form, carried, other_kind, pick
from storage.models import Period, Submission, SubmissionStatus, Unit, UnitKind

PLAIN_KINDS = ("count", "text")  # read by the shared check; the other kinds here, as the chat reads them
Resubmitted = Callable[[Submission], Awaitable[Any]]


def _field_of_label(form: Form, label: str) -> str | None:
    key = " ".join(fold(label).replace(",", " ").split())
    for item in form.fields:
        for name in (item.short_label or "", item.label, item.id):
            if name and " ".join(fold(name).replace(",", " ").replace(":", " ").split()) == key:
                return item.id
    found = form.match_label(label)
    return found.id if found is not None else None


def parse_entry(form: Form, lines: Sequence[str]) -> tuple[dict[str, str], str, list[str]]:
    """"Nhãn: giá trị" lines → (field id → value as typed, general explanation, unreadable lines)."""
    values: dict[str, str] = {}
    explanation = ""
    unknown: list[str] = []
    for raw in lines:
        line = raw.strip().lstrip("-•*+").strip()
        if not line:
            continue
        label, sep, value = line.partition(":")
        if not sep:
            unknown.append(line)
            continue
        if is_keyword(label, "supervising_words.explanation"):
            explanation = value.strip()
            continue
        ident = _field_of_label(form, label)
        if ident is None:
            unknown.append(line)
        elif value.strip():
            values[ident] = value.strip()
    return values, explanation, unknown


def read_other_kinds(form: Form, values: Mapping[str, str]) -> tuple[dict[str, Any], list[str]]:
    """The typed values of decimals, percentages, choices, targets and tables, read as the chat
    reads them (a table: its rows as «1: 72,5» on one line, separated by «;»), and the reasons
    of those refused."""
    read: dict[str, Any] = {}
    errors: list[str] = []
    for ident, text in values.items():
        item = form.field(ident)
        if item.kind in PLAIN_KINDS:
            continue
        try:
            read[ident] = parse_table(item, text.replace(";", "\n")) if item.kind == "table" else parse_answer(item, text)
        except AnswerError as exc:
            errors.append(f"«{item.short_label or item.label}»: {exc.reason}")
    return read, errors


def _shown(item: Field, value: Any) -> str:
    """A draft's answer as it is typed back: «1.234», «97,25», an option's label; a table and an
    unreadable value blank."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return format_count(value)
    if item.kind in ("decimal", "percent", "target"):
        number = from_canonical(value)
        return format_decimal(number) if number is not None else str(value)
    if item.kind == "choice":
        option = item.option(str(value))
        return option.label if option is not None else str(value)
    return str(value) if item.kind == "text" else ""


def entry_template(form: Form, unit: Unit, period: Period, current: dict[str, Any]) -> str:
    lines = [f"/nhapthay {unit.code} {period.key}"]
    for item in form.fields:
        lines.append(f"{item.short_label or item.label}: {_shown(item, current.get(item.id))}")
    lines.append(say("supervising.template_explanation"))
    return "\n".join(lines)


async def on_behalf_command(services: Services, identity: Identity, text: str) -> list[Reply]:
    """/nhapthay <xã> [kỳ] and, on the following lines, «Nhãn: giá trị»: the template to fill, or
    the lines read into the commune's draft."""
    storage = services.storage
    first, *rest = text.split("\n")
    tokens = first.split()[1:]
    now = services.clock.now()
    key = None
    places = [len(tokens) - 1] if tokens else []  # the period: the last word…
    if len(tokens) > 2:
        places.append(len(tokens) - 2)  # …or the one before the report's word after a commune («… 2026-04 tháng»)
    for index in places:
        try:
            key = period_key(tokens[index], now.date())
        except ArgumentError as exc:
            return [Message(exc.reason)]
        if key is not None:
            del tokens[index]
            break
    picked = pick(services, tokens, key, last_only=True)
    query = " ".join(picked.rest)
    if not query:
        return [Message(say("supervising.nhapthay_help"))]
    unit = await storage.units.get(query.zfill(5)) if parse_id(query) is not None else None
    if unit is None:
        units = await search_communes(storage, identity, query)
        if not units:
            return [Message(say("supervising.no_commune_match", query=query))]
        if len(units) > 1:
            carry = carried(services, picked.form)
            return [Message(say("supervising.on_behalf_choose"),
                            tuple((Choice(u.full_name, EnterOnBehalf(u.code, carry)),) for u in units))]
        unit = units[0]
    if unit.kind != UnitKind.COMMUNE or not identity.can_see(unit.province_code):
        return refusal()
    form = picked.form
    if form is None:
        return [_ask(services, unit)]
    refused = other_kind(form, key, now.date()) if key is not None else None
    if refused is not None:
        return [refused]
    if key is not None:
        period = await period_of(storage, form, key)
        if period.opens_at > now:
            return [Message(say("supervising.not_open", period=period_label(period.key)))]
    else:
        period = await ensure_period(storage, current_open_period(form.period, now))
    if not [line for line in rest if line.strip()]:
        return await _template(services, form, unit, period)
    return await _take_entry(services, form, identity, unit, period, rest)


def _ask(services: Services, unit: Unit) -> Message:
    return ask_form(services, lambda chosen: EnterOnBehalf(unit.code, chosen),
                    say("which_form.ask_entry", commune=unit.full_name))


async def enter_on_behalf(services: Services, identity: Identity, code: str, form_id: str | None = None
                          ) -> list[Reply]:
    """«Nhập thay báo cáo» (a tap): the template of the open period of the form ``form_id`` (None:
    the only one scheduled, else asked)."""
    unit = await commune_in_scope(services.storage, identity, code)
    if unit is None:
        return refusal()
    form = pick(services, [], None, form_id).form
    if form is None:
        return [_ask(services, unit)]
    period = await ensure_period(services.storage, current_open_period(form.period, services.clock.now()))
    return await _template(services, form, unit, period)


async def _template(services: Services, form: Form, unit: Unit, period: Period) -> list[Reply]:
    storage = services.storage
    form = await form_for_unit(storage, services.forms, unit.code, unit.province_code, form.schedule_id)
    draft = await storage.drafts.find(period.id, unit.code)
    current = await storage.drafts.values(draft.id) if draft else {}
    if not current:  # last period's figures that carry over (the same defaults as the reporter's)
        previous, _ = await context_of(storage, form, unit, period)
        current = {k: v for k, v in defaults(form, previous).items() if isinstance(v, int)}
    return [Message(say("supervising.template_intro", period=period_label(period.key), commune=unit.full_name)),
            Message(entry_template(form, unit, period, current))]


async def _take_entry(services: Services, form: Form, identity: Identity, unit: Unit, period: Period,
                      lines: list[str]) -> list[Reply]:
    storage = services.storage
    form = await form_for_unit(storage, services.forms, unit.code, unit.province_code, form.schedule_id)
    now = services.clock.now()
    label = period_label(period.key)
    latest = await storage.submissions.latest(period.id, unit.code)
    if latest is not None and latest.status == SubmissionStatus.APPROVED:
        return [Message(say("supervising.approved_no_reentry", period=label, commune=unit.full_name, id=latest.id))]
    values, explanation, unknown = parse_entry(form, lines)
    typed, typed_errors = read_other_kinds(form, values)
    values = {k: v for k, v in values.items() if k not in typed}
    head = say("supervising.entry_head", period=label, commune=unit.full_name)
    async with storage.db.transaction():
        person = await person_of(storage, identity, now)
        draft = await storage.drafts.get_or_create(period.id, unit.code, now)
        current = await storage.drafts.values(draft.id)
        explanations = {k: e.reason for k, e in (await storage.drafts.explanations(draft.id)).items()}
        previous, history = await context_of(storage, form, unit, period)
        plain = {k: v for k, v in current.items() if form.kind_of(k) in PLAIN_KINDS}
        others = {k: v for k, v in current.items() if k not in plain}
        checked = check_answers(form, {**plain, **values}, previous, history, explanations,
                                stored={**others, **typed})
        checked.errors[:0] = typed_errors
        if unknown:
            checked.errors.append(say("supervising.unknown_lines",
                                      lines="; ".join(cut(line, 60) for line in unknown[:5])))
        if len(explanation) > MAX_REASON:
            checked.errors.append(say("arguments.too_long", what=say("supervising.explanation_what"),
                                      length=format_count(len(explanation)), limit=format_count(MAX_REASON)))
        if checked.errors:
            return [Message(say("supervising.entry_errors", head=head,
                                errors="\n".join(f"• {e}" for e in checked.errors)))]
        changed = {k: v for k, v in checked.answers.items() if current.get(k) != v}
        if changed:
            await storage.drafts.set_answers(draft.id, changed, person.id, now)
        for ident in current:
            if ident not in checked.answers and ident in {f.id for f in form.fields}:
                await storage.drafts.clear_answer(draft.id, ident, person.id, now)
        if explanation:
            for result in checked.unexplained:
                await storage.drafts.set_explanation(draft.id, result.key, explanation, person.id, now)
                explanations[result.key] = explanation
            checked.unexplained = []
    out = [say("supervising.entry_saved", head=head)]
    out += report_lines(form, checked.answers, explanations, checked.soft, previous)
    if checked.missing:
        out.append("\n" + say("supervising.entry_missing", fields=", ".join(checked.missing), code=unit.code,
                              key=period.key))
    elif checked.unexplained:
        out.append("\n" + say("supervising.entry_unexplained", code=unit.code, key=period.key))
    else:
        out.append("\n" + say("supervising.entry_complete"))
        submit = Choice(say("supervising.submit_button"), SubmitOnBehalf(unit.code, period.id))
        return [Message("\n".join(out), ((submit,),))]
    return [Message("\n".join(out))]


async def submit_on_behalf(services: Services, identity: Identity, code: str, period_id: int, tell: Tell,
                           resubmitted: Resubmitted | None = None) -> list[Reply]:
    """«Gửi báo cáo (nhập thay)»: the commune's draft becomes its report, marked as entered on
    behalf; its reporters are told, and whoever returned the report before."""
    storage = services.storage
    unit = await storage.units.get(code)
    period = await storage.periods.get_by_id(period_id)
    if unit is None or period is None or not identity.can_see(unit.province_code):
        return refusal()
    draft = await storage.drafts.find(period.id, unit.code)
    if draft is None:
        return [Message(say("supervising.nothing_entered", help=say("supervising.nhapthay_help")))]
    now = services.clock.now()
    async with storage.db.transaction():
        person = await person_of(storage, identity, now)
        answers = await storage.drafts.values(draft.id)
        explanations = {k: e.reason for k, e in (await storage.drafts.explanations(draft.id)).items()}
        form = await form_for_unit(storage, services.forms, unit.code, unit.province_code, period.form_id)
        result = await enter_report(storage, form, unit, period, answers, explanations,
                                    by=person.id, actor=identity.actor, now=now, where="chat",
                                    require_explanations=True)
    label = period_label(period.key)
    if result.outcome == "added" and result.submission is not None:
        sub = result.submission
        await tell_reporters(storage, unit, Message(say("supervising.entered_notice", period=label,
                                                        commune=unit.full_name, version=sub.version)), tell)
        if resubmitted is not None:
            await resubmitted(sub)  # a returned report: its returner is told
        text = say("supervising.entered", period=label, commune=unit.full_name, version=sub.version,
                   late=say("supervising.late_mark") if sub.late else "", id=sub.id)
        warnings = [w for w in result.warnings if w]
        if warnings:
            text += "\n" + "\n".join(f"⚠ {w}" for w in warnings)
    elif result.outcome == "unchanged":
        text = say("supervising.entry_unchanged", period=label, commune=unit.full_name, reason=result.message)
    else:
        text = say("supervising.entry_refused", period=label, commune=unit.full_name, reason=result.message)
    return [Message(text)]

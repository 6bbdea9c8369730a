"""Reports entered for communes by the province: from a file (``python -m bot import``) or typed by a
supervisor in chat (/nhapthay). Both go through :func:`check_answers` — the reporter's checks: every
count a whole number within bounds, every text a text, every question that applies answered, no
hard rule broken; soft rules are reported, with the explanation when one is given — and
:func:`enter_report`, which stores a new version marked ``on_behalf`` only when something changed:
importing the same file twice, or sending the same figures again, changes nothing.

Files are read by :mod:`bot.importing.reading` and imported in batches by :mod:`bot.importing.batches`.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

from bot.chat.catalogue import say
from bot.domain.answers import is_blank_value
from bot.domain.evaluate import CheckResult, evaluate_checks
from bot.domain.forms import Field, Form
from bot.domain.numbers import CountParseError, format_count, parse_count
from bot.domain.periods import PeriodKey, PeriodKeyError, period_for
from bot.domain.rollup import explanation_text
from bot.domain.values import Values, compute
from bot.importing.reading import ImportFileError as ImportFileError  # re-exported for the command and tests
from bot.importing.reading import Row as Row
from bot.importing.reading import TooLong, unreadable_text
from bot.importing.reading import read_rows as read_rows
from bot.reporting.last_period import last_period_answers
from storage import Storage
from storage.models import Period, Submission, SubmissionStatus, Unit

HISTORY_PERIODS = 8
Outcome = Literal["added", "unchanged", "error", "skipped"]


@dataclass
class Checked:
    answers: dict[str, int | str | None] = field(default_factory=dict)  # None: a blank
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # labels of questions not answered
    soft: list[CheckResult] = field(default_factory=list)
    unexplained: list[CheckResult] = field(default_factory=list)
    values: Values | None = None  # the answers' values (figures derived), once checked

    @property
    def ok(self) -> bool:
        return not self.errors and not self.missing


@dataclass
class Result:
    where: str
    outcome: Outcome
    message: str
    unit: Unit | None = None
    period: Period | None = None
    submission: Submission | None = None
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        who = f"{self.unit.code} {self.unit.full_name}" if self.unit else "?"
        when = f" · {self.period.key}" if self.period else ""
        text = f"{self.where} · {who}{when}: {self.message}"
        for warning in self.warnings:
            text += "\n    " + say("importing.warning", warning=warning)
        return text


# --- values ------------------------------------------------------------------------------------


def count_value(value: Any, item: Field) -> int:
    """A count as a JSON or spreadsheet cell holds it: 53, 53.0 or "1.794" (also used by ``render``)."""
    if isinstance(value, bool):
        raise CountParseError(say("importing.bool_not_number"))
    if isinstance(value, TooLong) or (isinstance(value, str) and len(value.strip()) > 40) or (
            isinstance(value, int) and value.bit_length() > 63):
        raise CountParseError(say("importing.number_too_long", example="1.794"))
    if type(value) is int and item.minimum <= value <= item.maximum:
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise CountParseError(say("importing.not_whole"))
        value = int(value)
    if not isinstance(value, int | str):
        raise CountParseError(say("importing.not_a_number", example="1.794"))
    return parse_count(str(value), item.bounds)


def text_value(value: Any, limit: int) -> str:
    """A text answer: a string (a number typed in a text cell is taken as its digits), readable,
    within the field's limit; CountParseError with the reason otherwise."""
    if isinstance(value, int | float) and not isinstance(value, bool) and not isinstance(value, TooLong) \
            and abs(value) < 10**15:
        value = str(value)
    if not isinstance(value, str) or isinstance(value, TooLong):
        raise CountParseError(say("importing.text_not_text"))
    if unreadable_text(value):
        raise CountParseError(say("importing.text_unreadable"))
    text = unicodedata.normalize("NFC", value).strip()
    if len(text) > limit:
        raise CountParseError(say("importing.text_too_long", length=format_count(len(text)), limit=format_count(limit)))
    return text


def has_value(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def check_answers(
    form: Form,
    raw: Mapping[str, Any],
    previous: Mapping[str, Any] | Values | None,
    history: Sequence[Mapping[str, Any] | Values],
    explanations: Mapping[str, str] | None = None,
    *,
    stored: Mapping[str, Any] | None = None,
) -> Checked:
    """The reporter's checks on a whole report (see the module docstring). ``previous`` and
    ``history`` may be given already computed (:class:`Values`): a bulk import computes each once.
    ``stored``: answers of the other kinds (decimal, choice, target, table) already read as the
    chat stores them (a draft's, or read from what a supervisor typed), taken as they are."""
    checked = Checked()
    fields = form.fields_by_id
    for ident, value in (stored or {}).items():
        item = fields.get(ident)
        if item is not None and item.kind not in ("count", "text") and value not in (None, "", [], {}):
            checked.answers[ident] = value
    for ident, value in raw.items():
        item = fields.get(ident)
        if item is None or item.kind not in ("count", "text"):
            checked.warnings.append(say("importing.unknown_field", field=str(ident)[:40], form=form.id))
            continue
        if is_blank_value(item, value):
            checked.answers[ident] = None  # JSON null or a blanks.words entry: the blank (blanks.button), not 0
            continue
        if not has_value(value):  # (an empty .xlsx cell is not read: unanswered, not blank)
            continue
        try:
            if item.kind == "count":
                checked.answers[ident] = count_value(value, item)
            else:
                checked.answers[ident] = text_value(value, item.text_limit)
        except CountParseError as exc:
            checked.errors.append(f"«{form.label_of(ident)}»: {exc.reason}")
    if checked.errors:
        return checked
    before = previous if isinstance(previous, Values) or previous is None else compute(form, previous)
    values = compute(form, checked.answers, before)
    asked = form.questions(checked.answers, values=values)
    relevant = {item.id for item in asked}
    if any(ident not in relevant for ident in checked.answers):  # a question no longer applies: drop it
        checked.answers = {k: v for k, v in checked.answers.items() if k in relevant}
        values = compute(form, checked.answers, before)
        asked = form.questions(checked.answers, values=values)
    checked.values = values
    checked.missing = [item.short_label or item.label for item in asked if item.id not in checked.answers]
    results = evaluate_checks(form, checked.answers, before, list(history), values=values)
    for result in results:
        if result.is_hard:
            checked.errors.append(result.message)
        else:
            checked.soft.append(result)
            if not (explanations or {}).get(result.key):
                checked.unexplained.append(result)
    return checked


def describe_soft(checked: Checked, explanations: Mapping[str, str]) -> list[str]:
    lines = []
    for result in checked.soft:
        reason = explanations.get(result.key)
        lines.append(say("importing.explained", check=result.message, reason=reason) if reason
                     else say("importing.unexplained", check=result.message))
    return lines


# --- deciding ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Latest:
    """What the decision needs of a commune's current version for a period."""

    version: int
    status: str
    answers: Mapping[str, Any]
    explanations: Mapping[str, Any]

    @classmethod
    def of(cls, submission: Submission | None) -> Latest | None:
        if submission is None:
            return None
        return cls(submission.version, str(submission.status), submission.answers, submission.explanations)


@dataclass
class Decision:
    """A checked report: ``result.outcome`` is "error" or "unchanged" (final), or "added" (to be
    written: ``answers`` with the explanations ``kept``)."""

    result: Result
    answers: dict[str, int | str | None] = field(default_factory=dict)  # None: a blank
    kept: dict[str, str] = field(default_factory=dict)
    values: Values | None = None  # the answers' values, when they passed the checks


def same_content(stored_answers: Mapping[str, Any], stored_explanations: Mapping[str, Any],
                 answers: Mapping[str, Any], explanations: Mapping[str, str]) -> bool:
    """The same answers, and every explanation given is the one stored (explanations stored for
    checks that do not fire now are kept as they are)."""
    if dict(stored_answers) != dict(answers):
        return False
    stored = {key: explanation_text(value) for key, value in stored_explanations.items()}
    return all(stored.get(key) == explanation_text(value) for key, value in explanations.items())


def same_report(latest: Submission, answers: Mapping[str, Any], explanations: Mapping[str, str]) -> bool:
    return same_content(latest.answers, latest.explanations, answers, explanations)


def decide(
    form: Form,
    unit: Unit,
    period: Period,
    raw: Mapping[str, Any],
    explanations: Mapping[str, str],
    previous: Mapping[str, Any] | Values | None,
    history: Sequence[Mapping[str, Any] | Values],
    latest: Latest | None,
    *,
    where: str = "",
    require_explanations: bool = False,
) -> Decision:
    """The reporter's checks and the comparison with the current version, without storing; an
    explanation under "*" explains every soft break that has none of its own."""
    given = {key: reason.strip() for key, reason in explanations.items() if reason and reason.strip()}
    general = given.pop("*", None)
    checked = check_answers(form, raw, previous, history, given)
    if general:
        for soft in checked.soft:
            given.setdefault(soft.key, general)
        checked.unexplained = [c for c in checked.unexplained if not given.get(c.key)]
    result = Result(where, "error", "", unit=unit, period=period, warnings=list(checked.warnings))
    decision = Decision(result)
    if checked.errors:
        result.message = say("importing.refused", reason="; ".join(checked.errors))
        return decision
    if checked.missing:
        result.message = say("importing.missing", items=", ".join(checked.missing))
        return decision
    if require_explanations and checked.unexplained:
        result.message = say("importing.needs_explanation", checks=" ".join(c.message for c in checked.unexplained))
        return decision
    kept = {r.key: given[r.key] for r in checked.soft if r.key in given}
    result.warnings += describe_soft(checked, given)
    decision.answers, decision.kept, decision.values = checked.answers, kept, checked.values
    if latest is not None and same_content(latest.answers, latest.explanations, checked.answers, kept):
        result.outcome = "unchanged"
        result.message = say("importing.unchanged", version=latest.version)
        return decision
    if latest is not None and latest.status == SubmissionStatus.APPROVED:
        result.message = say("importing.approved", version=latest.version)
        return decision
    result.outcome = "added"
    return decision


# --- storing -----------------------------------------------------------------------------------


async def context_of(storage: Storage, form: Form, unit: Unit,
                     period: Period) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Last period's answers and the recent history, as the reporter's journey reads them."""
    recent = await storage.submissions.recent_for_unit(unit.code, form.id, before=period.opens_at,
                                                       limit=HISTORY_PERIODS)
    recent = [s for s in recent if s.period_id != period.id]
    return await last_period_answers(storage, PeriodKey.parse(period.key), recent), [dict(s.answers) for s in recent]


async def enter_report(
    storage: Storage,
    form: Form,
    unit: Unit,
    period: Period,
    raw: Mapping[str, Any],
    explanations: Mapping[str, str],
    *,
    by: int | None,
    actor: int | None,
    now: datetime,
    submitted_at: datetime | None = None,
    where: str = "",
    require_explanations: bool = False,
    imported: bool = False,
) -> Result:
    """Check and store one report on behalf of a commune; a new version only when it differs from
    the commune's current one. An approved report is not overwritten. ``imported`` without
    ``submitted_at``: the file did not say when the report was sent, so it is neither on time nor
    late (stored ``untimed``, shown "nhập thay")."""
    previous, history = await context_of(storage, form, unit, period)
    latest = await storage.submissions.latest(period.id, unit.code)
    decision = decide(form, unit, period, raw, explanations, previous, history, Latest.of(latest), where=where,
                      require_explanations=require_explanations)
    result = decision.result
    if result.outcome == "unchanged":
        result.submission = latest
    if result.outcome != "added":
        return result
    at = submitted_at or now
    async with storage.db.transaction():
        draft = await storage.drafts.get_or_create(period.id, unit.code, now)
        current = await storage.drafts.values(draft.id)
        changed = {k: v for k, v in decision.answers.items() if k not in current or current[k] != v}
        if changed:
            await storage.drafts.set_answers(draft.id, changed, by, now)
        for ident in current:
            if ident not in decision.answers:
                await storage.drafts.clear_answer(draft.id, ident, by, now)
        for key, reason in decision.kept.items():
            await storage.drafts.set_explanation(draft.id, key, reason, by, now)
        submission = await storage.submissions.add_version(
            period.id, unit.code, decision.answers, decision.kept, by, at,
            late=at > period.deadline_at and not (imported and submitted_at is None),
            on_behalf=True, form_version=form.version, untimed=imported and submitted_at is None,
        )
        await storage.audit.log("report.on_behalf", now, actor=actor, subject=f"{unit.code}:{period.key}",
                                detail={"version": submission.version, "where": where or None})
    result.submission = submission
    result.message = say("importing.stored", version=submission.version)
    return result


async def period_of(storage: Storage, form: Form, key: str) -> Period:
    parsed = PeriodKey.parse(key)
    info = period_for(form.period, parsed)
    stored = await storage.periods.get(form.id, str(parsed))
    if stored is not None:
        return stored
    return await storage.periods.upsert(form.id, str(parsed), info.starts_on, info.ends_on, info.opens_at,
                                        info.deadline_at, info.deadline_note)


# --- a row's period and moment -----------------------------------------------------------------


class RowError(ValueError):
    """Why one row is refused, in Vietnamese."""


def row_period_key(form: Form, key: str, now: datetime) -> PeriodKey:
    """The period a row names: a real period of the form's kind, not after the current one."""
    example = str(PeriodKey.containing(form.period.kind, now.date()).previous())
    shown = key[:40]
    try:
        parsed = PeriodKey.parse(key)
        period_for(form.period, parsed)  # its dates must exist (9999-W52's deadline does not)
    except (PeriodKeyError, ValueError, OverflowError):
        raise RowError(say("importing.bad_period", period=shown, example=example)) from None
    if parsed > PeriodKey.containing(form.period.kind, now.date()):
        raise RowError(say("importing.period_in_future", period=str(parsed), example=example))
    return parsed


def check_moment(submitted_at: datetime | None, period: Period, now: datetime) -> None:
    """A moment of submission must lie between the period's start and now."""
    if submitted_at is None:
        return
    if submitted_at > now + timedelta(minutes=5):
        raise RowError(say("importing.moment_in_future"))
    started = datetime.combine(period.starts_on, time(0), tzinfo=period.opens_at.tzinfo)
    if submitted_at < started:
        raise RowError(say("importing.moment_before_period", moment=submitted_at.strftime("%d/%m/%Y"),
                           period=period.key))


async def import_rows(storage: Storage, form: Form, rows: Iterable[Row], *, now: datetime,
                      default_period: str | None = None, province: str | None = None,
                      actor: int | None = None, dry_run: bool = False) -> list[Result]:
    """Check and store every row, in batches (each row on its own: a bad row does not stop the
    others); see :mod:`bot.importing.batches`."""
    from bot.importing.batches import import_stream  # it builds on this module

    return [result async for result in import_stream(storage, form, rows, now=now, default_period=default_period,
                                                     province=province, actor=actor, dry_run=dry_run)]


def summary(results: Sequence[Result]) -> str:
    counts = {outcome: sum(1 for r in results if r.outcome == outcome) for outcome in ("added", "unchanged",
                                                                                       "skipped", "error")}
    return summary_of(len(results), counts)


def summary_of(total: int, counts: Mapping[str, int]) -> str:
    return say("importing.summary", total=total, added=counts.get("added", 0), unchanged=counts.get("unchanged", 0),
               skipped=counts.get("skipped", 0), error=counts.get("error", 0))


# --- reading a JSON file whole (small files: render's figures) ----------------------------------


def load_json_file(path: Path, error: type[Exception], what: str | None = None) -> Any:
    """A JSON file's content; a file that cannot be read or is not JSON raises ``error`` with the
    reason in Vietnamese (``what``: how the file is named in it, "tệp số liệu" …; "tệp" by default)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(say("importing.file_unreadable", what=what or say("importing.a_file"), path=path,
                        reason=exc.strerror or exc)) from None
    except json.JSONDecodeError as exc:
        raise error(say("importing.file_not_json", path=path, line=exc.lineno, column=exc.colno)) from None

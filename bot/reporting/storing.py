"""An answer stored: its hard checks first, then what it brings (derived totals to show, the soft
checks about it, the next question); answers to questions that no longer apply are dropped."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.domain.evaluate import CheckResult, evaluate_checks, explain_derived, explain_rate
from bot.domain.forms import OutlierCheck
from bot.reporting import soft_checks
from bot.reporting.modes import SOFT
from bot.reporting.steps import Refused, Saved, Stale, Step
from storage.models import AnswerRecord

if TYPE_CHECKING:
    from bot.reporting.session import ReportSession


async def store(session: ReportSession, field_id: str, value: Any, *, advance: bool = True) -> list[Step]:
    """Store an answer after the hard checks; with ``advance``, the soft checks about it and
    the next question follow (a table being filled waits for ``kinds_chat.finish``)."""
    if session.submitted:
        return [Stale(), await session.show_review()]
    target = session.form.field(field_id)
    trial = {**session.answers, field_id: value}
    hard = evaluate_checks(session.form, trial, session.before, session.past, touching=field_id,
                           values=session.values_of(trial), severity="hard")
    if hard:
        return [Refused(target, hard[0].message), session.ask(target)]
    now = session.clock.now()
    first_answer = session.answers.get(field_id) is None
    replaced = await session.storage.drafts.set_answer(session.draft.id, field_id, value, session.person.id, now)
    session.answers[field_id] = value
    await soft_checks.forget_stale_explanations(session, field_id)
    await drop_inapplicable(session)
    steps: list[Step] = [
        Saved(
            target, value, derived=_derived_lines(session, field_id) if first_answer else (),
            replaced=replaced if _replaced_by_other(replaced, session.person.id, value) else None,
        )
    ]
    if advance:
        steps.extend(await after_stored(session, field_id))
    return steps


async def after_stored(session: ReportSession, field_id: str) -> list[Step]:
    """After an answer: the soft checks it breaks, else the next question."""
    steps: list[Step] = []
    relevant = session.relevant()
    # every soft check, not only those reading this field: high figures that agree with each
    # other make one question together (evaluate._together), which may name this one
    soft = evaluate_checks(session.form, relevant, session.before, session.past,
                           values=session.values_of(relevant), severity="soft")
    explained = await session.explanations()
    pending = [c for c in soft if c.key not in explained and _about(session, c, field_id)]
    if pending:
        await session.set_cursor(SOFT, field_id, pending[0].key)
        steps.append(await soft_checks.soft_break(session, pending[0]))
        return steps
    steps.append(await session.advance())
    return steps


def _about(session: ReportSession, check: CheckResult, field_id: str) -> bool:
    """Whether a check fired is about ``field_id``: an outlier names it, a rule reads it."""
    if isinstance(session.form.check(check.check_id), OutlierCheck):
        return field_id in check.fields
    return field_id in session.form.check_inputs(check.check_id)


def _derived_lines(session: ReportSession, field_id: str) -> tuple[str, ...]:
    """Derived totals and rates that became known with the first answer to ``field_id``, each
    with its arithmetic: "1.794 + 887 = 2.681", "1.203/1.210 = 99,42%". (A figure reading an
    unanswered field is unknown, so every one that reads it and is known now is new.)"""
    values = session.values
    form = session.form
    idents = [*(d.id for d in form.derived), *(r.id for r in form.rates)]
    reading = [ident for ident in idents if field_id in form.inputs(ident) and values.known(ident)]
    lines = []
    for ident in reading:
        if form.kind_of(ident) == "rate":
            lines.append(f"{form.label_of(ident)}: {explain_rate(form, ident, values)}")
        else:
            lines.append(f"{form.label_of(ident)}: {explain_derived(form, ident, values)}")
    return tuple(lines)


async def drop_inapplicable(session: ReportSession) -> None:
    """An answer to a question that no longer applies (overdue reasons once nothing is overdue)
    is not part of the report; it stays in the history."""
    for field_obj in session.form.fields:
        if field_obj.id in session.answers and session.applies(field_obj) is False:
            await session.storage.drafts.clear_answer(session.draft.id, field_obj.id, session.person.id, session.clock.now())
            del session.answers[field_obj.id]


def _replaced_by_other(previous: AnswerRecord | None, person_id: int, value: Any) -> bool:
    return previous is not None and previous.answered_by not in (None, person_id) and previous.value != value

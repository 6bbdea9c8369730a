"""One message with many figures ("label: number" lines, or every count in form order): stored
with the same checks, then the review (or the first question still open)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.chat.catalogue import say
from bot.domain.bulk_entry import BulkEntry, parse_bulk_entry
from bot.domain.evaluate import evaluate_checks
from bot.reporting import soft_checks, storing
from bot.reporting.steps import BulkFilled, Early, Step

if TYPE_CHECKING:
    from bot.reporting.session import ReportSession


async def fill(session: ReportSession, text: str, message: int | None = None) -> list[Step]:
    """Fill the draft from "label: number" lines or all counts in form order, with the same
    checks, then land on the review screen (or the first question still open)."""
    if session.taken(message):
        return [Early(text), await session.resume()]
    session.handling(message)
    entry: BulkEntry = parse_bulk_entry(session.form, text)
    if session.submitted and await session.locked():
        locked = ((say("reporting.locked_where"), say("reporting.locked")),)
        return [BulkFilled((), locked, ()), await session.show_review()]
    if session.submitted:
        await session.reopen()
    filled: list[str] = []
    refused: list[tuple[str, str]] = list(entry.errors)
    trial = dict(session.answers)
    trial.update(entry.values)
    hard = [c for c in evaluate_checks(session.form, trial, session.before, session.past) if c.is_hard]
    blocked = {f for c in hard for f in c.fields if f in entry.values}
    for check in hard:
        refused.append((", ".join(session.form.label_of(f, short=True) for f in check.fields), check.message))
    accepted = {k: v for k, v in entry.values.items() if k not in blocked}
    if accepted:
        await session.storage.drafts.set_answers(session.draft.id, accepted, session.person.id, session.clock.now())
        session.answers.update(accepted)
        for field_id in accepted:
            await soft_checks.forget_stale_explanations(session, field_id)
        await storing.drop_inapplicable(session)
        filled = [k for k in (f.id for f in session.form.fields) if k in accepted and k in session.answers]
    steps: list[Step] = [BulkFilled(tuple(filled), tuple(refused), entry.unmatched)]
    steps.append(await session.advance())
    return steps

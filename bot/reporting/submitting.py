"""Sending the report: every question answered, no hard check broken and every soft check kept
with a reason, then a new submitted version and its audit row."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.reporting import soft_checks
from bot.reporting.modes import ANSWER, REVIEW
from bot.reporting.steps import Refused, Stale, Step, Submitted

if TYPE_CHECKING:
    from bot.reporting.session import ReportSession


async def submit(session: ReportSession) -> list[Step]:
    if session.submitted:
        return [Stale(), await session.review()]
    nxt = session.next_question()
    if nxt is not None:
        await session.set_cursor(ANSWER, nxt.id)
        return [session.ask(nxt)]
    review = await session.review()
    if review.hard:
        target = session.form.field(review.hard[0].fields[-1])
        await session.set_cursor(ANSWER, target.id)
        return [Refused(target, review.hard[0].message), session.ask(target)]
    if review.unexplained:
        return [await soft_checks.ask_warnings(session, list(review.unexplained))]
    now = session.clock.now()
    answers = session.relevant()
    explanations = {b.key: review.explanations[b.key] for b in review.breaks if b.key in review.explanations}
    submission = await session.storage.submissions.add_version(
        session.period.id, session.unit.code, answers, explanations, session.person.id, now,
        late=now > session.period.deadline_at, on_behalf=session.on_behalf, form_version=session.form.version,
        form_id=session.form.id,
    )
    session.draft = await session.storage.drafts.get(session.draft.id) or session.draft
    await session.set_cursor(REVIEW, None)
    await session.storage.audit.log(
        "report.submit", now, actor=session.person.actor,
        subject=f"{session.unit.code}:{session.period.key}", detail={"version": submission.version},
    )
    return [Submitted(submission, deadline_passed=submission.late)]

"""The soft checks in chat: a warning that fired, asked alone or with the others still open; fixed
(``reporting.fix``) or kept with a reason (typed, the same as for another check, or one for all that are open);
and the reasons a changed answer makes stale."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.domain.answers import AnswerError, parse_answer
from bot.domain.evaluate import CheckResult
from bot.domain.forms import Field
from bot.reporting.modes import ALL, ANSWER, REASON, SOFT, WARNINGS
from bot.reporting.steps import (
    AskReason,
    AskReasonAll,
    ReasonsKept,
    SoftBreak,
    Stale,
    Step,
    WarningOpen,
    Warnings,
)

if TYPE_CHECKING:
    from bot.reporting.session import ReportSession

MAX_REASON = 1000  # characters of a reason for keeping figures a soft check questions
MIN_REASON = 3  # fewer says nothing ("ok", ".")


async def soft_break(session: ReportSession, check: CheckResult) -> SoftBreak:
    explained = await session.explanations()
    given = [reason for key, reason in explained.items() if key != check.key]
    return SoftBreak(check, same_reason=given[-1] if given else None)


async def open_warnings(session: ReportSession) -> list[CheckResult]:
    """The soft checks that fire with no reason given, in form order."""
    explained = await session.explanations()
    return [b for b in session.breaks() if not b.is_hard and b.key not in explained]


async def ask_warnings(session: ReportSession, open_checks: list[CheckResult]) -> Step:
    """One open soft check is asked as ever; several are asked together."""
    if len(open_checks) == 1:
        check = open_checks[0]
        await session.set_cursor(SOFT, check.fields[-1] if check.fields else None, check.key)
        return await soft_break(session, check)
    await session.set_cursor(WARNINGS, None)
    return Warnings(tuple(open_checks))


def find_break(session: ReportSession, key: str) -> CheckResult | None:
    return next((b for b in session.breaks() if b.key == key), None)


async def typed_at_warning(session: ReportSession, check_key: str, text: str) -> list[Step]:
    """A message while a soft check waits: a figure for the answer ``reporting.fix`` would ask again is
    taken as the correction; anything else is not stored, and the official is told why."""
    check = find_break(session, check_key)
    if check is None:
        return [await session.advance()]
    target = _to_fix(session, check)
    if target is None or target.kind != "count":
        return [WarningOpen(text, None), await soft_break(session, check)]
    try:
        value: Any = parse_answer(target, text)
    except AnswerError:
        return [WarningOpen(text, target), await soft_break(session, check)]
    return await session.set_value(target.id, value)


def _to_fix(session: ReportSession, check: CheckResult | None) -> Field | None:
    """The answer ``reporting.fix`` asks again: the one just given, else the check's last field."""
    target = session.field_or_none(session.cursor_field or "")
    if target is None and check is not None and check.fields:
        target = session.field_or_none(check.fields[-1])
    return target


async def forget_stale_explanations(session: ReportSession, field_id: str) -> None:
    """A changed answer makes the reasons given for checks that read it stale."""
    explained = await session.explanations()
    for key in list(explained):
        check_id = key.split(":", 1)[0]
        subject = key.split(":", 1)[1] if ":" in key else None
        try:
            inputs = session.form.check_inputs(check_id)
        except KeyError:
            continue
        if (subject is None and field_id in inputs) or subject == field_id:
            await session.storage.drafts.clear_explanation(session.draft.id, key)
            del explained[key]


async def fix(session: ReportSession, check_key: str) -> list[Step]:
    """``reporting.fix``: ask again the answer that broke the check (from the list of open checks: the
    first figure it names)."""
    if session.mode == WARNINGS:
        check = find_break(session, check_key)
        if check is None or not check.fields:
            return [Stale(), await session.resume()]
        target = session.field_or_none(check.fields[0])
        if target is None:
            return [await session.advance()]
        await session.set_cursor(ANSWER, target.id)
        return [session.ask(target)]
    if session.mode != SOFT or session.cursor_check != check_key:
        return [Stale(), await session.resume()]
    target = _to_fix(session, find_break(session, check_key))
    if target is None:
        return [await session.advance()]
    await session.set_cursor(ANSWER, target.id)
    return [session.ask(target)]


async def _waiting(session: ReportSession, check_key: str) -> CheckResult | list[Step]:
    """The soft check ``check_key`` when it is the one asked about now and still fires; else what
    to show instead (a tap from an earlier warning, or the next question)."""
    if session.mode != SOFT or session.cursor_check != check_key:
        return [Stale(), await session.resume()]
    check = find_break(session, check_key)
    return [await session.advance()] if check is None else check


async def keep(session: ReportSession, check_key: str) -> list[Step]:
    """``reporting.keep_with_reason``: ask for the reason."""
    check = await _waiting(session, check_key)
    if isinstance(check, list):
        return check
    await session.set_cursor(REASON, session.cursor_field, check_key)
    return [AskReason(check)]


async def keep_same(session: ReportSession, check_key: str) -> list[Step]:
    """``reporting_entry.same_reason``: keep the figures with the reason last given for another check."""
    check = await _waiting(session, check_key)
    if isinstance(check, list):
        return check
    same = (await soft_break(session, check)).same_reason
    if same is None:
        return [Stale(), await session.resume()]
    return await give_reason(session, check_key, same)


async def keep_all(session: ReportSession) -> list[Step]:
    """``reporting_entry.keep_all``: ask for one reason for every open soft check."""
    if session.mode != WARNINGS:
        return [Stale(), await session.resume()]
    open_checks = await open_warnings(session)
    if not open_checks:
        return [await session.advance()]
    await session.set_cursor(REASON, None, ALL)
    return [AskReasonAll(tuple(open_checks))]


async def give_reason_all(session: ReportSession, reason: str) -> list[Step]:
    """One reason stored for every open soft check, each under its own key (the .docx and the
    rollup print it beside each); then the review, to be sent once."""
    reason = reason.strip()
    open_checks = await open_warnings(session)
    if not open_checks:
        return [await session.advance()]
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        return [AskReasonAll(tuple(open_checks), refused_length=len(reason))]
    explained = await session.explanations()
    now = session.clock.now()
    for check in open_checks:
        await session.storage.drafts.set_explanation(session.draft.id, check.key, reason, session.person.id, now)
        explained.pop(check.key, None)
        explained[check.key] = reason
    return [ReasonsKept(len(open_checks)), await session.advance()]


async def give_reason(session: ReportSession, check_key: str, reason: str) -> list[Step]:
    reason = reason.strip()
    check = find_break(session, check_key)
    if check is None:
        return [await session.advance()]
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        return [AskReason(check, refused_length=len(reason))]
    explained = await session.explanations()
    await session.storage.drafts.set_explanation(session.draft.id, check_key, reason, session.person.id,
                                                 session.clock.now())
    explained.pop(check_key, None)  # stored ordered by when given: the newest last
    explained[check_key] = reason
    field_id = session.cursor_field
    remaining = [b for b in session.breaks() if not b.is_hard and b.key not in explained
                 and (field_id is None or field_id in b.fields or b.subject == field_id)]
    if remaining:
        await session.set_cursor(SOFT, field_id, remaining[0].key)
        return [await soft_break(session, remaining[0])]
    return [await session.advance()]

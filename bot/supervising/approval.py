"""Approving (/duyet) or returning (/tralai, or «Trả lại để sửa» then the reason:
bot/supervising/return_reason.py) a commune's latest report and telling its reporters;
the reporter's «Sửa báo cáo» on a returned report, which re-syncs the commune's draft with the
report returned. Each change and its audit row are one transaction: all of it is stored, or none."""

from __future__ import annotations

from datetime import datetime

from pydantic import JsonValue

from bot.chat.access import Identity
from bot.chat.actions import CorrectReturned
from bot.chat.catalogue import say
from bot.chat.replies import Choice, Message, Reply, TapAnswer
from bot.domain.arguments import ArgumentError, require_id
from bot.domain.numbers import format_count
from bot.domain.periods import period_label
from bot.domain.rollup import explanation_text
from bot.reporting.session import ReportSession
from bot.reporting.variants import form_for_unit
from bot.services import Services
from bot.supervising.scope import Found, refusal, submission_in_scope, submission_of
from bot.supervising.tell import Tell, tell_reporters
from storage import Storage
from storage.models import DraftStatus, SubmissionStatus

MIN_REASON = 5
MAX_REASON = 1000  # characters of a return's reason, told to the commune in one message


def _about(found: Found) -> dict[str, object]:
    return {"period": period_label(found.period.key), "commune": found.unit.full_name,
            "version": found.submission.version}


async def not_latest(storage: Storage, found: Found) -> list[Reply] | None:
    latest = await storage.submissions.latest(found.period.id, found.unit.code)
    if latest is not None and latest.id != found.submission.id:
        return [Message(say("supervising.newer_version", commune=found.unit.full_name, version=latest.version,
                            id=latest.id, code=found.unit.code))]
    return None


async def _set_status(storage: Storage, identity: Identity, found: Found, status: SubmissionStatus,
                      now: datetime, *, already: str, action: str, reason: str | None = None) -> list[Reply] | None:
    """Within the caller's transaction: the refusal when the report is no longer the latest or has
    that status already; else its status set and the audit row written (None)."""
    stale = await not_latest(storage, found)
    if stale is not None:
        return stale
    current = await storage.submissions.get(found.submission.id)
    if current is not None and current.status == status:
        return [Message(say(already, **_about(found)))]
    by = identity.person.id if identity.person else None
    await storage.submissions.set_status(found.submission.id, status, by, now, reason)
    detail: dict[str, JsonValue] = {"submission": found.submission.id, "version": found.submission.version}
    if reason is not None:
        detail["reason"] = reason
    await storage.audit.log(action, now, actor=identity.actor, subject=f"{found.unit.code}:{found.period.key}",
                            detail=detail)
    return None


async def approve(services: Services, identity: Identity, submission_id: int | None, tell: Tell) -> list[Reply]:
    """Approve the submission (the latest of its commune and period): the status, the end of a
    correction in progress (the draft is marked submitted: approved is final) and the audit row in
    one transaction; then the commune's reporters are told."""
    storage = services.storage
    found = await submission_in_scope(storage, identity, submission_id)
    if found is None:
        return refusal()
    now = services.clock.now()
    async with storage.db.transaction():
        refused = await _set_status(storage, identity, found, SubmissionStatus.APPROVED, now,
                                    already="supervising.already_approved", action="report.approve")
        if refused is not None:
            return refused
        draft = await storage.drafts.find(found.period.id, found.unit.code)
        if draft is not None and draft.status != DraftStatus.SUBMITTED:
            await storage.drafts.set_status(draft.id, DraftStatus.SUBMITTED, now)
    told = await tell_reporters(storage, found.unit, Message(say("supervising.approved_notice", **_about(found))),
                                tell)
    return [Message(say("supervising.approved", told=told, **_about(found)))]


def approve_arguments(arguments: str) -> int | list[Reply]:
    """/duyet's argument: the submission id, or the help (with what is wrong)."""
    tokens = arguments.split()
    if not tokens:
        return [Message(say("supervising.duyet_help"))]
    try:
        return require_id(tokens[0], "/duyet 123")
    except ArgumentError as exc:
        return [Message(f"{exc.reason}\n{say('supervising.duyet_help')}")]


async def return_report(services: Services, identity: Identity, arguments: str, tell: Tell) -> list[Reply]:
    """/tralai <id> <reason>: return the submission to its commune for correction, the status and
    the audit row in one transaction; then the commune's reporters are told, with the button to
    correct it."""
    parts = arguments.split(maxsplit=1)
    if not parts:
        return [Message(say("supervising.tralai_help"))]
    try:
        submission_id = require_id(parts[0], say("supervising.tralai_example"))
    except ArgumentError as exc:
        return [Message(f"{exc.reason}\n\n{say('supervising.tralai_help')}")]
    reason = " ".join(parts[1].split()) if len(parts) > 1 else ""
    if len(reason) > MAX_REASON:
        return [Message(say("arguments.too_long", what=say("supervising.reason_what"),
                            length=format_count(len(reason)), limit=format_count(MAX_REASON)))]
    found = await submission_in_scope(services.storage, identity, submission_id)
    if found is None:
        return refusal()
    if len(reason) < MIN_REASON:
        return [Message(say("supervising.reason_missing", help=say("supervising.tralai_help")))]
    return await return_with_reason(services, identity, found, reason, tell)


async def return_with_reason(services: Services, identity: Identity, found: Found, reason: str, tell: Tell
                             ) -> list[Reply]:
    """Return ``found`` (in the person's scope) with ``reason``: the status, the audit row and the end
    of the person's «Trả lại để sửa» waiting for a reason, in one transaction; then the commune's
    reporters are told, with the button to correct it. /tralai and the reason typed in chat
    (bot/supervising/return_reason.py) both return a report here."""
    storage = services.storage
    now = services.clock.now()
    async with storage.db.transaction():
        refused = await _set_status(storage, identity, found, SubmissionStatus.RETURNED, now,
                                    already="supervising.already_returned", action="report.return", reason=reason)
        if refused is not None:
            return refused
        await storage.return_asks.clear(identity.actor, found.submission.id)
    notice = Message(say("supervising.returned_notice", reason=reason, **_about(found)),
                     ((Choice(say("supervising.correct_button"), CorrectReturned(found.submission.id)),),))
    told = await tell_reporters(storage, found.unit, notice, tell)
    return [Message(say("supervising.returned", told=told, **_about(found)))]


async def open_correction(services: Services, identity: Identity, submission_id: int | None
                          ) -> ReportSession | list[Reply]:
    """The reporter's «Sửa báo cáo» on a returned report: the report session of that period, its
    draft re-synced with the report (one transaction) when the report came in without one (imported,
    or entered by the province); the reporting journey shows its edit menu. A refusal otherwise."""
    storage = services.storage
    found = await submission_of(storage, submission_id)
    if found is None or identity.person is None or not identity.can_report_for(found.unit.code):
        return refusal()
    latest = await storage.submissions.latest(found.period.id, found.unit.code)
    if latest is not None and latest.status == SubmissionStatus.APPROVED:
        return [TapAnswer(say("supervising.approved_locked"), alert=True)]
    current = latest or found.submission
    now = services.clock.now()
    async with storage.db.transaction():
        draft = await storage.drafts.get_or_create(found.period.id, found.unit.code, now)
        if not await storage.drafts.values(draft.id):
            await storage.drafts.set_answers(draft.id, dict(current.answers), current.submitted_by, now)
            for key, reason in current.explanations.items():
                text = explanation_text(reason)
                if text:
                    await storage.drafts.set_explanation(draft.id, key, text, current.submitted_by, now)
            await storage.drafts.set_status(draft.id, DraftStatus.SUBMITTED, now)
    form = await form_for_unit(storage, services.forms, found.unit.code, found.unit.province_code,
                               found.period.form_id)  # the variant the commune answers, if any
    return await ReportSession.open(storage, form, services.clock, identity.person, found.unit, period=found.period)

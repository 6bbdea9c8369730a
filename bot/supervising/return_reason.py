"""«↩ Trả lại để sửa» answered in chat: the tap asks the reason, and the supervisor's next text is
that reason — free text that may name the items to fix — with which the report is returned as
/tralai returns it (bot/supervising/approval.py: one transaction, the reporters told).

The question waiting for its answer is kept in SQLite (``storage.return_asks``), so a restart
between the tap and the reason loses nothing. It ends with the return, with «Hủy» or /huy (nothing
returned), with any other command (the next text was not a reason: said so), or an hour after the
tap (a text long after is not taken for a reason)."""

from __future__ import annotations

from datetime import timedelta

from bot.chat.access import Identity
from bot.chat.actions import CancelReturn
from bot.chat.catalogue import say
from bot.chat.replies import Choice, ClearChoices, Message, Reply, TapAnswer
from bot.domain.numbers import format_count
from bot.domain.periods import period_label
from bot.services import Services
from bot.supervising.approval import MAX_REASON, MIN_REASON, not_latest, return_with_reason
from bot.supervising.scope import Found, refusal, submission_in_scope, submission_of
from bot.supervising.tell import Tell
from storage.models import SubmissionStatus
from storage.return_asks import ReturnAsk

ASK_VALID = timedelta(hours=1)  # a text later than this after the tap is not taken for a reason


def _about(found: Found) -> dict[str, object]:
    return {"period": period_label(found.period.key), "commune": found.unit.full_name,
            "version": found.submission.version}


def reason_of(text: str) -> str:
    """The reason as typed, its spaces tidied, its lines kept (one item to fix a line)."""
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


async def ask_reason(services: Services, identity: Identity, submission_id: int | None) -> list[Reply]:
    """The tap on «Trả lại để sửa»: the question for the reason (replacing one asked before), with
    «Hủy»; or why the report cannot be returned (a newer version came, it is returned already)."""
    storage = services.storage
    found = await submission_in_scope(storage, identity, submission_id)
    if found is None:
        return refusal()
    stale = await not_latest(storage, found)
    if stale is not None:
        return [TapAnswer(), *stale]
    current = await storage.submissions.get(found.submission.id)
    if current is not None and current.status == SubmissionStatus.RETURNED:
        return [TapAnswer(), Message(say("supervising.already_returned", **_about(found)))]
    await storage.return_asks.ask(identity.actor, found.submission.id, services.clock.now())
    cancel = Choice(say("supervising_ux.cancel_button"), CancelReturn(found.submission.id))
    return [TapAnswer(), Message(say("supervising_ux.return_ask", limit=format_count(MAX_REASON), **_about(found)),
                                 ((cancel,),))]


async def waiting(services: Services, identity: Identity) -> ReturnAsk | None:
    """The question the person has still to answer; one asked over an hour ago is dropped."""
    storage = services.storage
    ask = await storage.return_asks.get(identity.actor)
    if ask is not None and ask.asked_at + ASK_VALID < services.clock.now():
        await storage.return_asks.clear(identity.actor, ask.submission_id)
        return None
    return ask


async def take_reason(services: Services, identity: Identity, text: str, tell: Tell) -> list[Reply] | None:
    """A text from the person: when a reason is awaited, the report returned with it (or why not,
    still waiting when the reason is too short or too long); None when no reason is awaited."""
    ask = await waiting(services, identity)
    if ask is None:
        return None
    storage = services.storage
    found = await submission_in_scope(storage, identity, ask.submission_id)
    if found is None:  # no longer in the person's scope
        await storage.return_asks.clear(identity.actor, ask.submission_id)
        return [Message(say("common.not_allowed"))]
    reason = reason_of(text)
    if len(reason) > MAX_REASON:
        return [Message(say("arguments.too_long", what=say("supervising.reason_what"),
                            length=format_count(len(reason)), limit=format_count(MAX_REASON))
                        + "\n" + say("supervising_ux.reason_again"))]
    if len(reason) < MIN_REASON:
        return [Message(say("supervising_ux.reason_short", least=MIN_REASON))]
    replies = await return_with_reason(services, identity, found, reason, tell)
    await storage.return_asks.clear(identity.actor, ask.submission_id)  # refused (a newer version…): over too
    return replies


async def cancel(services: Services, identity: Identity) -> list[Reply] | None:
    """/huy: the awaited reason no longer awaited, nothing returned; None when none was awaited
    (/huy is then the reporting journey's)."""
    ask = await waiting(services, identity)
    if ask is None or not await services.storage.return_asks.clear(identity.actor):
        return None
    return [await _cancelled(services, ask.submission_id)]


async def cancel_tap(services: Services, identity: Identity, action: CancelReturn) -> list[Reply]:
    """«Hủy» under the question: as /huy, for that report only; the choice taken off."""
    if not await services.storage.return_asks.clear(identity.actor, action.submission_id):
        return [TapAnswer(say("supervising_ux.nothing_to_cancel")), ClearChoices()]
    return [TapAnswer(), ClearChoices(), await _cancelled(services, action.submission_id)]


async def drop(services: Services, identity: Identity, *, quietly: bool = False) -> list[Reply]:
    """Another command came instead of the reason: the question is over, nothing returned, and
    (unless ``quietly``: /tralai says it all) the person is told."""
    ask = await waiting(services, identity)
    if ask is None or not await services.storage.return_asks.clear(identity.actor):
        return []
    if quietly:
        return []
    found = await submission_of(services.storage, ask.submission_id)
    if found is None:
        return []
    return [Message(say("supervising_ux.return_dropped", **_about(found)))]


async def _cancelled(services: Services, submission_id: int) -> Message:
    found = await submission_of(services.storage, submission_id)
    if found is None:
        return Message(say("supervising_ux.return_cancelled_plain"))
    return Message(say("supervising_ux.return_cancelled", **_about(found)))

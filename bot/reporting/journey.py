"""The reporting journey as a service, whatever the messenger: /baocao, the commune chosen, typed
answers (one at a time or many in one message), taps on the question's choices, /huy, and stray or
edited messages mid-form. Each takes the sender's Identity and a typed input and returns a Turn: the
replies to send, and the session whose question they ask.

Every tap is checked against the draft's state in SQLite (never against the choice itself) and the
person's scope: a reporter reaches only the drafts of their own communes. Each action is one
storage transaction: its answer, cursor, explanations, submission and audit row are written
together or not at all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.chat.access import Identity
from bot.chat.actions import (
    AnswerBlank,
    AnswerNone,
    AnswerZero,
    ChooseCommune,
    ChooseItem,
    DraftFile,
    EditItem,
    FixBreak,
    GoBack,
    KeepAllBreaks,
    KeepAnswer,
    KeepBreak,
    KeepSameReason,
    Pause,
    Resume,
    ShowDetails,
    ShowReview,
    Submit,
    UseSuggestion,
)
from bot.chat.catalogue import say
from bot.chat.replies import Choice, ClearChoices, Message, Reply, TapAnswer
from bot.domain.bulk_entry import looks_like_bulk_entry
from bot.domain.forms import WEEKLY_FORM_ID, Form
from bot.notices.plan import format_moment
from bot.notices.reminders import Resubmission
from bot.reporting.documents import report_document
from bot.reporting.screens import Screen, edit_menu, render, review_details, review_text
from bot.reporting.session import (
    ANSWER,
    REASON,
    ReportSession,
    Stale,
    Step,
    Submitted,
    choose_period,
    reporter_communes,
)
from bot.services import Services
from storage.models import Cursor, Draft, Submission, Unit

# The choices that act on a draft («r:<draft>:…»), dispatched by ``ReportingJourney.tap``.
DraftAction = (UseSuggestion | AnswerZero | AnswerNone | AnswerBlank | KeepAnswer | GoBack | Pause | Resume | FixBreak | KeepBreak
               | KeepSameReason | KeepAllBreaks | EditItem | ChooseItem | Submit | ShowReview | ShowDetails | DraftFile)
DRAFT_ACTIONS = (UseSuggestion, AnswerZero, AnswerNone, AnswerBlank, KeepAnswer, GoBack, Pause, Resume, FixBreak, KeepBreak,
                 KeepSameReason, KeepAllBreaks, EditItem, ChooseItem, Submit, ShowReview, ShowDetails, DraftFile)

# Tells the province a report answering its return was sent again (ReminderScheduler.resubmitted).
Announce = Callable[[Submission], Awaitable[Resubmission | None]]


@dataclass
class Turn:
    """What one action answers: ``replies`` in order; ``asking`` is the session whose current
    question they show, so the channel records the date of the first message it sent for them
    (``ReportSession.mark_shown``: a typed answer dated before it is not taken)."""

    replies: list[Reply] = field(default_factory=list)
    asking: ReportSession | None = None

    async def shown(self, at: datetime | None) -> None:
        """The channel sent the replies; ``at`` is the date of the first message (None: none sent)."""
        if self.asking is not None and at is not None and self.asking.awaits_shown():
            async with self.asking.storage.db.transaction(quick=True):
                await self.asking.mark_shown(at)


@dataclass
class ReportingJourney:
    """The reporting journey over the app's services; ``announce`` tells the province of a report
    sent again after a return (None where nothing is to be told, e.g. without a scheduler)."""

    services: Services
    announce: Announce | None = None

    @property
    def form(self) -> Form:
        return self.services.forms[WEEKLY_FORM_ID]

    # -- /baocao and the commune --------------------------------------------------------------

    async def start(self, identity: Identity) -> Turn:
        """/baocao (or «Nhập báo cáo» under a notice): the question to answer now, or which commune."""
        units = await reporter_communes(self.services.storage, identity)
        if not units:
            return Turn([Message(_not_a_reporter_text(identity))])
        if len(units) > 1:
            rows = tuple((Choice(u.full_name, ChooseCommune(u.code)),) for u in units)
            return Turn([Message(say("reporting.choose_commune"), rows)])
        async with self.services.storage.db.transaction(quick=True):
            session = await self._open(identity, units[0])
            screen = render(session, [await session.resume()])
        return _turn(session, screen)

    async def choose_commune(self, identity: Identity, action: ChooseCommune) -> Turn:
        units = await reporter_communes(self.services.storage, identity)
        unit = next((u for u in units if u.code == action.code), None)
        if unit is None:
            return Turn([TapAnswer(say("reporting.not_yours"), alert=True)])
        async with self.services.storage.db.transaction(quick=True):
            session = await self._open(identity, unit)
            screen = render(session, [await session.resume()])
        return _turn(session, screen, TapAnswer())

    # -- typed input ----------------------------------------------------------------------------

    async def text(self, identity: Identity, text: str, sent_at: datetime | None = None, *,
                   edited: bool = False, message: int | None = None) -> Turn:
        """A typed message: the answer to the question asked now, a reason, or many figures at once.
        An ``edited`` message changes nothing: it answered an earlier question, if any. ``message``
        is the messenger's id of it: a message delivered again is not taken twice."""
        session = await self._active(identity)  # read on the quick path, before the write lock
        if not edited and looks_like_bulk_entry(self.form, text, strict=_asks_text(session)):
            return await self._bulk(identity, session, text, message)
        if session is None:
            return Turn([Message(_stray_text_hint(identity))])
        async with self.services.storage.db.transaction(quick=True):
            if edited:
                screen = render(session, [await session.resume()])
                screen.parts.insert(0, say("reporting.edited_message"))
                return _turn(session, screen)
            steps = await session.answer_text(text, sent_at=sent_at, message=message)
            screen = render(session, steps)
        return _turn(session, screen)

    async def _bulk(self, identity: Identity, session: ReportSession | None, text: str,
                    message: int | None = None) -> Turn:
        """"Label: value" lines, wherever they come: before /baocao (the report is opened), mid-form,
        at a warning, on the review. A report already sent for an earlier week is not reopened by
        them: they go to the week to report on now."""
        units = await reporter_communes(self.services.storage, identity)
        if not units:
            return Turn([Message(_stray_text_hint(identity))])
        if session is None and len(units) > 1:
            return Turn([Message(say("reporting_entry.which_commune"))])
        async with self.services.storage.db.transaction(quick=True):
            if session is None or (session.submitted and await self._later_period(identity, session)):
                unit = session.unit if session is not None else units[0]
                session = await self._open(identity, unit)
            steps = await session.bulk(text, message)
            screen = render(session, steps)
        return _turn(session, screen)

    async def _later_period(self, identity: Identity, session: ReportSession) -> bool:
        """Whether the commune has another period to report on now than the session's (sent) one."""
        storage = self.services.storage
        period = await choose_period(storage, self.form, session.unit.code, self.services.clock.now())
        return period.id != session.period.id

    async def media(self, identity: Identity) -> Turn:
        """A photo, sticker, voice or file mid-form: not stored; the question is asked again."""
        async with self.services.storage.db.transaction(quick=True):
            session = await self._active(identity)
            if session is None:
                return Turn([Message(say("common.stray_media"))])
            screen = render(session, [await session.resume()])
        screen.parts.insert(0, say("common.stray_media"))
        return _turn(session, screen)

    async def cancel(self, identity: Identity) -> Turn:
        """/huy: pause; nothing answered is lost."""
        async with self.services.storage.db.transaction(quick=True):
            session = await self._active(identity)
            if session is None:
                return Turn([Message(say("reporting.nothing_to_pause"))])
            screen = render(session, [await session.pause()])
        return _turn(session, screen)

    # -- taps -----------------------------------------------------------------------------------

    async def tap(self, identity: Identity, action: DraftAction) -> Turn:
        """A choice under a question, a soft check, the review or the edit menu."""
        storage = self.services.storage
        units = {u.code: u for u in await reporter_communes(storage, identity)}
        draft = await storage.drafts.get(action.draft_id)
        if draft is None or draft.unit_code not in units:
            return Turn([TapAnswer(say("reporting.not_yours"), alert=True)])
        replies: list[Reply] = [TapAnswer(), ClearChoices()]
        submitted: Submission | None = None
        session = await self._open(identity, units[draft.unit_code], draft)  # read before the write lock
        async with storage.db.transaction(quick=True):
            if isinstance(action, DraftFile):
                screen = None
            elif isinstance(action, ChooseItem):
                screen = edit_menu(session)
            elif isinstance(action, ShowDetails):
                screen = review_details(session, await session.show_review())
            else:
                steps = await self._dispatch(session, action)
                screen = render(session, steps)
                submitted = next((step.submission for step in steps if isinstance(step, Submitted)), None)
                if submitted is not None:  # the review tapped loses its «Gửi báo cáo» and shows it sent
                    replies[1] = ClearChoices(review_text(session, await session.review()))
                if submitted is not None and (note := await self._announced(submitted)):
                    screen.parts.append(note)  # sent again after a return: the province is told
        if screen is None:
            return Turn([*replies, report_document(self.services, session)])
        turn = _turn(session, screen, *replies)
        if submitted is not None:
            turn.replies.append(report_document(self.services, session))
        return turn

    async def _dispatch(self, session: ReportSession, action: DraftAction) -> list[Step]:
        match action:
            case UseSuggestion(field=field_id):
                return await session.use_suggestion(field_id)
            case AnswerZero(field=field_id):
                return await session.use_value(field_id, 0)
            case AnswerNone(field=field_id):
                return await session.use_value(field_id, say("reporting.none_answer"))
            case AnswerBlank(field=field_id):
                return await session.use_blank(field_id)
            case KeepAnswer(field=field_id):
                current = session.answers.get(field_id)
                if current is None:
                    return [Stale(), await session.resume()]
                return await session.use_value(field_id, current)
            case GoBack():
                return await session.back()
            case Pause():
                return [await session.pause()]
            case Resume():
                return [await session.resume()]
            case FixBreak(check=key):
                return await session.fix(key)
            case KeepBreak(check=key):
                return await session.keep(key)
            case KeepSameReason(check=key):
                return await session.keep_same(key)
            case KeepAllBreaks():
                return await session.keep_all()
            case EditItem(field=field_id):
                return await session.edit(field_id)
            case Submit():
                return await session.submit()
            case ShowReview():
                return [await session.show_review()]
        return [Stale(), await session.resume()]

    async def _announced(self, submission: Submission) -> str | None:
        """When ``submission`` answers a return, the supervisor who returned it is told (exactly
        once, out of quiet hours, by the calendar's sender); the line for the official's confirmation."""
        result = await self.announce(submission) if self.announce is not None else None
        if result is None or not result.recorded:
            return None
        if result.due_at > self.services.clock.now():
            return say("reporting.resubmission_later", moment=format_moment(result.due_at))
        return say("reporting.resubmission_told")

    # -- sessions -------------------------------------------------------------------------------

    async def _open(self, identity: Identity, unit: Unit, draft: Draft | None = None,
                    cursor: Cursor | None = None) -> ReportSession:
        services = self.services
        assert identity.person is not None  # a reporter membership belongs to a stored person
        period = await services.storage.periods.get_by_id(draft.period_id) if draft is not None else None
        return await ReportSession.open(services.storage, self.form, services.clock, identity.person, unit,
                                        period=period, draft=draft, cursor=cursor)

    async def _active(self, identity: Identity) -> ReportSession | None:
        """The draft this person is being asked about now (their most recent cursor), in scope."""
        if identity.person is None:
            return None
        storage = self.services.storage
        by_code = {u.code: u for u in await reporter_communes(storage, identity)}
        if not by_code:
            return None
        for cursor, draft in await storage.drafts.cursors_with_drafts(identity.person.id):
            if draft.unit_code in by_code:
                return await self._open(identity, by_code[draft.unit_code], draft, cursor)
        return None


def _asks_text(session: ReportSession | None) -> bool:
    """Whether what is asked now takes any text, a text question or a reason (then only a message
    whose every line is a labelled one is taken as one-message entry)."""
    if session is None:
        return False
    return session.mode == REASON or (session.mode == ANSWER
                                      and session.form.kind_of(session.cursor_field or "") == "text")


def _turn(session: ReportSession, screen: Screen, *before: Reply) -> Turn:
    return Turn([*before, screen.message()], session if screen.asks else None)


def _not_a_reporter_text(identity: Identity) -> str:
    if not identity.is_known:
        return say("common.help_stranger")
    return say("reporting.not_a_reporter")


def _stray_text_hint(identity: Identity) -> str:
    if not identity.is_known:
        return say("common.help_stranger")
    if identity.communes:
        return say("reporting.stray_text")
    return say("common.stray_text")

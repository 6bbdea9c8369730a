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
    ChooseOption,
    ChooseReport,
    ChooseText,
    ClearText,
    DraftFile,
    DropLastRow,
    EditItem,
    FinishTable,
    FinishText,
    FixBreak,
    GoBack,
    KeepAllBreaks,
    KeepAnswer,
    KeepBreak,
    KeepSameReason,
    KeepSection,
    OpenReport,
    Pause,
    Resume,
    ShowDetails,
    ShowReview,
    Submit,
    UseSuggestion,
    WriteMore,
)
from bot.chat.catalogue import say
from bot.chat.replies import Choice, ClearChoices, Message, Reply, TapAnswer
from bot.chat.strangers import stranger_help
from bot.domain.bulk_entry import looks_like_bulk_entry
from bot.domain.forms import Form
from bot.notices.plan import format_moment
from bot.notices.reminders import Resubmission
from bot.reporting import bulk, long_text, soft_checks, submitting, tables, taps
from bot.reporting.communes import reporter_communes
from bot.reporting.documents import report_document
from bot.reporting.modes import ANSWER, REASON
from bot.reporting.periods import choose_period
from bot.reporting.screens import Screen, edit_menu, render, review_details, review_text
from bot.reporting.session import ReportSession
from bot.reporting.steps import Stale, Step, Submitted
from bot.reporting.variants import form_for_unit
from bot.reporting.which_report import bulk_form, default_form, offered, open_reports, which_report
from bot.services import Services
from storage.models import Cursor, Draft, Period, Submission, Unit

# The choices that act on a draft («r:<draft>:…»), dispatched by ``ReportingJourney.tap``.
DraftAction = (UseSuggestion | AnswerZero | AnswerNone | AnswerBlank | KeepAnswer | GoBack | Pause | Resume
               | FixBreak | KeepBreak | KeepSameReason | KeepAllBreaks | EditItem | ChooseItem | Submit | ShowReview
               | ShowDetails | DraftFile | WriteMore | FinishText | ClearText | KeepSection | ChooseOption | ChooseText
               | FinishTable | DropLastRow)
DRAFT_ACTIONS = (UseSuggestion, AnswerZero, AnswerNone, AnswerBlank, KeepAnswer, GoBack, Pause, Resume, FixBreak,
                 KeepBreak, KeepSameReason, KeepAllBreaks, EditItem, ChooseItem, Submit, ShowReview, ShowDetails,
                 DraftFile, WriteMore, FinishText, ClearText, KeepSection, ChooseOption, ChooseText, FinishTable,
                 DropLastRow)

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
        """The default form (the weekly report, else a forms folder's first): a session's form is its period's."""
        return default_form(self.services)

    # -- /baocao, the commune and the report ----------------------------------------------------

    async def start(self, identity: Identity) -> Turn:
        """/baocao: the question to answer now, or which commune, or which report."""
        units = await reporter_communes(self.services.storage, identity)
        if not units:
            return Turn([Message(_not_a_reporter_text(identity))])
        if len(units) > 1:
            rows = tuple((Choice(u.full_name, ChooseCommune(u.code)),) for u in units)
            return Turn([Message(say("reporting.choose_commune"), rows)])
        return await self._report_of(identity, units[0])

    async def choose_commune(self, identity: Identity, action: ChooseCommune) -> Turn:
        units = await reporter_communes(self.services.storage, identity)
        unit = next((u for u in units if u.code == action.code), None)
        if unit is None:
            return Turn([TapAnswer(say("reporting.not_yours"), alert=True)])
        return await self._report_of(identity, unit, TapAnswer())

    async def _report_of(self, identity: Identity, unit: Unit, *before: Reply) -> Turn:
        """The commune's report to enter now; when several forms are open for it, which one."""
        async with self.services.storage.db.transaction(quick=True):  # the periods looked at are stored
            reports = offered(await open_reports(self.services, unit, self.services.clock.now()))
            if len(reports) > 1:
                return Turn([*before, which_report(unit, reports)])
            session = await self._open(identity, unit, period=reports[0].period if reports else None)
            screen = render(session, [await session.resume()])
        return _turn(session, screen, *before)

    async def choose_report(self, identity: Identity, action: ChooseReport | OpenReport) -> Turn:
        """A report chosen after /baocao, or «Nhập báo cáo» under a notice: that period's report,
        for a commune of this person (a notice's period with several communes: which commune)."""
        storage = self.services.storage
        units = await reporter_communes(storage, identity)
        period = await storage.periods.get_by_id(action.period_id)
        if isinstance(action, OpenReport):
            if not units:
                return Turn([TapAnswer(), Message(_not_a_reporter_text(identity))])
            if len(units) > 1:
                rows = tuple((Choice(u.full_name, ChooseReport(action.period_id, u.code)),) for u in units)
                return Turn([TapAnswer(), Message(say("reporting.choose_commune"), rows)])
            unit: Unit | None = units[0]
        else:
            unit = next((u for u in units if u.code == action.code), None)
            if unit is None:
                return Turn([TapAnswer(say("reporting.not_yours"), alert=True)])
        assert unit is not None
        now = self.services.clock.now()
        form = self.services.forms.get(period.form_id) if period is not None else None
        if period is None or form is None or period.opens_at > now:
            return Turn([TapAnswer(say("forms_open.not_open"), alert=True)])
        async with storage.db.transaction(quick=True):
            if isinstance(action, OpenReport) and (await choose_period(storage, form, unit.code, now)).id != period.id:
                return await self._report_of(identity, unit, TapAnswer())  # an old notice: what is open now
            session = await self._open(identity, unit, period=period)
            screen = render(session, [await session.resume()])
        return _turn(session, screen, TapAnswer())

    # -- typed input ----------------------------------------------------------------------------

    async def text(self, identity: Identity, text: str, sent_at: datetime | None = None, *,
                   edited: bool = False, message: int | None = None) -> Turn:
        """A typed message: the answer to the question asked now, a reason, or many figures at once.
        An ``edited`` message changes nothing: it answered an earlier question, if any. ``message``
        is the messenger's id of it: a message delivered again is not taken twice."""
        units = await reporter_communes(self.services.storage, identity)
        session = await self._active(identity, units)  # read on the quick path, before the write lock
        if not edited and (form := _bulk_form(self.services, session, text)) is not None:
            return await self._bulk(identity, units, session, text, message, form)
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

    async def _bulk(self, identity: Identity, units: list[Unit], session: ReportSession | None, text: str,
                    message: int | None, form: Form) -> Turn:
        """"Label: value" lines, wherever they come: before /baocao (the report of the ``form``
        whose labels they use is opened), mid-form, at a warning, on the review (the session's own
        form). A report already sent for an earlier period is not reopened by them: they go to the
        period to report on now."""
        if not units:
            return Turn([Message(_stray_text_hint(identity))])
        if session is None and len(units) > 1:
            return Turn([Message(say("reporting_entry.which_commune"))])
        async with self.services.storage.db.transaction(quick=True):
            if session is None or (session.submitted and await self._later_period(identity, session)):
                unit = session.unit if session is not None else units[0]
                session = await self._open(identity, unit, form=form)
            steps = await bulk.fill(session, text, message)
            screen = render(session, steps)
        return _turn(session, screen)

    async def _later_period(self, identity: Identity, session: ReportSession) -> bool:
        """Whether the commune has another period to report on now than the session's (sent) one."""
        storage = self.services.storage
        period = await choose_period(storage, session.form, session.unit.code, self.services.clock.now())
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
        session = await self._open(identity, units[draft.unit_code], draft=draft)  # read before the write lock
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
                return await taps.use_suggestion(session, field_id)
            case AnswerZero(field=field_id):
                return await taps.use_value(session, field_id, 0)
            case AnswerNone(field=field_id):
                return await taps.use_value(session, field_id, say("reporting.none_answer"))
            case AnswerBlank(field=field_id):
                return await taps.use_blank(session, field_id)
            case KeepAnswer(field=field_id):
                return await taps.keep_answer(session, field_id)
            case ChooseOption(item=item, number=number):
                return await taps.choose_option(session, item, number)
            case ChooseText(item=item, number=number):
                return await taps.choose_text(session, item, number)
            case FinishTable(field=field_id):
                return await tables.finish_table(session, field_id)
            case DropLastRow(field=field_id):
                return await tables.drop_last_row(session, field_id)
            case GoBack():
                return await session.back()
            case Pause():
                return [await session.pause()]
            case Resume():
                return [await session.resume()]
            case FixBreak(check=key):
                return await soft_checks.fix(session, key)
            case KeepBreak(check=key):
                return await soft_checks.keep(session, key)
            case KeepSameReason(check=key):
                return await soft_checks.keep_same(session, key)
            case KeepAllBreaks():
                return await soft_checks.keep_all(session)
            case EditItem(field=field_id):
                return await session.edit(field_id)
            case Submit():
                return await submitting.submit(session)
            case ShowReview():
                return [await session.show_review()]
            case WriteMore(field=field_id):
                return await long_text.writing(session, field_id)
            case FinishText(field=field_id):
                return await long_text.finish(session, field_id)
            case ClearText(field=field_id):
                return await long_text.clear(session, field_id)
            case KeepSection(section=section_id):
                return await long_text.keep_section(session, section_id)
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

    async def _open(self, identity: Identity, unit: Unit, *, period: Period | None = None, draft: Draft | None = None,
                    cursor: Cursor | None = None, form: Form | None = None) -> ReportSession:
        """The session of ``draft`` or ``period``, in its period's form; with neither, of ``form``'s
        period to report on now (the default form when none is given)."""
        services = self.services
        assert identity.person is not None  # a reporter membership belongs to a stored person
        if period is None and draft is not None:
            period = await services.storage.periods.get_by_id(draft.period_id)
        base = services.forms.get(period.form_id) if period is not None else None
        base_id = (base or form or self.form).schedule_id
        form = await form_for_unit(services.storage, services.forms, unit.code, unit.province_code, base_id)
        return await ReportSession.open(services.storage, form, services.clock, identity.person, unit,
                                        period=period, draft=draft, cursor=cursor)

    async def _active(self, identity: Identity, units: list[Unit] | None = None) -> ReportSession | None:
        """The draft this person is being asked about now (their most recent cursor), in scope;
        ``units``: their communes, when the caller has just read them."""
        if identity.person is None:
            return None
        storage = self.services.storage
        if units is None:
            units = await reporter_communes(storage, identity)
        by_code = {u.code: u for u in units}
        if not by_code:
            return None
        for cursor, draft in await storage.drafts.cursors_with_drafts(identity.person.id):
            if draft.unit_code in by_code:
                return await self._open(identity, by_code[draft.unit_code], draft=draft, cursor=cursor)
        return None


def _bulk_form(services: Services, session: ReportSession | None, text: str) -> Form | None:
    """The form a one-message entry fills: the open session's; with none, the form whose labels
    the text uses (the weekly report's first, see ``which_report.bulk_form``); None: not one."""
    if session is None:
        return bulk_form(services, text)
    return session.form if looks_like_bulk_entry(session.form, text, strict=_asks_text(session)) else None


def _asks_text(session: ReportSession | None) -> bool:
    """Whether what is asked now takes more than a count: a text, a choice, a number with its unit, a
    table's rows, or a reason (then only a message whose every line is a labelled one is taken as
    one-message entry)."""
    if session is None:
        return False
    return session.mode in (REASON, long_text.LONG) or (
        session.mode == ANSWER and session.form.kind_of(session.cursor_field or "") not in ("count", None))


def _turn(session: ReportSession, screen: Screen, *before: Reply) -> Turn:
    return Turn([*before, screen.message()], session if screen.asks else None)


def _not_a_reporter_text(identity: Identity) -> str:
    if not identity.is_known:
        return stranger_help(identity)
    return say("reporting.not_a_reporter")


def _stray_text_hint(identity: Identity) -> str:
    if not identity.is_known:
        return stranger_help(identity)
    if identity.communes:
        return say("reporting.stray_text")
    return say("common.stray_text")

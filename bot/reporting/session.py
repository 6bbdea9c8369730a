"""The reporting journey without Telegram: one official, one commune, the open period's draft.

The draft in SQLite is the conversation's state. Every answer is written as it arrives, and each
person's cursor (what they are being asked now) is stored too, so after a restart, a crash or days
away the official continues exactly where they were. Handlers turn the steps returned here into
messages and buttons; nothing here knows about Telegram.

The session holds the cursor, the questions and the moves between them; the rest of the answering
is in modules of functions that take it: storing.py (an answer stored and what follows),
soft_checks.py, tables.py, taps.py, bulk.py (one message with many figures), submitting.py,
repeats.py and long_text.py. The steps they return are in steps.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.chat.catalogue import say
from bot.clock import Clock
from bot.domain.answers import AnswerError, is_blank_answer, parse_answer
from bot.domain.evaluate import CheckResult, defaults, evaluate_checks
from bot.domain.forms import Field, Form
from bot.domain.periods import PeriodKey
from bot.domain.values import Values, compute
from bot.reporting import kinds, long_text, repeats, soft_checks, storing, tables
from bot.reporting.last_period import continues
from bot.reporting.long_text import LONG
from bot.reporting.modes import ALL, ANSWER, PAUSED, REASON, REVIEW, SOFT, WARNINGS
from bot.reporting.past import past_values
from bot.reporting.periods import choose_period
from bot.reporting.steps import (
    Ask,
    AskReason,
    AskReasonAll,
    Early,
    Paused,
    Refused,
    Review,
    SoftBreak,
    Stale,
    Step,
    WarningOpen,
    Warnings,
    Writing,
)
from storage import Storage
from storage.models import (
    AnswerRecord,
    Cursor,
    Draft,
    DraftStatus,
    Period,
    Person,
    SubmissionStatus,
    Unit,
)

HISTORY_PERIODS = 8



# --- the session -----------------------------------------------------------------------------


@dataclass
class ReportSession:
    """One person working on one commune's report for one period; load with ``open``."""

    storage: Storage
    form: Form
    clock: Clock
    person: Person
    unit: Unit
    period: Period
    draft: Draft
    answers: dict[str, Any]
    previous: dict[str, Any] | None  # last period's answers (None when not of the period just before)
    before: Values | None  # their values
    past: list[Values]  # the values of the recent periods' reports, newest first
    on_behalf: bool = False
    _cursor_mode: str | None = field(default=None, repr=False)
    _cursor_field: str | None = field(default=None, repr=False)
    _cursor_check: str | None = field(default=None, repr=False)
    # Telegram's date of the message that showed the cursor's question (None: not recorded).
    _cursor_shown: datetime | None = field(default=None, repr=False)
    _cursor_moved: datetime | None = field(default=None, repr=False)  # when the cursor was last written
    _answered_message: int | None = field(default=None, repr=False)  # see Cursor.answered_message
    _message: int | None = field(default=None, repr=False)  # the message being handled, if typed
    _suggested: dict[str, Any] = field(default_factory=dict, repr=False)
    # The reasons given for kept soft-check breaks, read once and kept in step with each write.
    _explained: dict[str, str] | None = field(default=None, repr=False)
    # The values of the answers as they stand (their items as the key): computed once per change.
    _computed: tuple[tuple[tuple[str, Any], ...], Values] | None = field(default=None, repr=False)
    # The checks that fire on the answers as they stand (their items as the key): one update may read
    # them several times (the open warnings, then the review).
    _fired: tuple[tuple[tuple[str, Any], ...], list[CheckResult]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._suggested = defaults(self.form, self.before)

    @classmethod
    async def open(
        cls,
        storage: Storage,
        form: Form,
        clock: Clock,
        person: Person,
        unit: Unit,
        *,
        period: Period | None = None,
        on_behalf: bool = False,
        draft: Draft | None = None,
        cursor: Cursor | None = None,
    ) -> ReportSession:
        """``draft`` and ``cursor``: the period's draft of the unit and this person's cursor in it,
        when the caller has just read them (not read again)."""
        now = clock.now()
        if period is None:
            period = await choose_period(storage, form, unit.code, now)
        if draft is None or draft.period_id != period.id or draft.unit_code != unit.code:
            draft, cursor = await storage.drafts.get_or_create(period.id, unit.code, now), None
        answers = await storage.drafts.values(draft.id)
        recent = await storage.submissions.recent_answers(
            unit.code, form.schedule_id, before=period.opens_at, limit=HISTORY_PERIODS
        )
        recent = [s for s in recent if s.period_id != period.id]
        past = past_values(form, recent)  # computed once per submission, not on every update
        follows = bool(recent) and continues(PeriodKey.parse(period.key), recent[0].key)
        session = cls(
            storage=storage, form=form, clock=clock, person=person, unit=unit, period=period, draft=draft,
            answers=dict(answers), previous=dict(recent[0].answers) if follows else None,
            before=past[0] if follows else None, past=past, on_behalf=on_behalf,
        )
        if cursor is None or cursor.draft_id != draft.id or cursor.person_id != person.id:
            cursor = await storage.drafts.get_cursor(draft.id, person.id)
        if cursor is not None:
            session._cursor_mode, session._cursor_field, session._cursor_check = (
                cursor.mode, cursor.field_id, cursor.check_id,
            )
            session._cursor_shown = cursor.shown_at
            session._cursor_moved = cursor.updated_at
            session._answered_message = cursor.answered_message
        return session

    # -- reading ----------------------------------------------------------------------------

    @property
    def values(self) -> Values:
        return self.values_of(self.answers)

    def values_of(self, answers: Mapping[str, Any]) -> Values:
        """The values of ``answers`` with last period: the answers as they stand are computed once
        (several steps of one update read them), any other set each time."""
        key = tuple(answers.items())
        if self._computed is not None and self._computed[0] == key:
            return self._computed[1]
        values = compute(self.form, answers, self.before)
        self._computed = (key, values)
        return values

    def applies(self, field_obj: Field) -> bool | None:
        return True if field_obj.ask_if is None else field_obj.ask_if.evaluate(self.values)

    def next_question(self) -> Field | None:
        return next((f for f in self.questions() if not kinds.answered_in(f, self.answers)), None)

    def relevant(self) -> dict[str, Any]:
        """``Form.relevant_answers`` of the answers as they stand."""
        asked = {f.id: f for f in self.questions()}
        return {key: value for key, value in self.answers.items()
                if key in asked and (value is not None or asked[key].optional)}  # a blank is an answer

    @property
    def mode(self) -> str | None:
        return self._cursor_mode

    @property
    def cursor_field(self) -> str | None:
        return self._cursor_field

    @property
    def cursor_check(self) -> str | None:
        return self._cursor_check

    @property
    def submitted(self) -> bool:
        return self.draft.status == DraftStatus.SUBMITTED

    def questions(self) -> list[Field]:
        return self.form.asked(self.values)

    def ask(self, field_obj: Field, row_id: str | None = None) -> Ask:
        questions = self.questions()
        ids = [f.id for f in questions]
        position = ids.index(field_obj.id) + 1 if field_obj.id in ids else len(ids)
        current = self.answers.get(field_obj.id)
        if kinds.declared_rows(field_obj):
            row = self.row_asked(field_obj, row_id)
            return Ask(field=field_obj, position=position, total=len(questions),
                       current=kinds.row_answers(current).get(row.id),
                       suggestion=kinds.previous_row(field_obj, row, self.previous), can_go_back=position > 1,
                       row=row, row_position=field_obj.rows.index(row) + 1, whole=current)
        suggestion = self._suggested.get(field_obj.id)
        if suggestion is None:
            suggestion = kinds.previous_answer(field_obj, self.previous)
        return Ask(
            field=field_obj,
            position=position,
            total=len(questions),
            current=current,
            suggestion=suggestion,
            can_go_back=position > 1,
        )

    def row_asked(self, table: Field, row_id: str | None = None) -> Field:
        """The declared row of ``table`` asked now: the one named, else the cursor's, else the first
        still unanswered, else the first."""
        if row_id is None and self._cursor_field == table.id:
            row_id = self._cursor_check
        found = kinds.row(table, row_id)
        if found is not None:
            return found
        missing = kinds.unanswered_rows(table, self.answers.get(table.id))
        return missing[0] if missing else table.rows[0]

    def item_asked(self) -> Field | None:
        """The field asked now, or the declared row of a table asked now."""
        if self._cursor_mode != ANSWER or not self._cursor_field:
            return None
        target = self.field_or_none(self._cursor_field)
        if target is None or not kinds.declared_rows(target):
            return target
        return self.row_asked(target)

    async def set_cursor(self, mode: str, field_id: str | None, check_id: str | None = None) -> None:
        # The same question asked again keeps the moment it was first shown: an answer sent after
        # that moment is a real answer, whatever was shown in between.
        same = (mode, field_id, check_id) == (self._cursor_mode, self._cursor_field, self._cursor_check)
        shown = self._cursor_shown if same and mode == ANSWER else None
        self._cursor_moved = self.clock.now()
        await self.storage.drafts.set_cursor(
            self.draft.id, self.person.id, field_id, self._cursor_moved, mode=mode, check_id=check_id,
            shown_at=shown, answered_message=self._message,
        )
        if self._message is not None:
            self._answered_message = self._message
        self._cursor_mode, self._cursor_field, self._cursor_check = mode, field_id, check_id
        self._cursor_shown = shown

    def awaits_shown(self) -> bool:
        """Whether the question asked now has no first showing recorded yet."""
        return self._cursor_mode == ANSWER and bool(self._cursor_field) and self._cursor_shown is None

    async def mark_shown(self, at: datetime) -> None:
        """The question being asked now was shown in a message Telegram dated ``at``. Only the first
        showing is kept: a later one could make a real answer look early."""
        if not self.awaits_shown():
            return
        if await self.storage.drafts.mark_shown(self.draft.id, self.person.id, at, mode=ANSWER,
                                                field_id=self._cursor_field):
            self._cursor_shown = at

    def breaks(self) -> list[CheckResult]:
        """Every check that fires on the relevant answers as they stand (computed once per change)."""
        relevant = self.relevant()
        key = tuple(relevant.items())
        if self._fired is None or self._fired[0] != key:
            self._fired = (key, evaluate_checks(self.form, relevant, self.before, self.past,
                                                values=self.values_of(relevant)))
        return list(self._fired[1])

    async def explanations(self) -> dict[str, str]:
        if self._explained is None:
            stored = await self.storage.drafts.explanations(self.draft.id)
            self._explained = {key: e.reason for key, e in stored.items()}
        return self._explained

    async def review(self) -> Review:
        breaks = self.breaks()
        explanations = await self.explanations()
        submitted = await self.storage.submissions.latest(self.period.id, self.unit.code)
        hard = tuple(b for b in breaks if b.is_hard)
        unexplained = tuple(b for b in breaks if not b.is_hard and b.key not in explanations)
        return Review(
            values=self.values, answers=dict(self.answers), breaks=tuple(breaks), explanations=dict(explanations),
            submitted=submitted if self.submitted else None, unexplained=unexplained, hard=hard,
        )

    # -- where we are -----------------------------------------------------------------------

    async def resume(self) -> Step:
        """What to show when the person comes back (/baocao, a restart, days later)."""
        if self.submitted:
            await self.set_cursor(REVIEW, None)
            return await self.review()
        if self._cursor_mode == SOFT and self._cursor_check:
            check = soft_checks.find_break(self, self._cursor_check)
            if check is not None:
                return await soft_checks.soft_break(self, check)
        if self._cursor_mode == REASON and self._cursor_check == ALL:
            open_checks = await soft_checks.open_warnings(self)
            if open_checks:
                return AskReasonAll(tuple(open_checks))
        elif self._cursor_mode == REASON and self._cursor_check:
            check = soft_checks.find_break(self, self._cursor_check)
            if check is not None:
                return AskReason(check)
        if self._cursor_mode == ANSWER and self._cursor_field:
            target = self.field_or_none(self._cursor_field)
            if target is not None and self.applies(target) is not False:
                return self.ask(target)
        if self._cursor_field and LONG in (self._cursor_mode, self._cursor_check):  # a long text being written
            target = self.field_or_none(self._cursor_field)  # (or paused while written): its parts so far
            if target is not None and target.several_messages and self.applies(target) is not False:
                await self.set_cursor(LONG, target.id)
                steps = await long_text.writing(self, target.id)
                if isinstance(steps[-1], Writing):
                    return steps[-1]
        return await self.advance()

    async def advance(self) -> Step:
        """The first unanswered question; when all are answered, the soft checks still open (all
        together), else the review."""
        nxt = self.next_question()
        if nxt is None:
            open_checks = await soft_checks.open_warnings(self)
            if open_checks:
                return await soft_checks.ask_warnings(self, open_checks)
            await self.set_cursor(REVIEW, None)
            return await self.review()
        await self.set_cursor(ANSWER, nxt.id)
        return self.ask(nxt)

    def field_or_none(self, field_id: str) -> Field | None:
        """The form's field, or None for an id it does not have (a stale or forged button)."""
        return self.form.fields_by_id.get(field_id)

    # -- answering --------------------------------------------------------------------------

    async def answer_text(self, text: str, sent_at: datetime | None = None, message: int | None = None) -> list[Step]:
        """A typed message: the answer to the current question, or the reason asked for.
        ``sent_at`` is Telegram's date of the message: one received before the current question was
        shown is not stored (a repeated message, or typed ahead). ``message`` is its id: one already
        taken (delivered again after the bot stopped before confirming it) changes nothing."""
        if self.taken(message):
            current = self.field_or_none(self._cursor_field or "")
            return [Early(text, await repeats.repeated(self, current, text) if current is not None else None),
                    await self.resume()]
        self._message = message
        if self.submitted:  # a colleague submitted meanwhile: corrections start from the review
            return [await self.show_review()]
        if self._cursor_mode == REASON and self._cursor_check == ALL:
            return await soft_checks.give_reason_all(self, text)
        if self._cursor_mode == REASON and self._cursor_check:
            return await soft_checks.give_reason(self, self._cursor_check, text)
        if self._cursor_mode == SOFT and self._cursor_check:
            return await soft_checks.typed_at_warning(self, self._cursor_check, text)
        if self._cursor_mode == WARNINGS:
            step = await self.advance()
            return [WarningOpen(text, None, several=isinstance(step, Warnings)), step] if isinstance(
                step, Warnings | SoftBreak) else [step]
        if self._cursor_mode == LONG and self._cursor_field:  # the next part (Telegram's cut of a paste too)
            target = self.field_or_none(self._cursor_field)
            if target is not None and target.several_messages:
                return await long_text.next_part(self, target, text)
        if self._cursor_mode != ANSWER or not self._cursor_field:
            return [await self.resume()]
        target = self.field_or_none(self._cursor_field)
        if target is None:
            return [await self.advance()]
        if sent_at is not None and self._cursor_shown is not None and sent_at < self._cursor_shown:
            return [Early(text, await repeats.repeated(self, target, text)), self.ask(target)]
        if target.several_messages:
            return await long_text.first_part(self, target, text)
        if target.kind == "table":
            return await tables.typed_rows(self, target, text)
        if target.optional and is_blank_answer(text):  # "-", "không rõ": no figure, not 0
            return await self.set_value(target.id, None)
        try:
            value: Any = parse_answer(target, text)
        except AnswerError as exc:
            return [Refused(target, exc.reason), self.ask(target)]
        return await self.set_value(target.id, value)

    async def set_value(self, field_id: str, value: Any) -> list[Step]:
        return await storing.store(self, field_id, value)

    # -- moving around ----------------------------------------------------------------------

    async def back(self) -> list[Step]:
        """``reporting.back``: the question before the current one, with its answer shown."""
        questions = self.questions()
        ids = [f.id for f in questions]
        asked = self.item_asked()
        table = self.field_or_none(self._cursor_field or "")
        if asked is not None and table is not None and kinds.declared_rows(table) and table.rows.index(asked) > 0:
            earlier = table.rows[table.rows.index(asked) - 1]  # the row before, in a table asked row by row
            await self.set_cursor(ANSWER, table.id, earlier.id)
            return [self.ask(table, earlier.id)]
        if self._cursor_mode in (ANSWER, LONG) and self._cursor_field in ids:
            index = ids.index(self._cursor_field)
        else:
            index = len(ids)
        if index == 0:
            return [self.ask(questions[0])]
        target = questions[index - 1]
        await self.set_cursor(ANSWER, target.id)
        return [self.ask(target)]

    async def edit(self, field_id: str) -> list[Step]:
        """Change one item from the review screen (also after submitting: a correction)."""
        target = self.field_or_none(field_id)
        if target is None or self.applies(target) is False:
            return [Stale(), await self.resume()]
        if self.submitted and await self.locked():
            return [Refused(target, say("reporting.locked")), await self.show_review()]  # approved: final
        if self.submitted:
            await self.reopen()
        await self.set_cursor(ANSWER, target.id)
        return [self.ask(target)]

    async def locked(self) -> bool:
        """Whether the report is approved by the province: then it is not corrected any more."""
        latest = await self.storage.submissions.latest(self.period.id, self.unit.code)
        return latest is not None and latest.status == SubmissionStatus.APPROVED

    async def reopen(self) -> None:
        """Open a submitted report again for correction; its answers stay."""
        self.draft = await self.storage.drafts.set_status(self.draft.id, DraftStatus.OPEN, self.clock.now())

    async def pause(self) -> Paused:
        paused_in = LONG if self._cursor_mode == LONG else self._cursor_check  # ``reporting.resume`` goes on writing it
        await self.set_cursor(PAUSED, self._cursor_field, paused_in)
        questions = self.questions()
        answered = sum(1 for f in questions if kinds.answered_in(f, self.answers))
        return Paused(answered=answered, total=len(questions))

    async def show_review(self) -> Review:
        await self.set_cursor(REVIEW, None)
        return await self.review()

    # -- for long texts (bot/reporting/long_text.py) -----------------------------------------

    @property
    def suggestions(self) -> Mapping[str, Any]:
        """Last period's answers offered for this one (``reporting.as_before``, a count's default)."""
        return self._suggested

    @property
    def cursor_moved(self) -> datetime | None:
        """When this person's cursor was last written (None: never)."""
        return self._cursor_moved

    async def store_text(self, field_id: str, value: str) -> AnswerRecord | None:
        """A text stored at once (a part of a long one), its checks left for when it is finished;
        the answer it replaced."""
        replaced = await self.storage.drafts.set_answer(self.draft.id, field_id, value, self.person.id,
                                                        self.clock.now())
        self.answers[field_id] = value
        return replaced

    async def clear_text(self, field_id: str) -> None:
        await self.storage.drafts.clear_answer(self.draft.id, field_id, self.person.id, self.clock.now())
        self.answers.pop(field_id, None)

    async def store_texts(self, values: Mapping[str, str]) -> None:
        """Several texts stored together (a section kept as last period's)."""
        if not values:
            return
        await self.storage.drafts.set_answers(self.draft.id, dict(values), self.person.id, self.clock.now())
        self.answers.update(values)
        for field_id in values:
            await soft_checks.forget_stale_explanations(self, field_id)
        await storing.drop_inapplicable(self)

    # -- the message being handled ----------------------------------------------------------

    def handling(self, message: int | None) -> None:
        """The typed message being handled now (its id): the next cursor written records it taken."""
        self._message = message

    def taken(self, message: int | None) -> bool:
        """Whether the message with this id (or a later one) already gave an answer here."""
        return message is not None and self._answered_message is not None and message <= self._answered_message

"""The reporting journey without Telegram: one official, one commune, the open period's draft.

The draft in SQLite is the conversation's state. Every answer is written as it arrives, and each
person's cursor (what they are being asked now) is stored too, so after a restart, a crash or days
away the official continues exactly where they were. Handlers turn the steps returned here into
messages and buttons; nothing here knows about Telegram.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.chat.catalogue import say
from bot.clock import Clock
from bot.domain.answers import AnswerError, is_blank_answer, parse_answer
from bot.domain.bulk_entry import BulkEntry, parse_bulk_entry
from bot.domain.evaluate import CheckResult, defaults, evaluate_checks, explain_derived, explain_rate
from bot.domain.forms import Field, Form, OutlierCheck
from bot.domain.periods import PeriodKey
from bot.domain.values import Answer, Values, compute
from bot.reporting import kinds, long_text
from bot.reporting.last_period import continues
from bot.reporting.long_text import LONG, Writing
from bot.reporting.past import past_values
from bot.reporting.periods import choose_period
from bot.reporting.steps import (
    Ask,
    AskReason,
    AskReasonAll,
    BulkFilled,
    Early,
    Paused,
    ReasonsKept,
    Refused,
    Review,
    RowDropped,
    RowsAdded,
    Saved,
    SoftBreak,
    Stale,
    Step,
    Submitted,
    WarningOpen,
    Warnings,
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

# Cursor modes: what the person is being asked now.
ANSWER = "answer"
SOFT = "soft"  # a soft check fired: fix it, or keep it and give a reason
REASON = "reason"  # waiting for the reason of a kept soft-check break
MAX_REASON = 1000  # characters of a reason for keeping figures a soft check questions
REVIEW = "review"
PAUSED = "paused"
WARNINGS = "warnings"  # several soft checks open: each can be fixed, or all kept with one reason
ALL = "*"  # the check of a REASON cursor when one reason is asked for every open soft check


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
    previous: dict[str, Any] | None
    history: list[dict[str, Any]]
    on_behalf: bool = False
    _cursor_mode: str | None = field(default=None, repr=False)
    _cursor_field: str | None = field(default=None, repr=False)
    _cursor_check: str | None = field(default=None, repr=False)
    # Telegram's date of the message that showed the cursor's question (None: not recorded).
    _cursor_shown: datetime | None = field(default=None, repr=False)
    _answered_message: int | None = field(default=None, repr=False)  # see Cursor.answered_message
    _message: int | None = field(default=None, repr=False)  # the message being handled, if typed
    # Last period and the recent ones, computed once: they do not change while a session lives.
    _before: Values | None = field(default=None, repr=False)
    _past: list[Values] = field(default_factory=list, repr=False)
    _suggested: dict[str, Any] = field(default_factory=dict, repr=False)
    # The reasons given for kept soft-check breaks, read once and kept in step with each write.
    _explained: dict[str, str] | None = field(default=None, repr=False)
    # The values of the answers as they stand (their items as the key): computed once per change.
    _computed: tuple[tuple[tuple[str, Any], ...], Values] | None = field(default=None, repr=False)
    # The history's values, when computed already (see ``past.past_values``).
    past_values: list[Values] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self._past = (self.past_values if self.past_values is not None and len(self.past_values) == len(self.history)
                      else [compute(self.form, past) for past in self.history])
        self._before = (self._past[0] if self.history and self.previous is self.history[0]
                        else None if self.previous is None else compute(self.form, self.previous))
        self._suggested = defaults(self.form, self._before)

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
        history = [dict(s.answers) for s in recent]
        follows = bool(recent) and continues(PeriodKey.parse(period.key), recent[0].key)
        session = cls(
            storage=storage, form=form, clock=clock, person=person, unit=unit, period=period, draft=draft,
            answers=dict(answers), previous=history[0] if follows else None, history=history,
            on_behalf=on_behalf, past_values=past_values(form, recent),
        )
        if cursor is None or cursor.draft_id != draft.id or cursor.person_id != person.id:
            cursor = await storage.drafts.get_cursor(draft.id, person.id)
        if cursor is not None:
            session._cursor_mode, session._cursor_field, session._cursor_check = (
                cursor.mode, cursor.field_id, cursor.check_id,
            )
            session._cursor_shown = cursor.shown_at
            session._answered_message = cursor.answered_message
        return session

    # -- reading ----------------------------------------------------------------------------

    @property
    def values(self) -> Values:
        return self._values_of(self.answers)

    def _values_of(self, answers: Mapping[str, Any]) -> Values:
        """The values of ``answers`` with last period: the answers as they stand are computed once
        (several steps of one update read them), any other set each time."""
        key = tuple(answers.items())
        if self._computed is not None and self._computed[0] == key:
            return self._computed[1]
        values = compute(self.form, answers, self._before)
        self._computed = (key, values)
        return values

    def _applies(self, field_obj: Field) -> bool | None:
        return True if field_obj.ask_if is None else field_obj.ask_if.evaluate(self.values)

    def _next_question(self) -> Field | None:
        return next((f for f in self.questions() if not kinds.answered_in(f, self.answers)), None)

    def _relevant(self) -> dict[str, Any]:
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
    def submitted(self) -> bool:
        return self.draft.status == DraftStatus.SUBMITTED

    def questions(self) -> list[Field]:
        return self.form.asked(self.values)

    def _ask(self, field_obj: Field, row_id: str | None = None) -> Ask:
        questions = self.questions()
        ids = [f.id for f in questions]
        position = ids.index(field_obj.id) + 1 if field_obj.id in ids else len(ids)
        current = self.answers.get(field_obj.id)
        if kinds.declared_rows(field_obj):
            row = self._row_asked(field_obj, row_id)
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

    def _row_asked(self, table: Field, row_id: str | None = None) -> Field:
        """The declared row of ``table`` asked now: the one named, else the cursor's, else the first
        still unanswered, else the first."""
        if row_id is None and self._cursor_field == table.id:
            row_id = self._cursor_check
        found = kinds.row(table, row_id)
        if found is not None:
            return found
        missing = kinds.unanswered_rows(table, self.answers.get(table.id))
        return missing[0] if missing else table.rows[0]

    def _item_asked(self) -> Field | None:
        """The field asked now, or the declared row of a table asked now."""
        if self._cursor_mode != ANSWER or not self._cursor_field:
            return None
        target = self._field_or_none(self._cursor_field)
        if target is None or not kinds.declared_rows(target):
            return target
        return self._row_asked(target)

    async def _set_cursor(self, mode: str, field_id: str | None, check_id: str | None = None) -> None:
        # The same question asked again keeps the moment it was first shown: an answer sent after
        # that moment is a real answer, whatever was shown in between.
        same = (mode, field_id, check_id) == (self._cursor_mode, self._cursor_field, self._cursor_check)
        shown = self._cursor_shown if same and mode == ANSWER else None
        await self.storage.drafts.set_cursor(
            self.draft.id, self.person.id, field_id, self.clock.now(), mode=mode, check_id=check_id,
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

    def _breaks(self) -> list[CheckResult]:
        relevant = self._relevant()
        return evaluate_checks(self.form, relevant, self._before, self._past, values=self._values_of(relevant))

    async def _explanations(self) -> dict[str, str]:
        if self._explained is None:
            stored = await self.storage.drafts.explanations(self.draft.id)
            self._explained = {key: e.reason for key, e in stored.items()}
        return self._explained

    async def review(self) -> Review:
        breaks = self._breaks()
        explanations = await self._explanations()
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
            await self._set_cursor(REVIEW, None)
            return await self.review()
        if self._cursor_mode == SOFT and self._cursor_check:
            check = self._find_break(self._cursor_check)
            if check is not None:
                return await self._soft_break(check)
        if self._cursor_mode == REASON and self._cursor_check == ALL:
            open_checks = await self._open_warnings()
            if open_checks:
                return AskReasonAll(tuple(open_checks))
        elif self._cursor_mode == REASON and self._cursor_check:
            check = self._find_break(self._cursor_check)
            if check is not None:
                return AskReason(check)
        if self._cursor_mode == ANSWER and self._cursor_field:
            target = self._field_or_none(self._cursor_field)
            if target is not None and self._applies(target) is not False:
                return self._ask(target)
        if self._cursor_field and LONG in (self._cursor_mode, self._cursor_check):  # a long text being written
            target = self._field_or_none(self._cursor_field)  # (or paused while written): its parts so far
            if target is not None and target.several_messages and self._applies(target) is not False:
                await self._set_cursor(LONG, target.id)
                steps = await long_text.writing(self, target.id)
                if isinstance(steps[-1], Writing):
                    return steps[-1]
        return await self._advance()

    async def _advance(self) -> Step:
        """The first unanswered question; when all are answered, the soft checks still open (all
        together), else the review."""
        nxt = self._next_question()
        if nxt is None:
            open_checks = await self._open_warnings()
            if open_checks:
                return await self._ask_warnings(open_checks)
            await self._set_cursor(REVIEW, None)
            return await self.review()
        await self._set_cursor(ANSWER, nxt.id)
        return self._ask(nxt)

    async def _soft_break(self, check: CheckResult) -> SoftBreak:
        explained = await self._explanations()
        given = [reason for key, reason in explained.items() if key != check.key]
        return SoftBreak(check, same_reason=given[-1] if given else None)

    async def _open_warnings(self) -> list[CheckResult]:
        """The soft checks that fire with no reason given, in form order."""
        explained = await self._explanations()
        return [b for b in self._breaks() if not b.is_hard and b.key not in explained]

    async def _ask_warnings(self, open_checks: list[CheckResult]) -> Step:
        """One open soft check is asked as ever; several are asked together."""
        if len(open_checks) == 1:
            check = open_checks[0]
            await self._set_cursor(SOFT, check.fields[-1] if check.fields else None, check.key)
            return await self._soft_break(check)
        await self._set_cursor(WARNINGS, None)
        return Warnings(tuple(open_checks))

    def _field_or_none(self, field_id: str) -> Field | None:
        try:
            return self.form.field(field_id)
        except KeyError:
            return None

    def _find_break(self, key: str) -> CheckResult | None:
        return next((b for b in self._breaks() if b.key == key), None)

    # -- answering --------------------------------------------------------------------------

    async def answer_text(self, text: str, sent_at: datetime | None = None, message: int | None = None) -> list[Step]:
        """A typed message: the answer to the current question, or the reason asked for.
        ``sent_at`` is Telegram's date of the message: one received before the current question was
        shown is not stored (a repeated message, or typed ahead). ``message`` is its id: one already
        taken (delivered again after the bot stopped before confirming it) changes nothing."""
        if self.taken(message):
            current = self._field_or_none(self._cursor_field or "")
            return [Early(text, await self._repeated(current, text) if current is not None else None),
                    await self.resume()]
        self._message = message
        if self.submitted:  # a colleague submitted meanwhile: corrections start from the review
            return [await self.show_review()]
        if self._cursor_mode == REASON and self._cursor_check == ALL:
            return await self.give_reason_all(text)
        if self._cursor_mode == REASON and self._cursor_check:
            return await self.give_reason(self._cursor_check, text)
        if self._cursor_mode == SOFT and self._cursor_check:
            return await self._typed_at_warning(self._cursor_check, text)
        if self._cursor_mode == WARNINGS:
            step = await self._advance()
            return [WarningOpen(text, None, several=isinstance(step, Warnings)), step] if isinstance(
                step, Warnings | SoftBreak) else [step]
        if self._cursor_mode == LONG and self._cursor_field:  # the next part (Telegram's cut of a paste too)
            target = self._field_or_none(self._cursor_field)
            if target is not None and target.several_messages:
                return await long_text.next_part(self, target, text)
        if self._cursor_mode != ANSWER or not self._cursor_field:
            return [await self.resume()]
        target = self._field_or_none(self._cursor_field)
        if target is None:
            return [await self._advance()]
        if sent_at is not None and self._cursor_shown is not None and sent_at < self._cursor_shown:
            return [Early(text, await self._repeated(target, text)), self._ask(target)]
        if target.several_messages:
            return await long_text.first_part(self, target, text)
        if target.kind == "table":
            return await self._typed_rows(target, text)
        if target.optional and is_blank_answer(text):  # "-", "không rõ": no figure, not 0
            return await self.set_value(target.id, None)
        try:
            value: Any = parse_answer(target, text)
        except AnswerError as exc:
            return [Refused(target, exc.reason), self._ask(target)]
        return await self.set_value(target.id, value)

    # -- tables -----------------------------------------------------------------------------

    async def _typed_rows(self, table: Field, text: str) -> list[Step]:
        """Rows typed for a table: the declared row asked now (or several numbered ones), or rows the
        commune adds (kept as they come; the table stays asked until «Xong»)."""
        stored = self.answers.get(table.id)
        if kinds.declared_rows(table):
            row = self._row_asked(table)
            try:
                found = kinds.parse_declared(table, row, text)
            except AnswerError as exc:
                return [Refused(row, exc.reason), self._ask(table, row.id)]
            steps = await self._store_rows(table, row, {**kinds.row_answers(stored), **found})
            if len(found) > 1 and isinstance(steps[0], Saved):
                answered = len(table.rows) - len(kinds.unanswered_rows(table, self.answers.get(table.id)))
                steps[0] = RowsAdded(table, len(found), answered)
            return steps
        rows = kinds.added(stored)
        try:
            new = kinds.parse_added(table, text, len(rows))
        except AnswerError as exc:
            return [Refused(table, exc.reason), self._ask(table)]
        steps = await self._store(table.id, [*rows, *new], advance=False)
        if isinstance(steps[0], Saved):
            await self._set_cursor(ANSWER, table.id)  # records the message taken (not added twice)
            steps[0] = RowsAdded(table, len(new), len(rows) + len(new))
            steps.append(self._ask(table))
        return steps

    async def _store_rows(self, table: Field, row: Field, value: dict[str, Any]) -> list[Step]:
        """A declared table's rows stored; then its next row to answer, or the next question once
        every row is answered. A table complete before (being corrected) is walked row by row."""
        walk = kinds.is_answered(table, self.answers.get(table.id))
        steps = await self._store(table.id, value, advance=False)
        if not isinstance(steps[0], Saved):
            return steps
        steps[0] = Saved(row, value.get(row.id))
        missing = kinds.unanswered_rows(table, value)
        index = table.rows.index(row)
        if missing:
            later = [r for r in missing if table.rows.index(r) > index]
            following = (later or missing)[0]
        elif walk and index + 1 < len(table.rows):
            following = table.rows[index + 1]
        else:
            return [*steps, *await self._after_stored(table.id)]
        await self._set_cursor(ANSWER, table.id, following.id)
        return [*steps, self._ask(table, following.id)]

    async def finish_table(self, field_id: str) -> list[Step]:
        """«Xong»: the table asked now is complete (rows the commune adds: none is an answer too)."""
        target = self._item_asked()
        table = self._field_or_none(field_id)
        if table is None or table.kind != "table" or self._cursor_field != field_id or target is None:
            return [Stale(), await self.resume()]
        if self.answers.get(field_id) is None and kinds.added_rows(table):
            steps = await self._store(field_id, [], advance=False)
            if not isinstance(steps[0], Saved):
                return steps
        if not kinds.is_answered(table, self.answers.get(field_id)):
            return [self._ask(table)]
        return await self._after_stored(field_id)

    async def drop_last_row(self, field_id: str) -> list[Step]:
        """Remove the last row added to the table asked now."""
        table = self._field_or_none(field_id)
        if table is None or not kinds.added_rows(table) or self._item_asked() is None \
                or self._cursor_field != field_id:
            return [Stale(), await self.resume()]
        rows = kinds.added(self.answers.get(field_id))
        if not rows:
            return [RowDropped(table, None, 0), self._ask(table)]
        steps = await self._store(field_id, rows[:-1], advance=False)
        if isinstance(steps[0], Saved):
            steps[0] = RowDropped(table, rows[-1], len(rows) - 1)
            steps.append(self._ask(table))
        return steps

    async def choose_option(self, item_id: str, number: int) -> list[Step]:
        """A tap on an option of the choice asked now (the option's id is stored)."""
        item = self._item_asked()
        if item is None or item.id != item_id or item.kind != "choice" or not 1 <= number <= len(item.options):
            return [Stale(), await self.resume()]
        return await self._answer_item(item, item.options[number - 1].id)

    async def choose_text(self, item_id: str, number: int) -> list[Step]:
        """A tap on a declared text of the target asked now («Không phát sinh»)."""
        item = self._item_asked()
        if item is None or item.id != item_id or item.kind != "target" or not 1 <= number <= len(item.texts):
            return [Stale(), await self.resume()]
        return await self._answer_item(item, item.texts[number - 1])

    async def keep_answer(self, item_id: str) -> list[Step]:
        """«Giữ nguyên»: the answer stored for the question (or the table's row) asked now."""
        item = self._item_asked()
        if item is None or item.id != item_id:
            return [Stale(), await self.resume()]
        table = self.form.field(self._cursor_field or "")
        current = (kinds.row_answers(self.answers.get(table.id)).get(item.id) if item is not table
                   else self.answers.get(item.id))
        if current is None:
            return [Stale(), await self.resume()]
        if kinds.added_rows(item):
            return await self._after_stored(item.id)
        return await self._answer_item(item, current)

    async def _answer_item(self, item: Field, value: Any) -> list[Step]:
        """Store a tapped value for the field asked now, or for the table's row asked now."""
        if not kinds.fits(item, value):
            return [Stale(), await self.resume()]
        table = self.form.field(self._cursor_field or "")
        if item is table:
            return await self.set_value(item.id, value)
        return await self._store_rows(table, item, {**kinds.row_answers(self.answers.get(table.id)), item.id: value})

    async def _typed_at_warning(self, check_key: str, text: str) -> list[Step]:
        """A message while a soft check waits: a figure for the answer «Sửa» would ask again is
        taken as the correction; anything else is not stored, and the official is told why."""
        check = self._find_break(check_key)
        if check is None:
            return [await self._advance()]
        target = self._to_fix(check)
        if target is None or target.kind != "count":
            return [WarningOpen(text, None), await self._soft_break(check)]
        try:
            value: Any = parse_answer(target, text)
        except AnswerError:
            return [WarningOpen(text, target), await self._soft_break(check)]
        return await self.set_value(target.id, value)

    def _to_fix(self, check: CheckResult | None) -> Field | None:
        """The answer «Sửa» asks again: the one just given, else the check's last field."""
        target = self._field_or_none(self._cursor_field or "")
        if target is None and check is not None and check.fields:
            target = self._field_or_none(check.fields[-1])
        return target

    async def _repeated(self, current: Field, text: str) -> Field | None:
        """The question whose answer, the last this person stored, ``text`` repeats (as a parsed
        value or as normalised text), if it is not the question asked now."""
        last = await self.storage.drafts.last_given(self.draft.id, self.person.id)
        if last is None or last.field_id == current.id:
            return None
        previous = self._field_or_none(last.field_id)
        if previous is None:
            return None
        try:
            if previous.kind != "table" and parse_answer(previous, text) == last.new_value:
                return previous
        except AnswerError:
            pass
        return previous if _normalised(text) == _normalised(str(last.new_value)) else None

    async def use_suggestion(self, field_id: str) -> list[Step]:
        """A tap on "Như kỳ trước" (or the count default) for the current question, or for the row
        of a table asked now (``field_id`` is then the row's)."""
        item = self._item_asked()
        if item is None or item.id != field_id:
            return [Stale(), await self.resume()]
        suggestion = self._ask(self.form.field(self._cursor_field or "")).suggestion
        if suggestion is None:
            return [Stale(), await self.resume()]
        if kinds.added_rows(item):  # last period's rows, to add to or remove from before «Xong»
            steps = await self._store(item.id, suggestion, advance=False)
            if isinstance(steps[0], Saved):
                steps[0] = RowsAdded(item, len(suggestion), len(suggestion))
                steps.append(self._ask(item))
            return steps
        return await self._answer_item(item, suggestion)

    async def use_value(self, field_id: str, value: Answer) -> list[Step]:
        """A tap on a value button ("0", "Không có", "Giữ nguyên") for the current question; a value
        of the wrong kind for it (a text on a count: a forged or mismatched button) is not stored."""
        item = self._item_asked()  # the field, or the row of a table asked now ("0" for a count row)
        if item is None or item.id != field_id or item.kind == "table" or not kinds.fits(item, value):
            return [Stale(), await self.resume()]
        return await self._answer_item(item, value)

    async def use_blank(self, field_id: str) -> list[Step]:
        """A tap on «Không có số liệu» for the current question (an optional count only)."""
        target = self._field_or_none(field_id)
        if self._cursor_mode != ANSWER or self._cursor_field != field_id or target is None or not target.optional:
            return [Stale(), await self.resume()]
        return await self.set_value(field_id, None)

    async def set_value(self, field_id: str, value: Any) -> list[Step]:
        return await self._store(field_id, value)

    async def _store(self, field_id: str, value: Any, *, advance: bool = True) -> list[Step]:
        """Store an answer after the hard checks; with ``advance``, the soft checks about it and
        the next question follow (a table being filled waits for «Xong»)."""
        if self.submitted:
            return [Stale(), await self.show_review()]
        target = self.form.field(field_id)
        trial = {**self.answers, field_id: value}
        hard = evaluate_checks(self.form, trial, self._before, self._past, touching=field_id,
                               values=self._values_of(trial), severity="hard")
        if hard:
            return [Refused(target, hard[0].message), self._ask(target)]
        now = self.clock.now()
        first_answer = self.answers.get(field_id) is None
        replaced = await self.storage.drafts.set_answer(self.draft.id, field_id, value, self.person.id, now)
        self.answers[field_id] = value
        await self._forget_stale_explanations(field_id)
        await self._drop_inapplicable()
        steps: list[Step] = [
            Saved(
                target, value, derived=self._derived_lines(field_id) if first_answer else (),
                replaced=replaced if _replaced_by_other(replaced, self.person.id, value) else None,
            )
        ]
        if advance:
            steps.extend(await self._after_stored(field_id))
        return steps

    async def _after_stored(self, field_id: str) -> list[Step]:
        """After an answer: the soft checks it breaks, else the next question."""
        steps: list[Step] = []
        relevant = self._relevant()
        # every soft check, not only those reading this field: high figures that agree with each
        # other make one question together (evaluate._together), which may name this one
        soft = evaluate_checks(self.form, relevant, self._before, self._past,
                               values=self._values_of(relevant), severity="soft")
        explained = await self._explanations()
        pending = [c for c in soft if c.key not in explained and self._about(c, field_id)]
        if pending:
            await self._set_cursor(SOFT, field_id, pending[0].key)
            steps.append(await self._soft_break(pending[0]))
            return steps
        steps.append(await self._advance())
        return steps

    def _about(self, check: CheckResult, field_id: str) -> bool:
        """Whether a check fired is about ``field_id``: an outlier names it, a rule reads it."""
        if isinstance(self.form.check(check.check_id), OutlierCheck):
            return field_id in check.fields
        return field_id in self.form.check_inputs(check.check_id)

    def _derived_lines(self, field_id: str) -> tuple[str, ...]:
        """Derived totals and rates that became known with the first answer to ``field_id``, each
        with its arithmetic: "1.794 + 887 = 2.681", "1.203/1.210 = 99,42%". (A figure reading an
        unanswered field is unknown, so every one that reads it and is known now is new.)"""
        values = self.values
        form = self.form
        idents = [*(d.id for d in form.derived), *(r.id for r in form.rates)]
        reading = [ident for ident in idents if field_id in form.inputs(ident) and values.known(ident)]
        lines = []
        for ident in reading:
            if form.kind_of(ident) == "rate":
                lines.append(f"{form.label_of(ident)}: {explain_rate(form, ident, values)}")
            else:
                lines.append(f"{form.label_of(ident)}: {explain_derived(form, ident, values)}")
        return tuple(lines)

    async def _forget_stale_explanations(self, field_id: str) -> None:
        """A changed answer makes the reasons given for checks that read it stale."""
        explained = await self._explanations()
        for key in list(explained):
            check_id = key.split(":", 1)[0]
            subject = key.split(":", 1)[1] if ":" in key else None
            try:
                inputs = self.form.check_inputs(check_id)
            except KeyError:
                continue
            if (subject is None and field_id in inputs) or subject == field_id:
                await self.storage.drafts.clear_explanation(self.draft.id, key)
                del explained[key]

    async def _drop_inapplicable(self) -> None:
        """An answer to a question that no longer applies (overdue reasons once nothing is overdue)
        is not part of the report; it stays in the history."""
        for field_obj in self.form.fields:
            if field_obj.id in self.answers and self._applies(field_obj) is False:
                await self.storage.drafts.clear_answer(self.draft.id, field_obj.id, self.person.id, self.clock.now())
                del self.answers[field_obj.id]

    # -- soft checks ------------------------------------------------------------------------

    async def fix(self, check_key: str) -> list[Step]:
        """"Sửa": ask again the answer that broke the check (from the list of open checks: the
        first figure it names)."""
        if self._cursor_mode == WARNINGS:
            check = self._find_break(check_key)
            if check is None or not check.fields:
                return [Stale(), await self.resume()]
            target = self._field_or_none(check.fields[0])
            if target is None:
                return [await self._advance()]
            await self._set_cursor(ANSWER, target.id)
            return [self._ask(target)]
        if self._cursor_mode != SOFT or self._cursor_check != check_key:
            return [Stale(), await self.resume()]
        target = self._to_fix(self._find_break(check_key))
        if target is None:
            return [await self._advance()]
        await self._set_cursor(ANSWER, target.id)
        return [self._ask(target)]

    async def keep(self, check_key: str) -> list[Step]:
        """"Giữ nguyên, ghi lý do": ask for the reason."""
        if self._cursor_mode != SOFT or self._cursor_check != check_key:
            return [Stale(), await self.resume()]
        check = self._find_break(check_key)
        if check is None:
            return [await self._advance()]
        await self._set_cursor(REASON, self._cursor_field, check_key)
        return [AskReason(check)]

    async def keep_same(self, check_key: str) -> list[Step]:
        """«Cùng lý do»: keep the figures with the reason last given for another check."""
        if self._cursor_mode != SOFT or self._cursor_check != check_key:
            return [Stale(), await self.resume()]
        check = self._find_break(check_key)
        if check is None:
            return [await self._advance()]
        same = (await self._soft_break(check)).same_reason
        if same is None:
            return [Stale(), await self.resume()]
        return await self.give_reason(check_key, same)

    async def keep_all(self) -> list[Step]:
        """"Giữ nguyên tất cả, ghi một lý do": ask for one reason for every open soft check."""
        if self._cursor_mode != WARNINGS:
            return [Stale(), await self.resume()]
        open_checks = await self._open_warnings()
        if not open_checks:
            return [await self._advance()]
        await self._set_cursor(REASON, None, ALL)
        return [AskReasonAll(tuple(open_checks))]

    async def give_reason_all(self, reason: str) -> list[Step]:
        """One reason stored for every open soft check, each under its own key (the .docx and the
        rollup print it beside each); then the review, to be sent once."""
        reason = reason.strip()
        open_checks = await self._open_warnings()
        if not open_checks:
            return [await self._advance()]
        if len(reason) < 3:
            return [AskReasonAll(tuple(open_checks))]
        if len(reason) > MAX_REASON:
            return [AskReasonAll(tuple(open_checks), refused_length=len(reason))]
        explained = await self._explanations()
        now = self.clock.now()
        for check in open_checks:
            await self.storage.drafts.set_explanation(self.draft.id, check.key, reason, self.person.id, now)
            explained.pop(check.key, None)
            explained[check.key] = reason
        return [ReasonsKept(len(open_checks)), await self._advance()]

    async def give_reason(self, check_key: str, reason: str) -> list[Step]:
        reason = reason.strip()
        check = self._find_break(check_key)
        if check is None:
            return [await self._advance()]
        if len(reason) < 3:
            return [AskReason(check)]
        if len(reason) > MAX_REASON:
            return [AskReason(check, refused_length=len(reason))]
        explained = await self._explanations()
        await self.storage.drafts.set_explanation(self.draft.id, check_key, reason, self.person.id,
                                                  self.clock.now())
        explained.pop(check_key, None)  # stored ordered by when given: the newest last
        explained[check_key] = reason
        field_id = self._cursor_field
        remaining = [b for b in self._breaks() if not b.is_hard and b.key not in explained
                     and (field_id is None or field_id in b.fields or b.subject == field_id)]
        if remaining:
            await self._set_cursor(SOFT, field_id, remaining[0].key)
            return [await self._soft_break(remaining[0])]
        return [await self._advance()]

    # -- moving around ----------------------------------------------------------------------

    async def back(self) -> list[Step]:
        """"Quay lại": the question before the current one, with its answer shown."""
        questions = self.questions()
        ids = [f.id for f in questions]
        asked = self._item_asked()
        table = self._field_or_none(self._cursor_field or "")
        if asked is not None and table is not None and kinds.declared_rows(table) and table.rows.index(asked) > 0:
            earlier = table.rows[table.rows.index(asked) - 1]  # the row before, in a table asked row by row
            await self._set_cursor(ANSWER, table.id, earlier.id)
            return [self._ask(table, earlier.id)]
        if self._cursor_mode in (ANSWER, LONG) and self._cursor_field in ids:
            index = ids.index(self._cursor_field)
        else:
            index = len(ids)
        if index == 0:
            return [self._ask(questions[0])]
        target = questions[index - 1]
        await self._set_cursor(ANSWER, target.id)
        return [self._ask(target)]

    async def edit(self, field_id: str) -> list[Step]:
        """Change one item from the review screen (also after submitting: a correction)."""
        target = self._field_or_none(field_id)
        if target is None or self._applies(target) is False:
            return [Stale(), await self.resume()]
        if self.submitted and await self.locked():
            return [Refused(target, say("reporting.locked")), await self.show_review()]  # approved: final
        if self.submitted:
            await self.reopen()
        await self._set_cursor(ANSWER, target.id)
        return [self._ask(target)]

    async def locked(self) -> bool:
        """Whether the report is approved by the province: then it is not corrected any more."""
        latest = await self.storage.submissions.latest(self.period.id, self.unit.code)
        return latest is not None and latest.status == SubmissionStatus.APPROVED

    async def reopen(self) -> None:
        """Open a submitted report again for correction; its answers stay."""
        self.draft = await self.storage.drafts.set_status(self.draft.id, DraftStatus.OPEN, self.clock.now())

    async def pause(self) -> Paused:
        paused_in = LONG if self._cursor_mode == LONG else self._cursor_check  # «Tiếp tục» goes on writing it
        await self._set_cursor(PAUSED, self._cursor_field, paused_in)
        questions = self.questions()
        answered = sum(1 for f in questions if kinds.answered_in(f, self.answers))
        return Paused(answered=answered, total=len(questions))

    async def show_review(self) -> Review:
        await self._set_cursor(REVIEW, None)
        return await self.review()

    # -- for long texts (bot/reporting/long_text.py) -----------------------------------------

    @property
    def suggestions(self) -> Mapping[str, Any]:
        """Last period's answers offered for this one («Như kỳ trước», a count's default)."""
        return self._suggested

    def ask(self, field_obj: Field) -> Ask:
        return self._ask(field_obj)

    async def set_cursor(self, mode: str, field_id: str | None) -> None:
        await self._set_cursor(mode, field_id)

    async def advance(self) -> Step:
        return await self._advance()

    async def store_text(self, field_id: str, value: str) -> None:
        """A text stored at once (a part of a long one), its checks left for when it is finished."""
        await self.storage.drafts.set_answer(self.draft.id, field_id, value, self.person.id, self.clock.now())
        self.answers[field_id] = value

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
            await self._forget_stale_explanations(field_id)
        await self._drop_inapplicable()

    # -- submitting -------------------------------------------------------------------------

    async def submit(self) -> list[Step]:
        if self.submitted:
            return [Stale(), await self.review()]
        nxt = self._next_question()
        if nxt is not None:
            await self._set_cursor(ANSWER, nxt.id)
            return [self._ask(nxt)]
        review = await self.review()
        if review.hard:
            target = self.form.field(review.hard[0].fields[-1])
            await self._set_cursor(ANSWER, target.id)
            return [Refused(target, review.hard[0].message), self._ask(target)]
        if review.unexplained:
            return [await self._ask_warnings(list(review.unexplained))]
        now = self.clock.now()
        answers = self._relevant()
        explanations = {b.key: review.explanations[b.key] for b in review.breaks if b.key in review.explanations}
        submission = await self.storage.submissions.add_version(
            self.period.id, self.unit.code, answers, explanations, self.person.id, now,
            late=now > self.period.deadline_at, on_behalf=self.on_behalf, form_version=self.form.version,
            form_id=self.form.id,
        )
        self.draft = await self.storage.drafts.get(self.draft.id) or self.draft
        await self._set_cursor(REVIEW, None)
        await self.storage.audit.log(
            "report.submit", now, actor=self.person.actor,
            subject=f"{self.unit.code}:{self.period.key}", detail={"version": submission.version},
        )
        return [Submitted(submission, deadline_passed=submission.late)]

    # -- one message with many figures ------------------------------------------------------

    def taken(self, message: int | None) -> bool:
        """Whether the message with this id (or a later one) already gave an answer here."""
        return message is not None and self._answered_message is not None and message <= self._answered_message

    async def bulk(self, text: str, message: int | None = None) -> list[Step]:
        """Fill the draft from "label: number" lines or all counts in form order, with the same
        checks, then land on the review screen (or the first question still open)."""
        if self.taken(message):
            return [Early(text), await self.resume()]
        self._message = message
        entry: BulkEntry = parse_bulk_entry(self.form, text)
        if self.submitted and await self.locked():
            locked = ((say("reporting.locked_where"), say("reporting.locked")),)
            return [BulkFilled((), locked, ()), await self.show_review()]
        if self.submitted:
            await self.reopen()
        filled: list[str] = []
        refused: list[tuple[str, str]] = list(entry.errors)
        trial = dict(self.answers)
        trial.update(entry.values)
        hard = [c for c in evaluate_checks(self.form, trial, self._before, self._past) if c.is_hard]
        blocked = {f for c in hard for f in c.fields if f in entry.values}
        for check in hard:
            refused.append((", ".join(self.form.label_of(f, short=True) for f in check.fields), check.message))
        accepted = {k: v for k, v in entry.values.items() if k not in blocked}
        if accepted:
            await self.storage.drafts.set_answers(self.draft.id, accepted, self.person.id, self.clock.now())
            self.answers.update(accepted)
            for field_id in accepted:
                await self._forget_stale_explanations(field_id)
            await self._drop_inapplicable()
            filled = [k for k in (f.id for f in self.form.fields) if k in accepted and k in self.answers]
        steps: list[Step] = [BulkFilled(tuple(filled), tuple(refused), entry.unmatched)]
        steps.append(await self._advance())
        return steps


def _normalised(text: str) -> str:
    """Text as typed, compared loosely: NFC, case, spaces and a final full stop ignored."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split()).rstrip(".")


def _replaced_by_other(previous: AnswerRecord | None, person_id: int, value: Any) -> bool:
    return previous is not None and previous.answered_by not in (None, person_id) and previous.value != value


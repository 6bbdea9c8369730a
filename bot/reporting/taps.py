"""Taps on a question's buttons: an option, a declared text, ``reporting.keep``, ``reporting.as_before``,
``reporting.zero``, ``reporting.none`` or ``blanks.button``, each checked against the question asked now."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.domain.forms import Field
from bot.domain.values import Answer
from bot.reporting import kinds, storing, tables
from bot.reporting.modes import ANSWER
from bot.reporting.steps import RowsAdded, Saved, Stale, Step

if TYPE_CHECKING:
    from bot.reporting.session import ReportSession


async def choose_option(session: ReportSession, item_id: str, number: int) -> list[Step]:
    """A tap on an option of the choice asked now (the option's id is stored)."""
    item = session.item_asked()
    if item is None or item.id != item_id or item.kind != "choice" or not 1 <= number <= len(item.options):
        return [Stale(), await session.resume()]
    return await _answer_item(session, item, item.options[number - 1].id)


async def choose_text(session: ReportSession, item_id: str, number: int) -> list[Step]:
    """A tap on a declared text of the target asked now (one of its ``texts``)."""
    item = session.item_asked()
    if item is None or item.id != item_id or item.kind != "target" or not 1 <= number <= len(item.texts):
        return [Stale(), await session.resume()]
    return await _answer_item(session, item, item.texts[number - 1])


async def keep_answer(session: ReportSession, item_id: str) -> list[Step]:
    """``reporting.keep``: the answer stored for the question (or the table's row) asked now."""
    item = session.item_asked()
    if item is None or item.id != item_id:
        return [Stale(), await session.resume()]
    table = session.form.field(session.cursor_field or "")
    current = (kinds.row_answers(session.answers.get(table.id)).get(item.id) if item is not table
               else session.answers.get(item.id))
    if current is None:
        return [Stale(), await session.resume()]
    if kinds.added_rows(item):
        return await storing.after_stored(session, item.id)
    return await _answer_item(session, item, current)


async def _answer_item(session: ReportSession, item: Field, value: Any) -> list[Step]:
    """Store a tapped value for the field asked now, or for the table's row asked now."""
    if not kinds.fits(item, value):
        return [Stale(), await session.resume()]
    table = session.form.field(session.cursor_field or "")
    if item is table:
        return await session.set_value(item.id, value)
    return await tables.store_rows(session, table, item, {**kinds.row_answers(session.answers.get(table.id)), item.id: value})


async def use_suggestion(session: ReportSession, field_id: str) -> list[Step]:
    """A tap on "Như kỳ trước" (or the count default) for the current question, or for the row
    of a table asked now (``field_id`` is then the row's)."""
    item = session.item_asked()
    if item is None or item.id != field_id:
        return [Stale(), await session.resume()]
    suggestion = session.ask(session.form.field(session.cursor_field or "")).suggestion
    if suggestion is None:
        return [Stale(), await session.resume()]
    if kinds.added_rows(item):  # last period's rows, to add to or remove from before finishing
        steps = await storing.store(session, item.id, suggestion, advance=False)
        if isinstance(steps[0], Saved):
            steps[0] = RowsAdded(item, len(suggestion), len(suggestion))
            steps.append(session.ask(item))
        return steps
    return await _answer_item(session, item, suggestion)


async def use_value(session: ReportSession, field_id: str, value: Answer) -> list[Step]:
    """A tap on a value button ("0", "Không có", "Giữ nguyên") for the current question; a value
    of the wrong kind for it (a text on a count: a forged or mismatched button) is not stored."""
    item = session.item_asked()  # the field, or the row of a table asked now ("0" for a count row)
    if item is None or item.id != field_id or item.kind == "table" or not kinds.fits(item, value):
        return [Stale(), await session.resume()]
    return await _answer_item(session, item, value)


async def use_blank(session: ReportSession, field_id: str) -> list[Step]:
    """A tap on ``blanks.button`` for the current question (an optional count only)."""
    target = session.field_or_none(field_id)
    if session.mode != ANSWER or session.cursor_field != field_id or target is None or not target.optional:
        return [Stale(), await session.resume()]
    return await session.set_value(field_id, None)

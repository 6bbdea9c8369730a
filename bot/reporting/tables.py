"""Tables in chat: rows typed for a declared table (asked row by row) or added by the commune,
``kinds_chat.finish`` to finish one, and the last added row removed."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.domain.answers import AnswerError
from bot.domain.forms import Field
from bot.reporting import kinds, storing
from bot.reporting.modes import ANSWER
from bot.reporting.steps import Refused, RowDropped, RowsAdded, Saved, Stale, Step

if TYPE_CHECKING:
    from bot.reporting.session import ReportSession


async def typed_rows(session: ReportSession, table: Field, text: str) -> list[Step]:
    """Rows typed for a table: the declared row asked now (or several numbered ones), or rows the
    commune adds (kept as they come; the table stays asked until ``kinds_chat.finish``)."""
    stored = session.answers.get(table.id)
    if kinds.declared_rows(table):
        row = session.row_asked(table)
        try:
            found = kinds.parse_declared(table, row, text)
        except AnswerError as exc:
            return [Refused(row, exc.reason), session.ask(table, row.id)]
        steps = await store_rows(session, table, row, {**kinds.row_answers(stored), **found})
        if len(found) > 1 and isinstance(steps[0], Saved):
            answered = len(table.rows) - len(kinds.unanswered_rows(table, session.answers.get(table.id)))
            steps[0] = RowsAdded(table, len(found), answered)
        return steps
    rows = kinds.added(stored)
    try:
        new = kinds.parse_added(table, text, len(rows))
    except AnswerError as exc:
        return [Refused(table, exc.reason), session.ask(table)]
    steps = await storing.store(session, table.id, [*rows, *new], advance=False)
    if isinstance(steps[0], Saved):
        await session.set_cursor(ANSWER, table.id)  # records the message taken (not added twice)
        steps[0] = RowsAdded(table, len(new), len(rows) + len(new))
        steps.append(session.ask(table))
    return steps


async def store_rows(session: ReportSession, table: Field, row: Field, value: dict[str, Any]) -> list[Step]:
    """A declared table's rows stored; then its next row to answer, or the next question once
    every row is answered. A table complete before (being corrected) is walked row by row."""
    walk = kinds.is_answered(table, session.answers.get(table.id))
    steps = await storing.store(session, table.id, value, advance=False)
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
        return [*steps, *await storing.after_stored(session, table.id)]
    await session.set_cursor(ANSWER, table.id, following.id)
    return [*steps, session.ask(table, following.id)]


async def finish_table(session: ReportSession, field_id: str) -> list[Step]:
    """``kinds_chat.finish``: the table asked now is complete (rows the commune adds: none is an answer too)."""
    target = session.item_asked()
    table = session.field_or_none(field_id)
    if table is None or table.kind != "table" or session.cursor_field != field_id or target is None:
        return [Stale(), await session.resume()]
    if session.answers.get(field_id) is None and kinds.added_rows(table):
        steps = await storing.store(session, field_id, [], advance=False)
        if not isinstance(steps[0], Saved):
            return steps
    if not kinds.is_answered(table, session.answers.get(field_id)):
        return [session.ask(table)]
    return await storing.after_stored(session, field_id)


async def drop_last_row(session: ReportSession, field_id: str) -> list[Step]:
    """Remove the last row added to the table asked now."""
    table = session.field_or_none(field_id)
    if table is None or not kinds.added_rows(table) or session.item_asked() is None \
            or session.cursor_field != field_id:
        return [Stale(), await session.resume()]
    rows = kinds.added(session.answers.get(field_id))
    if not rows:
        return [RowDropped(table, None, 0), session.ask(table)]
    steps = await storing.store(session, field_id, rows[:-1], advance=False)
    if isinstance(steps[0], Saved):
        steps[0] = RowDropped(table, rows[-1], len(rows) - 1)
        steps.append(session.ask(table))
    return steps

"""A typed message that repeats an answer already stored (the same message sent twice on a slow
connection, or typed ahead): which question's answer it repeats."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from bot.domain.answers import AnswerError, parse_answer
from bot.domain.forms import Field

if TYPE_CHECKING:
    from bot.reporting.session import ReportSession


async def repeated(session: ReportSession, current: Field, text: str) -> Field | None:
    """The question whose answer, the last this person stored, ``text`` repeats (as a parsed
    value or as normalised text), if it is not the question asked now."""
    last = await session.storage.drafts.last_given(session.draft.id, session.person.id)
    if last is None or last.field_id == current.id:
        return None
    previous = session.field_or_none(last.field_id)
    if previous is None:
        return None
    try:
        if previous.kind != "table" and parse_answer(previous, text) == last.new_value:
            return previous
    except AnswerError:
        pass
    return previous if _normalised(text) == _normalised(str(last.new_value)) else None


def _normalised(text: str) -> str:
    """Text as typed, compared loosely: NFC, case, spaces and a final full stop ignored."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split()).rstrip(".")

"""What the reporting session needs to know of the kinds beyond counts and texts, apart from the
session itself: reading a typed answer for an item (a field, or a declared row of a table), which
rows of a table are still to answer, merging rows typed in one message, and last period's answer
offered again (as last period's). Pure functions over the form's fields and stored answers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.chat.catalogue import say
from bot.domain.answers import AnswerError, parse_row, parse_table
from bot.domain.forms import Field
from bot.domain.values import read_stored

TYPED_KINDS = frozenset({"decimal", "percent", "choice", "target"})
_NUMBERED_LINE = re.compile(r"^\s*\d{1,3}\s*[.:)]\s*\S")


def declared_rows(field: Field) -> bool:
    """A table whose rows the form declares, each answered on its own (the targets)."""
    return field.kind == "table" and bool(field.rows)


def added_rows(field: Field) -> bool:
    """A table whose rows the commune adds (the tasks)."""
    return field.kind == "table" and bool(field.columns)


def row_answers(value: Any) -> dict[str, Any]:
    """The answers of a declared-row table as stored ({row id: answer}); {} when none."""
    return dict(value) if isinstance(value, Mapping) else {}


def added(value: Any) -> list[dict[str, Any]]:
    """The rows of an added-rows table as stored (a list of {column id: answer}); [] when none."""
    return [dict(row) for row in value if isinstance(row, Mapping)] if isinstance(value, list | tuple) else []


def unanswered_rows(field: Field, value: Any) -> list[Field]:
    """The declared rows with no answer yet, in the form's order."""
    answered = row_answers(value)
    return [row for row in field.rows if answered.get(row.id) is None]


def is_answered(field: Field, value: Any) -> bool:
    """Whether an item is answered: any stored answer, and for a declared-row table every row."""
    if value is None:
        return False
    if declared_rows(field):
        return not unanswered_rows(field, value)
    return True


def answered_in(field: Field, answers: Mapping[str, Any]) -> bool:
    """Whether ``answers`` answer ``field``: for an optional item anything stored, a blank (an honest
    ``blanks.button``) included; else as ``is_answered``."""
    return (field.optional and field.id in answers) or is_answered(field, answers.get(field.id))


def row(field: Field, row_id: str | None) -> Field | None:
    return next((item for item in field.rows if item.id == row_id), None)


def parse_declared(table: Field, asked: Field, text: str) -> dict[str, Any]:
    """A message typed while ``asked`` (a row of ``table``) is asked: that row's answer, or
    several rows written "số thứ tự: kết quả", one per line ("3: 98,5")."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1 or (lines and _NUMBERED_LINE.match(lines[0])):
        try:
            found = parse_table(table, text)
        except AnswerError:
            if len(lines) > 1:
                raise
        else:
            if isinstance(found, dict):
                return found
    return {asked.id: parse_row(table, asked.id, text)}


def parse_added(table: Field, text: str, rows_before: int) -> list[dict[str, Any]]:
    """Rows typed for an added-rows table (one per line), refused when the table would grow over
    its ``max_rows``."""
    found = parse_table(table, text)
    rows = [dict(entry) for entry in found] if isinstance(found, list) else []
    if table.max_rows is not None and rows_before + len(rows) > table.max_rows:
        raise AnswerError(say("form_kinds.table_too_many", count=rows_before + len(rows), limit=table.max_rows))
    return rows


def previous_answer(field: Field, previous: Mapping[str, Any] | None) -> Any:
    """Last period's answer to a field of the other kinds, when it can still be read with the form
    as it is now (an option since removed is not offered); None otherwise."""
    if previous is None or field.kind not in TYPED_KINDS | {"table"}:
        return None
    raw = previous.get(field.id)
    if raw is None or read_stored(field, raw) is None:
        return None
    if added_rows(field):
        return added(raw) or None
    if declared_rows(field):
        return {key: value for key, value in row_answers(raw).items() if row(field, key) is not None} or None
    return raw


def previous_row(table: Field, asked: Field, previous: Mapping[str, Any] | None) -> Any:
    """Last period's answer to one declared row of a table."""
    if previous is None:
        return None
    raw = row_answers(previous.get(table.id)).get(asked.id)
    return raw if raw is not None and read_stored(asked, raw) is not None else None


def fits(field: Field, value: Any) -> bool:
    """Whether a value tapped for a field can be stored for it (a forged or stale button cannot
    put a text into a count or an unknown option into a choice)."""
    if field.kind == "count":
        return isinstance(value, int) and not isinstance(value, bool)
    if field.kind == "text":
        return isinstance(value, str)
    if field.kind == "table":
        return isinstance(value, list | dict)
    return not isinstance(value, bool) and isinstance(value, str) and read_stored(field, value) is not None

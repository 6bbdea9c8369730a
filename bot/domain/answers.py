"""Reading one typed answer for one field of a form, with a Vietnamese reason when it is refused.

Counts and texts are returned as they are stored (an int, a text); a decimal or percentage as
its canonical text ("1234.5"), a choice as its option's id (or the text, when the choice takes
any), a target's result as a canonical number or the declared text typed. A table is read with
:func:`parse_table` (one row per line) or a row of it with :func:`parse_row`.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from bot.chat.catalogue import say
from bot.domain.arguments import is_keyword
from bot.domain.decimals import DecimalParseError, canonical, format_decimal, parse_decimal
from bot.domain.forms import Field
from bot.domain.numbers import CountParseError, format_count, parse_count
from bot.domain.text import fold
from bot.domain.values import Answer

_PERCENT_UNITS = ("%", "phần trăm")
_CELL_SEPARATOR = re.compile(r"\s*[|;\t]\s*")  # a line without «|»: «;» or a tab (pasted from a sheet)
_BAR = re.compile(r"\s*\|\s*")  # a line with «|» is cut there only: cells may hold «;»
_NUMBERED = re.compile(r"^\s*(?:[-+•*]\s*)?(\d{1,3})\s*[.:)\-–]\s*(.*)$")
_LEADING_NUMBER = re.compile(r"^\s*(?:[-+•*]\s*|\d{1,3}\s*[.)]\s+)")
_NON_WORD = re.compile(r"[^a-z0-9]+")
TableAnswer = dict[str, Answer] | list[dict[str, Answer]]


class AnswerError(ValueError):
    """An answer that cannot be taken; ``reason`` is a short Vietnamese sentence for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_blank_answer(text: str) -> bool:
    """Whether ``text`` says the figure is not known (one of the catalogue's ``blanks.words``): an
    optional count then takes the blank (``blanks.button``), never 0."""
    return is_keyword(" ".join(text.strip().rstrip(".").split()), "blanks.words")


def is_blank_value(field: Field, value: object) -> bool:
    """Whether a value read from a file (JSON null, or one of ``blanks.words``) is the blank of an optional
    count (``blanks.button``), which is stored as None, never 0."""
    return field.optional and (value is None or isinstance(value, str) and is_blank_answer(value))


def parse_answer(field: Field, text: str) -> Answer:
    """A count within the field's bounds ("1.794" → 1794), a trimmed text within its length, or
    an answer of the other kinds as stored (see the module's docstring)."""
    if field.kind == "count":
        try:
            return parse_count(text, field.bounds)
        except CountParseError as error:
            raise AnswerError(error.reason) from None
    if field.kind in ("decimal", "percent"):
        return canonical(_number(field, text))
    if field.kind == "choice":
        return _choice(field, text)
    if field.kind == "target":
        return _target(field, text)
    if field.kind == "table":
        raise TypeError(f"table '{field.id}' is read with parse_table or parse_row")
    cleaned = unicodedata.normalize("NFC", text).strip()
    if not cleaned:
        raise AnswerError(say("answers.empty_text"))
    return _text(field, cleaned)


def _number(field: Field, text: str) -> Decimal:
    low, high = field.number_bounds
    units = _PERCENT_UNITS if field.kind == "percent" or field.unit == "%" else tuple(filter(None, [field.unit]))
    example = "84,03" if units == _PERCENT_UNITS else "1.234,5"
    try:
        return parse_decimal(text, minimum=low, maximum=high, decimals=field.places, units=units, example=example)
    except DecimalParseError as error:
        raise AnswerError(error.reason) from None


def _words(text: str) -> str:
    return " ".join(_NON_WORD.split(fold(text))).strip()


def _choice(field: Field, text: str) -> str:
    cleaned = " ".join(unicodedata.normalize("NFC", text).split())
    if not cleaned:
        raise AnswerError(say("form_kinds.choice_empty", options=_option_list(field)))
    if cleaned.rstrip(".").isdigit():
        number = int(cleaned.rstrip("."))
        if 1 <= number <= len(field.options):
            return field.options[number - 1].id
        raise AnswerError(say("form_kinds.choice_number", count=len(field.options), options=_option_list(field)))
    typed = _words(cleaned)
    for option in field.options:
        if typed in {_words(word) for word in (option.id, option.label, *option.aliases)}:
            return option.id
    starting = [option for option in field.options if len(typed) >= 3 and _words(option.label).startswith(typed)]
    if len(starting) == 1:
        return starting[0].id
    if field.other:
        return _text(field, cleaned)
    raise AnswerError(say("form_kinds.choice_unknown", text=cleaned[:40], options=_option_list(field)))


def _option_list(field: Field) -> str:
    return "; ".join(f"{number}. {option.label}" for number, option in enumerate(field.options, start=1))


def _target(field: Field, text: str) -> str:
    cleaned = " ".join(unicodedata.normalize("NFC", text).split())
    typed = _words(cleaned)
    for declared in field.texts:
        if typed and typed.startswith(_words(declared)):
            return _text(field, cleaned)
    try:
        return canonical(_number(field, cleaned))
    except AnswerError as error:
        if not field.texts:
            raise
        choices = say("answers.or").join(f"«{declared}»" for declared in field.texts)
        raise AnswerError(say("form_kinds.target_number_or_text", reason=error.reason, texts=choices)) from None


def _text(field: Field, cleaned: str) -> str:
    if len(cleaned) > field.text_limit:
        raise AnswerError(say("answers.text_too_long", length=format_count(len(cleaned)),
                              limit=format_count(field.text_limit)))
    return cleaned


def parse_row(table: Field, row_id: str, text: str) -> Answer:
    """The answer to one declared row of a table ("72,5" for the 5G coverage row)."""
    row = next((row for row in table.rows if row.id == row_id), None)
    if row is None:
        raise KeyError(f"table {table.id!r} has no row {row_id!r}")
    return parse_answer(row, text)


def parse_table(table: Field, text: str) -> TableAnswer:
    """A table typed as one message, one row per line.

    Rows declared by the form: "số thứ tự: kết quả" lines ("1: 72,5", "9. Không phát sinh"),
    giving ``{row id: answer}``. Rows the commune adds: the columns of each row in order,
    separated by "|" or ";" ("Số hóa di tích | Chưa thực hiện | Chủ tịch UBND xã giao"),
    giving a list of ``{column id: answer}``; a row must have its first column, later ones may be
    left out. A refused line is named with its reason ("Dòng 3: …")."""
    lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        raise AnswerError(say("form_kinds.table_empty"))
    if table.rows:
        return _declared_rows(table, lines)
    return _added_rows(table, lines)


def _declared_rows(table: Field, lines: list[tuple[int, str]]) -> dict[str, Answer]:
    found: dict[str, Answer] = {}
    for number, line in lines:
        match = _NUMBERED.match(line)
        if match is None or not 1 <= int(match[1]) <= len(table.rows):
            raise AnswerError(say("form_kinds.table_line", line=number,
                                  reason=say("form_kinds.table_row_number", count=len(table.rows))))
        row = table.rows[int(match[1]) - 1]
        found[row.id] = _in_line(number, row, match[2])
    return found


def _added_rows(table: Field, lines: list[tuple[int, str]]) -> list[dict[str, Answer]]:
    limit = table.max_rows
    if limit is not None and len(lines) > limit:
        raise AnswerError(say("form_kinds.table_too_many", count=len(lines), limit=limit))
    rows: list[dict[str, Answer]] = []
    for number, line in lines:
        bare = _LEADING_NUMBER.sub("", line, count=1).strip()
        cells = (_BAR if "|" in bare else _CELL_SEPARATOR).split(bare)
        if len(cells) > len(table.columns):
            raise AnswerError(say("form_kinds.table_line", line=number,
                                  reason=say("form_kinds.table_columns", count=len(table.columns))))
        row: dict[str, Answer] = {}
        for column, cell in zip(table.columns, cells, strict=False):
            if cell.strip():
                row[column.id] = _in_line(number, column, cell)
        first = table.columns[0]
        if first.id not in row:
            raise AnswerError(say("form_kinds.table_line", line=number,
                                  reason=say("form_kinds.table_first_column", label=first.label)))
        rows.append(row)
    return rows


def _in_line(number: int, item: Field, text: str) -> Answer:
    try:
        return parse_answer(item, text)
    except AnswerError as error:
        raise AnswerError(say("form_kinds.table_line", line=number, reason=error.reason)) from None


def parse_json_answer(field: Field, raw: object) -> object:
    """An answer of the other kinds from a JSON file (an answers file, an import) as stored: a
    number as a JSON number (exact) or as officials type it ("1.234,5"); a choice by option id,
    number or label; a target's result a number or a text; a table as ``{row id: answer}`` or a
    list of ``{column id: answer}``. Refused with a Vietnamese reason (:class:`AnswerError`)."""
    if field.kind == "table":
        return _json_table(field, raw)
    if field.kind in ("decimal", "percent", "target") and isinstance(raw, int | float) and not isinstance(raw, bool):
        low, high = field.number_bounds
        value = Decimal(str(raw))
        exponent = value.normalize().as_tuple().exponent
        places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        if low <= value <= high and places <= field.places:
            return canonical(value)
        return parse_answer(field, format_decimal(value))  # refused with the reason an official would get
    if isinstance(raw, int) and not isinstance(raw, bool) and field.kind in ("count", "choice"):
        return parse_answer(field, str(raw))
    if not isinstance(raw, str):
        raise AnswerError(say("form_kinds.json_not_text", label=field.label))
    if field.kind == "choice" and field.option(raw) is not None:
        return raw
    return parse_answer(field, raw)


def _json_table(table: Field, raw: object) -> object:
    if table.rows:
        if not isinstance(raw, dict):
            raise AnswerError(say("form_kinds.json_rows", label=table.label))
        declared = {row.id: row for row in table.rows}
        found: dict[str, object] = {}
        for key, value in raw.items():
            if key not in declared:
                raise AnswerError(say("form_kinds.json_unknown_row", label=table.label, row=key))
            found[key] = _in_row(declared[key], value)
        return found
    if not isinstance(raw, list) or not all(isinstance(entry, dict) for entry in raw):
        raise AnswerError(say("form_kinds.json_columns", label=table.label))
    if table.max_rows is not None and len(raw) > table.max_rows:
        raise AnswerError(say("form_kinds.table_too_many", count=len(raw), limit=table.max_rows))
    rows: list[dict[str, object]] = []
    for entry in raw:
        columns = {column.id: column for column in table.columns}
        unknown = [key for key in entry if key not in columns]
        if unknown:
            raise AnswerError(say("form_kinds.json_unknown_row", label=table.label, row=unknown[0]))
        rows.append({key: _in_row(columns[key], value) for key, value in entry.items() if value not in (None, "")})
    return rows


def _in_row(item: Field, raw: object) -> object:
    if item.kind in ("count", "text") and isinstance(raw, str):
        return parse_answer(item, raw)
    if item.kind == "count" and isinstance(raw, int) and not isinstance(raw, bool):
        return parse_answer(item, str(raw))
    return parse_json_answer(item, raw)

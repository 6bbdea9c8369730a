"""How each kind of question is asked in chat, whatever the messenger: the lines under the question
(the unit and an example for a number, the target of an indicator, the rows of a table so far)
and its choices (one per option of a choice, the declared texts of a target, ``kinds_chat.finish``
and ``drop_last`` for a table the commune fills). Also how an answer of any kind reads in a short line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.chat.actions import ChooseOption, ChooseText, DropLastRow, FinishTable
from bot.chat.catalogue import say
from bot.chat.replies import Choice
from bot.domain.arguments import keywords
from bot.domain.formatting import format_result, format_typed, target_met
from bot.domain.forms import Field
from bot.domain.message_length import cut
from bot.domain.numbers import format_count
from bot.domain.values import read_stored
from bot.reporting import kinds
from bot.reporting.steps import Ask
from storage.models import AnswerRecord

ROWS_SHOWN = 8  # the last rows of a table shown under its question


def replaced_line(record: AnswerRecord, old: str) -> str:
    """The note under an answer that replaced another official's (``record``), ``old`` as shown."""
    at = record.answered_at
    return say("reporting.replaced", who=record.answered_by_name or say("reporting.another_official"), old=old,
               time=f"{at:%H:%M}", day=f"{at:%d/%m}")


def shown(field: Field, value: Any) -> str:
    """An answer as an official reads it: "1.794", "556 triệu đồng", "98,5%", a choice's label,
    "98,5% (mục tiêu ≥ 98%: đạt)", a table in one short line ("12 dòng")."""
    if value is None:
        return "—"
    if field.kind == "count" and isinstance(value, int):
        return format_count(value)
    if field.kind == "text":
        return str(value)
    if field.kind == "table":
        return table_summary(field, value)
    typed = read_stored(field, value)
    return str(value) if typed is None else format_typed(field, typed)


def button_value(field: Field, value: Any) -> str:
    """An answer on a button (``reporting.keep``, ``reporting.as_before``): a target's result alone."""
    if field.kind == "target":
        typed = read_stored(field, value)
        return format_result(field, typed) if typed is not None else str(value)
    return shown(field, value)


def table_summary(field: Field, value: Any) -> str:
    """A table in a few words: "12 dòng"; declared rows "15/15 mục, 12 đạt chỉ tiêu"."""
    if kinds.declared_rows(field):
        answers = kinds.row_answers(value)
        answered = [row for row in field.rows if answers.get(row.id) is not None]
        met = sum(1 for row in answered if target_met(row, read_stored(row, answers[row.id])))
        if any(row.kind == "target" for row in field.rows):
            return say("kinds_chat.summary_targets", answered=len(answered), total=len(field.rows), met=met)
        return say("kinds_chat.summary_declared", answered=len(answered), total=len(field.rows))
    return say("kinds_chat.summary_rows", count=len(kinds.added(value)))


def table_lines(field: Field, value: Any, limit: int = 100) -> list[str]:
    """Each row of a table on its own short line ("1. Số hóa di tích — Chưa thực hiện")."""
    lines: list[str] = []
    if kinds.declared_rows(field):
        answers = kinds.row_answers(value)
        for number, row in enumerate(field.rows, start=1):
            if answers.get(row.id) is not None:
                lines.append(cut(f"{number}. {row.label}: {shown(row, answers[row.id])}", limit))
        return lines
    for number, entry in enumerate(kinds.added(value), start=1):
        cells = [shown(column, entry[column.id]) for column in field.columns if entry.get(column.id) is not None]
        lines.append(cut(f"{number}. " + " — ".join(cells), limit))
    return lines


def kind_lines(step: Ask) -> list[str]:
    """The lines a question of the other kinds needs beyond its label and help."""
    field = step.field
    if step.row is not None:
        return [*_row_heading(step), *_item_lines(step.row)]
    if kinds.added_rows(field):
        return _rows_lines(field, step.current)
    return _item_lines(field)


def _row_heading(step: Ask) -> list[str]:
    row = step.row
    assert row is not None
    lines = [say("kinds_chat.row_question", number=step.row_position, total=len(step.field.rows), label=row.label)]
    if row.group:
        lines.append(say("kinds_chat.row_group", group=row.group))
    if row.help.strip():
        lines.append(row.help.strip())
    number = min(2, len(step.field.rows))
    lines.append(say("kinds_chat.rows_hint", example=f"{number}: {'12' if row.kind == 'count' else '98,5'}"))
    return lines


def _has_example(field: Field) -> bool:
    help_text = field.help.casefold()
    return any(word.casefold() in help_text for word in keywords("reporting_words.example"))


def _item_lines(item: Field) -> list[str]:
    lines: list[str] = []
    if item.kind == "target" and item.target is not None:
        percent = "%" if item.unit == "%" else ""
        lines.append(say("kinds_chat.target", target=f"{item.target.describe()}{percent}"))
    if item.kind in ("decimal", "percent", "target") and not _has_example(item):
        lines.append(_number_hint(item))
    if item.kind == "target" and item.texts:
        lines.append(say("kinds_chat.target_texts", texts=say("answers.or").join(f"«{t}»" for t in item.texts)))
    if item.kind == "choice":
        lines.append(say("kinds_chat.choice_other" if item.other else "kinds_chat.choice"))
    return lines


def _number_hint(item: Field) -> str:
    percent = item.kind == "percent" or item.unit == "%"
    if percent:
        low, high = item.number_bounds
        example = "98,5" if item.places else "98"
        return say("kinds_chat.ask_percent", minimum=format_count(low), maximum=format_count(high), example=example)
    example = say("kinds_chat.example_decimal") if item.places else say("kinds_chat.example_whole")
    if item.unit:
        return say("kinds_chat.ask_decimal_unit", unit=item.unit, example=example)
    return say("kinds_chat.ask_decimal", example=example)


def _rows_lines(table: Field, value: Any) -> list[str]:
    columns = " | ".join(column.label for column in table.columns)
    example = " | ".join(_cell_example(column) for column in table.columns)
    lines = [] if _has_example(table) else [say("kinds_chat.ask_rows", columns=columns, example=example)]
    lines.append(say("kinds_chat.rows_finish"))
    rows = table_lines(table, value, limit=90)
    if not rows:
        lines.append(say("kinds_chat.rows_none"))
        return lines
    lines.append(say("kinds_chat.rows_so_far", count=len(rows)))
    if len(rows) > ROWS_SHOWN:
        lines.append(say("kinds_chat.rows_more", count=len(rows) - ROWS_SHOWN))
    lines.extend(rows[-ROWS_SHOWN:])
    return lines


def _cell_example(column: Field) -> str:
    if column.kind == "choice" and column.options:
        return column.options[0].label
    if column.kind in ("count", "decimal", "percent"):
        return "12"
    return column.label


def kind_choices(draft_id: int, step: Ask) -> list[list[Choice]]:
    """The choices of a question of the other kinds (above ``reporting.back`` and ``reporting.pause``)."""
    item = step.row if step.row is not None else step.field
    rows: list[list[Choice]] = []
    if item.kind == "choice":
        rows.extend([Choice(cut(option.label, 60), ChooseOption(draft_id, item.id, number))]
                    for number, option in enumerate(item.options, start=1))
    if item.kind == "target":
        rows.extend([Choice(cut(text, 60), ChooseText(draft_id, item.id, number))]
                    for number, text in enumerate(item.texts, start=1))
    if kinds.added_rows(step.field):
        finish = [Choice(say("kinds_chat.finish"), FinishTable(draft_id, step.field.id))]
        if kinds.added(step.current):
            finish.append(Choice(say("kinds_chat.drop_last"), DropLastRow(draft_id, step.field.id)))
        rows.append(finish)
    elif step.row is not None and kinds.is_answered(step.field, _whole(step)):
        rows.append([Choice(say("kinds_chat.finish"), FinishTable(draft_id, step.field.id))])
    return rows


def _whole(step: Ask) -> Mapping[str, Any] | None:
    """A declared table's answers as they stand, known to the step through its ``whole``."""
    return step.whole if isinstance(step.whole, Mapping) else None

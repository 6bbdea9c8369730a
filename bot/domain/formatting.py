"""How an answer of the form's other kinds reads on the review and in messages: decimals with
their unit ("1.234,5 triệu đồng"), percentages ("84,03%"), a choice's label, a target's result
against its target ("72,5% (mục tiêu ≥ 90%: chưa đạt)"), a table one row per line."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from bot.chat.catalogue import say
from bot.domain.decimals import format_with_unit
from bot.domain.forms import Field
from bot.domain.numbers import format_count

UNKNOWN = "?"


def format_typed(field: Field, value: object) -> str:
    """A value as ``Values.typed`` holds it (or a count or text of a table's cell), as printed."""
    if value is None:
        return UNKNOWN
    if field.kind == "table":
        return format_table(field, value)
    if field.kind == "choice" and isinstance(value, str):
        option = field.option(value)
        return value if option is None else option.label
    if field.kind == "target":
        return format_target(field, value)
    if isinstance(value, bool):
        return UNKNOWN
    if isinstance(value, Decimal) or isinstance(value, int) and field.kind in ("decimal", "percent"):
        unit = "%" if field.kind == "percent" else field.unit
        return format_with_unit(value, unit, field.places)
    if isinstance(value, int):
        return format_count(value)
    return str(value)


def format_result(field: Field, value: object) -> str:
    """A target's result alone: "72,5%" or the text given ("Không phát sinh")."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return format_with_unit(value, field.unit, field.places)
    return UNKNOWN if value is None else str(value)


def target_met(field: Field, value: object) -> bool | None:
    """Whether a result reaches the field's target; None for a text result or no target."""
    if field.target is None or isinstance(value, bool) or not isinstance(value, Decimal | int):
        return None
    return field.target.met(value)


def format_target(field: Field, value: object) -> str:
    result = format_result(field, value)
    if field.target is None:
        return result
    target = f"{field.target.describe()}{'%' if field.unit == '%' else ''}"
    met = target_met(field, value)
    if met is None:
        return say("form_kinds.target_text", result=result, target=target)
    return say("form_kinds.target_met" if met else "form_kinds.target_missed", result=result, target=target)


def format_table(field: Field, value: object) -> str:
    """Declared rows: "1. Tỷ lệ phủ sóng 5G: 72,5% (mục tiêu ≥ 90%: chưa đạt)" per answered row;
    rows the commune adds: "1. Số hóa di tích — Chưa thực hiện — Nhiệm vụ Chủ tịch UBND xã giao"."""
    lines: list[str] = []
    if field.rows and isinstance(value, Mapping):
        for number, row in enumerate(field.rows, start=1):
            if row.id in value:
                lines.append(f"{number}. {row.label}: {format_typed(row, value[row.id])}")
    elif field.columns and isinstance(value, list | tuple):
        for number, entry in enumerate(value, start=1):
            if isinstance(entry, Mapping):
                cells = [format_typed(column, entry[column.id]) for column in field.columns if column.id in entry]
                lines.append(f"{number}. " + " — ".join(cells))
    return "\n".join(lines) if lines else say("form_kinds.table_no_rows")

"""The report of a form with more than counts and texts (the monthly Resolution 57 report): the
template's variables for decimals, percentages, choices, targets, tables and long texts.

:func:`build_form_context` starts from the weekly report's variables (``build_context`` in
bot/documents/report.py: the unit, issuer, period, settings, signer, explanations) and adds, from
the values the domain computes (bot/domain/values.py), every field by its id, formatted. The
template (``templates/bao-cao-thang-nq57.docx``, written by templates/src/make_bao_cao_thang_nq57.py)
holds the wording; nothing here computes a figure or knows about Telegram or storage.

Variables added (strings unless said otherwise):

figures
    a count or derived figure by its id ("1.484"); a decimal or percentage by its id without its
    unit ("556", "97,25"; "…" when unanswered); a rate by its id as the example writes it ("84,03%", "50%", "—")
texts
    a text by its id (the form's ``default`` when unanswered, e.g. "Không có kiến nghị, đề xuất"),
    ``<id>_lines`` (list: one paragraph per line, sub-items "-", "+", "a)", "2.1." kept as written,
    each on its own even when a line runs on with them),
    ``<id>_head`` (the first line, printed after an item's label; empty when the text opens with
    a sub-item) and ``<id>_rest`` (list: the lines printed below the label)
choices
    the option's label (or the text given) by the field's id
tables
    ``<id>_rows`` (list of dicts). Rows declared by the form (the targets appendix): a heading
    row per group {``is_group``: True, ``number`` "I", ``label``} and one row per indicator
    {``is_group``: False, ``number`` "1.", ``label``, ``unit`` "%", ``target`` "≥ 98",
    ``result`` "72,5" or "Không phát sinh" or "", ``met``: True/False/None}. Rows the commune
    adds (the tasks appendix, the plans of 1.1): {``number`` "1", then each column by its id,
    formatted (a choice by its label)}; ``<id>_count`` the number of rows
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from bot.documents.report import ROMAN, CheckLike, PeriodLike, ReportUnit, build_context, clean_text
from bot.domain.decimals import format_decimal, format_with_unit
from bot.domain.formatting import format_typed, target_met
from bot.domain.forms import Field, Form
from bot.domain.numbers import format_count, format_percent
from bot.domain.paragraphs import paragraphs
from bot.domain.report_settings import ReportSettings
from bot.domain.values import Values, compute

MISSING = "…"
_ITEM = re.compile(r"^(?:[-+•*–]|[a-zđ]\)|\d+(?:\.\d+)*[.)]\s)")
_PLAIN_KINDS = frozenset({"count", "text"})


def needs_form_context(form: Form) -> bool:
    """Whether a form's report needs these variables (it has fields beyond counts and texts);
    a form of counts and texts only (the weekly one) renders with ``build_context`` alone."""
    return any(field.kind not in _PLAIN_KINDS for field in form.fields)


def build_form_context(
    form: Form,
    answers: Mapping[str, object],
    *,
    unit: ReportUnit,
    period: PeriodLike,
    settings: ReportSettings | None = None,
    report_date: date,
    explanations: Mapping[str, object] | None = None,
    previous: Mapping[str, object] | None = None,
    checks: Sequence[CheckLike] | None = None,
    period_key: str | None = None,
) -> dict[str, Any]:
    """The template's variables for one commune's report of ``form`` (see the module docstring).
    ``answers`` are as stored: ints, texts and the JSON of the other kinds."""
    context = build_context(
        form, answers, unit=unit, period=period, settings=settings, report_date=report_date,
        explanations=explanations, previous=previous, checks=checks, period_key=period_key,
    )
    values = compute(form, answers, previous)
    for field in form.fields:
        context.update(field_variables(field, values))
    for ident, value in values.derived.items():
        context[ident] = format_count(value)
    for ratio in form.rates:
        rate = values.rates.get(ratio.id)
        context[ratio.id] = format_with_unit(rate, "%", 2) if rate is not None else format_percent(None)
    raw = dict(context.get("raw") or {})
    raw.update(values.as_dict())
    context["raw"] = raw
    return context


def field_variables(field: Field, values: Values) -> dict[str, Any]:
    """The variables of one field (its id, and ``_lines``/``_rows`` as its kind has them)."""
    value = values.get(field.id)
    if field.kind == "text":
        return text_variables(field.id, value if isinstance(value, str) else None, field.default)
    if field.kind == "count":
        return {field.id: format_count(value) if isinstance(value, int) else "0"}
    if field.kind in ("decimal", "percent"):
        return {field.id: number_text(field, value)}
    if field.kind == "table":
        rows = declared_rows(field, value) if field.rows else added_rows(field, value)
        return {f"{field.id}_rows": rows, f"{field.id}_count": sum(1 for row in rows if not row.get("is_group"))}
    if field.kind == "target":
        return {field.id: result_text(field, value)}
    return {field.id: "" if value is None else format_typed(field, value)}


def text_variables(ident: str, text: str | None, default: str | None = None) -> dict[str, Any]:
    """A long text as paragraphs: every line kept (with its "-", "+", "a)" as written)."""
    cleaned = clean_text(text) or clean_text(default)
    lines = paragraphs(cleaned)  # each line, and each sub-item it runs on
    inline = bool(lines) and _ITEM.match(lines[0]) is None  # a text opening with "+ …" starts below its label
    return {
        ident: cleaned,
        f"{ident}_lines": lines,
        f"{ident}_head": lines[0] if inline else "",
        f"{ident}_rest": lines[1:] if inline else lines,
    }


def number_text(field: Field, value: object) -> str:
    """A decimal or percentage without its unit ("556", "97,25"); "…" when unanswered."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return format_decimal(value, field.places)
    return MISSING


def result_text(field: Field, value: object) -> str:
    """A target's result as the appendix prints it: "72,5", "Không phát sinh", "" unanswered."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return format_decimal(value, field.places)
    return clean_text(value) if isinstance(value, str) else ""


def declared_rows(table: Field, value: object) -> list[dict[str, Any]]:
    """The rows the form declares (the targets), a heading row before each group."""
    answers = value if isinstance(value, Mapping) else {}
    rows: list[dict[str, Any]] = []
    group: str | None = None
    groups = 0
    for number, row in enumerate(table.rows, start=1):
        if row.group and row.group != group:
            group = row.group
            groups += 1
            roman = ROMAN[groups - 1] if groups <= len(ROMAN) else str(groups)
            rows.append({"is_group": True, "number": roman, "label": row.group, "unit": "", "target": "",
                         "result": "", "met": None})
        result = answers.get(row.id)
        rows.append({
            "is_group": False,
            "number": f"{number}.",
            "label": row.label,
            "unit": row.unit or "",
            "target": row.target.describe() if row.target is not None else "",
            "result": result_text(row, result),
            "met": target_met(row, result),
        })
    return rows


def added_rows(table: Field, value: object) -> list[dict[str, Any]]:
    """The rows the commune added (tasks, plans), numbered, each column formatted."""
    entries = value if isinstance(value, list | tuple) else ()
    rows: list[dict[str, Any]] = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        row: dict[str, Any] = {"number": str(len(rows) + 1)}
        for column in table.columns:
            cell = entry.get(column.id)
            row[column.id] = "" if cell is None else clean_text(format_typed(column, cell))
        rows.append(row)
    return rows


def report_context(form: Form, answers: Mapping[str, object], **kwargs: Any) -> dict[str, Any]:
    """The variables of a commune's report of any form: :func:`build_form_context` for a form with
    decimals, choices, targets or tables, ``build_context`` (the weekly report's) otherwise."""
    if needs_form_context(form):
        return build_form_context(form, answers, **kwargs)
    return build_context(form, answers, **kwargs)

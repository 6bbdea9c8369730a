"""The values of one report: its answers, the derived figures and rates known from them.

A derived figure or a rate is known as soon as all of its inputs are; a rate whose denominator is
zero is known and ``None`` (printed "—"), and so is a rate with a blank part. A blank is an
optional count answered ``blanks.button`` (``None`` under its id, JSON null where stored): it is
answered but has no value, never 0; the derived figures reading it are blank too (``blanks``
holds both), unless another way gives them (``first``). Counts and texts are kept as answered (``answers``);
the other kinds are read from their stored JSON into ``typed``: a decimal or percentage as a
:class:`~decimal.Decimal`, a choice as its option's id (or the text given), a target's result as
a Decimal or its declared text, a table as ``{row id: value}`` (rows declared by the form) or a
tuple of ``{column id: value}`` (rows the commune adds).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, TypeAlias, TypeGuard

from bot.domain.decimals import from_canonical
from bot.domain.expressions import Number, Ref
from bot.domain.numbers import rate as percentage

if TYPE_CHECKING:
    from bot.domain.forms import Field, Form

Answer: TypeAlias = int | str
Answers: TypeAlias = Mapping[str, object]  # as stored: ints, texts, the JSON of the other kinds; None unanswered
Cell: TypeAlias = int | str | Decimal
TableRows: TypeAlias = tuple[Mapping[str, Cell], ...]  # rows the commune adds
RowValues: TypeAlias = Mapping[str, Cell]  # rows declared by the form: row id → value
Typed: TypeAlias = Decimal | str | TableRows | RowValues
Value: TypeAlias = int | str | Decimal | TableRows | RowValues | None


@dataclass(frozen=True)
class Values:
    """What is known of one report. ``get`` gives an answer, derived figure or rate by id (None
    while unknown, and for a rate with a zero denominator: tell them apart with ``known``)."""

    answers: Mapping[str, Answer]
    derived: Mapping[str, int] = field(default_factory=dict)
    rates: Mapping[str, Decimal | None] = field(default_factory=dict)
    previous: Values | None = None
    typed: Mapping[str, Typed] = field(default_factory=dict)  # answers of the other kinds, decimal sums
    blanks: frozenset[str] = frozenset()  # counts answered blank, and derived figures unknown for that

    def is_blank(self, ident: str) -> bool:
        """Whether ``ident`` was answered ``blanks.button`` (or is a figure computed from one)."""
        return ident in self.blanks

    def get(self, ident: str) -> Value:
        if ident in self.answers:
            return self.answers[ident]
        if ident in self.derived:
            return self.derived[ident]
        if ident in self.typed:
            return self.typed[ident]
        return self.rates.get(ident)

    def known(self, ident: str) -> bool:
        return ident in self.answers or ident in self.derived or ident in self.rates or ident in self.typed

    def count(self, ident: str) -> int | None:
        """A count or derived figure, or None while unknown."""
        value = self.answers.get(ident)
        if value is None:  # (the derived figures looked up only then: this runs for every past period)
            value = self.derived.get(ident)
        return value if isinstance(value, int) else None

    def lookup(self, ref: Ref) -> int | str | Typed | None:
        """The scope that expressions are evaluated in (``previous.x`` reads last period)."""
        if ref.previous:
            return None if self.previous is None else self.previous.current(ref.id)
        return self.current(ref.id)

    def current(self, ident: str) -> int | str | Typed | None:
        """An answer or derived figure by id, as ``lookup`` reads it (without a reference built)."""
        if ident in self.answers:
            return self.answers[ident]
        found = self.derived.get(ident)
        return self.typed.get(ident) if found is None else found

    def as_dict(self) -> dict[str, Value]:
        """Everything known, answers first, then the other kinds, derived figures, then rates."""
        return {**self.answers, **self.typed, **self.derived, **self.rates}


class _Building:
    """The scope while derived figures are being computed, in dependency order."""

    def __init__(
        self, answers: Mapping[str, Answer], derived: dict[str, int], previous: Values | None,
        typed: dict[str, Typed],
    ) -> None:
        self.answers = answers
        self.derived = derived
        self.previous = previous
        self.typed = typed

    def lookup(self, ref: Ref) -> int | str | Typed | None:
        if ref.previous:
            return None if self.previous is None else self.previous.current(ref.id)
        if ref.id in self.answers:
            return self.answers[ref.id]
        found = self.derived.get(ref.id)
        return self.typed.get(ref.id) if found is None else found


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def compute(form: Form, answers: Mapping[str, object], previous: Mapping[str, object] | Values | None = None) -> Values:
    """The values of a report. ``answers`` and ``previous`` map ids to ints (counts), strings
    (texts) and the stored JSON of the other kinds; anything else, and ids the form does not
    know, are ignored. ``previous`` may give a derived figure directly (e.g. only
    ``{"pending": 483}``) when its inputs are not stored."""
    before = previous if isinstance(previous, Values) or previous is None else compute(form, previous)
    clean: dict[str, Answer] = {}
    typed: dict[str, Typed] = {}
    blanks: set[str] = set()
    for ident, kind in form.field_kinds:
        value = answers.get(ident)
        if value is None:
            if kind == "count" and ident in answers and form.fields_by_id[ident].optional:
                blanks.add(ident)
            continue
        if kind == "count" and isinstance(value, int) and not isinstance(value, bool) or \
                kind == "text" and isinstance(value, str):
            clean[ident] = value
        elif kind not in ("count", "text") and (read := read_stored(form.fields_by_id[ident], value)) is not None:
            typed[ident] = read
    derived: dict[str, int] = {}
    scope = _Building(clean, derived, before, typed)
    for ident, expression in form.derived_steps:
        value = expression.evaluate(scope)
        if value is None and _is_count(given := answers.get(ident)):
            value = given
        if value is not None:
            derived[ident] = value
        elif isinstance(number := expression.number(scope), Decimal):
            typed[ident] = number
        elif blanks and not blanks.isdisjoint(form.inputs(ident)):
            blanks.add(ident)
    rates: dict[str, Decimal | None] = {}
    for ratio in form.rates:
        numerator = ratio.numerator.number(scope)
        denominator = ratio.denominator.number(scope)
        if numerator is not None and denominator is not None:
            rates[ratio.id] = _rate(numerator, denominator)
        elif blanks and not blanks.isdisjoint(form.inputs(ratio.id)):
            rates[ratio.id] = None  # a rate with a blank part: "—"
    return Values(answers=clean, derived=derived, rates=rates, previous=before, typed=typed,
                  blanks=frozenset(blanks))


def _rate(numerator: Number, denominator: Number) -> Decimal | None:
    if isinstance(numerator, int) and isinstance(denominator, int):
        return percentage(numerator, denominator)
    if denominator == 0:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def read_stored(item: Field, raw: object) -> Typed | None:
    """A stored answer of a decimal, percentage, choice, target or table field as ``typed``
    holds it; None when it cannot be read (it is then not known, never a wrong value)."""
    if item.kind in ("decimal", "percent"):
        return from_canonical(raw)
    if item.kind == "choice":
        if not isinstance(raw, str) or not raw.strip():
            return None
        return raw if item.option(raw) is not None or item.other else None
    if item.kind == "target":
        number = from_canonical(raw)
        if number is not None:
            return number
        return raw.strip() if isinstance(raw, str) and raw.strip() else None
    if item.kind == "table" and item.rows and isinstance(raw, Mapping):
        declared = {row.id: row for row in item.rows}
        found = {
            key: cell
            for key, value in raw.items()
            if key in declared and (cell := _cell(declared[key], value)) is not None
        }
        return found
    if item.kind == "table" and item.columns and isinstance(raw, list | tuple):
        rows: list[Mapping[str, Cell]] = []
        for entry in raw:
            if isinstance(entry, Mapping):
                cells = {c.id: cell for c in item.columns if (cell := _cell(c, entry.get(c.id))) is not None}
                if cells:
                    rows.append(cells)
        return tuple(rows)
    return None


def _cell(item: Field, raw: object) -> Cell | None:
    if raw is None:
        return None
    if item.kind == "count":
        return raw if isinstance(raw, int) and not isinstance(raw, bool) else None
    if item.kind == "text":
        return raw if isinstance(raw, str) and raw.strip() else None
    found = read_stored(item, raw)
    return found if isinstance(found, int | str | Decimal) else None

"""The values of one report: its answers, the derived figures and rates known from them.

A derived figure or a rate is known as soon as all of its inputs are; a rate whose denominator is
zero is known and ``None`` (printed "—").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, TypeAlias, TypeGuard

from bot.domain.expressions import Ref
from bot.domain.numbers import rate as percentage

if TYPE_CHECKING:
    from bot.domain.forms import Form

Answer: TypeAlias = int | str
Answers: TypeAlias = Mapping[str, int | str | None]
Value: TypeAlias = int | str | Decimal | None


@dataclass(frozen=True)
class Values:
    """What is known of one report. ``get`` gives an answer, derived figure or rate by id (None
    while unknown, and for a rate with a zero denominator: tell them apart with ``known``)."""

    answers: Mapping[str, Answer]
    derived: Mapping[str, int] = field(default_factory=dict)
    rates: Mapping[str, Decimal | None] = field(default_factory=dict)
    previous: Values | None = None

    def get(self, ident: str) -> Value:
        if ident in self.answers:
            return self.answers[ident]
        if ident in self.derived:
            return self.derived[ident]
        return self.rates.get(ident)

    def known(self, ident: str) -> bool:
        return ident in self.answers or ident in self.derived or ident in self.rates

    def count(self, ident: str) -> int | None:
        """A count or derived figure, or None while unknown."""
        value = self.answers.get(ident)
        if value is None:  # (the derived figures looked up only then: this runs for every past period)
            value = self.derived.get(ident)
        return value if isinstance(value, int) else None

    def lookup(self, ref: Ref) -> int | str | None:
        """The scope that expressions are evaluated in (``previous.x`` reads last period)."""
        if ref.previous:
            return None if self.previous is None else self.previous.current(ref.id)
        if ref.id in self.answers:
            return self.answers[ref.id]
        return self.derived.get(ref.id)

    def current(self, ident: str) -> int | str | None:
        """An answer or derived figure by id, as ``lookup`` reads it (without a reference built)."""
        if ident in self.answers:
            return self.answers[ident]
        return self.derived.get(ident)

    def as_dict(self) -> dict[str, Value]:
        """Everything known, answers first, then derived figures, then rates."""
        return {**self.answers, **self.derived, **self.rates}


class _Building:
    """The scope while derived figures are being computed, in dependency order."""

    def __init__(
        self, answers: Mapping[str, Answer], derived: dict[str, int], previous: Values | None
    ) -> None:
        self.answers = answers
        self.derived = derived
        self.previous = previous

    def lookup(self, ref: Ref) -> int | str | None:
        if ref.previous:
            return None if self.previous is None else self.previous.current(ref.id)
        if ref.id in self.answers:
            return self.answers[ref.id]
        return self.derived.get(ref.id)


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def compute(form: Form, answers: Mapping[str, object], previous: Mapping[str, object] | Values | None = None) -> Values:
    """The values of a report. ``answers`` and ``previous`` map ids to ints (counts) or strings
    (texts); anything else, and ids the form does not know, are ignored. ``previous`` may give a
    derived figure directly (e.g. only ``{"pending": 483}``) when its inputs are not stored."""
    before = previous if isinstance(previous, Values) or previous is None else compute(form, previous)
    clean: dict[str, Answer] = {}
    for ident, kind in form.field_kinds:
        value = answers.get(ident)
        if value is None:
            continue
        if kind == "count" and isinstance(value, int) and not isinstance(value, bool) or \
                kind == "text" and isinstance(value, str):
            clean[ident] = value
    derived: dict[str, int] = {}
    scope = _Building(clean, derived, before)
    for ident, expression in form.derived_steps:
        value = expression.evaluate(scope)
        if value is None and _is_count(given := answers.get(ident)):
            value = given
        if value is not None:
            derived[ident] = value
    rates: dict[str, Decimal | None] = {}
    for ratio in form.rates:
        numerator = ratio.numerator.evaluate(scope)
        denominator = ratio.denominator.evaluate(scope)
        if numerator is not None and denominator is not None:
            rates[ratio.id] = percentage(numerator, denominator)
    return Values(answers=clean, derived=derived, rates=rates, previous=before)

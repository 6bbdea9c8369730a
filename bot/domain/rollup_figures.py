"""The figures of a rollup as its form declares them (:mod:`bot.domain.rollup_spec`): what kind each
is, its label, its value for a commune or for the sums, the rollup's own rates, the communes meeting
a target, the spread of a percentage, the rows of a table per status, and the sentences of the
form file filled with the figures ("{received_total}" → "3.829", "{on_time_rate}" → "99,76%")."""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import median
from typing import TYPE_CHECKING, Any, Literal

from bot.chat.catalogue import say
from bot.domain.decimals import from_canonical
from bot.domain.expressions import Ref
from bot.domain.numbers import DASH, format_count, format_percent, rate
from bot.domain.rollup_spec import RollupFigure, RollupSpec, meets

if TYPE_CHECKING:
    from bot.domain.forms import Form

FigureKind = Literal["count", "rate", "target", "spread", "statuses", "text"]


@dataclass(frozen=True)
class Spread:
    """The lowest, median and highest value over the communes that gave one."""

    lowest: Decimal
    median: Decimal
    highest: Decimal
    communes: int


@dataclass(frozen=True)
class TargetCount:
    """How many communes meet the target, of how many that gave the figure."""

    met: int
    counted: int


def kind_of(form: Form, spec: RollupSpec, ident: str) -> FigureKind | None:
    figure = spec.figure(ident)
    if figure is not None:
        return {"sum": "count", "rate": "rate", "target": "target", "spread": "spread", "statuses": "statuses",
                "themes": "text"}[figure.how]  # type: ignore[return-value]
    kind = form.kind_of(ident)
    if kind in ("count", "derived"):
        return "count"
    return kind  # type: ignore[return-value]


def label_of(form: Form, spec: RollupSpec, ident: str, short: bool = False) -> str:
    figure = spec.figure(ident)
    if figure is not None and figure.label:
        return (figure.short_label or figure.label) if short else figure.label
    return form.label_of(ident, short=short)


class _Counts:
    """A scope over summed counts (missing ones read as 0 when ``zero``)."""

    def __init__(self, counts: Mapping[str, int], zero: bool) -> None:
        self.counts = counts
        self.zero = zero

    def lookup(self, ref: Ref) -> int | None:
        value = self.counts.get(ref.id)
        return 0 if value is None and self.zero else value


def count_of(spec: RollupSpec, counts: Mapping[str, int], ident: str, zero: bool = False) -> int | None:
    """A count, derived figure or figure computed from them (``value:``); None while unknown (0 when
    ``zero``: the sums of the communes that reported read a figure nobody gave as 0)."""
    figure = spec.figure(ident)
    if figure is not None and figure.value is not None:
        return figure.value.evaluate(_Counts(counts, zero))
    value = counts.get(ident)
    return 0 if value is None and zero else value


def own_rates(spec: RollupSpec, counts: Mapping[str, int], zero: bool = False) -> dict[str, Decimal | None]:
    """The rollup's own rates (a numerator and a denominator of its own) of these counts."""
    found: dict[str, Decimal | None] = {}
    for figure in spec.of("rate"):
        if figure.numerator is None or figure.denominator is None:
            continue
        top = count_of(spec, counts, figure.numerator, zero)
        bottom = count_of(spec, counts, figure.denominator, zero)
        if top is not None and bottom is not None:
            found[figure.id] = rate(top, bottom)
    return found


def number(value: Any) -> Decimal | None:
    """A figure as a number: counts, rates and decimal answers (as the chat stores them, canonical
    texts such as "96.4", or JSON numbers); None for texts and blanks. The one reader of stored
    decimals, :func:`~bot.domain.decimals.from_canonical`."""
    return from_canonical(value)


def spread(values: Iterable[Decimal]) -> Spread | None:
    known = sorted(values)
    if not known:
        return None
    middle = Decimal(str(median(known))).quantize(Decimal("0.01"))
    return Spread(known[0], middle, known[-1], len(known))


def target_count(figure: RollupFigure, values: Iterable[Decimal]) -> TargetCount:
    comparator, target = figure.comparison
    known = list(values)
    return TargetCount(sum(1 for value in known if meets(value, comparator, target)), len(known))


def status_counts(figure: RollupFigure, tables: Iterable[Any]) -> dict[str, int]:
    """Rows per status over the communes' tables (a status not declared counts as "other")."""
    counts = {status: 0 for status in figure.statuses}
    for table in tables:
        if not isinstance(table, Sequence) or isinstance(table, str):
            continue
        for row in table:
            if not isinstance(row, Mapping):
                continue
            if any(str(row.get(key, "")).strip().casefold() != value.strip().casefold()
                   for key, value in figure.where.items()):
                continue
            status = str(row.get(figure.column, "")).strip()
            key = status if status in figure.statuses else "other"
            counts[key] = counts.get(key, 0) + 1
    return counts


# --- the sentences of the form file, filled ------------------------------------------------------


def plain_number(value: Decimal) -> str:
    """Decimal("12.5") → "12,5"; Decimal("98") → "98"."""
    if value == value.to_integral_value():
        return format_count(int(value))
    return format_percent(value).removesuffix("%").rstrip("0").rstrip(",")


class _Shown:
    """A figure in a sentence: "{x}" shows it whole, "{x.median}" a part of it."""

    def __init__(self, whole: str, **parts: str) -> None:
        self.whole = whole
        self.parts = parts

    def __format__(self, spec: str) -> str:
        return format(self.whole, spec)

    def __getattr__(self, name: str) -> str:
        try:
            return self.__dict__["parts"][name]  # type: ignore[no-any-return]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class FigureTexts(Mapping[str, Any]):
    """The figures of a scope (a province's sums, a province in a national rollup) as a sentence of
    the form file names them."""

    form: Form
    spec: RollupSpec
    counts: Mapping[str, int]
    rates: Mapping[str, Decimal | None]
    targets: Mapping[str, TargetCount]
    spreads: Mapping[str, Spread | None]
    statuses: Mapping[str, Mapping[str, int]]

    def __getitem__(self, ident: str) -> Any:
        kind = kind_of(self.form, self.spec, ident)
        if kind == "count":
            return format_count(count_of(self.spec, self.counts, ident, zero=True) or 0)
        if kind == "rate":
            return format_percent(self.rates.get(ident))
        if kind == "target":
            found = self.targets.get(ident, TargetCount(0, 0))
            return _Shown(f"{format_count(found.met)}/{format_count(found.counted)}",
                          met=format_count(found.met), counted=format_count(found.counted))
        if kind == "spread":
            shown = self.spreads.get(ident)
            if shown is None:
                return _Shown(DASH, lowest=DASH, median=DASH, highest=DASH, communes="0")
            parts = {"lowest": self.value_text(ident, shown.lowest), "median": self.value_text(ident, shown.median),
                     "highest": self.value_text(ident, shown.highest), "communes": format_count(shown.communes)}
            return _Shown(f"{parts['lowest']} – {parts['highest']}", **parts)
        if kind == "statuses":
            figure = self.spec.figure(ident)
            counts = self.statuses.get(ident, {})
            labels = dict(figure.statuses) if figure is not None else {}
            other = say("rollup_figures.other_status")
            whole = "; ".join(f"{labels.get(key, other)} {format_count(n)}" for key, n in counts.items() if n)
            return _Shown(whole or DASH, **{key: format_count(n) for key, n in counts.items()})
        raise KeyError(ident)

    def value_text(self, ident: str, value: Decimal) -> str:
        figure = self.spec.figure(ident)
        source = figure.source if figure is not None else ident
        percent = kind_of(self.form, self.spec, source) in ("rate", "percent")
        return format_percent(value) if percent else plain_number(value)

    def __iter__(self) -> Any:
        return iter(())

    def __len__(self) -> int:
        return 0

    def fill(self, template: str) -> str:
        return string.Formatter().vformat(template, (), self)

"""The communes of a rollup ranked on the rates their own reports give, as the form file declares
them (``rollup.ranking``): each rate's rank (1 = the highest; equal rates share a rank), and an
overall place by the mean of the declared rates the commune has (a rate without a denominator,
e.g. no dossier resolved, is left out of its mean). Communes that did not report, or have none
of the rates, are not ranked. Pure: reads a :class:`~bot.domain.rollup.Rollup`'s rows only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from bot.chat.catalogue import say
from bot.domain.numbers import format_percent

if TYPE_CHECKING:
    from bot.domain.rollup import CommuneRow, Rollup


@dataclass(frozen=True)
class Ranked:
    """A commune's place overall, its score (the mean of its rates), its rates and their ranks."""

    place: int
    row: CommuneRow
    score: Decimal
    rates: dict[str, Decimal | None]
    ranks: dict[str, int | None]


def _ranks(values: dict[str, Decimal]) -> dict[str, int]:
    """Competition ranks, highest first: 100, 98, 98, 90 → 1, 2, 2, 4."""
    ordered = sorted(values.values(), reverse=True)
    first: dict[Decimal, int] = {}
    for index, value in enumerate(ordered, start=1):
        first.setdefault(value, index)
    return {code: first[value] for code, value in values.items()}


def rank(rollup: Rollup) -> list[Ranked]:
    """The communes that reported, best first (ties by name); empty when the form ranks nothing."""
    idents = [item.figure for item in rollup.spec.ranking.rates]
    if not idents:
        return []
    rows = [row for row in rollup.reported_rows if any(row.rates.get(i) is not None for i in idents)]
    by_rate = {ident: _ranks({row.unit.code: value for row in rows
                              if (value := row.rates.get(ident)) is not None}) for ident in idents}
    scored = []
    for row in rows:
        known = [value for i in idents if (value := row.rates.get(i)) is not None]
        score = (sum(known, Decimal(0)) / len(known)).quantize(Decimal("0.01"))
        scored.append((row, score))
    scored.sort(key=lambda item: (-item[1], item[0].unit.full_name))
    places = _ranks({row.unit.code: score for row, score in scored})
    return [Ranked(places[row.unit.code], row, score, {i: row.rates.get(i) for i in idents},
                   {i: by_rate[i].get(row.unit.code) for i in idents}) for row, score in scored]


def best_and_weakest(ranking: list[Ranked], count: int) -> tuple[list[Ranked], list[Ranked]]:
    """The ``count`` best and the ``count`` weakest (weakest last), without a commune in both."""
    best = ranking[:count]
    weakest = ranking[max(count, len(ranking) - count):]
    return best, weakest


def ranking_lines(rollup: Rollup) -> list[str]:
    """The message's ranking: what it is computed from, the best and the weakest communes."""
    declared = rollup.spec.ranking
    ranking = rank(rollup)
    if not ranking:
        return []
    best, weakest = best_and_weakest(ranking, declared.shown)

    def name(item: Ranked) -> str:
        unit = item.row.unit
        return f"{unit.full_name} ({unit.province_name})" if rollup.national and unit.province_name else unit.full_name

    def names(items: list[Ranked]) -> str:
        return "; ".join(f"{item.place}. {name(item)} {format_percent(item.score)}" for item in items)

    lines = [say("rollup_phone.ranking_head", rates=", ".join(item.words for item in declared.rates),
                 count=len(ranking)),
             say("rollup_phone.ranking_best", count=len(best), names=names(best))]
    if weakest:
        lines.append(say("rollup_phone.ranking_weakest", count=len(weakest), names=names(weakest)))
    return lines


__all__ = ["Ranked", "best_and_weakest", "rank", "ranking_lines"]

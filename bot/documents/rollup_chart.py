"""The rollup as a picture (matplotlib, Agg, PNG bytes): per commune, the rates the form file
declares (``rollup.chart.rates``; the weekly form: two rates of its dossiers) side by side,
communes that did not report marked "chưa nộp"; the dashed lines are the rates of the whole
province (from the sums), dotted ones the targets. A national rollup, or a province too large to
read one bar per commune, is drawn per province instead.

:func:`chart_data` says what is plotted (pure); :func:`render_rollup_chart` draws it. Only
matplotlib's object API is used (no pyplot), so it is safe off the event loop's thread.
matplotlib is imported when the first chart is drawn, not when the bot starts: it weighs about
40 MB that an idle bot should not carry.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bot.chat.catalogue import say
from bot.domain.numbers import format_percent
from bot.domain.rollup import Rollup
from bot.domain.rollup_spec import ChartRate

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_BARS = 120  # above this, one bar per province
MISSING = "#9E9E9E"
DPI = 90


@dataclass(frozen=True)
class Bar:
    """A commune's (or a province's) rates, in the order of the chart's rates."""

    label: str
    rates: tuple[Decimal | None, ...]
    missing: bool
    note: str = ""


@dataclass(frozen=True)
class ChartData:
    """What the chart plots: the rates (legend, colour, lines), one bar per commune or province
    (none: a histogram of the communes' rates), and the scope's rates from the sums."""

    series: tuple[ChartRate, ...]
    bars: tuple[Bar, ...]
    totals: tuple[Decimal | None, ...]


def chart_data(rollup: Rollup) -> ChartData:
    series = rollup.spec.chart.rates
    ids = [item.figure for item in series]
    totals = tuple(rollup.totals.rates.get(ident) for ident in ids)
    if not rollup.national and len(rollup.rows) <= MAX_BARS:
        bars = tuple(
            Bar(row.unit.name, tuple(row.rates.get(ident) for ident in ids), not row.reported) for row in rollup.rows
        )
        return ChartData(series, bars, totals)
    if rollup.groups:
        bars = tuple(
            Bar(g.unit.name, tuple(g.totals.rates.get(ident) for ident in ids), g.completeness.reported == 0,
                f"{g.completeness.reported}/{g.completeness.total}")
            for g in rollup.groups
        )
        return ChartData(series, bars, totals)
    # one very large province: the distribution of the communes' rates
    return ChartData(series, (), totals)


def _value(rate: Decimal | None) -> float:
    return 0.0 if rate is None else float(rate)


def render_rollup_chart(rollup: Rollup) -> bytes:
    """PNG bytes of the chart."""
    data = chart_data(rollup)
    if not data.bars:
        return _distribution(rollup, data)
    bars = data.bars
    count = len(bars)
    height = max(3.5, 0.22 * count + 1.8)
    figure = new_figure((9.0, height))
    top = 1 - 1.05 / height
    bottom = 0.55 / height
    axes = figure.add_axes((0.24, bottom, 0.72, top - bottom))
    positions = list(range(count))
    # one collection per series and plain texts for the names: a tick or a patch per commune
    # costs ten times as much to build and draw
    width = 0.76 / max(1, len(data.series))
    bar_points = 72 * 0.22 * width
    for index, item in enumerate(data.series):
        offset = -0.38 + width * (index + 0.5)
        axes.hlines([p + offset for p in positions], 0, [_value(b.rates[index]) for b in bars],
                    colors=item.color, linewidth=bar_points, capstyle="butt", label=item.legend)
    name_place = axes.get_yaxis_transform()
    for position, bar in zip(positions, bars, strict=True):
        axes.text(-0.01, position, bar.label, transform=name_place, ha="right", va="center", fontsize=8,
                  color=MISSING if bar.missing else "black")
        if bar.missing:
            axes.text(2, position, say("rollup_figures.chart_missing"), va="center", ha="left", fontsize=8,
                      color=MISSING, style="italic")
        elif bar.note:
            axes.text(101, position, bar.note, va="center", ha="left", fontsize=7, color="#424242")
        elif any(value is None for value in bar.rates):
            axes.text(1, position, "—", va="center", ha="left", fontsize=7, color="#424242")
    axes.set_yticks([])
    axes.invert_yaxis()
    axes.set_xlim(0, 110 if any(b.note for b in bars) else 100)
    axes.set_ylim(count - 0.5, -0.5)
    axes.set_xlabel("%", fontsize=9)
    axes.tick_params(axis="x", labelsize=8)
    axes.grid(axis="x", color="#E0E0E0", linewidth=0.6)
    axes.set_axisbelow(True)
    for item, total in zip(data.series, data.totals, strict=True):
        if item.line == "total" and total is not None:
            axes.axvline(float(total), color=item.color, linestyle="--", linewidth=1)
        if item.target is not None:
            axes.axvline(float(item.target), color=item.color, linestyle=":", linewidth=1)
    done = rollup.completeness
    rates = ", ".join(f"{item.words} {format_percent(total)}" for item, total in zip(data.series, data.totals,
                                                                                       strict=True))
    figure.suptitle(
        say("rollup_figures.chart_title", scope=rollup.scope_name, period=rollup.period.short_label,
            reported=done.reported, total=done.total, on_time=done.on_time, late=done.late, missing=done.missing)
        + "\n" + say("rollup_figures.chart_country" if rollup.national else "rollup_figures.chart_province",
                     rates=rates),
        fontsize=10, x=0.02, ha="left", y=1 - 0.12 / height, va="top",
    )
    if axes.get_legend_handles_labels()[0]:  # a form whose rollup shows no rate has nothing to name
        axes.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=8, frameon=False,
                    borderaxespad=0.2)
    return png_of(figure)


def _distribution(rollup: Rollup, data: ChartData) -> bytes:
    """A province too large for one bar per commune: how many communes fall in each 10% band."""
    figure = new_figure((9.0, 4.5))
    axes = figure.add_axes((0.08, 0.14, 0.9, 0.66))
    bands = [f"{i * 10}–{i * 10 + 10}%" for i in range(10)]

    def histogram(rate_id: str) -> list[int]:
        counts = [0] * 10
        for row in rollup.reported_rows:
            value = row.rates.get(rate_id)
            if value is not None:
                counts[min(9, int(value // 10))] += 1
        return counts

    positions = list(range(10))
    width = 0.8 / max(1, len(data.series))
    for index, item in enumerate(data.series):
        offset = -0.4 + width * (index + 0.5)
        axes.bar([p + offset for p in positions], histogram(item.figure), width=width, color=item.color,
                 label=item.legend)
    axes.set_xticks(positions)
    axes.set_xticklabels(bands, fontsize=8)
    axes.set_ylabel(say("rollup_figures.chart_axis"), fontsize=9)
    axes.legend(fontsize=8, frameon=False)
    done = rollup.completeness
    figure.suptitle(
        say("rollup_figures.chart_short_title", scope=rollup.scope_name, period=rollup.period.short_label,
            reported=done.reported, total=done.total, missing=done.missing),
        fontsize=10, x=0.02, ha="left",
    )
    return png_of(figure)


def new_figure(size: tuple[float, float]) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def png_of(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def chart_filename(rollup: Rollup, full: bool = False) -> str:
    """The picture for the chat's name; ``full``: the chart of every commune's."""
    from bot.domain.text import slug

    scope = "toan-quoc" if rollup.national else slug(rollup.scope_name)
    return f"bieu-do-{'day-du-' if full else ''}{rollup.period.key}-{scope}.png"


__all__: Sequence[str] = ("ChartData", "chart_data", "chart_filename", "render_rollup_chart")

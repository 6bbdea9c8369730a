"""The rollup's picture for a phone's chat (matplotlib, Agg, PNG bytes, 648 × 1,152 px whatever
the number of communes): who reported (on time, late, not yet) in one bar, how the communes'
main rates (the form file's ``rollup.chart.rates``) are spread over bands, and the weakest
communes by the ranking of :mod:`bot.domain.rollup_ranking` (``rollup.ranking.weakest_chart``).
The chart of every commune (:mod:`bot.documents.rollup_chart`) goes in the .xlsx."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.chat.catalogue import say
from bot.documents.rollup_chart import DPI, MISSING, new_figure, png_of
from bot.domain.numbers import format_count, format_percent
from bot.domain.report_settings import short_name
from bot.domain.rollup import STATE_LABELS, Rollup
from bot.domain.rollup_ranking import rank

SIZE = (7.2, 12.8)  # inches at DPI 90: 648 × 1,152 px
STATE_COLORS = {"on_time": "#2E7D32", "late": "#F9A825", "missing": MISSING, "untimed": "#1565C0"}
BANDS: tuple[tuple[Decimal, str], ...] = (
    (Decimal(50), "<50%"), (Decimal(70), "50–70%"), (Decimal(80), "70–80%"), (Decimal(90), "80–90%"),
    (Decimal(95), "90–95%"), (Decimal(101), "95–100%"),
)


def band_of(value: Decimal) -> int:
    """The band of a rate: the first whose upper end is above it."""
    return next(index for index, (upper, _) in enumerate(BANDS) if value < upper or index == len(BANDS) - 1)


def phone_chart_size() -> tuple[int, int]:
    """The picture's width and height in pixels."""
    return round(SIZE[0] * DPI), round(SIZE[1] * DPI)


def render_phone_chart(rollup: Rollup) -> bytes:
    """PNG bytes of the picture for the chat."""
    figure = new_figure(SIZE)
    done = rollup.completeness
    figure.suptitle(say("rollup_phone.chart_title", scope=rollup.scope_name, period=rollup.period.short_label,
                        reported=format_count(done.reported), total=format_count(done.total)),
                    fontsize=12, x=0.03, ha="left", y=0.985, va="top")
    _status(figure.add_axes((0.05, 0.845, 0.9, 0.06)), rollup)
    _distribution(figure.add_axes((0.1, 0.5, 0.86, 0.26)), rollup)
    _weakest(figure.add_axes((0.42, 0.04, 0.52, 0.36)), rollup)
    return png_of(figure)


def _status(axes: Any, rollup: Rollup) -> None:
    done = rollup.completeness
    counts = {"on_time": done.on_time, "late": done.late, "missing": done.missing}
    if done.untimed:  # imported without the moment sent: neither on time nor late
        counts = {"on_time": done.on_time, "late": done.late, "untimed": done.untimed, "missing": done.missing}
    left = 0
    for state, count in counts.items():
        axes.barh([0], [count], left=left, color=STATE_COLORS[state], height=0.8,
                  label=f"{STATE_LABELS[state]} {format_count(count)}")
        if count / max(1, done.total) > 0.08:
            axes.text(left + count / 2, 0, format_count(count), ha="center", va="center", fontsize=11,
                      color="white", fontweight="bold")
        left += count
    axes.set_xlim(0, max(1, done.total))
    axes.set_ylim(-0.5, 0.5)
    axes.axis("off")
    axes.set_title(say("rollup_phone.chart_status"), fontsize=11, loc="left")
    axes.legend(loc="upper left", bbox_to_anchor=(0.0, -0.05), ncol=3, fontsize=10, frameon=False)


def _distribution(axes: Any, rollup: Rollup) -> None:
    series = rollup.spec.chart.rates
    axes.set_title(say("rollup_phone.chart_distribution"), fontsize=11, loc="left")
    positions = list(range(len(BANDS)))
    width = 0.8 / max(1, len(series))
    for index, item in enumerate(series):
        counts = [0] * len(BANDS)
        for row in rollup.reported_rows:
            value = row.rates.get(item.figure)
            if value is not None:
                counts[band_of(value)] += 1
        offset = -0.4 + width * (index + 0.5)
        total = rollup.totals.rates.get(item.figure)
        legend = say("rollup_phone.chart_rate_legend", legend=item.legend, total=format_percent(total))
        axes.bar([p + offset for p in positions], counts, width=width, color=item.color, label=legend)
        for position, count in zip(positions, counts, strict=True):
            if count:
                axes.text(position + offset, count, format_count(count), ha="center", va="bottom", fontsize=8)
    axes.set_xticks(positions)
    axes.set_xticklabels([label for _, label in BANDS], fontsize=9)
    axes.set_ylabel(say("rollup_figures.chart_axis"), fontsize=9)
    axes.tick_params(axis="y", labelsize=8)
    axes.margins(y=0.15)
    if axes.get_legend_handles_labels()[0]:  # a form whose rollup shows no rate has nothing to name
        axes.legend(fontsize=9, frameon=False, loc="upper left")
    if not rollup.reported_rows:
        axes.text(0.5, 0.5, say("rollup_phone.chart_nothing"), transform=axes.transAxes, ha="center", fontsize=10,
                  color=MISSING)


def _weakest(axes: Any, rollup: Rollup) -> None:
    declared = rollup.spec.ranking
    ranking = rank(rollup)
    weakest = ranking[-declared.weakest_chart:][::-1] if ranking else []
    axes.set_title(say("rollup_phone.chart_weakest", count=len(weakest),
                       rates=", ".join(item.words for item in declared.rates)), fontsize=11, loc="right")
    positions = list(range(len(weakest)))
    axes.barh(positions, [float(item.score) for item in weakest], color="#C62828", height=0.7)
    for position, item in zip(positions, weakest, strict=True):
        name = item.row.unit.full_name
        if rollup.national and item.row.unit.province_name:
            name += f" ({short_name(item.row.unit.province_name)})"  # "Thái Nguyên": the names are long
        axes.text(-1, position, f"{item.place}. {name}", ha="right", va="center", fontsize=9)
        axes.text(float(item.score) + 1, position, format_percent(item.score), va="center", fontsize=8)
    axes.set_yticks([])
    axes.set_xlim(0, 115)
    axes.set_ylim(max(len(weakest), declared.weakest_chart) - 0.5, -0.5)
    axes.tick_params(axis="x", labelsize=8)
    axes.set_xlabel("%", fontsize=9)
    if not weakest:
        axes.text(0.5, 0.5, say("rollup_phone.chart_nothing"), transform=axes.transAxes, ha="center", fontsize=10,
                  color=MISSING)


__all__ = ["band_of", "phone_chart_size", "render_phone_chart"]

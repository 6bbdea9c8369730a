"""The rollup as a picture (matplotlib, Agg, PNG bytes): per commune, the on-time rate and the
online rate side by side, communes that did not report marked "chưa nộp"; the dashed lines are the
rates of the whole province (from the sums). A national rollup, or a province too large to read
one bar per commune, is drawn per province instead.

Only matplotlib's object API is used (no pyplot), so it is safe off the event loop's thread.
matplotlib is imported when the first chart is drawn, not when the bot starts: it weighs about
40 MB that an idle bot should not carry.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from bot.domain.numbers import format_percent
from bot.domain.rollup import Rollup

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_BARS = 120  # above this, one bar per province
ON_TIME = "#2E7D32"
ONLINE = "#1565C0"
MISSING = "#9E9E9E"
DPI = 90


@dataclass(frozen=True)
class _Bar:
    label: str
    on_time: Decimal | None
    online: Decimal | None
    missing: bool
    note: str = ""


def _bars(rollup: Rollup) -> tuple[list[_Bar], str]:
    if not rollup.national and len(rollup.rows) <= MAX_BARS:
        bars = [
            _Bar(row.unit.name, row.rates.get("on_time_rate"), row.rates.get("online_rate"), not row.reported)
            for row in rollup.rows
        ]
        return bars, "xã, phường"
    if rollup.groups:
        bars = [
            _Bar(g.unit.name, g.totals.rates.get("on_time_rate"), g.totals.rates.get("online_rate"),
                 g.completeness.reported == 0,
                 f"{g.completeness.reported}/{g.completeness.total}")
            for g in rollup.groups
        ]
        return bars, "tỉnh, thành phố"
    # one very large province: the distribution of the communes' rates
    return [], "xã, phường"


def _value(rate: Decimal | None) -> float:
    return 0.0 if rate is None else float(rate)


def render_rollup_chart(rollup: Rollup) -> bytes:
    """PNG bytes of the chart."""
    bars, noun = _bars(rollup)
    if not bars:
        return _distribution(rollup)
    count = len(bars)
    height = max(3.5, 0.22 * count + 1.8)
    figure = _new_figure((9.0, height))
    top = 1 - 1.05 / height
    bottom = 0.55 / height
    axes = figure.add_axes((0.24, bottom, 0.72, top - bottom))
    positions = list(range(count))
    # one collection per series and plain texts for the names: a tick or a patch per commune
    # costs ten times as much to build and draw
    bar_points = 72 * 0.22 * 0.38
    for offset, attribute, color, label in (
        (-0.19, "on_time", ON_TIME, "Tỷ lệ giải quyết đúng hạn, trước hạn"),
        (0.19, "online", ONLINE, "Tỷ lệ tiếp nhận trực tuyến"),
    ):
        axes.hlines([p + offset for p in positions], 0, [_value(getattr(b, attribute)) for b in bars],
                    colors=color, linewidth=bar_points, capstyle="butt", label=label)
    name_place = axes.get_yaxis_transform()
    for position, bar in zip(positions, bars, strict=True):
        axes.text(-0.01, position, bar.label, transform=name_place, ha="right", va="center", fontsize=8,
                  color=MISSING if bar.missing else "black")
        if bar.missing:
            axes.text(2, position, "chưa nộp", va="center", ha="left", fontsize=8, color=MISSING, style="italic")
        elif bar.note:
            axes.text(101, position, bar.note, va="center", ha="left", fontsize=7, color="#424242")
        elif bar.on_time is None or bar.online is None:
            axes.text(1, position, "—", va="center", ha="left", fontsize=7, color="#424242")
    axes.set_yticks([])
    axes.invert_yaxis()
    axes.set_xlim(0, 110 if any(b.note for b in bars) else 100)
    axes.set_ylim(count - 0.5, -0.5)
    axes.set_xlabel("%", fontsize=9)
    axes.tick_params(axis="x", labelsize=8)
    axes.grid(axis="x", color="#E0E0E0", linewidth=0.6)
    axes.set_axisbelow(True)
    for rate_id, color in (("on_time_rate", ON_TIME), ("online_rate", ONLINE)):
        total = rollup.totals.rates.get(rate_id)
        if total is not None:
            axes.axvline(float(total), color=color, linestyle="--", linewidth=1)
    done = rollup.completeness
    totals = rollup.totals.rates
    figure.suptitle(
        f"{rollup.scope_name} — {rollup.period.short_label}: {done.reported}/{done.total} đã nộp "
        f"(đúng hạn {done.on_time}, sau hạn {done.late}, chưa nộp {done.missing})\n"
        f"Toàn {'quốc' if rollup.national else 'tỉnh'} (từ tổng số liệu): đúng hạn "
        f"{format_percent(totals.get('on_time_rate'))}, trực tuyến {format_percent(totals.get('online_rate'))}",
        fontsize=10, x=0.02, ha="left", y=1 - 0.12 / height, va="top",
    )
    axes.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=8, frameon=False,
                borderaxespad=0.2)
    return _png(figure)


def _distribution(rollup: Rollup) -> bytes:
    """A province too large for one bar per commune: how many communes fall in each 10% band."""
    figure = _new_figure((9.0, 4.5))
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
    axes.bar([p - 0.2 for p in positions], histogram("on_time_rate"), width=0.4, color=ON_TIME,
             label="Tỷ lệ giải quyết đúng hạn, trước hạn")
    axes.bar([p + 0.2 for p in positions], histogram("online_rate"), width=0.4, color=ONLINE,
             label="Tỷ lệ tiếp nhận trực tuyến")
    axes.set_xticks(positions)
    axes.set_xticklabels(bands, fontsize=8)
    axes.set_ylabel("Số xã, phường", fontsize=9)
    axes.legend(fontsize=8, frameon=False)
    done = rollup.completeness
    figure.suptitle(
        f"{rollup.scope_name} — {rollup.period.short_label}: {done.reported}/{done.total} đã nộp, "
        f"chưa nộp {done.missing}", fontsize=10, x=0.02, ha="left",
    )
    return _png(figure)


def _new_figure(size: tuple[float, float]) -> Any:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def chart_filename(rollup: Rollup) -> str:
    from bot.domain.text import slug

    scope = "toan-quoc" if rollup.national else slug(rollup.scope_name)
    return f"bieu-do-{rollup.period.key}-{scope}.png"


__all__: Sequence[str] = ("chart_filename", "render_rollup_chart")

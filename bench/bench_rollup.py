"""How long the provincial rollup takes (issue 6: message, chart, .docx and .xlsx for 92 communes
≤ 1 s; for 3,321 communes ≤ 5 s; the cost per commune at 3,321 ≤ 1.3 × the cost at 92).

    .venv/bin/python -m bench.bench_rollup [REPEATS]

A SQLite file (WAL, as the bot runs it) is seeded with the official units and nine weeks of reports
(2025-W42 … W50) from every commune: steady figures, with 10 % missing, 10 % late, 5 % breaking the
balance and 2 % far above their usual in the last week. Each case is timed end to end — loading from
the database, building the rollup, the message, the chart, the .docx and the .xlsx — as the median
of REPEATS runs (default 3) after one warm-up run:

- ``92``: Thái Nguyên (province 19), as a supervisor asks for it;
- ``3321``: all 3,321 communes in one rollup with the table of every commune in the .docx (the
  worst case: a national rollup prints one row per province instead, also timed, as ``national``).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bot.administering.units import import_units
from bot.clock import VN_TZ
from bot.domain.forms import Form, load_form
from bot.domain.periods import PeriodKey
from bot.supervising.rollup_service import (
    build_files,
    load_input,
    rollup_settings,
    rollup_template,
    taxonomy_from,
)
from storage import Storage
from storage.models import Period
from tests.rollup.generate import seed_period
from tests.rollup.scenario import pending_of, steady

ROOT = Path(__file__).resolve().parent.parent
FORM = ROOT / "templates" / "forms" / "tthc-weekly.yaml"
TEMPLATES = ROOT / "templates"
WEEK = "2025-W50"
WEEKS = 9
PROVINCE = "19"
TARGET_92_S = 1.0
TARGET_ALL_S = 5.0
TARGET_RATIO = 1.3
# For `make bench` (bench/__main__.py): one run, already the median of REPEATS timings per case.
RUNS = 1
TARGETS = {"92_total_s": ("<=", TARGET_92_S), "3321_total_s": ("<=", TARGET_ALL_S),
           "per_commune_ratio": ("<=", TARGET_RATIO)}


async def seed(storage: Storage, form: Form) -> Period:
    """Nine weeks of reports from every commune of the country; the last one with mixed states."""
    await import_units(storage)
    communes = await storage.units.list_communes()
    rng = random.Random(50)
    pending = {unit.code: 10 + i % 6 for i, unit in enumerate(communes)}
    key = PeriodKey.parse(WEEK)
    weeks = [key]
    for _ in range(WEEKS - 1):
        weeks.insert(0, weeks[0].previous())
    period = None
    for number, week in enumerate(weeks):
        last = number == len(weeks) - 1
        reports: dict[str, dict[str, Any]] = {}
        late: list[str] = []
        explanations: dict[str, dict[str, str]] = {}
        for i, unit in enumerate(communes):
            if last and rng.random() < 0.10:
                continue
            answers = steady(i, number, pending[unit.code])
            if last:
                draw = rng.random()
                if draw < 0.05:
                    answers["withdrawn"] += 2
                    explanations[unit.code] = {"balance": "Hồ sơ rút từ hệ thống cũ."}
                elif draw < 0.07:
                    extra = 250
                    answers["received_online_full"] += extra
                    answers["pending_in_time"] += extra
                if rng.random() < 0.10:
                    late.append(unit.code)
            pending[unit.code] = pending_of(answers)
            reports[unit.code] = answers
        seeded = await seed_period(storage, form, str(week), reports, late=late, explanations=explanations)
        period = seeded.period
    assert period is not None
    return period


async def time_case(storage: Storage, form: Form, period: Period, province: str | None, repeats: int,
                    flat: bool = False) -> dict[str, float]:
    """Median seconds of the whole rollup (and of each stage) over ``repeats`` runs."""
    taxonomy = taxonomy_from(TEMPLATES)
    totals: list[float] = []
    stages: dict[str, list[float]] = {}
    size = 0
    for attempt in range(repeats + 1):
        started = time.perf_counter()
        data = await load_input(storage, form, period, province, taxonomy=taxonomy)
        if flat:  # every commune of the country in one commune-by-commune rollup
            data.scope_code, data.scope_name = "00", "Toàn bộ các xã, phường"
        settings = await rollup_settings(storage, province)
        template = await rollup_template(storage, form, TEMPLATES, province)
        loaded = time.perf_counter() - started
        files = build_files(data, report_date=date(2025, 12, 19), template=template, settings=settings, tz=VN_TZ)
        total = time.perf_counter() - started
        if attempt == 0:
            continue  # warm-up: fonts, compiled templates, imports
        totals.append(total)
        for name, seconds in {**files.timings, "load_s": loaded}.items():
            stages.setdefault(name, []).append(seconds)
        size = len(files.rollup.rows)
    result = {"communes": float(size), "total_s": statistics.median(totals)}
    result.update({name: statistics.median(values) for name, values in stages.items()})
    result["per_commune_ms"] = result["total_s"] / size * 1000
    return result


async def measure(repeats: int) -> dict[str, float]:
    form = load_form(FORM)
    with tempfile.TemporaryDirectory() as folder:
        storage = await Storage.open(Path(folder) / "bench.db")
        try:
            started = time.perf_counter()
            period = await seed(storage, form)
            seeded = time.perf_counter() - started
            small = await time_case(storage, form, period, PROVINCE, repeats)
            large = await time_case(storage, form, period, None, repeats, flat=True)
            national = await time_case(storage, form, period, None, repeats)
        finally:
            await storage.close()
    figures: dict[str, float] = {"seed_s": seeded}
    for name, case in (("92", small), ("3321", large), ("national", national)):
        for key, value in case.items():
            figures[f"{name}_{key}"] = value
    figures["per_commune_ratio"] = large["per_commune_ms"] / small["per_commune_ms"]
    return figures


def run(repeats: int = 3) -> dict[str, float]:
    return asyncio.run(measure(repeats))


def main(argv: list[str]) -> int:
    repeats = int(argv[0]) if argv else 3
    figures = run(repeats)
    for name, target in (("92", TARGET_92_S), ("3321", TARGET_ALL_S)):
        stages = ", ".join(f"{stage} {figures[f'{name}_{stage}_s'] * 1000:.0f} ms"
                           for stage in ("load", "rollup", "chart", "docx", "xlsx"))
        total = figures[f"{name}_total_s"]
        print(f"rollup of {figures[f'{name}_communes']:.0f} communes: {total:.2f} s "
              f"({figures[f'{name}_per_commune_ms']:.2f} ms per commune; {stages}); target ≤ {target:.0f} s: "
              f"{'ok' if total <= target else 'SLOW'}")
    print(f"national rollup (by province, {figures['national_communes']:.0f} communes): "
          f"{figures['national_total_s']:.2f} s")
    ratio = figures["per_commune_ratio"]
    print(f"cost per commune at 3,321 / at 92: {ratio:.2f}; target ≤ {TARGET_RATIO}: "
          f"{'ok' if ratio <= TARGET_RATIO else 'SLOW'} (seeding took {figures['seed_s']:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""`make bench`: run every bench/bench_*.py module's ``run()`` several times and print one table of
figures — the median of the runs and their spread — with the machine's description, also written
to bench/results/latest.md (every run's figures in latest.json).

    .venv/bin/python -m bench [--runs N] [NAME ...]     # e.g. python -m bench render broadcast

A module's ``run()`` returns ``{figure: value}``. Optional module attributes: ``RUNS`` (how many
runs, default 3; ``--runs`` or the environment variable ``BENCH_RUNS`` overrides every module) and
``TARGETS = {figure: ("<=" | ">=", limit)}``, checked against the median and shown in the table.
A benchmark that raises is reported in the table and makes the exit status 1; the others still run.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import pkgutil
import platform
import statistics
import sys
import time
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_RUNS = 3
# Targets of benchmarks that do not declare their own (issue 8).
KNOWN_TARGETS: dict[str, dict[str, tuple[str, float]]] = {"render": {"median_ms": ("<=", 50.0)}}
HEADER = ["| benchmark | figure | median | spread (min – max) | runs | target |", "|---|---|---|---|---|---|"]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        total_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {total_kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}; Python {platform.python_version()} on {platform.system()}"


def _format(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer():
            return f"{int(value):,}"
        return f"{value:,.3f}" if abs(value) < 100 else f"{value:,.1f}"
    return str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def summarize(runs: Sequence[Mapping[str, Any]]) -> dict[str, tuple[Any, str, int]]:
    """figure → (median, "min – max" or "", number of runs with it). Non-numbers: the last value."""
    figures: dict[str, list[Any]] = {}
    for result in runs:
        for key, value in result.items():
            figures.setdefault(key, []).append(value)
    summary: dict[str, tuple[Any, str, int]] = {}
    for key, values in figures.items():
        if all(_is_number(v) for v in values):
            low, high = min(values), max(values)
            spread = "" if len(values) == 1 else f"{_format(low)} – {_format(high)}"
            if len(values) > 1 and statistics.median(values):
                spread += f" (±{(high - low) / 2 / abs(statistics.median(values)) * 100:.0f} %)"
            summary[key] = (statistics.median(values), spread, len(values))
        else:
            summary[key] = (values[-1], "", len(values))
    return summary


def _target(targets: Mapping[str, tuple[str, float]], key: str, value: Any) -> str:
    if key not in targets or not _is_number(value):
        return ""
    op, limit = targets[key]
    ok = value <= limit if op == "<=" else value >= limit
    return f"{'≤' if op == '<=' else '≥'} {limit:g}: {'ok' if ok else 'MISSED'}"


def run_module(name: str, runs: int | None, raw: dict[str, Any] | None = None) -> tuple[list[str], bool]:
    """The table rows of one benchmark, and whether it ran without an error; every run's figures
    go to ``raw`` (written beside the table as latest.json)."""
    short = name.removeprefix("bench_")
    try:
        module = importlib.import_module(f"bench.{name}")
    except Exception:  # noqa: BLE001 - a benchmark being written by someone else must not stop the others
        traceback.print_exc()
        return [f"| {short} | error | could not import: see the log | | | |"], False
    count = runs or int(getattr(module, "RUNS", DEFAULT_RUNS))
    targets: Mapping[str, tuple[str, float]] = getattr(module, "TARGETS", KNOWN_TARGETS.get(short, {}))
    results: list[dict[str, Any]] = []
    for index in range(count):
        print(f"running {short} ({index + 1}/{count}) …", file=sys.stderr, flush=True)
        gc.collect()
        started = time.perf_counter()
        try:
            figures = dict(module.run())
        except Exception as exc:  # noqa: BLE001
            traceback.print_exc()
            return [f"| {short} | error | {type(exc).__name__}: {str(exc)[:120]} | | | |"], False
        figures["wall_s"] = time.perf_counter() - started
        results.append(figures)
        if raw is not None:
            raw.setdefault(short, []).append(figures)
    rows = []
    for key, (value, spread, n) in summarize(results).items():
        rows.append(f"| {short} | {key} | {_format(value)} | {spread} | {n} | {_target(targets, key, value)} |")
    return rows, True


def main(argv: list[str]) -> int:
    args = list(argv)
    runs: int | None = int(os.environ["BENCH_RUNS"]) if os.environ.get("BENCH_RUNS") else None
    if "--runs" in args:
        at = args.index("--runs")
        runs = int(args[at + 1])
        del args[at:at + 2]
    wanted = set(args)
    names = sorted(m.name for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))
    lines = [f"Machine: {machine()}", "", *HEADER]
    ok = True
    raw: dict[str, Any] = {"machine": machine()}
    for name in names:
        if wanted and name.removeprefix("bench_") not in wanted:
            continue
        rows, fine = run_module(name, runs, raw)
        lines.extend(rows)
        ok = ok and fine
    table = "\n".join(lines)
    print(table)
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.md").write_text(table + "\n", encoding="utf-8")
    (results / "latest.json").write_text(json.dumps(raw, ensure_ascii=False, indent=1, default=str) + "\n",
                                         encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

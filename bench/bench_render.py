"""How long one commune's report takes to render (issue 4: ≤ 50 ms at the median).

    .venv/bin/python -m bench.bench_render [REPEATS]

Renders the sample week of Xã Phước Giang with the shipped template REPEATS times (default 200)
after a warm-up, building the context each time as the bot does on submit, and prints the
median, p95, min and max in milliseconds. Since issue 12 the render runs as the bot runs it: in a
render worker process under the time and memory limits (``bot.documents.pool``), awaited from an event
loop, so the figure includes handing the job to the worker and the document back.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from datetime import date
from pathlib import Path

from bot.documents.pool import POOL, render_docx
from bot.documents.render import SAMPLE_UNIT, sample_answers
from bot.documents.report import build_context
from bot.domain.forms import load_form
from bot.domain.periods import period_for
from bot.domain.report_settings import merge, province_defaults

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "templates" / "bao-cao-tuan.docx"
FORM = ROOT / "templates" / "forms" / "tthc-weekly.yaml"
TARGET_MEDIAN_MS = 50.0


def run(repeats: int = 200) -> dict[str, float]:
    """Render ``repeats`` reports; the timings in ms (median, p95, min, max) and the file size."""
    form = load_form(FORM)
    period = period_for(form.period, "2025-W50")
    settings = merge(province_defaults(SAMPLE_UNIT.province_name), {"signer_name": "Nguyễn Văn An"})
    answers = sample_answers()

    async def once() -> bytes:
        context = build_context(
            form, answers, unit=SAMPLE_UNIT, period=period, settings=settings, report_date=date(2025, 12, 15)
        )
        return await render_docx(TEMPLATE, context)

    async def measure() -> tuple[int, list[float]]:
        size = len(await once())  # warm-up: starts the workers (their template is read and compiled)
        timings = []
        for _ in range(repeats):
            start = time.perf_counter()
            await once()
            timings.append((time.perf_counter() - start) * 1000)
        return size, timings

    try:
        size, timings = asyncio.run(measure())
    finally:
        POOL.stop()
    timings.sort()
    p95 = timings[min(len(timings) - 1, max(0, round(0.95 * len(timings)) - 1))]
    return {
        "repeats": float(repeats),
        "median_ms": statistics.median(timings),
        "p95_ms": p95,
        "min_ms": timings[0],
        "max_ms": timings[-1],
        "size_kb": size / 1024,
    }


def main(argv: list[str]) -> int:
    repeats = int(argv[0]) if argv else 200
    result = run(repeats)
    print(
        f"render commune report ×{repeats}: median {result['median_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, "
        f"min {result['min_ms']:.1f} ms, max {result['max_ms']:.1f} ms ({result['size_kb']:.0f} KB); "
        f"target median ≤ {TARGET_MEDIAN_MS:.0f} ms: {'ok' if result['median_ms'] <= TARGET_MEDIAN_MS else 'SLOW'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

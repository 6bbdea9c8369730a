"""How long `python -m bot import` takes on a big file, how much memory it needs, and whether the
bot can still write meanwhile (issue 12: 100,000 rows in ≤ 60 s and ≤ 250 MB resident; officials'
answers within 1 s at p99 during an import).

    .venv/bin/python -m bench.bench_import [COMMUNES] [WEEKS]     # default 3321 × 30 = 99,630 rows

An .xlsx with the rollup's columns is generated: every commune of the country (units seeded in a
fresh SQLite file first, not timed) for WEEKS closed weeks, each a balanced week carrying over the
last one's pending. The import runs as its own process (``python -m bot import FILE``, as an
operator runs it); its wall time, CPU time and peak resident memory (its own VmHWM) are measured.
Meanwhile this process plays the bot: an official's answer (``storage.drafts.set_answer``, the
transaction every answer goes through) every 20 ms on the same file, each write's latency recorded
until the import ends; p99 and max are printed.
"""

from __future__ import annotations

import asyncio
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from bot.administering.units import import_units
from bot.clock import VN_TZ
from bot.documents.rollup_xlsx import MAIN_SHEET, PERIOD, UNIT_CODE
from bot.domain.forms import Form, load_form
from bot.domain.periods import PeriodKey
from storage import Storage
from tests.rollup.scenario import pending_of, steady

ROOT = Path(__file__).resolve().parent.parent
FORM = ROOT / "templates" / "forms" / "tthc-weekly.yaml"
COMMUNES = 3321
WEEKS = 30
WRITE_EVERY_S = 0.02
TARGET_S = 60.0
TARGET_RSS_MB = 250.0
TARGET_P99_S = 1.0
RUNS = 1
TARGETS = {"seconds": ("<=", TARGET_S), "peak_rss_mb": ("<=", TARGET_RSS_MB), "write_p99_s": ("<=", TARGET_P99_S)}


def weeks(count: int, now: datetime) -> list[PeriodKey]:
    """``count`` closed weeks, the last one two weeks before the current one (none still open)."""
    key = PeriodKey.containing("weekly", now.date()).previous().previous()
    found = [key]
    for _ in range(count - 1):
        found.insert(0, found[0].previous())
    return found


def write_file(path: Path, form: Form, codes: list[str], periods: list[PeriodKey]) -> int:
    """The rollup's columns, one row per commune and week, week after week; the number of rows."""
    counts = [f for f in form.count_fields]
    texts = [f for f in form.text_fields]
    # Shared strings, as Excel and the rollup's export write them (constant_memory would write each text
    # inline, which openpyxl reads several times slower than any real file).
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet(MAIN_SHEET)
    sheet.write_row(0, 0, [UNIT_CODE, PERIOD, *(f.label for f in counts), *(f.label for f in texts)])
    pending = {code: 10 + i % 6 for i, code in enumerate(codes)}
    line = 1
    for number, period in enumerate(periods):
        for i, code in enumerate(codes):
            answers: dict[str, Any] = steady(i, number, pending[code])
            pending[code] = pending_of(answers)
            sheet.write_row(line, 0, [code, str(period), *(answers.get(f.id) for f in counts),
                                      *(answers.get(f.id, "") for f in texts)])
            line += 1
    book.close()
    return line - 1


async def official(storage: Storage, code: str, stop: asyncio.Event, latencies: list[float]) -> None:
    """An official answering questions, one answer every WRITE_EVERY_S, each write timed."""
    now = datetime.now(VN_TZ)
    key = PeriodKey.containing("weekly", now.date())
    period = await storage.periods.upsert("tthc-weekly", str(key), key.starts_on, key.ends_on, now, now)
    draft = await storage.drafts.get_or_create(period.id, code, now)
    value = 0
    while not stop.is_set():
        value += 1
        started = time.perf_counter()
        await storage.drafts.set_answer(draft.id, "received_postal", value % 50, None, datetime.now(VN_TZ))
        latencies.append(time.perf_counter() - started)
        await asyncio.sleep(WRITE_EVERY_S)


async def measure(communes: int, count: int) -> dict[str, float]:
    form = load_form(FORM)
    with tempfile.TemporaryDirectory() as folder:
        database, source = Path(folder) / "bench.db", Path(folder) / "reports.xlsx"
        storage = await Storage.open(database)
        try:
            await import_units(storage)
            codes = [unit.code for unit in await storage.units.list_communes()][:communes]
            rows = write_file(source, form, codes, weeks(count, datetime.now(VN_TZ)))
            env = {**os.environ, "DATABASE_PATH": str(database), "LOG_LEVEL": "WARNING",
                   "PYTHONPATH": str(ROOT)}
            stop = asyncio.Event()
            latencies: list[float] = []
            writer = asyncio.create_task(official(storage, codes[0], stop, latencies))
            started = time.perf_counter()
            child = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.bench_import", "--child", str(source), env=env, cwd=ROOT,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
            _, err = await child.communicate()
            seconds = time.perf_counter() - started
            stop.set()
            await writer
            versions = int(await storage.db.fetch_value("SELECT count(*) FROM submissions") or 0)
        finally:
            await storage.close()
    report = err.decode("utf-8", "replace")
    peak = [line.split()[1] for line in report.splitlines() if line.startswith("peak_rss_kb ")]
    cpu = [line.split()[1] for line in report.splitlines() if line.startswith("cpu_s ")]
    if child.returncode not in (0, 1) or not peak:
        raise RuntimeError(f"the import failed ({child.returncode}): {report[-2000:]}")
    latencies.sort()
    return {
        "rows": float(rows), "versions": float(versions), "seconds": seconds, "rows_per_s": rows / seconds,
        "peak_rss_mb": int(peak[0]) / 1024, "cpu_s": float(cpu[0]), "writes": float(len(latencies)),
        "write_p99_s": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "write_max_s": latencies[-1], "write_median_s": statistics.median(latencies),
    }


def run(communes: int = COMMUNES, count: int = WEEKS) -> dict[str, float]:
    return asyncio.run(measure(communes, count))


def child(path: str) -> int:
    """The import as an operator runs it, then its own peak resident memory and CPU time on stderr."""
    from bot.cli import main as bot_main

    status = bot_main(["import", path])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent's image across fork and exec
    # (the parent holds the generated file's cells), VmHWM is this program's own high-water mark.
    own = Path("/proc/self/status").read_text()
    peak = next((line.split()[1] for line in own.splitlines() if line.startswith("VmHWM:")), usage.ru_maxrss)
    print(f"peak_rss_kb {peak}", file=sys.stderr)
    print(f"cpu_s {usage.ru_utime + usage.ru_stime}", file=sys.stderr)
    return status


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        return child(argv[1])
    communes = int(argv[0]) if argv else COMMUNES
    count = int(argv[1]) if len(argv) > 1 else WEEKS
    f = run(communes, count)
    print(f"import of {f['rows']:,.0f} rows ({f['versions']:,.0f} versions stored): {f['seconds']:.1f} s "
          f"({f['rows_per_s']:,.0f} rows/s; target ≤ {TARGET_S:.0f} s: {'ok' if f['seconds'] <= TARGET_S else 'SLOW'}); "
          f"CPU time of the import process {f['cpu_s']:.1f} s")
    print(f"peak resident memory of the import process: {f['peak_rss_mb']:.0f} MB "
          f"(target ≤ {TARGET_RSS_MB:.0f} MB: {'ok' if f['peak_rss_mb'] <= TARGET_RSS_MB else 'TOO MUCH'})")
    print(f"an official's answers during the import: {f['writes']:,.0f} writes, median {f['write_median_s'] * 1000:.0f} ms, "
          f"p99 {f['write_p99_s'] * 1000:.0f} ms, max {f['write_max_s'] * 1000:.0f} ms "
          f"(target p99 ≤ {TARGET_P99_S:.0f} s: {'ok' if f['write_p99_s'] <= TARGET_P99_S else 'SLOW'})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

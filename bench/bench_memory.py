"""The running bot's memory with the whole country on one small machine, and how fast it starts
(issue 8: resident size ≤ 150 MB with 3,321 communes and a week of submissions; cold start ≤ 2 s).

    .venv/bin/python -m bench.bench_memory [REPORTERS]

The database holds every unit of the official list, a reporter for each of the 3,321 communes, a
supervisor for each of the 34 provinces, four earlier weeks submitted and this week submitted by
every commune (its draft, answers and history as a real conversation leaves them).

Each run starts the real bot (`python -m bot run`, its own process) against the sandbox:

- ``cold_start_s``: from starting the process to the bot's answer to a /start already waiting
  (interpreter, imports, settings, database, getMe, the start-up jobs, the first getUpdates, the reply);
- ``rss_ready_mb``: resident size (VmRSS) once it has answered;
- ``rss_after_traffic_mb``: after REPORTERS reporters (default 300) open their report (/baocao:
  the review of what they submitted) and every supervisor asks for the provincial rollup
  (/tonghop, when the bot has it) — the peak of the run is ``rss_peak_mb`` (VmHWM).
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.bench_conversation import _week
from bot.clock import VN_TZ
from bot.domain.forms import load_forms
from bot.domain.periods import open_periods, period_for
from bot.settings import Settings
from bot.units import official_units
from sandbox import Limits, SandboxClient, SandboxServer
from storage import Storage
from storage.models import Role

FORM_ID = "tthc-weekly"
TOKEN = "123456:BENCH"
HISTORY_WEEKS = 4
REPORTERS = 300
RUNS = 3
TARGETS = {"rss_ready_mb": ("<=", 150.0), "rss_after_reporters_mb": ("<=", 150.0), "rss_after_traffic_mb": ("<=", 150.0),
           "rss_peak_mb": ("<=", 150.0), "cold_start_s": ("<=", 2.0)}
REPORTER_BASE = 10_000_000
SUPERVISOR_BASE = 20_000_000


async def seed(path: Path, now: datetime) -> tuple[list[int], list[int]]:
    """The national database at ``path``; (reporter ids, supervisor ids)."""
    settings = Settings(_env_file=None, database_path=path)
    form = load_forms(settings.forms_dir)[FORM_ID]
    units = official_units()
    storage = await Storage.open(path)
    try:
        await storage.units.upsert_many(units)
        current = open_periods(form.period, now)[0].key
        keys = [current]
        for _ in range(HISTORY_WEEKS):
            keys.insert(0, keys[0].previous())
        periods = []
        for key in keys:
            info = period_for(form.period, key)
            periods.append(await storage.periods.upsert(FORM_ID, str(info.key), info.starts_on, info.ends_on,
                                                        info.opens_at, info.deadline_at, info.deadline_note))
        reporters: list[int] = []
        supervisors: list[int] = []
        async with storage.db.transaction():
            for index, unit in enumerate(u for u in units if u.kind == "province"):
                person = await storage.people.get_or_create(SUPERVISOR_BASE + index, now,
                                                            full_name=f"Sở KH&CN {unit.name}")
                await storage.people.add_membership(person.id, Role.SUPERVISOR, unit.code, now)
                supervisors.append(person.telegram_id)
            for index, unit in enumerate(u for u in units if u.kind == "commune"):
                person = await storage.people.get_or_create(REPORTER_BASE + index, now,
                                                            full_name=f"Cán bộ {unit.name}")
                await storage.people.add_membership(person.id, Role.REPORTER, unit.code, now)
                reporters.append(person.telegram_id)
                rng = random.Random(unit.code)
                carried = rng.randint(0, 80)
                for period in periods:
                    answers = _week(rng, carried)
                    at = min(period.deadline_at - timedelta(hours=3), now)
                    if period is periods[-1]:
                        draft = await storage.drafts.get_or_create(period.id, unit.code, at)
                        await storage.drafts.set_answers(draft.id, answers, person.id, at)
                        await storage.drafts.set_cursor(draft.id, person.id, None, at, mode="review")
                    await storage.submissions.add_version(period.id, unit.code, answers, {}, person.id, at)
                    carried = answers["pending_in_time"] + answers["pending_overdue"]
    finally:
        await storage.close()
    return reporters, supervisors


def _memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of a process, in MB."""
    found: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def _start(database: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as handle:
        return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=database.parent, env=env,
                                stdout=handle, stderr=subprocess.STDOUT)


async def _traffic(client: SandboxClient, chats: list[int], text: str) -> list[str]:
    """Each chat sends ``text``; the bot's first answer to each (its text)."""
    waits = []
    for chat in chats:
        await client.add_user(chat, "Cán bộ")
        message = await client.send_text(chat, text)
        waits.append((chat, message["message_id"]))
    return [(await _reply(client, chat, after, 180)).get("text") or "" for chat, after in waits]


async def _reply(client: SandboxClient, chat: int, after: int, timeout: float) -> dict[str, Any]:  # noqa: ASYNC109
    return await client.wait_for_bot_message(chat, after_message_id=after, timeout=timeout)


async def _measure(database: Path, reporters: list[int], supervisors: list[int], traffic: int) -> dict[str, float]:
    server = SandboxServer(limits=Limits(enforce=False))
    base = await server.start()
    client = SandboxClient(base)
    log = database.with_suffix(".log")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_", "WEBHOOK_"))}
    env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_API_BASE_URL": base, "DATABASE_PATH": str(database),
                "LOG_LEVEL": "WARNING"})
    process: subprocess.Popen[bytes] | None = None
    try:
        first = reporters[0]
        await client.add_user(first, "Cán bộ")
        sent = await client.send_text(first, "/start")
        started = time.perf_counter()
        process = _start(database, env, log)
        await _reply(client, first, sent["message_id"], 60)
        cold = time.perf_counter() - started
        ready = _memory(process.pid)

        # traffic: reporters open their submitted report, then every supervisor asks for the rollup
        chosen = random.Random(7).sample(reporters, min(traffic, len(reporters)))
        traffic_started = time.perf_counter()
        await _traffic(client, chosen, "/baocao")
        await asyncio.sleep(0.5)
        reporters_done = _memory(process.pid)
        answers = await _traffic(client, supervisors, "/tonghop")
        rollups = sum(1 for text in answers if "không có" not in text[:40])
        traffic_s = time.perf_counter() - traffic_started
        await asyncio.sleep(0.5)  # let the last sends finish
        after = _memory(process.pid)
        if process.poll() is not None:
            raise RuntimeError(f"the bot stopped: {log.read_text(errors='replace')[-2000:]}")
        process.terminate()
        process.wait(timeout=30)
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        await client.close()
        await server.stop()
    return {
        "cold_start_s": cold,
        "rss_ready_mb": ready["VmRSS"],
        "rss_after_reporters_mb": reporters_done["VmRSS"],
        "rss_after_traffic_mb": after["VmRSS"],
        "rss_peak_mb": after["VmHWM"],
        "traffic_updates": float(len(chosen) + len(supervisors)),
        "rollups_asked": float(rollups),
        "traffic_s": traffic_s,
    }


_TEMPLATE: dict[str, tuple[Path, list[int], list[int]]] = {}


def _template(now: datetime) -> tuple[Path, list[int], list[int]]:
    key = now.date().isoformat()
    if key not in _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="bench-memory-"))
        path = folder / "template.db"
        reporters, supervisors = asyncio.run(seed(path, now))
        _TEMPLATE[key] = (path, reporters, supervisors)
    return _TEMPLATE[key]


def run(traffic: int = REPORTERS) -> dict[str, float]:
    import shutil

    template, reporters, supervisors = _template(datetime.now(VN_TZ))
    with tempfile.TemporaryDirectory(prefix="bench-memory-run-") as folder:
        database = Path(folder) / "baocao.db"
        shutil.copyfile(template, database)
        result = asyncio.run(_measure(database, reporters, supervisors, traffic))
        result["database_mb"] = database.stat().st_size / 1024 / 1024
        return result


def main(argv: list[str]) -> int:
    traffic = int(argv[0]) if argv else REPORTERS
    result = run(traffic)
    for key, value in result.items():
        print(f"{key:>22}: {value:,.3f}")
    for key, (_, limit) in TARGETS.items():
        print(f"target {key} ≤ {limit}: {'ok' if result[key] <= limit else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

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
- ``rss_after_reporters_mb``: once REPORTERS reporters (default 300) have each had the review of
  what they submitted (/baocao) and the bot is idle;
- ``rss_after_traffic_mb``: once every supervisor asked for the provincial rollup (/tonghop) and
  received all of it — the chart, the .docx and the .xlsx (the first answer is only the progress
  message) — and the bot is idle again (no child process, no CPU); ``rss_peak_mb`` is the bot's
  VmHWM over the run;
- ``children_rss_peak_mb``: the highest resident size of the processes the bot started (the
  chart's), sampled every 50 ms, and ``total_rss_peak_mb`` of the bot and them together — work moved
  into other processes is counted there, not hidden.

The bot runs as an asyncio subprocess: nothing here blocks the loop that serves the sandbox.
"""

from __future__ import annotations

import asyncio
import contextlib
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
from bot.administering.units import official_units
from bot.clock import VN_TZ
from bot.domain.forms import load_forms
from bot.domain.periods import open_periods, period_for
from bot.settings import Settings
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
                supervisors.append(SUPERVISOR_BASE + index)
            for index, unit in enumerate(u for u in units if u.kind == "commune"):
                person = await storage.people.get_or_create(REPORTER_BASE + index, now,
                                                            full_name=f"Cán bộ {unit.name}")
                await storage.people.add_membership(person.id, Role.REPORTER, unit.code, now)
                reporters.append(REPORTER_BASE + index)
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
    """VmRSS and VmHWM of a process, in MB (empty if it is gone)."""
    found: dict[str, float] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return found
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def _descendants(pid: int) -> list[int]:
    """The processes the bot started (the chart's short-lived process and its helpers), recursively."""
    found: list[int] = []
    pending = [pid]
    while pending:
        parent = pending.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found.extend(children)
            pending.extend(children)
    return found


def _cpu_ticks(pids: list[int]) -> int:
    """User + system CPU of processes, in clock ticks (1/100 s)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total


class _Sampler:
    """Samples, every ``every`` seconds, the resident size of the bot's children (its own is VmHWM):
    the highest of the children together and of the bot plus its children, so that work moved into
    other processes is counted as its own figure, not hidden."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        self.pid, self.every = pid, every
        self.children_peak_mb = 0.0
        self.total_peak_mb = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            children = sum(_memory(child).get("VmRSS", 0.0) for child in _descendants(self.pid))
            own = _memory(self.pid).get("VmRSS", 0.0)
            self.children_peak_mb = max(self.children_peak_mb, children)
            self.total_peak_mb = max(self.total_peak_mb, own + children)
            await asyncio.sleep(self.every)


async def _quiet(pid: int, window: float = 0.5, longest: float = 60.0, idle_ticks: int = 2) -> None:
    """Until the bot and the processes it started are idle: the same processes (no chart being
    drawn) using at most ``idle_ticks`` of CPU together over ``window`` seconds (waiting for updates
    costs a little; multiprocessing's resource tracker stays, asleep)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + longest
    while loop.time() < deadline:
        processes = [pid, *_descendants(pid)]
        before = _cpu_ticks(processes)
        await asyncio.sleep(window)
        if [pid, *_descendants(pid)] == processes and _cpu_ticks(processes) - before <= idle_ticks:
            return
    raise RuntimeError(f"the bot was still busy {longest} s after its last rollup")


async def _start(database: Path, env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as handle:
        return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=database.parent,
                                                    env=env, stdout=handle, stderr=subprocess.STDOUT)


async def _traffic(client: SandboxClient, chats: list[int], text: str) -> list[tuple[int, int]]:
    """Each chat sends ``text``; (chat, message id) of each."""
    sent = []
    for chat in chats:
        await client.add_user(chat, "Cán bộ")
        message = await client.send_text(chat, text)
        sent.append((chat, message["message_id"]))
    return sent


async def _reply(client: SandboxClient, chat: int, after: int, timeout: float) -> dict[str, Any]:  # noqa: ASYNC109
    return await client.wait_for_bot_message(chat, after_message_id=after, timeout=timeout)


ROLLUP_FILES = frozenset({"chart", ".docx", ".xlsx"})


def _files(messages: list[dict[str, Any]], after: int) -> set[str]:
    """What of a rollup's files (chart, .docx, .xlsx) the bot sent after message ``after``."""
    kinds: set[str] = set()
    for message in messages:
        if message["message_id"] <= after:
            continue
        if message.get("photo"):
            kinds.add("chart")
        name = (message.get("document") or {}).get("file_name", "")
        kinds |= {suffix for suffix in (".docx", ".xlsx") if name.endswith(suffix)}
    return kinds


async def _rollup_done(client: SandboxClient, chat: int, after: int, timeout: float) -> None:  # noqa: ASYNC109
    """Until the chart, the .docx and the .xlsx of the rollup asked by ``after`` are all in the chat
    (the first answer is only the progress message: the rollup is still running then)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        messages = await client.bot_messages(chat)
        if _files(messages, after) >= ROLLUP_FILES:
            return
        remaining = deadline - loop.time()
        if remaining <= 0:
            texts = [m.get("text") or m.get("caption") for m in messages if m["message_id"] > after]
            raise TimeoutError(f"the rollup for chat {chat} did not arrive within {timeout} s: {texts}")
        seen = max((m["seq"] for m in messages), default=0)
        with contextlib.suppress(TimeoutError):  # anything new in the chat (a file, an edit): look again
            await client.wait_for_bot_message(chat, since=seen, timeout=min(remaining, 10.0))


async def _measure(database: Path, reporters: list[int], supervisors: list[int], traffic: int) -> dict[str, float]:
    server = SandboxServer(limits=Limits(enforce=False))
    base = await server.start()
    client = SandboxClient(base)
    log = database.with_suffix(".log")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_", "WEBHOOK_"))}
    env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_API_BASE_URL": base, "DATABASE_PATH": str(database),
                "LOG_LEVEL": "WARNING"})
    process: asyncio.subprocess.Process | None = None
    sampler: _Sampler | None = None
    try:
        first = reporters[0]
        await client.add_user(first, "Cán bộ")
        sent = await client.send_text(first, "/start")
        started = time.perf_counter()
        process = await _start(database, env, log)
        await _reply(client, first, sent["message_id"], 60)
        cold = time.perf_counter() - started
        ready = _memory(process.pid)
        sampler = _Sampler(process.pid)
        sampler.start()

        # traffic: reporters open their submitted report, then every supervisor asks for the rollup
        chosen = random.Random(7).sample(reporters, min(traffic, len(reporters)))
        traffic_started = time.perf_counter()
        opened = await _traffic(client, chosen, "/baocao")
        for chat, message_id in opened:
            await _reply(client, chat, message_id, 180)  # the review of what they submitted
        await _quiet(process.pid)
        reporters_done = _memory(process.pid)
        asked = await _traffic(client, supervisors, "/tonghop")
        await asyncio.gather(*(_rollup_done(client, chat, message_id, 300) for chat, message_id in asked))
        traffic_s = time.perf_counter() - traffic_started
        await _quiet(process.pid)  # the last sends answered, the chart processes gone
        after = _memory(process.pid)
        await sampler.stop()
        if process.returncode is not None:
            raise RuntimeError(f"the bot stopped: {log.read_text(errors='replace')[-2000:]}")
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)  # the loop keeps serving the bot's last requests
    finally:
        if sampler is not None:
            await sampler.stop()
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()
        await client.close()
        await server.stop()
    return {
        "cold_start_s": cold,
        "rss_ready_mb": ready["VmRSS"],
        "rss_after_reporters_mb": reporters_done["VmRSS"],
        "rss_after_traffic_mb": after["VmRSS"],
        "rss_peak_mb": after["VmHWM"],
        "children_rss_peak_mb": sampler.children_peak_mb,
        "total_rss_peak_mb": sampler.total_peak_mb,
        "traffic_updates": float(len(chosen) + len(supervisors)),
        "rollups_delivered": float(len(asked)),
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

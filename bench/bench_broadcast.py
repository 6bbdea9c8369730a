"""A reminder broadcast to every commune through the sandbox at Telegram's limits (issue 5:
3,321 chats within 5 % of the ideal 3,321 / 30 s, never over the limits).

    .venv/bin/python -m bench.bench_broadcast [CHATS]

The sandbox runs in a process of its own, as Telegram is a server of its own (in the bot's
process its work would be charged to the bot's event loop), and enforces 30 sends in any
one-second window and one per chat per second (429s otherwise). The bot is built as `python -m bot run` builds it (HTTP, PacedRateLimiter), on a
database with the official units and one reporter per commune; the week's first reminder is
recorded, then sent by the same code the scheduler runs (``Broadcaster.drain``). The figures:
time, the ideal, the sandbox's maximum sends in any one-second window and the 429s it had to
answer for its limits.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

from bot.administering.units import official_units
from bot.app import build_application
from bot.clock import VN_TZ, FakeClock
from bot.context import BaocaoApplication
from bot.notices.broadcast import AfterSend, DrainReport
from bot.notices.plan import REMINDER
from bot.settings import Settings
from sandbox import SandboxClient
from storage import Storage
from storage.models import Role

RUNS = 3
TARGETS = {"over_ideal_pct": ("<=", 5.0), "max_sends_in_any_1s": ("<=", 30.0), "limit_429s": ("<=", 0.0)}
REMINDER_AT = datetime(2025, 12, 17, 9, 0, tzinfo=VN_TZ)  # the first reminder of 2025-W50
TELEGRAM_PER_SECOND = 30
FIRST_CHAT = 700_000


async def _seed(path: Path, chats: int) -> int:
    storage = await Storage.open(path)
    try:
        units = official_units()
        await storage.units.upsert_many(units)
        communes = [u for u in units if u.kind == "commune"][:chats]
        since = REMINDER_AT - timedelta(days=30)
        async with storage.db.transaction():
            for index, unit in enumerate(communes):
                person = await storage.people.get_or_create(FIRST_CHAT + index, since, f"Cán bộ {unit.name}")
                await storage.people.add_membership(person.id, Role.REPORTER, unit.code, since)
        return len(communes)
    finally:
        await storage.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def _sandbox_process(log: Path) -> AsyncIterator[str]:
    """The sandbox in a process of its own, as Telegram is: its work does not share the bot's loop."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as sink:
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "sandbox", "--port", str(port),
                                                       stdout=sink, stderr=asyncio.subprocess.STDOUT)
    try:
        async with SandboxClient(base) as client:
            for _ in range(200):
                try:
                    await client.stats()
                    break
                except OSError:
                    await asyncio.sleep(0.05)
            else:
                raise RuntimeError(f"the sandbox did not start; see {log}")
        yield base
    finally:
        process.terminate()
        await process.wait()


async def fire_and_drain(app: BaocaoApplication, after_send: AfterSend | None = None) -> tuple[int, DrainReport, float]:
    """Record the week's first reminder, then send it all: the notices recorded, the drain's report
    and the ``perf_counter`` at which the sending began (the measure starts there)."""
    scheduler = app.reminders
    assert scheduler is not None, "the calendar is installed by initialize()"
    if after_send is not None:
        scheduler.broadcaster.after_send = after_send
    [period] = [p for p in await scheduler.reminders.ensure_periods("tthc-weekly", REMINDER_AT)
                if p.key == "2025-W50"]
    recorded = await scheduler.reminders.fire(period, REMINDER, REMINDER_AT)
    started = time.perf_counter()
    return recorded, await scheduler.broadcaster.drain(), started


async def _run(chats: int, injected_429: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.db"
        chats = await _seed(database, chats)
        async with _sandbox_process(Path(folder) / "sandbox.log") as base, SandboxClient(base) as client:
            for index in range(chats):
                await client.add_user(FIRST_CHAT + index, f"Cán bộ {index + 1}")
            if injected_429 > 0:  # Telegram's bad days: this share of sends answered 429 retry_after 1
                await client.inject_fault("sendMessage", kind="429", probability=injected_429, retry_after=1, seed=7)
            settings = Settings(_env_file=None, database_path=database, bot_api_base_url=base)
            clock = FakeClock(REMINDER_AT)
            app = build_application(settings, token="123456:TEST", clock=clock)
            async with app:
                recorded, report, started = await fire_and_drain(app)
                seconds = time.perf_counter() - started
            stats = await client.stats()
    ideal = chats / TELEGRAM_PER_SECOND
    return {
        "chats": float(chats),
        "recorded": float(recorded),
        "sent": float(report.sent),
        "seconds": seconds,
        "ideal_seconds": ideal,
        "over_ideal_pct": (seconds / ideal - 1) * 100,
        "sends_per_second": report.sent / seconds,
        "max_sends_in_any_1s": float(stats["max_sends_in_1s"]),
        "limit_429s": float(stats["answered_429"]["limit"]),
        "injected_429s": float(stats["answered_429"].get("injected", 0)),
        "same_chat_within_1s": float(stats["sends_within_1s_same_chat"]),
        "within_5pct": float(seconds <= ideal * 1.05),
    }


def run(chats: int = 3321, injected_429: float = 0.05) -> dict[str, float]:
    """Broadcast one reminder to ``chats`` communes (at most 3,321), with ``injected_429`` of the
    sends answered 429 by the sandbox (issue 8: 5 %); the figures."""
    return asyncio.run(_run(chats, injected_429))


if __name__ == "__main__":
    figures = run(int(sys.argv[1]) if len(sys.argv) > 1 else 3321)
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        print(f"{name:<{width}}  {value:,.3f}" if isinstance(value, float) and not value.is_integer()
              else f"{name:<{width}}  {value:,.0f}")

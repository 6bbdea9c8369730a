"""A reminder broadcast to a population on both messengers (issue 17: e.g. 60 % on Zalo), each at
its own limits: Telegram 30 sends/s (the sandbox enforces it, with one per chat per second), Zalo
``ZALO_SEND_RATE`` (5/s by default; Zalo publishes no limit, so the sandbox is set to enforce that
rate and answers 429 over it).

    .venv/bin/python -m bench.bench_broadcast_mixed [CHATS] [ZALO_SHARE] [ZALO_RATE]

The sandbox runs in a process of its own. The bot is built as `python -m bot run` builds it (the
routing sender over Telegram's paced sender and Zalo's), on a database with the official units
and one reporter per commune, ``ZALO_SHARE`` of them only on Zalo; the week's first reminder is
recorded, then sent by ``Broadcaster.drain``. The figures: the whole time, the ideal
(the slower messenger's count over its rate), when each messenger's last notice was confirmed,
the most sends per messenger in any one second, and the 429s each sandbox answered for its limits.

Each messenger keeps its own pace: a Zalo notice whose turn is far off comes back ``NotYet`` and
waits in the broadcaster's queue of tries, so Telegram's share is not held up by Zalo's (600
communes, 60 % on Zalo at 5/s: Telegram's 240 done in 8.4 s for an ideal of 8 s, Zalo's 360 in
79.4 s — the ideal 72 s plus the pace's 10 % margin — and no 429 from either sandbox).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.bench_broadcast import REMINDER_AT, _sandbox_process, fire_and_drain
from bot.administering.units import official_units
from bot.app import build_application
from bot.clock import FakeClock
from bot.notices.sending import Sent
from bot.settings import Settings
from sandbox import SandboxClient
from storage import Storage
from storage.codec import dt_text
from storage.models import Notice, Role

RUNS = 1  # each run takes a minute or more at Zalo's conservative rate
# The Zalo pace spreads ZALO_SEND_RATE sends over 1.1 s (handlers.zalo.pacing), so 10 % over the
# ideal is by design; a 429 from Zalo's sandbox comes only from sends bunched on the way (a busy
# machine), and is waited out by its chat alone.
# Each sandbox enforces its messenger's limit and answers 429 over it: those 429s are the proof
# that no limit was broken (the "confirmed" counts are when the answers came back, bunched or not).
TARGETS = {"over_ideal_pct": ("<=", 15.0), "telegram_over_its_ideal_pct": ("<=", 15.0),
           "telegram_limit_429s": ("<=", 0.0), "zalo_limit_429s": ("<=", 3.0)}
TELEGRAM_PER_SECOND = 30
FIRST_CHAT = 700_000
ZALO_TOKEN = "738499441022218443:HcapvQPPTFJvrEX"


async def _seed(path: Path, chats: int, zalo_share: float) -> tuple[list[int], list[str]]:
    """One reporter per commune: every ``1/zalo_share``-th … only on Zalo, spread evenly."""
    storage = await Storage.open(path)
    telegram: list[int] = []
    zalo: list[str] = []
    try:
        units = official_units()
        await storage.units.upsert_many(units)
        communes = [u for u in units if u.kind == "commune"][:chats]
        since = REMINDER_AT - timedelta(days=30)
        async with storage.db.transaction() as conn:
            for index, unit in enumerate(communes):
                on_zalo = int((index + 1) * zalo_share) > int(index * zalo_share)
                telegram_id = None if on_zalo else FIRST_CHAT + index
                zalo_id = f"z{index:05d}" if on_zalo else None
                rows = list(await conn.execute_fetchall(
                    "INSERT INTO people (telegram_id, zalo_id, messenger, full_name, created_at)"
                    " VALUES (?, ?, ?, ?, ?) RETURNING id",
                    (telegram_id, zalo_id, "zalo" if on_zalo else "telegram", f"Cán bộ {unit.name}", dt_text(since))))
                await storage.people.add_membership(int(rows[0][0]), Role.REPORTER, unit.code, since)
                if zalo_id is not None:
                    zalo.append(zalo_id)
                elif telegram_id is not None:
                    telegram.append(telegram_id)
        return telegram, zalo
    finally:
        await storage.close()


def _max_in_1s(times: list[float]) -> int:
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def _run(chats: int, zalo_share: float, zalo_rate: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.db"
        telegram, zalo = await _seed(database, chats, zalo_share)
        async with _sandbox_process(Path(folder) / "sandbox.log") as base, SandboxClient(base) as client:
            for chat in telegram:
                await client.add_user(chat, "Cán bộ")
            for user in zalo:
                await client.zalo.add_user(user, "Cán bộ")
            await client.zalo.set_limits(global_per_second=int(zalo_rate), per_chat_per_second=1.0, enforce=True)
            settings = Settings(_env_file=None, database_path=database, bot_api_base_url=base,
                                zalo_bot_token=ZALO_TOKEN, zalo_api_base_url=f"{base}/zalo", zalo_send_rate=zalo_rate)
            app = build_application(settings, token="123456:TEST", clock=FakeClock(REMINDER_AT))
            confirmed: dict[str, list[float]] = {"telegram": [], "zalo": []}

            async def note(notice: Notice, _: Sent) -> None:
                confirmed["zalo" if notice.chat_id < 0 else "telegram"].append(time.perf_counter())

            async with app:
                recorded, report, started = await fire_and_drain(app, after_send=note)
                seconds = time.perf_counter() - started
            telegram_stats = await client.stats()
            zalo_stats = await client.zalo.stats()
    ideal = max(len(telegram) / TELEGRAM_PER_SECOND, len(zalo) / zalo_rate)
    return {
        "chats": float(chats),
        "on_zalo": float(len(zalo)),
        "recorded": float(recorded),
        "sent": float(report.sent),
        "seconds": seconds,
        "ideal_seconds": ideal,
        "over_ideal_pct": (seconds / ideal - 1) * 100,
        "telegram_last_s": (max(confirmed["telegram"], default=started) - started),
        "telegram_ideal_s": len(telegram) / TELEGRAM_PER_SECOND,
        "zalo_last_s": (max(confirmed["zalo"], default=started) - started),
        "zalo_ideal_s": len(zalo) / zalo_rate,
        "telegram_over_its_ideal_pct": ((max(confirmed["telegram"], default=started) - started)
                                        / max(len(telegram) / TELEGRAM_PER_SECOND, 1e-9) - 1) * 100,
        "telegram_max_confirmed_in_1s": float(_max_in_1s(sorted(confirmed["telegram"]))),
        "zalo_max_confirmed_in_1s": float(_max_in_1s(sorted(confirmed["zalo"]))),
        "telegram_limit_429s": float(telegram_stats["answered_429"]["limit"]),
        "zalo_limit_429s": float(zalo_stats["answered_429"]["limit"]),
    }


def run(chats: int = 600, zalo_share: float = 0.6, zalo_rate: float = 5.0) -> dict[str, float]:
    """Broadcast one reminder to ``chats`` communes, ``zalo_share`` of them on Zalo at ``zalo_rate``."""
    return asyncio.run(_run(chats, zalo_share, zalo_rate))


if __name__ == "__main__":
    args = sys.argv[1:]
    figures = run(int(args[0]) if args else 600, float(args[1]) if len(args) > 1 else 0.6,
                  float(args[2]) if len(args) > 2 else 5.0)
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        print(f"{name:<{width}}  {value:,.3f}" if not value.is_integer() else f"{name:<{width}}  {value:,.0f}")

"""SIGTERM to the real bot process (what systemd and `docker stop` send) while a supervisor's rollup
and a broadcast to the 92 communes of Thái Nguyên are both in flight: the process ends within 10 s
with status 0 and no traceback, and loses nothing.

The sandbox makes Telegram slow where it matters, so that the work is surely in flight: the rollup's
chart (sendPhoto) and one reporter's notice take 30 s to be answered; the notices are recorded once
the rollup is stuck on its chart (as a moment's job records them), and the stop comes while they
are being sent. After the stop:

- every notice the sandbox received is marked sent, except the one whose request was on its way
  (marked ``unknown`` at the next start and not sent again: at most once, bot/notices/broadcast.py);
- every other notice is still pending, and goes out after a restart, once;
- the supervisor is told that the rollup was cut off and to ask again.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from pathlib import Path

import pytest

from bot.chat.catalogue import say
from bot.clock import VN_TZ
from bot.domain.forms import load_forms
from bot.notices.plan import NUDGE
from bot.reporting.periods import choose_period
from bot.settings import Settings
from storage import Storage
from storage.models import NoticeStatus, Role
from tests.e2e.botprocess import BotProcess
from tests.e2e.test_webhook import SECRET, WebhookBotProcess, free_port
from tests.faults.officials import integrity
from tests.faults.test_kill_broadcast import MARK, _open_notices, _until_sent
from tests.integration.seed import bind, load_units

SUPERVISOR = 7_100_001
FIRST_ID = 7_200_000
SLOW = 30.0  # seconds Telegram takes to answer the slow requests: longer than any stop may wait


async def _seed(database: Path, now: datetime) -> list[int]:
    """The province's supervisor, and a reporter for each commune; their chats."""
    storage = await Storage.open(database)
    try:
        communes = await load_units(storage)
        await bind(storage, SUPERVISOR, "Trần Văn Sơn", Role.SUPERVISOR, await storage.units.get("19"), now)
        chats = []
        for index, unit in enumerate(communes):
            person = await storage.people.get_or_create(FIRST_ID + index, now, full_name=f"Cán bộ {unit.name}")
            await storage.people.add_membership(person.id, Role.REPORTER, unit.code, now)
            chats.append(person.telegram_id)
        return chats
    finally:
        await storage.close()


async def _record_nudges(database: Path, now: datetime) -> None:
    """One nudge due now to each reporter, recorded beside the running bot (as a moment's job
    records its notices); its sweep sends them."""
    storage = await Storage.open(database)
    try:
        form = load_forms(Settings(_env_file=None).forms_dir)["tthc-weekly"]  # type: ignore[call-arg]
        communes = await storage.units.list_communes("19")
        period = await choose_period(storage, form, communes[0].code, now)
        for index, unit in enumerate(communes):
            person = await storage.people.get_by_telegram_id(FIRST_ID + index)
            assert person is not None
            await storage.notices.record_due(NUDGE, person.telegram_id, now, period_id=period.id,
                                             person_id=person.id, payload={"units": [unit.code]}, ref="sigterm")
    finally:
        await storage.close()


async def _statuses(database: Path, chats: list[int]) -> dict[int, NoticeStatus]:
    storage = await Storage.open(database)
    try:
        found = {}
        for chat in chats:
            notices = await storage.notices.list_for_chat(chat, NUDGE)
            assert len(notices) == 1
            found[chat] = notices[0].status
        return found
    finally:
        await storage.close()


def _children(pid: int) -> set[int]:
    """The processes the bot started (the chart's), from /proc."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(child) for child in (task / "children").read_text().split()}
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_sigterm_with_a_rollup_and_a_broadcast_in_flight_loses_nothing(mode: str, sandbox, tmp_path: Path,
                                                                               monkeypatch) -> None:
    server, client = sandbox
    monkeypatch.setenv("REMINDERS_SWEEP_SECONDS", "1")  # after the restart, what is left goes out at once
    database = tmp_path / "baocao.db"
    now = datetime.now(VN_TZ)
    chats = await _seed(database, now)
    for chat in [*chats, SUPERVISOR]:
        await client.add_user(chat, "Cán bộ")
    slow_chat = chats[2]
    await client.inject_fault("sendMessage", "slow", delay=SLOW, chat_id=slow_chat)
    await client.inject_fault("sendPhoto", "slow", delay=SLOW, chat_id=SUPERVISOR)

    if mode == "webhook":
        port = free_port()
        bot: BotProcess = WebhookBotProcess(server.base_url, database, {
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/hook", "WEBHOOK_SECRET": SECRET, "WEBHOOK_PORT": str(port),
            "LOG_LEVEL": "INFO"})
    else:
        bot = BotProcess(server.base_url, database)
    bot.start()
    try:
        sent = await client.send_text(SUPERVISOR, "/tonghop tuan")  # the weekly report, also when several are scheduled
        status = await client.wait_for_bot_message(SUPERVISOR, after_message_id=sent["message_id"], timeout=30)
        assert "Đang tổng hợp" in status["text"], bot.output()
        for _ in range(300):  # the rollup reaches its chart, whose answer is slow; the broadcast goes on
            if await client.requests(method="sendPhoto"):
                break
            await asyncio.sleep(0.05)
        assert await client.requests(method="sendPhoto"), bot.output()
        await _record_nudges(database, datetime.now(VN_TZ))
        await _until_sent(client, chats, 10)
        sends = sum(1 for chat in chats if server.state.bot_messages(chat))
        assert sends < len(chats) - 10, "the broadcast was over before the stop"

        assert bot.process is not None
        children = _children(bot.process.pid)
        started = time.monotonic()
        code = await bot.stop(timeout=10)
        took = time.monotonic() - started
    finally:
        if bot.process is not None and bot.process.poll() is None:
            bot.kill()
    output = bot.output()
    assert code == 0, output
    assert took < 10, (took, output)
    assert "Traceback" not in output and " ERROR " not in output and " CRITICAL " not in output, output
    # multiprocessing's resource tracker ends when it sees its parent gone, a moment after: a leak stays
    for _ in range(60):
        if not [pid for pid in children if _alive(pid)]:
            break
        await asyncio.sleep(0.05)
    assert not [pid for pid in children if _alive(pid)], "a process the bot started outlived it"

    # What Telegram received is marked sent; what it did not is still pending, except the notice on
    # its way at the stop (its answer never came: unknown at the next start, never sent twice).
    received = {chat for chat in chats if any((m.text or "").startswith(MARK) for m in server.state.bot_messages(chat))}
    statuses = await _statuses(database, chats)
    for chat in chats:
        if chat == slow_chat:
            assert statuses[chat] in {NoticeStatus.SENDING, NoticeStatus.SENT}, statuses[chat]
        elif chat in received:
            assert statuses[chat] == NoticeStatus.SENT, (chat, statuses[chat])
        else:
            assert statuses[chat] == NoticeStatus.PENDING, (chat, statuses[chat])
    assert len(received) < len(chats) - 10

    # The supervisor knows the rollup was cut off.
    texts = [m.text or "" for m in server.state.bot_messages(SUPERVISOR)]
    assert say("shutdown.rollup_interrupted") in texts, texts

    # After a restart every notice left goes out, once; the one on its way is not sent again.
    await client.clear_faults()
    bot.start()
    try:
        for _ in range(300):
            if await _open_notices(database) == 0:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
        assert await bot.stop() == 0
    finally:
        if bot.process is not None and bot.process.poll() is None:
            bot.kill()
    counts = {chat: sum(1 for m in server.state.bot_messages(chat) if (m.text or "").startswith(MARK))
              for chat in chats}
    assert [chat for chat, n in counts.items() if n > 1] == []
    statuses = await _statuses(database, chats)
    assert statuses[slow_chat] in {NoticeStatus.UNKNOWN, NoticeStatus.SENT}
    assert all(counts[chat] == 1 for chat in chats if chat != slow_chat), counts
    assert all(status == NoticeStatus.SENT for chat, status in statuses.items() if chat != slow_chat), statuses
    assert await integrity(database) == ["ok"]
    assert "Traceback" not in bot.output()

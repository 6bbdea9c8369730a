"""Two forms open at once, end to end through the sandbox: an official whose commune has begun its
monthly NQ57 report is asked by /baocao which report to enter, taps the monthly one and answers it;
the answers land in the monthly draft in SQLite, the weekly report untouched. The bot runs as its own
process on the real clock, with the real forms folder: the monthly report begun beforehand keeps it
offered whatever the day."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.administering.tokens import create_invite
from bot.clock import VN_TZ
from bot.domain.forms import load_forms
from bot.domain.periods import current_open_period
from bot.reporting.periods import ensure_period
from sandbox import SandboxClient, SandboxServer
from storage import Storage
from storage.models import Role
from tests.domain.conftest import FORMS_DIR
from tests.e2e.botprocess import BotProcess, buttons
from tests.integration.seed import load_units

LAN = 2101


async def seed(database: Path) -> tuple[str, str, int]:
    """An invitation for Phúc Lộc, whose monthly report of the current month is begun (a draft)."""
    storage = await Storage.open(database)
    try:
        now = datetime.now(VN_TZ)
        unit = next(u for u in await load_units(storage) if u.name == "Phúc Lộc")
        token, _ = await create_invite(storage, Role.REPORTER, unit, created_by=None, now=now)
        monthly = load_forms(FORMS_DIR)["nq57-monthly"]
        period = await ensure_period(storage, current_open_period(monthly.period, now))
        draft = await storage.drafts.get_or_create(period.id, unit.code, now)
        return token, unit.code, draft.id
    finally:
        await storage.close()


async def test_an_official_taps_the_monthly_report_and_answers_it(
        sandbox: tuple[SandboxServer, SandboxClient], bot_process: BotProcess) -> None:
    _, client = sandbox
    token, code, draft_id = await seed(bot_process.database)
    bot_process.forms_dir = FORMS_DIR  # both forms, as deployed
    bot_process.start()
    await client.add_user(LAN, "Lan", "Nguyễn Thị")
    await client.send_text(LAN, f"/start {token}")
    welcome = await client.wait_for_bot_message(LAN, timeout=30)
    assert "Xã Phúc Lộc" in welcome["text"]

    await client.send_text(LAN, "/baocao")
    which = await client.wait_for_bot_message(LAN, after_message_id=welcome["message_id"], timeout=10)
    assert which["text"].startswith("Anh/Chị muốn nhập báo cáo nào?"), which["text"]
    labels = [label for label, _ in buttons(which)]
    assert len(labels) == 2 and any(label.startswith("📝 Báo cáo Tuần ") for label in labels), labels
    [(label, data)] = [(label, data) for label, data in buttons(which) if "NQ57" in label]
    assert data.startswith("rp:") and data.endswith(f":{code}")

    await client.tap(LAN, which["message_id"], data=data)
    question = await client.wait_for_bot_message(LAN, after_message_id=which["message_id"], timeout=10)
    assert question["text"].startswith("📋 Báo cáo tháng NQ57 tháng "), question["text"]
    assert "Câu 1/" in question["text"] and "Kế hoạch thực hiện Nghị quyết số 57-NQ/TW" in question["text"]

    await client.send_text(LAN, "Cuộc họp BCĐ: 2\nNhiệm vụ được giao: 12")
    filled = await client.wait_for_bot_message(LAN, after_message_id=question["message_id"], timeout=10)
    assert filled["text"].startswith("Đã điền 2 mục: 1.2. Cuộc họp BCĐ, Nhiệm vụ được giao."), filled["text"]

    storage = await Storage.open(bot_process.database)
    try:
        assert await storage.drafts.values(draft_id) == {"meetings": 2, "tasks_assigned": 12}
        week = current_open_period(load_forms(FORMS_DIR)["tthc-weekly"].period, datetime.now(VN_TZ))
        period = await storage.periods.get("tthc-weekly", str(week.key))
        weekly = await storage.drafts.find(period.id, code) if period is not None else None
        assert weekly is None or await storage.drafts.values(weekly.id) == {}
    finally:
        await storage.close()
    assert await bot_process.stop() == 0

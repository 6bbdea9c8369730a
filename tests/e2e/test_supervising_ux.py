"""Issue 16, supervisors' items, end to end: the real bot process (`python -m bot run`) against the
sandbox over HTTP. /tonghop opens on the open period once communes reported in it (7), «↩ Trả lại để
sửa» asks the reason in chat and keeps asking across a restart (8), /chuanop is one short honest
message and its nudge counts only who can be reached (9).

The bot runs on the system clock: the tests store a calendar override (as /lich would) under which
a period is always open — it opens on Monday 00:00 and is due on the Sunday after, 23:59 — so they
pass whatever the day."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import VN_TZ
from bot.domain.forms import WEEKLY_FORM_ID, load_form
from bot.domain.periods import PeriodInfo, current_open_period, period_for
from bot.notices.plan import effective_spec
from bot.reporting.periods import ensure_period
from storage import Storage
from storage.models import Role, Unit
from tests.e2e.botprocess import BotProcess, buttons
from tests.integration.seed import bind, load_units
from tests.rollup import scenario as sc
from tests.rollup.conftest import FORM_PATH

SUP, LAN, BINH, DUNG = 3301, 3302, 3303, 3304
ALWAYS_OPEN = {
    "opens": {"weekday": "monday", "time": "00:00", "move_to_working_day": False},
    "deadline": {"weekday": "sunday", "time": "23:59", "move_to_working_day": False},
    "reminders": [],
}


def text_of(message: dict[str, Any]) -> str:
    return message.get("text") or message.get("caption") or ""


def open_period(now: datetime) -> PeriodInfo:
    """The period open at ``now`` under ``ALWAYS_OPEN``; skipped in the minute around its deadline."""
    info = current_open_period(effective_spec(load_form(FORM_PATH).period, ALWAYS_OPEN), now)
    if not now < info.deadline_at - timedelta(minutes=3):
        pytest.skip("the calendar's one minute of the week without an open period")
    return info


async def world(database: Path) -> tuple[Storage, list[Unit], PeriodInfo]:
    """The province, its supervisor and the always-open calendar; the storage left open."""
    storage = await Storage.open(database)
    communes = await load_units(storage)
    now = datetime.now(VN_TZ)
    await bind(storage, SUP, "Trần Văn Sơn", Role.SUPERVISOR, await storage.units.get("19"), now)
    await storage.calendar.set_override(WEEKLY_FORM_ID, ALWAYS_OPEN, by=None, at=now)
    return storage, communes, open_period(now)


async def start(client: Any, bot_process: BotProcess) -> None:
    bot_process.start()
    await client.add_user(SUP, "Sơn", "Trần Văn")
    await client.send_text(SUP, "/help")
    await client.wait_for_bot_message(SUP, timeout=30)


# --- 7. /tonghop on the open period ------------------------------------------------------------


async def test_tonghop_opens_on_the_open_period_with_reports(sandbox, bot_process: BotProcess) -> None:
    _, client = sandbox
    storage, communes, info = await world(bot_process.database)
    try:
        form = load_form(FORM_PATH)
        current = await ensure_period(storage, info)
        before = await ensure_period(storage, period_for(form.period, info.key.previous()))
        for period, commune in ((before, communes[41]), (current, communes[40]), (current, communes[42])):
            await storage.submissions.add_version(period.id, commune.code, sc.steady(40, 1, 12), {}, None,
                                                  period.opens_at + timedelta(minutes=5))
    finally:
        await storage.close()
    await start(client, bot_process)

    await client.send_text(SUP, "/tonghop tuan")  # the weekly report (asked when several are scheduled)
    summary = await client.wait_for_bot_message(SUP, timeout=60, predicate=lambda m: "TỔNG HỢP" in text_of(m))
    assert info.key.short_label.upper() in summary["text"], summary["text"]
    assert summary["text"].startswith("⏳ Kỳ này chưa hết hạn (hạn nộp 23:59 ngày ")
    assert "Đã nộp 2/92, còn 90 xã, phường chưa nộp." in summary["text"]
    assert f"« {info.key.previous().short_label}" in str(buttons(summary))
    assert await bot_process.stop() == 0


# --- 9. /chuanop short and honest ----------------------------------------------------------------


async def test_chuanop_is_one_short_message_and_its_nudge_counts_who_can_be_reached(
        sandbox, bot_process: BotProcess) -> None:
    _, client = sandbox
    storage, communes, _ = await world(bot_process.database)
    try:
        now = datetime.now(VN_TZ)
        await bind(storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, communes[0], now)
        binh = await bind(storage, BINH, "Đặng Văn Bình", Role.REPORTER, communes[1], now)
        await storage.people.set_blocked(binh.id, now)
        dung = await bind(storage, DUNG, "Vũ Thị Dung", Role.REPORTER, communes[2], now)
        await storage.people.set_pause(dung.id, now.date() - timedelta(days=1), now.date() + timedelta(days=6))
    finally:
        await storage.close()
    await start(client, bot_process)
    await client.add_user(LAN, "Lan", "Nguyễn Thị")

    await client.send_text(SUP, "/chuanop tuan")
    listing = await client.wait_for_bot_message(SUP, timeout=15, predicate=lambda m: "Chưa nộp:" in text_of(m))
    lines = listing["text"].split("\n")
    assert "Chưa nộp: 92/92 xã, phường." in lines
    assert f"🔔 Nhắc được qua bot (1 xã): {communes[0].full_name} (Nguyễn Thị Lan)." in lines
    assert "✖ Không nhắc được qua bot (91 xã):" in lines
    assert f"• cán bộ đã chặn bot (1): {communes[1].full_name} (Đặng Văn Bình)." in lines
    assert f"• cán bộ đang nghỉ phép (1): {communes[2].full_name} (Vũ Thị Dung)." in lines
    assert any(line.startswith("• chưa có cán bộ báo cáo (89): ") for line in lines) and len(lines) <= 8
    [(label, _)] = buttons(listing)
    assert label == "🔔 Nhắc ngay (1 xã)"

    await client.tap(SUP, listing["message_id"], text=label)
    told = await client.wait_for_bot_message(SUP, after_message_id=listing["message_id"], timeout=15,
                                             predicate=lambda m: "lời nhắc" in text_of(m))
    assert "Đã gửi lời nhắc tới 1 cán bộ của 1 xã, phường" in told["text"]
    assert f"• cán bộ đã chặn bot (1): {communes[1].full_name} (Đặng Văn Bình)." in told["text"]
    assert await bot_process.stop() == 0


# --- 8. «↩ Trả lại để sửa» asks the reason ---------------------------------------------------------


async def test_the_return_button_asks_the_reason_across_a_restart(sandbox, bot_process: BotProcess) -> None:
    _, client = sandbox
    storage, communes, info = await world(bot_process.database)
    try:
        now = datetime.now(VN_TZ)
        commune = communes[40]
        await bind(storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, commune, now)
        period = await ensure_period(storage, info)
        submission = await storage.submissions.add_version(period.id, commune.code, sc.steady(40, 1, 12), {}, None,
                                                           period.opens_at + timedelta(minutes=5))
    finally:
        await storage.close()
    await start(client, bot_process)
    await client.add_user(LAN, "Lan", "Nguyễn Thị")

    await client.send_text(SUP, f"/xa {commune.code} tuan")
    card = await client.wait_for_bot_message(SUP, timeout=15, predicate=lambda m: "↩ Trả lại để sửa" in str(buttons(m)))
    await client.tap(SUP, card["message_id"], text="↩ Trả lại để sửa")
    ask = await client.wait_for_bot_message(SUP, after_message_id=card["message_id"], timeout=15,
                                            predicate=lambda m: "gửi lý do" in text_of(m))
    assert "/tralai" not in ask["text"] and [label for label, _ in buttons(ask)] == ["✖ Hủy"]

    bot_process.kill()  # between the tap and the reason, without warning
    bot_process.start()
    await client.send_text(SUP, "sai")  # too short: asked again, nothing returned
    again = await client.wait_for_bot_message(SUP, after_message_id=ask["message_id"], timeout=30,
                                              predicate=lambda m: "Lý do quá ngắn" in text_of(m))
    await client.send_text(SUP, "Mục Hồ sơ kỳ trước chuyển sang chưa khớp.\nMục Khó khăn: ghi cụ thể hơn.")
    done = await client.wait_for_bot_message(SUP, after_message_id=again["message_id"], timeout=15,
                                             predicate=lambda m: "Đã trả lại" in text_of(m))
    assert f"của {commune.full_name} (lần 1). Đã báo cho 1 cán bộ của xã" in done["text"]
    told = await client.wait_for_bot_message(LAN, after_message_id=0, timeout=15,
                                             predicate=lambda m: "trả lại để sửa" in text_of(m))
    assert "Lý do: Mục Hồ sơ kỳ trước chuyển sang chưa khớp.\nMục Khó khăn: ghi cụ thể hơn." in told["text"]
    assert [label for label, _ in buttons(told)] == ["✏ Sửa báo cáo"]

    # the next text is no reason any more: the journeys answer it as before
    await client.send_text(SUP, "Cảm ơn.")
    after = await client.wait_for_bot_message(SUP, after_message_id=done["message_id"], timeout=15,
                                              predicate=lambda m: bool(text_of(m)))
    assert "Đã trả lại" not in text_of(after) and "Lý do" not in text_of(after)
    assert await bot_process.stop() == 0

    storage = await Storage.open(bot_process.database)
    try:
        returned = await storage.submissions.get(submission.id)
        assert returned is not None and returned.status_reason == (
            "Mục Hồ sơ kỳ trước chuyển sang chưa khớp.\nMục Khó khăn: ghi cụ thể hơn.")
        assert await storage.return_asks.get(SUP) is None
    finally:
        await storage.close()


async def test_huy_cancels_the_return(sandbox, bot_process: BotProcess) -> None:
    _, client = sandbox
    storage, communes, info = await world(bot_process.database)
    try:
        commune = communes[40]
        period = await ensure_period(storage, info)
        submission = await storage.submissions.add_version(period.id, commune.code, sc.steady(40, 1, 12), {}, None,
                                                           period.opens_at + timedelta(minutes=5))
    finally:
        await storage.close()
    await start(client, bot_process)
    await client.send_text(SUP, f"/xa {commune.code} tuan")
    card = await client.wait_for_bot_message(SUP, timeout=15, predicate=lambda m: "↩ Trả lại để sửa" in str(buttons(m)))
    await client.tap(SUP, card["message_id"], text="↩ Trả lại để sửa")
    ask = await client.wait_for_bot_message(SUP, after_message_id=card["message_id"], timeout=15,
                                            predicate=lambda m: "gửi lý do" in text_of(m))
    await client.send_text(SUP, "/huy")
    cancelled = await client.wait_for_bot_message(SUP, after_message_id=ask["message_id"], timeout=15,
                                                  predicate=lambda m: "hủy" in text_of(m).lower())
    assert cancelled["text"].startswith("Đã hủy: báo cáo") and cancelled["text"].endswith("không bị trả lại.")
    assert await bot_process.stop() == 0
    storage = await Storage.open(bot_process.database)
    try:
        kept = await storage.submissions.get(submission.id)
        assert kept is not None and str(kept.status) == "submitted"
    finally:
        await storage.close()

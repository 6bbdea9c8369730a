"""Issue 16, item 9: /chuanop is one short, honest message — through the service, on a real SQLite
file. Its «Nhắc ngay» counts only the communes a nudge reaches (as many as the nudge then reaches),
those it cannot reach are named with why (no reporter bound, the bot blocked, on leave), names are
joined on a line rather than one line each, and the message fits in Telegram's 4,096 UTF-16 units
however many communes are missing."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.calendar.nudging import nudge_missing
from bot.chat.actions import NudgeMissing
from bot.chat.replies import Message
from bot.clock import VN_TZ, FakeClock
from bot.domain.message_length import MAX_TEXT, utf16_len
from bot.notices.reminders import NudgeResult, ReminderConfig, Reminders
from bot.supervising import missing
from storage.models import Role
from tests.integration.seed import bind
from tests.rollup import scenario as sc
from tests.supervising.conftest import SUP, Desk


def nudge_of(message: Message) -> tuple[str, NudgeMissing]:
    [[choice]] = message.choices
    assert isinstance(choice.action, NudgeMissing)
    return choice.label, choice.action


async def test_the_button_counts_who_can_be_reached_and_the_others_are_told_why(desk: Desk) -> None:
    now = desk.services.clock.now()
    blocked = await bind(desk.storage, 7201, "Đặng Văn Bình", Role.REPORTER, desk.scenario.unit(1), now)
    await desk.storage.people.set_blocked(blocked.id, now)
    away = await bind(desk.storage, 7202, "Vũ Thị Dung", Role.REPORTER, desk.scenario.unit(2), now)
    await desk.storage.people.set_pause(away.id, now.date() - timedelta(days=1), now.date() + timedelta(days=5))

    [listing] = await missing.show_missing(desk.services, await desk.who(SUP), "19")
    assert isinstance(listing, Message)
    lines = listing.text.split("\n")
    unit = desk.scenario.unit
    assert lines[1] == "Chưa nộp: 10/92 xã, phường."
    assert lines[2] == f"🔔 Nhắc được qua bot (1 xã): {unit(0).full_name} (Lò Thị Mai)."
    assert lines[3] == "✖ Không nhắc được qua bot (9 xã):"
    nobody = ", ".join(unit(index).full_name for index in sc.MISSING if index > 2)
    assert lines[4] == f"• chưa có cán bộ báo cáo (7): {nobody}."
    assert lines[5] == f"• cán bộ đã chặn bot (1): {unit(1).full_name} (Đặng Văn Bình)."
    assert lines[6] == f"• cán bộ đang nghỉ phép (1): {unit(2).full_name} (Vũ Thị Dung)."
    assert lines[7].startswith("Anh/Chị vui lòng liên hệ trực tiếp") and len(lines) == 8
    label, action = nudge_of(listing)
    assert label == "🔔 Nhắc ngay (1 xã)"

    # the nudge the button asks for reaches that many communes (the button told the truth), and
    # says who it could not reach and why
    reminders = Reminders(desk.storage, desk.services.clock, desk.services.forms,
                          ReminderConfig(_env_file=None))  # type: ignore[call-arg]
    period = await desk.storage.periods.get_by_id(action.period_id)
    assert period is not None
    now = desk.services.clock.now()

    async def nudge(period_id: int, province: str) -> NudgeResult:
        assert period is not None
        return await reminders.nudge(period, province, now)

    replies = await nudge_missing(desk.storage, await desk.who(SUP), action, nudge, now=now, nudge_minutes=60)
    [told] = [reply for reply in replies if isinstance(reply, Message)]
    assert told.text.split("\n") == [
        "Đã gửi lời nhắc tới 1 cán bộ của 1 xã, phường chưa nộp báo cáo Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025).",
        "Không nhắc được 2 xã, phường qua bot:",
        f"• cán bộ đã chặn bot (1): {unit(1).full_name} (Đặng Văn Bình).",
        f"• cán bộ đang nghỉ phép (1): {unit(2).full_name} (Vũ Thị Dung).",
        lines[7]]
    [notice] = await desk.storage.notices.list_for_period(period.id, "nudge")
    assert notice.chat_id == 7004  # Mai, the one the button counted


async def test_nobody_to_reach_offers_no_button(desk: Desk) -> None:
    mai = await desk.storage.people.get_by_telegram_id(7004)
    assert mai is not None
    await desk.storage.people.set_blocked(mai.id, desk.services.clock.now())
    [listing] = await missing.show_missing(desk.services, await desk.who(SUP), "19")
    assert isinstance(listing, Message) and listing.choices == ()
    assert "Nhắc được" not in listing.text and "✖ Không nhắc được qua bot (10 xã):" in listing.text


async def test_ninety_two_communes_fit_in_one_message(desk: Desk, clock: FakeClock) -> None:
    """Every commune missing (the week after, nobody reported yet), each with a reporter of a long
    name: the names cannot all be shown, the message says how many more, and fits."""
    clock.set(datetime(2025, 12, 23, 9, 0, tzinfo=VN_TZ))  # W51 open, nobody reported
    now = clock.now()
    for index, unit in enumerate(desk.scenario.communes):
        if index not in (0, 40):  # Mai and Lan report for those two
            person = await desk.storage.people.get_or_create(
                7300 + index, now, f"Cán bộ 𝔸 số {index} có họ tên rất dài Nguyễn Thị Phương Thảo Hoàng Lê")
            await desk.storage.people.add_membership(person.id, Role.REPORTER, unit.code, now)
    [listing] = await missing.show_missing(desk.services, await desk.who(SUP), "19")
    assert isinstance(listing, Message)
    assert utf16_len(listing.text) <= MAX_TEXT
    assert listing.text.count("\n") == 2  # head, count, the one list
    assert listing.text.endswith(" xã khác.") and "Chưa nộp: 92/92 xã, phường." in listing.text
    assert nudge_of(listing)[0] == "🔔 Nhắc ngay (92 xã)"

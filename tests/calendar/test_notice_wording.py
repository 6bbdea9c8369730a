"""The notices' wording (bot.notices.wording) apart from their sending: the texts the bot has
always sent, the choices as typed actions whose strings are those of the notices sent before,
long lists cut under Telegram's limit, and Telegram's buttons made from them in the channel."""

from __future__ import annotations

from datetime import date, datetime

from bot.administering.units import official_units
from bot.chat.actions import Approve, NudgeMissing, OpenReport, ShowCommune, encode
from bot.clock import VN_TZ
from bot.domain.message_length import utf16_len
from bot.notices import wording
from bot.notices.plan import DEADLINE, NUDGE, OPENING, REMINDER
from handlers.delivery import keyboard
from storage.models import Period

PERIOD = Period(id=42, form_id="tthc-weekly", key="2025-W50", starts_on=date(2025, 12, 8), ends_on=date(2025, 12, 14),
                opens_at=datetime(2025, 12, 15, 8, 0, tzinfo=VN_TZ),
                deadline_at=datetime(2025, 12, 18, 15, 0, tzinfo=VN_TZ))
UNITS = {u.code: u for u in official_units("19")}
COMMUNES = [code for code, u in UNITS.items() if u.kind == "commune"]


def test_the_reporters_notices_read_as_before_with_the_open_choice() -> None:
    opening = wording.to_reporter(OPENING, PERIOD, UNITS, ["01840"])
    assert opening.text == ("📋 Đã mở báo cáo Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025) của Phường Đức Xuân.\n"
                            "Hạn nộp: 15:00 thứ Năm 18/12/2025.\n"
                            "Anh/Chị vui lòng bấm «Nhập báo cáo» để bắt đầu.")
    [[choice]] = opening.choices
    assert choice.label == "📝 Nhập báo cáo" and choice.action == OpenReport(period_id=42)
    assert encode(choice.action) == "open:42"  # as recorded notices have always been answered

    moved = PERIOD.model_copy(update={"deadline_note": "Hạn nộp dời do nghỉ lễ"})
    reminder = wording.to_reporter(REMINDER, moved, UNITS, ["01840", "01843"])
    assert reminder.text.startswith("⏰ Nhắc báo cáo: Phường Đức Xuân, Phường Bắc Kạn chưa nộp báo cáo Tuần 50/2025")
    assert "Hạn nộp: 15:00 thứ Năm 18/12/2025.\n(Hạn nộp dời do nghỉ lễ)\n" in reminder.text
    assert wording.to_reporter(DEADLINE, PERIOD, UNITS, ["01840"]).text.startswith(
        "⚠️ Đã đến hạn nộp báo cáo Tuần 50/2025 (15:00 thứ Năm 18/12/2025) nhưng Phường Đức Xuân chưa nộp.")
    assert wording.to_reporter(NUDGE, PERIOD, UNITS, ["01840"]).text.startswith(
        "🔔 Cán bộ theo dõi của tỉnh nhắc: Phường Đức Xuân chưa nộp báo cáo Tuần 50/2025 (hạn nộp 15:00")


def test_the_supervisors_list_offers_the_nudge_and_fits_telegram() -> None:
    missing = [(UNITS[code].full_name, index % 3 != 0) for index, code in enumerate(COMMUNES)]
    message = wording.escalation(PERIOD, "Tỉnh Thái Nguyên", len(COMMUNES) + 1, missing, "19")
    assert message.text.startswith(
        f"📌 Đến hạn nộp báo cáo Tuần 50/2025 (15:00 thứ Năm 18/12/2025), Tỉnh Thái Nguyên còn "
        f"{len(COMMUNES)}/{len(COMMUNES) + 1} xã, phường chưa nộp:\n")
    assert f"• {missing[0][0]} (không có cán bộ nhận được tin nhắc)\n• {missing[1][0]}\n" in message.text
    [[choice]] = message.choices
    assert choice.action == NudgeMissing(period_id=42, province="19") and encode(choice.action) == "nudge:42:19"

    crowded = [(f"{name} — tên rất dài để danh sách vượt quá giới hạn của một tin nhắn", True)
               for name, _ in missing * 3]
    long = wording.escalation(PERIOD, "Tỉnh Thái Nguyên", len(crowded), crowded, "19")
    assert utf16_len(long.text) <= wording.MAX_TEXT
    assert "đơn vị khác." in long.text and long.text.endswith("cán bộ của các xã này.")

    thanks = wording.escalation(PERIOD, "Tỉnh Thái Nguyên", 92, [], "19")
    assert thanks.text.startswith("✅ Đến hạn nộp báo cáo Tuần 50/2025") and thanks.choices == ()


def test_the_other_supervisors_notices() -> None:
    assert wording.unreachable(PERIOD, ["Phường Bắc Kạn"]).text == (
        "ℹ️ Các xã, phường sau không có cán bộ nào nhận được thông báo báo cáo Tuần 50/2025 (từ ngày 08/12 "
        "đến 14/12/2025) (cán bộ đang nghỉ phép hoặc đã chặn bot):\n• Phường Bắc Kạn\n"
        "Anh/Chị vui lòng liên hệ trực tiếp với các xã, phường này.")
    assert wording.blocked("Lê Văn Hùng", ["Phường Bắc Kạn"]).text.startswith(
        "🚫 Cán bộ Lê Văn Hùng (Phường Bắc Kạn) đã chặn bot")
    assert wording.blocked(None, []).text.startswith("🚫 Cán bộ Một cán bộ đã chặn bot")


def test_a_resubmission_says_what_changed_with_view_and_approve() -> None:
    unit = UNITS["01840"]
    changes = [wording.changed_line("Tiếp nhận trực tuyến", 40, 1234, "count"),
               wording.changed_line("Khó khăn", "Mạng chập chờn", None, "text")]
    message = wording.resubmitted(unit, PERIOD, 3, to_returner=False, returner="Lê Thị Hoa",
                                  reason="Thiếu số liệu.", changes=changes, explained=False, submission_id=77)
    assert message.text == (
        "📥 Phường Đức Xuân đã gửi lại báo cáo tuần 50/2025 (lần 3) sau khi được Lê Thị Hoa trả lại "
        "(lý do: Thiếu số liệu).\nNhững mục đã sửa:\n• Tiếp nhận trực tuyến: 40 → 1.234\n"
        "• Khó khăn: «Mạng chập chờn» → (trống)\n"
        "Anh/Chị bấm «Xem báo cáo» để xem toàn bộ, hoặc «Duyệt» nếu báo cáo đã đạt.")
    assert [[encode(c.action) for c in row] for row in message.choices] == [["sv:x:01840:42"], ["sv:a:77"]]
    assert [row[0].action for row in message.choices] == [ShowCommune(code="01840", period_id=42),
                                                           Approve(submission_id=77)]
    mine = wording.resubmitted(unit, PERIOD, 2, to_returner=True, returner=None, reason=None, changes=[],
                               explained=True, submission_id=78)
    assert "sau khi được Anh/Chị trả lại.\nSố liệu không đổi; xã đã sửa phần giải trình." in mine.text


def test_telegram_shows_each_choice_as_a_button_of_its_own_row() -> None:
    message = wording.resubmitted(UNITS["01840"], PERIOD, 2, to_returner=True, returner=None, reason=None,
                                  changes=[], explained=False, submission_id=78)
    markup = keyboard(message)
    assert markup is not None
    assert [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard] == [
        [("🔎 Xem báo cáo", "sv:x:01840:42")], [("✔ Duyệt", "sv:a:78")]]

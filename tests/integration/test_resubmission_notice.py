"""A returned report sent again reaches the supervisor who returned it: through
Application.process_update on a real SQLite file, with the notices recorded in SQLite and sent by
the calendar's broadcaster (exactly once, out of quiet hours, checked again when sent)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.clock import VN_TZ, FakeClock
from bot.domain.periods import PeriodKey, period_for
from bot.notices.broadcast import Broadcaster
from bot.notices.plan import RESUBMITTED
from bot.reporting.periods import ensure_period
from bot.scheduler import ReminderScheduler
from storage.models import NoticeStatus, Role, Submission, SubmissionStatus, Unit
from tests.conftest import ADMIN_ID, BotHarness
from tests.fakes import Call, callback_update, text_update
from tests.integration.seed import bind, load_units

LAN, SON, HA, NOI = 8101, 8102, 8103, 8104  # Lan reports for Phúc Lộc; Sơn and Hà supervise Thái Nguyên; Nội Hà Nội
REASON = "Số hóa chưa khớp, đề nghị kiểm tra lại."

# A week that balances, with thousands: 1.053 + 1.803 = 2.856 = 1.803 + 1.052 + 1.
WEEK = {
    "carried_over": "1.053", "received_online_full": "1.794", "received_online_partial": "9",
    "received_in_person": "0", "received_postal": "0", "resolved_early": "1.750", "resolved_on_time": "53",
    "resolved_late": "0", "pending_in_time": "1.052", "pending_overdue": "0", "withdrawn": "1",
    "digitized": "1.800", "e_results": "1.803",
    "legal": "Đã ban hành Kế hoạch chuyển đổi số năm 2026.", "infrastructure": "Thiếu máy scan.",
    "resources": "03 công chức tiếp nhận.", "difficulties": "Mạng chập chờn.", "proposals": "Hỗ trợ kinh phí.",
}


@pytest.fixture
async def commune(harness: BotHarness, clock: FakeClock) -> Unit:
    storage = harness.storage
    communes = await load_units(storage)
    await load_units(storage, "01")
    unit = next(u for u in communes if u.name == "Phúc Lộc")
    now = clock.now()
    await bind(storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, unit, now)
    await bind(storage, SON, "Trần Văn Sơn", Role.SUPERVISOR, await storage.units.get("19"), now)
    await bind(storage, HA, "Lê Thị Hà", Role.SUPERVISOR, await storage.units.get("19"), now)
    await bind(storage, NOI, "Hà Thị Nội", Role.SUPERVISOR, await storage.units.get("01"), now)
    return unit


def broadcaster(harness: BotHarness) -> Broadcaster:
    scheduler = harness.app.reminders
    assert isinstance(scheduler, ReminderScheduler)
    return scheduler.broadcaster


def button(call: Call, starts: str) -> str:
    return next(data for label, data in call.buttons if label.startswith(starts))


def notices_to(harness: BotHarness, chat: int) -> list[Call]:
    return [c for c in harness.request.sent_to(chat) if c.method == "sendMessage" and c.text.startswith("📥")]


def current_field(harness: BotHarness, chat: int) -> str:
    for _, data in harness.request.last_to(chat).buttons:
        parts = data.split(":")
        if len(parts) == 4 and parts[2] in {"z", "s", "n", "k"}:
            return parts[3]
    raise AssertionError(f"not a question: {harness.request.last_to(chat).text}")


async def submit_first(harness: BotHarness) -> Call:
    """Lan answers the whole form and sends it; the confirmation."""
    await harness.send(text_update(LAN, "/baocao"))
    for _ in range(40):
        call = harness.request.last_to(LAN)
        if "Gửi báo cáo" in str(call.buttons):
            await harness.send(callback_update(LAN, button(call, "✔ Gửi báo cáo")))
            return harness.request.last_text_to(LAN)
        await harness.send(text_update(LAN, WEEK[current_field(harness, LAN)]))
    raise AssertionError("the form never reached the review")


async def latest(harness: BotHarness, unit: Unit) -> Submission:
    period = await harness.storage.periods.get("tthc-weekly", "2025-W50")
    found = await harness.storage.submissions.latest(period.id, unit.code)
    assert found is not None
    return found


async def give_back(harness: BotHarness, unit: Unit, by: int = SON, reason: str = REASON) -> Call:
    """``by`` returns the latest version; the message Lan gets, with «Sửa báo cáo»."""
    submission = await latest(harness, unit)
    await harness.send(text_update(by, f"/tralai {submission.id} {reason}"))
    assert (await latest(harness, unit)).status == SubmissionStatus.RETURNED
    told = harness.request.last_to(LAN)
    assert "được tỉnh trả lại để sửa" in told.text
    return told


async def correct(harness: BotHarness, start: Call, changes: dict[str, str]) -> Call:
    """From a message with «Sửa báo cáo»: change the items (button label → typed value), send
    again; the confirmation."""
    await harness.send(callback_update(LAN, button(start, "✏ Sửa báo cáo")))
    for label, value in changes.items():
        await harness.send(callback_update(LAN, button(harness.request.last_to(LAN), label)))
        await harness.send(text_update(LAN, value))
        review = harness.request.last_to(LAN)
        if label != list(changes)[-1]:
            await harness.send(callback_update(LAN, button(review, "Sửa")))
    review = harness.request.last_to(LAN)
    await harness.send(callback_update(LAN, button(review, "✔ Gửi báo cáo")))
    return harness.request.last_text_to(LAN)


async def returned_and_sent_again(harness: BotHarness, commune: Unit) -> Call:
    """Submitted, returned by Sơn, corrected and sent again: the one notice Sơn received."""
    await submit_first(harness)
    told = await give_back(harness, commune)
    await correct(harness, told, {"Số hóa": "1.795"})
    await broadcaster(harness).wait_idle()
    [notice] = notices_to(harness, SON)
    return notice


async def test_the_returner_hears_once_with_the_changes_and_approves_from_the_notice(
        harness: BotHarness, commune: Unit) -> None:
    await submit_first(harness)
    told = await give_back(harness, commune)
    assert "Anh/Chị sẽ nhận được tin báo" in harness.request.last_to(SON).text
    harness.request.clear()

    confirmation = await correct(harness, told, {"Số hóa": "1.795", "Khó khăn": "Đường truyền yếu vào giờ cao điểm."})
    assert "(lần 2)" in confirmation.text
    assert "📨 Đã báo cho cán bộ theo dõi của tỉnh về bản gửi lại này." in confirmation.text
    await broadcaster(harness).wait_idle()

    [notice] = notices_to(harness, SON)
    text = notice.text
    assert text.startswith("📥 Xã Phúc Lộc đã gửi lại báo cáo tuần 50/2025 (lần 2) sau khi được Anh/Chị trả lại "
                           f"(lý do: {REASON[:-1]}).")
    assert "Những mục đã sửa:\n• Số hóa: 1.800 → 1.795\n" in text
    assert "• Khó khăn, vướng mắc: «Mạng chập chờn.» → «Đường truyền yếu vào giờ cao điểm.»" in text
    assert "Trực tuyến toàn trình" not in text  # unchanged items are not listed
    v2 = await latest(harness, commune)
    assert notice.buttons == [("🔎 Xem báo cáo", f"sv:x:{commune.code}:{v2.period_id}"), ("✔ Duyệt", f"sv:a:{v2.id}")]
    # only the supervisor who returned it; nobody of another province; sent once, recorded as sent
    assert notices_to(harness, HA) == [] and harness.request.sent_to(NOI) == []
    await broadcaster(harness).drain()
    assert len(notices_to(harness, SON)) == 1
    [recorded] = await harness.storage.notices.list_for_chat(SON, RESUBMITTED)
    assert recorded.status == NoticeStatus.SENT and recorded.message_id is not None

    # «Xem báo cáo» is /xa's card of the commune, showing the new version
    await harness.send(callback_update(SON, button(notice, "🔎 Xem báo cáo")))
    card = next(c for c in harness.request.sent_to(SON) if "BÁO CÁO TUẦN 50/2025" in c.text)
    assert "lần 2" in card.text and "Số hóa: 1.795" in card.text
    # «✔ Duyệt» approves the new version through /duyet's checks
    await harness.send(callback_update(SON, button(notice, "✔ Duyệt")))
    approved = await latest(harness, commune)
    assert approved.id == v2.id and approved.status == SubmissionStatus.APPROVED
    assert "Đã duyệt báo cáo Tuần 50/2025" in harness.request.last_to(SON).text
    assert any("đã được tỉnh duyệt" in c.text for c in harness.request.sent_to(LAN))
    # pressed again: already approved, nothing changes
    await harness.send(callback_update(SON, button(notice, "✔ Duyệt")))
    assert "đã được duyệt trước đó" in harness.request.last_to(SON).text


async def test_the_view_button_shows_the_week_sent_again_when_a_newer_one_exists(
        harness: BotHarness, commune: Unit) -> None:
    notice = await returned_and_sent_again(harness, commune)
    v2 = await latest(harness, commune)  # week 50; then week 51 arrives before Sơn looks
    form = harness.app.services.forms["tthc-weekly"]
    week51 = await ensure_period(harness.storage, period_for(form.period, PeriodKey.parse("2025-W51")))
    await harness.storage.submissions.add_version(week51.id, commune.code, dict(v2.answers), {}, None,
                                                  week51.deadline_at)

    async def card(data: str) -> str:
        harness.request.clear()
        await harness.send(callback_update(SON, data))
        return next(c.text for c in harness.request.sent_to(SON) if "BÁO CÁO TUẦN" in (c.text or ""))

    assert "BÁO CÁO TUẦN 50/2025" in (shown := await card(button(notice, "🔎 Xem báo cáo"))) and "— lần 2" in shown
    # /xa's own button (the weekly report's, the monthly one being scheduled too): the newest
    assert "BÁO CÁO TUẦN 51/2025" in await card(f"sv:x:{commune.code}::tthc-weekly")


async def test_a_supervisor_of_another_province_cannot_use_the_notice_buttons(
        harness: BotHarness, commune: Unit) -> None:
    notice = await returned_and_sent_again(harness, commune)
    harness.request.clear()
    for data in (d for _, d in notice.buttons):
        await harness.send(callback_update(NOI, data))
        [alert] = [c for c in harness.request.calls if c.method == "answerCallbackQuery"]
        assert alert.params.get("show_alert") and "không có quyền" in alert.params["text"]
        assert not [c for c in harness.request.calls if c.method in ("sendMessage", "sendDocument")]
        harness.request.clear()
    assert (await latest(harness, commune)).status == SubmissionStatus.SUBMITTED


async def test_a_first_submission_and_a_correction_not_returned_tell_nobody(
        harness: BotHarness, commune: Unit) -> None:
    first = await submit_first(harness)
    assert "(lần 1)" in first.text and "📨" not in first.text
    # a correction of a report nobody returned: version 2, and still no notice
    await harness.send(text_update(LAN, "/baocao"))
    review = harness.request.last_to(LAN)
    await harness.send(callback_update(LAN, button(review, "Sửa báo cáo")))
    await harness.send(callback_update(LAN, button(harness.request.last_to(LAN), "Số hóa")))
    await harness.send(text_update(LAN, "1.790"))
    await harness.send(callback_update(LAN, button(harness.request.last_to(LAN), "✔ Gửi báo cáo")))
    confirmation = harness.request.last_text_to(LAN)
    assert "(lần 2)" in confirmation.text and "📨" not in confirmation.text
    await broadcaster(harness).wait_idle()
    await broadcaster(harness).drain()
    for supervisor in (SON, HA, NOI):
        assert harness.request.sent_to(supervisor) == []
        assert await harness.storage.notices.list_for_chat(supervisor) == []


async def test_each_return_and_resubmission_is_told_again(harness: BotHarness, commune: Unit) -> None:
    await submit_first(harness)
    await correct(harness, await give_back(harness, commune), {"Số hóa": "1.795"})
    await broadcaster(harness).wait_idle()
    # Hà returns the second version: Hà is told of the third, with what changed since the second
    second_reason = "Kết quả điện tử cần kiểm tra lại."
    told = await give_back(harness, commune, by=HA, reason=second_reason)
    confirmation = await correct(harness, told, {"Kết quả điện tử": "1.700"})
    assert "(lần 3)" in confirmation.text and "📨 Đã báo cho cán bộ theo dõi" in confirmation.text
    await broadcaster(harness).wait_idle()
    assert len(notices_to(harness, SON)) == 1  # the first resubmission only
    [notice] = notices_to(harness, HA)
    assert "(lần 3)" in notice.text and f"(lý do: {second_reason[:-1]})." in notice.text
    assert "• Kết quả điện tử: 1.803 → 1.700" in notice.text and "Số hóa" not in notice.text
    v3 = await latest(harness, commune)
    assert ("✔ Duyệt", f"sv:a:{v3.id}") in notice.buttons


async def test_at_night_the_notice_waits_and_is_dropped_once_someone_approved(
        harness: BotHarness, commune: Unit, clock: FakeClock) -> None:
    await submit_first(harness)
    told = await give_back(harness, commune)
    clock.set(datetime(2025, 12, 15, 22, 30, tzinfo=VN_TZ))  # after quiet hours begin (21:00)
    confirmation = await correct(harness, told, {"Số hóa": "1.795"})
    assert "sẽ được báo về bản gửi lại này lúc 07:00 thứ Ba 16/12/2025" in confirmation.text
    await broadcaster(harness).wait_idle()
    assert notices_to(harness, SON) == []
    [waiting] = await harness.storage.notices.list_for_chat(SON, RESUBMITTED)
    assert waiting.status == NoticeStatus.PENDING and waiting.due_at == datetime(2025, 12, 16, 7, 0, tzinfo=VN_TZ)

    # early the next morning Hà approves it herself
    clock.set(datetime(2025, 12, 16, 6, 50, tzinfo=VN_TZ))
    await harness.send(text_update(HA, f"/duyet {(await latest(harness, commune)).id}"))
    assert (await latest(harness, commune)).status == SubmissionStatus.APPROVED
    clock.set(datetime(2025, 12, 16, 7, 0, tzinfo=VN_TZ))
    await broadcaster(harness).drain()
    assert notices_to(harness, SON) == []
    dropped = await harness.storage.notices.get(waiting.id)
    assert dropped.status == NoticeStatus.DROPPED and dropped.last_error == "already approved"


async def test_returned_again_before_the_notice_left_drops_it(
        harness: BotHarness, commune: Unit, clock: FakeClock) -> None:
    await submit_first(harness)
    told = await give_back(harness, commune)
    clock.set(datetime(2025, 12, 15, 23, 0, tzinfo=VN_TZ))
    await correct(harness, told, {"Số hóa": "1.795"})
    clock.set(datetime(2025, 12, 16, 6, 45, tzinfo=VN_TZ))
    await give_back(harness, commune, by=HA, reason="Vẫn chưa khớp số hóa.")
    clock.set(datetime(2025, 12, 16, 7, 0, tzinfo=VN_TZ))
    await broadcaster(harness).drain()
    assert notices_to(harness, SON) == [] and notices_to(harness, HA) == []
    [notice] = await harness.storage.notices.list_for_chat(SON, RESUBMITTED)
    assert notice.status == NoticeStatus.DROPPED and notice.last_error == "returned again"


@pytest.mark.parametrize("how", ["blocked", "revoked"])
async def test_when_the_returner_cannot_be_reached_the_other_supervisors_are_told(
        harness: BotHarness, commune: Unit, clock: FakeClock, how: str) -> None:
    storage = harness.storage
    await submit_first(harness)
    told = await give_back(harness, commune)
    son = await storage.people.get_by_telegram_id(SON)
    if how == "blocked":
        await storage.people.set_blocked(son.id, clock.now())
    else:
        [membership] = await storage.people.memberships_of(son.id)
        await storage.people.revoke_membership(membership.id, clock.now())
    clock.advance(timedelta(minutes=5))
    confirmation = await correct(harness, told, {"Số hóa": "1.795"})
    assert "📨 Đã báo cho cán bộ theo dõi của tỉnh" in confirmation.text
    await broadcaster(harness).wait_idle()
    assert notices_to(harness, SON) == []
    [notice] = notices_to(harness, HA)
    assert "sau khi được Trần Văn Sơn trả lại" in notice.text and "• Số hóa: 1.800 → 1.795" in notice.text
    assert harness.request.sent_to(NOI) == []


async def test_an_admin_set_in_the_configuration_who_returned_it_is_told(
        harness: BotHarness, commune: Unit, clock: FakeClock) -> None:
    await harness.storage.people.get_or_create(ADMIN_ID, clock.now(), "Quản trị viên")
    await submit_first(harness)
    told = await give_back(harness, commune, by=ADMIN_ID)
    await correct(harness, told, {"Số hóa": "1.795"})
    await broadcaster(harness).wait_idle()
    [notice] = notices_to(harness, ADMIN_ID)
    assert "sau khi được Anh/Chị trả lại" in notice.text
    assert notices_to(harness, SON) == [] and notices_to(harness, HA) == []
    await harness.send(callback_update(ADMIN_ID, button(notice, "✔ Duyệt")))
    assert (await latest(harness, commune)).status == SubmissionStatus.APPROVED

"""The calendar in chat: «Nhập báo cáo» opens the report, «Nhắc các xã chưa nộp» nudges once an
hour, /nghiphep pauses one's own notices, /lich shows and changes the calendar, and Telegram's
word that someone blocked the bot reaches the supervisor once."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.clock import VN_TZ, FakeClock
from bot.notices.plan import BLOCKED, ESCALATION, NUDGE, OPENING
from tests.calendar.conftest import DEADLINE, OPENS, scheduler_of, seed, sent
from tests.conftest import ADMIN_ID
from tests.fakes import callback_update, text_update, user_dict


async def send(app, payload) -> None:
    from tests.fakes import as_update

    await app.process_update(as_update(payload, app.bot))


async def test_the_open_button_starts_the_report_like_baocao(make_app, clock: FakeClock) -> None:
    async with make_app(clock) as (app, request):
        w = await seed(app.services.storage, clock.now())
        await scheduler_of(app).startup()
        clock.set(OPENS)
        period = await app.services.storage.periods.get("tthc-weekly", "2025-W50")
        await scheduler_of(app).reminders.fire(period, OPENING, OPENS)
        await scheduler_of(app).broadcaster.drain()
        [(label, data)] = request.last_to(w.thu.telegram_id).buttons
        request.clear()
        await send(app, callback_update(w.thu.telegram_id, data))
        first = request.last_to(w.thu.telegram_id)
        assert "Hồ sơ kỳ trước chuyển sang" in first.text  # the first question of the form
        request.clear()
        await send(app, text_update(w.thu.telegram_id, "/baocao"))
        assert "Hồ sơ kỳ trước chuyển sang" in request.last_to(w.thu.telegram_id).text


async def test_the_nudge_button_reminds_the_missing_once_an_hour(make_app, clock: FakeClock) -> None:
    async with make_app(clock) as (app, request):
        storage = app.services.storage
        w = await seed(storage, clock.now())
        scheduler = scheduler_of(app)
        await scheduler.startup()
        period = await storage.periods.get("tthc-weekly", "2025-W50")
        await storage.submissions.add_version(period.id, w.c.code, {"received_in_person": 1}, {}, w.thu.id, OPENS)
        clock.set(DEADLINE)
        await scheduler.reminders.fire(period, ESCALATION, DEADLINE)
        await scheduler.broadcaster.drain()
        [(_, data)] = request.last_to(w.hoa.telegram_id).buttons
        request.clear()

        clock.set(DEADLINE + timedelta(minutes=20))
        await send(app, callback_update(w.hoa.telegram_id, data))
        await scheduler.broadcaster.wait_idle()
        assert "Đã gửi lời nhắc tới 3 cán bộ của 2 xã, phường" in request.last_to(w.hoa.telegram_id).text
        for person in (w.lan, w.minh, w.hung):
            [text] = sent(request, person.telegram_id)
            assert text.startswith("🔔 Cán bộ theo dõi của tỉnh nhắc:")
        assert sent(request, w.thu.telegram_id) == []  # Phong Quang submitted

        # pressed again ten minutes later: nobody is nudged twice within the hour
        request.clear()
        clock.set(DEADLINE + timedelta(minutes=30))
        await send(app, callback_update(w.hoa.telegram_id, data))
        await scheduler.broadcaster.wait_idle()
        assert "2 xã, phường đã được nhắc trong 60 phút qua" in request.last_to(w.hoa.telegram_id).text
        assert all(sent(request, p.telegram_id) == [] for p in w.reporters)

        # at 21:30 a nudge is held until 07:00 the next morning
        clock.set(datetime(2025, 12, 18, 21, 30, tzinfo=VN_TZ))
        await send(app, callback_update(w.hoa.telegram_id, data))
        assert "sẽ được gửi lúc 07:00 thứ Sáu 19/12/2025" in request.last_to(w.hoa.telegram_id).text
        await scheduler.broadcaster.wait_idle()
        assert all(sent(request, p.telegram_id) == [] for p in w.reporters)
        clock.set(datetime(2025, 12, 19, 7, 0, tzinfo=VN_TZ))
        await scheduler.broadcaster.drain()
        assert len(sent(request, w.minh.telegram_id, "nhắc")) == 1
        assert len(await storage.notices.list_for_period(period.id, NUDGE)) == 6

        # a reporter cannot press it
        request.clear()
        await send(app, callback_update(w.lan.telegram_id, data))
        assert all(sent(request, p.telegram_id) == [] for p in w.reporters)


async def test_leave_pauses_ones_own_notices_only(make_app, clock: FakeClock) -> None:
    async with make_app(clock) as (app, request):
        storage = app.services.storage
        w = await seed(storage, clock.now())
        await send(app, text_update(w.lan.telegram_id, "/nghiphep 15/12 19/12"))
        reply = request.last_to(w.lan.telegram_id).text
        assert reply.startswith("Đã ghi nghỉ phép từ ngày 15/12 đến 19/12/2025")
        assert "Lưu ý" not in reply  # Minh still gets them
        lan = await storage.people.get(w.lan.id)
        assert (lan.reminders_paused_from, lan.reminders_paused_to) == (date(2025, 12, 15), date(2025, 12, 19))

        # Hùng is alone in Bắc Kạn: told that the supervisor will hear of it
        await send(app, text_update(w.hung.telegram_id, "/nghiphep 29/12 02/01"))
        reply = request.last_to(w.hung.telegram_id).text
        assert "từ ngày 29/12/2025 đến 02/1/2026" in reply and "Phường Bắc Kạn không còn cán bộ nào khác" in reply

        scheduler = scheduler_of(app)
        await scheduler.startup()
        clock.set(OPENS)
        request.clear()
        period = await storage.periods.get("tthc-weekly", "2025-W50")
        await scheduler.reminders.fire(period, OPENING, OPENS)
        await scheduler.broadcaster.drain()
        assert sent(request, w.lan.telegram_id) == []
        assert len(sent(request, w.minh.telegram_id, "Phường Đức Xuân")) == 1

        for text in ("/nghiphep 31/02", "/nghiphep 19/12 15/12", "/nghiphep 01/12/2025", "/nghiphep"):
            await send(app, text_update(w.lan.telegram_id, text))
        replies = [c.text for c in request.sent_to(w.lan.telegram_id)][-4:]
        assert "không có trong lịch" in replies[0]
        assert "phải sau ngày bắt đầu" in replies[1]
        assert "đã qua" in replies[2]
        assert replies[3].startswith("Anh/Chị đang đăng ký nghỉ từ ngày 15/12 đến 19/12/2025")
        await send(app, text_update(w.lan.telegram_id, "/nghiphep huy"))
        assert "Đã bỏ lịch nghỉ phép" in request.last_to(w.lan.telegram_id).text
        assert (await storage.people.get(w.lan.id)).reminders_paused_from is None
        await send(app, text_update(5555, "/nghiphep 20/12"))
        assert "chưa được đăng ký" in request.last_to(5555).text


async def test_admin_sees_and_changes_the_calendar(make_app, clock: FakeClock) -> None:
    async with make_app(clock) as (app, request):
        storage = app.services.storage
        w = await seed(storage, clock.now())
        scheduler = scheduler_of(app)
        await scheduler.startup()

        await send(app, text_update(ADMIN_ID, "/lich"))
        view = request.last_to(ADMIN_ID).text
        assert "Hạn nộp: 15:00 thứ Năm tuần sau" in view
        assert "2025-W50 · Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025)" in view
        assert "Hạn nộp: 15:00 thứ Năm 18/12/2025" in view and "Lịch trong tệp biểu mẫu." in view

        await send(app, text_update(ADMIN_ID, "/lich hannop thu6 10:00"))
        view = request.last_to(ADMIN_ID).text
        assert view.startswith("Đã đổi lịch báo cáo.")
        assert "Hạn nộp: 10:00 thứ Sáu 19/12/2025" in view and "Lịch đã đổi trong chat" in view
        period = await storage.periods.get("tthc-weekly", "2025-W50")
        assert period.deadline_at == datetime(2025, 12, 19, 10, 0, tzinfo=VN_TZ)
        jobs = {(j.data["period"], j.data["kind"]): j.data["due_at"] for j in scheduler.moment_jobs()}
        assert jobs[("2025-W50", ESCALATION)] == datetime(2025, 12, 19, 10, 0, tzinfo=VN_TZ).isoformat()
        override = await storage.calendar.override("tthc-weekly")
        assert override.settings == {"deadline": {"weekday": "friday", "time": "10:00"}}
        assert override.updated_by == ADMIN_ID
        assert (await storage.audit.recent(action="calendar.change"))[0].actor == ADMIN_ID

        await send(app, text_update(ADMIN_ID, "/lich gio 08:00 20:00"))
        await send(app, text_update(ADMIN_ID, "/lich nhac 2 09:30"))
        view = request.last_to(ADMIN_ID).text
        assert "Giờ gửi tin: 08:00–20:00" in view and "Nhắc: 09:30 thứ Tư 17/12/2025" in view
        await send(app, text_update(ADMIN_ID, "/lich hannop thu2 07:00"))
        assert "Hạn nộp phải sau thời điểm mở báo cáo" in request.last_to(ADMIN_ID).text

        await send(app, text_update(ADMIN_ID, "/lich macdinh"))
        assert request.last_to(ADMIN_ID).text.startswith("Đã dùng lại lịch trong tệp biểu mẫu.")
        assert await storage.calendar.override("tthc-weekly") is None
        period = await storage.periods.get("tthc-weekly", "2025-W50")
        assert period.deadline_at == DEADLINE

        # a reporter may not
        await send(app, text_update(w.lan.telegram_id, "/lich hannop thu6 10:00"))
        assert "không có quyền" in request.last_to(w.lan.telegram_id).text


async def test_the_calendar_override_survives_a_restart(make_app, clock: FakeClock) -> None:
    async with make_app(clock) as (app, request):
        await seed(app.services.storage, clock.now())
        await send(app, text_update(ADMIN_ID, "/lich hannop thu6 10:00"))
    async with make_app(clock) as (app, request):
        assert app.services.forms["tthc-weekly"].period.deadline.weekday == "friday"
        await scheduler_of(app).startup()
        jobs = {(j.data["period"], j.data["kind"]): j.data["due_at"] for j in scheduler_of(app).moment_jobs()}
        assert jobs[("2026-W01", ESCALATION)] == datetime(2026, 1, 9, 10, 0, tzinfo=VN_TZ).isoformat()


async def test_blocking_the_bot_is_told_to_the_supervisor_once(make_app, clock: FakeClock) -> None:
    async with make_app(clock) as (app, request):
        storage = app.services.storage
        w = await seed(storage, clock.now())
        clock.set(OPENS + timedelta(hours=1))

        def kicked(user_id: int, old: str, new: str) -> dict:
            member = lambda status: {"status": status, "user": {"id": 123456, "is_bot": True, "first_name": "Bot"},  # noqa: E731
                                     **({"until_date": 0} if status == "kicked" else {})}
            return {"update_id": 77 + user_id, "my_chat_member": {
                "chat": {"id": user_id, "type": "private", "first_name": "X"}, "from": user_dict(user_id),
                "date": 1_760_000_000, "old_chat_member": member(old), "new_chat_member": member(new)}}

        await send(app, kicked(w.hung.telegram_id, "member", "kicked"))
        await scheduler_of(app).broadcaster.wait_idle()
        [told] = sent(request, w.hoa.telegram_id)
        assert "Cán bộ Lê Văn Hùng (Phường Bắc Kạn) đã chặn bot" in told
        assert not (await storage.people.get(w.hung.id)).active
        # the same news again (Telegram repeats it, or a 403 on the next send): nothing new
        await send(app, kicked(w.hung.telegram_id, "member", "kicked"))
        assert await scheduler_of(app).blocked(w.hung.id) == 0
        await scheduler_of(app).broadcaster.drain()
        assert len(sent(request, w.hoa.telegram_id)) == 1
        assert len(await storage.notices.list_for_chat(w.hoa.telegram_id, BLOCKED)) == 1
        # unblocked: reachable again
        await send(app, kicked(w.hung.telegram_id, "kicked", "member"))
        assert (await storage.people.get(w.hung.id)).active


async def test_a_province_admin_sees_the_calendar_but_may_not_change_it(make_app, clock: FakeClock) -> None:
    from storage.models import Role

    async with make_app(clock) as (app, request):
        storage = app.services.storage
        w = await seed(storage, clock.now())
        await scheduler_of(app).startup()
        admin = await storage.people.get_or_create(4002, clock.now(), "Đỗ Văn Quản")
        await storage.people.add_membership(admin.id, Role.ADMIN, w.a.province_code, clock.now())

        await send(app, text_update(4002, "/lich"))
        assert "Hạn nộp: 15:00 thứ Năm 18/12/2025" in request.last_to(4002).text
        await send(app, text_update(4002, "/lich hannop thu6 10:00"))
        assert "chỉ quản trị viên toàn hệ thống" in request.last_to(4002).text
        assert await storage.calendar.override("tthc-weekly") is None

"""The week's timeline through the real application and its JobQueue, with the FakeClock:
jobs registered at start for the right instants, each moment's notices to the right people,
submitted communes and people on leave skipped, supervisors told; a restart re-sends nothing."""

from __future__ import annotations

import logging
import time as real_time
from datetime import datetime, timedelta

from bot.clock import VN_TZ, FakeClock
from bot.notices.plan import DEADLINE, ESCALATION, OPENING, REMINDER, UNREACHABLE
from bot.scheduler import STARTUP_JOB, SWEEP_JOB, moment_job_name
from storage.models import NoticeStatus
from tests.calendar.conftest import (
    DEADLINE as DEADLINE_AT,
)
from tests.calendar.conftest import (
    OPENS,
    REMIND_1,
    REMIND_2,
    SUNDAY_EVENING,
    World,
    scheduler_of,
    seed,
    sent,
)


async def run_moment(app, clock: FakeClock, kind: str, when: datetime) -> None:
    """Move the clock to the moment and run its registered job, then wait for the sending."""
    scheduler = scheduler_of(app)
    [job] = [j for j in scheduler.moment_jobs() if j.data["kind"] == kind and j.data["due_at"] == when.isoformat()]
    clock.set(when)
    await job.run(app)
    await scheduler.broadcaster.wait_idle()


async def test_jobs_are_registered_at_start_for_the_right_instants(make_app, clock: FakeClock) -> None:
    async with make_app(clock) as (app, _):
        queue = app.job_queue
        assert {j.name for j in queue.jobs()} >= {STARTUP_JOB, SWEEP_JOB, "baocao:plan"}
        await seed(app.services.storage, clock.now())
        before = real_time.time()
        report = await scheduler_of(app).startup()
        jobs = scheduler_of(app).moment_jobs()
        w50 = [(j.data["kind"], datetime.fromisoformat(j.data["due_at"])) for j in jobs if j.data["period"] == "2025-W50"]
        assert w50 == [(OPENING, OPENS), (REMINDER, REMIND_1), (REMINDER, REMIND_2),
                       (DEADLINE, DEADLINE_AT), (ESCALATION, DEADLINE_AT)]
        assert all(d.tzinfo is not None and d.utcoffset() == timedelta(hours=7) for _, d in w50)
        # each job fires after the clock's delay to its moment: Monday 08:00 is 12 hours away
        opening = next(j for j in jobs if j.name == moment_job_name("tthc-weekly", "2025-W50", OPENING, OPENS))
        delay = opening.job.trigger.run_date.timestamp() - before
        assert abs(delay - 12 * 3600) < 60
        # eight weeks ahead are stored and planned; the week before's moments are long past: dropped,
        # as are those of the monthly report on November (due 24/11)
        periods = {j.data["period"] for j in jobs}
        assert {"2025-W50", "2026-W05"} <= periods
        assert await app.services.storage.periods.get("tthc-weekly", "2026-W06") is not None
        assert {m.period_key for m in report.dropped} == {"2025-W49", "2025-11"} and report.fired == []


async def test_the_week_opening_reminders_deadline_escalation(make_app, clock: FakeClock) -> None:
    async with make_app(clock) as (app, request):
        storage = app.services.storage
        w: World = await seed(storage, clock.now())
        scheduler = scheduler_of(app)
        await scheduler.startup()
        await scheduler.broadcaster.wait_idle()
        assert request.calls == []  # nothing is due on Sunday evening

        # Monday 08:00: every reporter is prompted, with the button that opens the report
        await run_moment(app, clock, OPENING, OPENS)
        period = await storage.periods.get("tthc-weekly", "2025-W50")
        for person in w.reporters:
            [text] = sent(request, person.telegram_id)
            assert text.startswith("📋 Đã mở báo cáo Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025)")
            assert "Hạn nộp: 15:00 thứ Năm 18/12/2025." in text
            assert request.last_to(person.telegram_id).buttons == [("📝 Nhập báo cáo", f"open:{period.id}")]
        assert sent(request, w.hoa.telegram_id) == []

        # Thu submits on Tuesday; Lan takes leave from Tuesday to Friday
        clock.set(datetime(2025, 12, 16, 10, 0, tzinfo=VN_TZ))
        await storage.submissions.add_version(period.id, w.c.code, {"received_in_person": 1}, {}, w.thu.id, clock.now())
        await storage.people.set_pause(w.lan.id, datetime(2025, 12, 16).date(), datetime(2025, 12, 19).date())
        request.clear()

        # Wednesday 09:00: reminders only where nothing was submitted; Lan on leave, Minh reminded for the same commune
        await run_moment(app, clock, REMINDER, REMIND_1)
        assert [t.split("\n")[0] for t in sent(request, w.minh.telegram_id)] == [
            "⏰ Nhắc báo cáo: Phường Đức Xuân chưa nộp báo cáo Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025)."]
        assert len(sent(request, w.hung.telegram_id, "Phường Bắc Kạn chưa nộp")) == 1
        assert sent(request, w.lan.telegram_id) == []
        assert sent(request, w.thu.telegram_id) == []

        # Hùng blocks the bot: Bắc Kạn has nobody left; the supervisor is told once, at the next moment
        await storage.people.set_blocked(w.hung.id, clock.now())
        request.clear()
        await run_moment(app, clock, REMINDER, REMIND_2)
        assert len(sent(request, w.minh.telegram_id, "Nhắc báo cáo")) == 1
        assert sent(request, w.hung.telegram_id) == []
        [told] = sent(request, w.hoa.telegram_id)
        assert "không có cán bộ nào nhận được thông báo" in told and "Phường Bắc Kạn" in told

        # Thursday 15:00: the last notice to those missing; the supervisor gets the list and the nudge button
        request.clear()
        await run_moment(app, clock, DEADLINE, DEADLINE_AT)
        await run_moment(app, clock, ESCALATION, DEADLINE_AT)
        [last] = sent(request, w.minh.telegram_id)
        assert last.startswith("⚠️ Đã đến hạn nộp báo cáo Tuần 50/2025 (15:00 thứ Năm 18/12/2025) nhưng Phường Đức Xuân")
        assert sent(request, w.thu.telegram_id) == [] and sent(request, w.lan.telegram_id) == []
        [listing] = sent(request, w.hoa.telegram_id)
        assert "Tỉnh Thái Nguyên còn 2/3 xã, phường chưa nộp" in listing
        assert "• Phường Đức Xuân\n" in listing
        assert "• Phường Bắc Kạn (không có cán bộ nhận được tin nhắc)" in listing
        assert "Xã Phong Quang" not in listing
        assert request.last_to(w.hoa.telegram_id).buttons == [("🔔 Nhắc các xã chưa nộp", f"nudge:{period.id}:19")]
        # nothing was told twice
        assert len(await storage.notices.list_for_period(period.id, UNREACHABLE)) == 1


async def test_a_commune_that_submits_after_the_notice_is_recorded_is_not_reminded(make_app, clock) -> None:
    async with make_app(clock) as (app, request):
        storage = app.services.storage
        w = await seed(storage, clock.now())
        scheduler = scheduler_of(app)
        await scheduler.startup()
        period = await storage.periods.get("tthc-weekly", "2025-W50")
        clock.set(REMIND_1)
        assert await scheduler.reminders.fire(period, REMINDER, REMIND_1) == 4  # Lan, Minh, Hùng, Thu
        # Đức Xuân submits between the recording and the sending
        await storage.submissions.add_version(period.id, w.a.code, {"received_in_person": 2}, {}, w.lan.id, clock.now())
        report = await scheduler.broadcaster.drain()
        assert report.sent == 2 and report.dropped == 2
        assert sent(request, w.lan.telegram_id) == [] and sent(request, w.minh.telegram_id) == []
        dropped = [n for n in await storage.notices.list_for_period(period.id, REMINDER) if n.status == NoticeStatus.DROPPED]
        assert {n.chat_id for n in dropped} == {w.lan.telegram_id, w.minh.telegram_id}
        assert {n.last_error for n in dropped} == {"already submitted"}


async def test_a_restart_resends_nothing_and_catches_up_within_the_grace(make_app, clock, settings, caplog) -> None:
    async with make_app(clock) as (app, request):
        w = await seed(app.services.storage, clock.now())
        await scheduler_of(app).startup()
        await run_moment(app, clock, OPENING, OPENS)
        assert sum(len(sent(request, p.telegram_id)) for p in w.reporters) == 4

    # restarted at 10:00: the opening was sent already, nothing again
    clock.set(OPENS + timedelta(hours=2))
    async with make_app(clock) as (app, request):
        report = await scheduler_of(app).startup()
        await scheduler_of(app).broadcaster.wait_idle()
        assert report.fired == [] and request.calls == []
        # the jobs are back, for what is still to come
        assert [j.data["kind"] for j in scheduler_of(app).moment_jobs() if j.data["period"] == "2025-W50"] == [
            REMINDER, REMINDER, DEADLINE, ESCALATION]

    # down from Wednesday 08:00 to 13:30: the 09:00 reminder is sent at start (4.5 h late, within 6 h)
    clock.set(datetime(2025, 12, 17, 13, 30, tzinfo=VN_TZ))
    async with make_app(clock) as (app, request):
        report = await scheduler_of(app).startup()
        await scheduler_of(app).broadcaster.wait_idle()
        assert [(m.kind, m.due_at) for m in report.fired] == [(REMINDER, REMIND_1)]
        assert all(len(sent(request, p.telegram_id, "Nhắc báo cáo")) == 1 for p in w.reporters)

    # down from Thursday 08:00 to 16:00: the 09:00 reminder is 7 h old — dropped and logged;
    # the deadline (15:00) is within the grace — sent
    clock.set(datetime(2025, 12, 18, 16, 0, tzinfo=VN_TZ))
    caplog.clear()
    async with make_app(clock) as (app, request):
        report = await scheduler_of(app).startup()
        await scheduler_of(app).broadcaster.wait_idle()
        assert [(m.kind, m.due_at) for m in report.dropped] == [(REMINDER, REMIND_2)]
        # in production each moment not sent is a warning (the demo, which expects them, says one INFO line)
        assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "grace" in r.getMessage()] \
            == [f"reminder of tthc-weekly 2025-W50 was due {REMIND_2.isoformat()}, longer ago than the grace (6:00:00): "
                "not sent"]
        assert sorted(m.kind for m in report.fired) == [DEADLINE, ESCALATION]
        assert all(sent(request, p.telegram_id, "Nhắc báo cáo") == [] for p in w.reporters)
        assert all(len(sent(request, p.telegram_id, "Đã đến hạn")) == 1 for p in w.reporters)
        assert len(sent(request, w.hoa.telegram_id, "chưa nộp")) == 1
        period = await app.services.storage.periods.get("tthc-weekly", "2025-W50")
        runs = {(r.kind, r.due_at): r.status for r in await app.services.storage.calendar.runs_for_period(period.id)}
        assert runs[(REMINDER, REMIND_2)] == "dropped"


async def test_a_recorded_notice_older_than_the_grace_is_dropped_not_sent(make_app, clock) -> None:
    async with make_app(clock) as (app, request):
        w = await seed(app.services.storage, clock.now())
        scheduler = scheduler_of(app)
        await scheduler.startup()
        period = await app.services.storage.periods.get("tthc-weekly", "2025-W50")
        await scheduler.reminders.fire(period, OPENING, OPENS)  # recorded, then the bot went down
    clock.set(OPENS + timedelta(hours=7))
    async with make_app(clock) as (app, request):
        report = await scheduler_of(app).startup()
        await scheduler_of(app).broadcaster.wait_idle()
        assert report.stale == 4 and request.calls == []
        statuses = {n.status for n in await app.services.storage.notices.list_for_period(period.id, OPENING)}
        assert statuses == {NoticeStatus.DROPPED}
    assert w.lan.telegram_id


async def test_notices_of_a_calendar_with_late_hours_go_out_next_morning(make_app, clock) -> None:
    async with make_app(clock) as (app, request):
        await seed(app.services.storage, clock.now())
        scheduler = scheduler_of(app)
        await scheduler.change_calendar("tthc-weekly", {"deadline": {"weekday": "thursday", "time": "22:00"}}, by=900001)
        jobs = {(j.data["period"], j.data["kind"]): j.data["due_at"] for j in scheduler.moment_jobs()}
        friday_7 = datetime(2025, 12, 19, 7, 0, tzinfo=VN_TZ).isoformat()
        assert jobs[("2025-W50", DEADLINE)] == friday_7 and jobs[("2025-W50", ESCALATION)] == friday_7
        period = await app.services.storage.periods.get("tthc-weekly", "2025-W50")
        assert period.deadline_at == datetime(2025, 12, 18, 22, 0, tzinfo=VN_TZ)
        # the reporting journey sees the same calendar
        assert app.services.forms["tthc-weekly"].period.deadline.time.hour == 22


async def test_the_startup_job_runs_the_catch_up(make_app, clock) -> None:
    async with make_app(clock) as (app, request):
        w = await seed(app.services.storage, clock.now())
        clock.set(OPENS + timedelta(minutes=30))
        [startup] = app.job_queue.get_jobs_by_name(STARTUP_JOB)
        await startup.run(app)
        await scheduler_of(app).broadcaster.wait_idle()
        assert all(len(sent(request, p.telegram_id, "Đã mở báo cáo")) == 1 for p in w.reporters)
        assert SUNDAY_EVENING < clock.now()


async def test_jobs_around_tet_and_30_4_follow_the_moved_deadlines(make_app) -> None:
    def at(m: int, d: int, hh: int) -> str:
        return datetime(2026, m, d, hh, 0, tzinfo=VN_TZ).isoformat()

    clock = FakeClock(datetime(2026, 2, 13, 18, 0, tzinfo=VN_TZ))  # the Friday before Tết
    async with make_app(clock) as (app, _):
        await scheduler_of(app).startup()
        jobs = [(j.data["period"], j.data["kind"], j.data["due_at"]) for j in scheduler_of(app).moment_jobs()]
        assert [j for j in jobs if j[0] == "2026-W07"] == [
            ("2026-W07", OPENING, at(2, 23, 8)), ("2026-W07", REMINDER, at(2, 23, 9)),
            ("2026-W07", DEADLINE, at(2, 23, 15)), ("2026-W07", ESCALATION, at(2, 23, 15))]
        assert ("2026-W08", OPENING, at(2, 23, 8)) in jobs  # two reports open that Monday
        period = await app.services.storage.periods.get("tthc-weekly", "2026-W07")
        assert "Tết Nguyên Đán" in period.deadline_note

    clock.set(datetime(2026, 4, 24, 18, 0, tzinfo=VN_TZ))
    async with make_app(clock) as (app, _):
        await scheduler_of(app).startup()
        jobs = {(j.data["period"], j.data["kind"]): j.data["due_at"] for j in scheduler_of(app).moment_jobs()}
        assert jobs[("2026-W17", OPENING)] == at(4, 28, 8)  # Monday 27/4 is off for Giỗ Tổ
        assert jobs[("2026-W17", DEADLINE)] == at(5, 4, 15)  # Thursday 30/4 and Friday 1/5 are off

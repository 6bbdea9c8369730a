"""The calendar in chat driven through its services (bot.calendar) with no Telegram update:
leave with each refusal, /lich seen and changed (and refused), «Nhắc các xã chưa nộp» in and out of
the supervisor's province, a chat closed and opened again. The scheduler is the application's own."""

from __future__ import annotations

from datetime import date, timedelta

from bot.calendar.blocking import chat_closed, chat_opened
from bot.calendar.days import parse_day
from bot.calendar.leave import leave
from bot.calendar.nudging import nudge_missing
from bot.calendar.schedule import calendar
from bot.chat.access import identify
from bot.chat.actions import NudgeMissing
from bot.chat.catalogue import say
from bot.chat.replies import Message, Reply, TapAnswer
from bot.clock import FakeClock
from bot.domain.periods import period_label
from bot.notices.plan import BLOCKED, ESCALATION, NUDGE, CalendarInputError
from storage.models import Role
from tests.calendar.conftest import DEADLINE, OPENS, scheduler_of, seed
from tests.conftest import ADMIN_ID


def text_of(replies: list[Reply]) -> str:
    [text] = [r.text for r in replies if isinstance(r, Message)]
    return text


def refused(replies: list[Reply]) -> bool:
    return len(replies) == 1 and isinstance(replies[0], TapAnswer) and replies[0].alert


def test_days_as_officials_type_them() -> None:
    today = date(2025, 12, 14)
    assert parse_day("22/12", today) == date(2025, 12, 22)
    assert parse_day("2025-12-22", today) == date(2025, 12, 22)
    assert parse_day("22-12-25", today) == date(2025, 12, 22)
    assert parse_day("05/01", today) == date(2026, 1, 5)  # January typed in December
    assert parse_day("02/01", today, after=date(2025, 12, 29)) == date(2026, 1, 2)
    for text, key in (("thu hai", "calendar.not_a_day"), ("31/02", "calendar.no_such_day")):
        try:
            parse_day(text, today)
        except CalendarInputError as exc:
            assert str(exc) == say(key, text=text)
        else:
            raise AssertionError(text)


async def test_leave_set_cleared_and_refused(make_app, clock: FakeClock) -> None:
    async with make_app(clock) as (app, _):
        storage, settings = app.services.storage, app.services.settings
        w = await seed(storage, clock.now())
        now = clock.now()
        lan = await identify(storage, settings, w.lan.telegram_id)

        assert text_of(await leave(storage, lan, [], now=now)) == say("calendar.leave_help")
        done = text_of(await leave(storage, lan, ["15/12", "19/12"], now=now))
        assert done.startswith(say("calendar.leave_set", when="từ ngày 15/12 đến 19/12/2025"))
        assert "Lưu ý" not in done and done.endswith(say("calendar.leave_how_to_clear"))
        audit = await storage.audit.recent(action="leave.set")
        assert audit[0].detail == {"from": "2025-12-15", "to": "2025-12-19"} and audit[0].actor == w.lan.telegram_id

        lan = await identify(storage, settings, w.lan.telegram_id)  # the leave is on the person now
        assert text_of(await leave(storage, lan, [], now=now)).startswith(
            say("calendar.leave_current", when="từ ngày 15/12 đến 19/12/2025"))
        hung = await identify(storage, settings, w.hung.telegram_id)
        assert say("calendar.leave_alone", names="Phường Bắc Kạn") in text_of(await leave(storage, hung, ["20/12"], now=now))

        refusals = {("31/02",): say("calendar.no_such_day", text="31/02") + "\n\n" + say("calendar.leave_help"),
                    ("19/12", "15/12"): say("calendar.leave_end_before_start"),
                    ("01/12/2025",): say("calendar.leave_past"),
                    ("15/12/2025", "16/12/2026"): say("calendar.leave_too_long")}
        for args, answer in refusals.items():
            assert text_of(await leave(storage, lan, list(args), now=now)) == answer, args
        paused = await storage.people.get(w.lan.id)
        assert (paused.reminders_paused_from, paused.reminders_paused_to) == (date(2025, 12, 15), date(2025, 12, 19))

        assert text_of(await leave(storage, lan, ["Hủy"], now=now)) == say("calendar.leave_cleared")
        assert (await storage.people.get(w.lan.id)).reminders_paused_from is None
        assert len(await storage.audit.recent(action="leave.clear")) == 1
        stranger = await identify(storage, settings, 5555)
        assert text_of(await leave(storage, stranger, ["20/12"], now=now)) == say("common.help_stranger")


async def test_the_calendar_seen_changed_and_refused(make_app, clock: FakeClock) -> None:
    async with make_app(clock) as (app, _):
        storage, settings, forms = app.services.storage, app.services.settings, app.services.forms
        w = await seed(storage, clock.now())
        scheduler = scheduler_of(app)
        await scheduler.startup()
        now = clock.now()
        admin = await identify(storage, settings, ADMIN_ID)
        change = scheduler.change_calendar

        view = text_of(await calendar(storage, forms, admin, [], change, now=now))
        assert view.startswith(say("calendar.title", form=forms["tthc-weekly"].title))
        assert say("calendar.from_file") in view and view.endswith(say("calendar.calendar_help"))

        changed = text_of(await calendar(storage, forms, admin, ["tthc-weekly", "hannop", "thu6", "10:00"], change,
                                         now=now))
        assert changed.startswith(say("calendar.changed")) and "Hạn nộp: 10:00 thứ Sáu 19/12/2025" in changed
        assert (await storage.calendar.override("tthc-weekly")).updated_by == ADMIN_ID
        assert len(await storage.audit.recent(action="calendar.change")) == 1

        # a change the calendar cannot take: said, and nothing stored or applied
        wrong = text_of(await calendar(storage, forms, admin, ["hannop", "thu2", "07:00"], change, now=now))
        assert wrong == say("calendar.deadline_before_opening") + "\n\n" + say("calendar.calendar_help")
        assert forms["tthc-weekly"].period.deadline.weekday == "friday"
        assert len(await storage.audit.recent(action="calendar.change")) == 1
        for words, key in ((["bogus"], "calendar.unknown_word"), (["gio", "21:00", "07:00"], "calendar.quiet_hours_order")):
            answer = text_of(await calendar(storage, forms, admin, words, change, now=now))
            assert answer.startswith(say(key, word="bogus") if key.endswith("word") else say(key)), words

        reset = text_of(await calendar(storage, forms, admin, ["macdinh"], change, now=now))
        assert reset.startswith(say("calendar.reset")) and await storage.calendar.override("tthc-weekly") is None

        reporter = await identify(storage, settings, w.lan.telegram_id)
        assert text_of(await calendar(storage, forms, reporter, [], change, now=now)) == say("common.not_allowed")
        province_admin = await storage.people.get_or_create(4002, now, "Đỗ Văn Quản")
        await storage.people.add_membership(province_admin.id, Role.ADMIN, w.a.province_code, now)
        scoped = await identify(storage, settings, 4002)
        assert text_of(await calendar(storage, forms, scoped, ["hannop", "thu6", "10:00"], change, now=now)) == say(
            "calendar.shared_calendar")
        assert await storage.calendar.override("tthc-weekly") is None


async def test_nudging_the_missing_and_its_refusals(make_app, clock: FakeClock) -> None:
    async with make_app(clock) as (app, _):
        storage, settings = app.services.storage, app.services.settings
        w = await seed(storage, clock.now())
        scheduler = scheduler_of(app)
        await scheduler.startup()
        period = await storage.periods.get("tthc-weekly", "2025-W50")
        await storage.submissions.add_version(period.id, w.c.code, {"received_in_person": 1}, {}, w.thu.id, OPENS)
        clock.set(DEADLINE + timedelta(minutes=20))
        hoa = await identify(storage, settings, w.hoa.telegram_id)
        minutes = scheduler.config.nudge_minutes
        action = NudgeMissing(period_id=period.id, province=w.a.province_code)

        replies = await nudge_missing(storage, hoa, action, scheduler.nudge, now=clock.now(), nudge_minutes=minutes)
        assert replies[0] == TapAnswer(say("calendar.nudge_noted"))
        assert text_of(replies) == say("calendar.nudge_sent", people=3, units=2, period=period_label(period.key),
                                       later="")
        assert len(await storage.notices.list_for_period(period.id, NUDGE)) == 3
        again = await nudge_missing(storage, hoa, action, scheduler.nudge, now=clock.now(), nudge_minutes=minutes)
        assert text_of(again) == say("calendar.nudge_already", count=2, minutes=minutes)
        assert len(await storage.notices.list_for_period(period.id, NUDGE)) == 3

        lan = await identify(storage, settings, w.lan.telegram_id)
        assert refused(await nudge_missing(storage, lan, action, scheduler.nudge, now=clock.now(),
                                           nudge_minutes=minutes))
        elsewhere = NudgeMissing(period_id=period.id, province="01")
        assert refused(await nudge_missing(storage, hoa, elsewhere, scheduler.nudge, now=clock.now(),
                                           nudge_minutes=minutes))
        gone = NudgeMissing(period_id=987654, province=w.a.province_code)
        stale = await nudge_missing(storage, hoa, gone, scheduler.nudge, now=clock.now(), nudge_minutes=minutes)
        assert stale == [TapAnswer(say("common.stale_button"), alert=True)]
        assert len(await storage.notices.list_for_period(period.id, NUDGE)) == 3
        assert not await storage.notices.list_for_period(period.id, ESCALATION)


async def test_a_closed_chat_is_marked_and_told_once(make_app, clock: FakeClock) -> None:
    async with make_app(clock) as (app, _):
        storage = app.services.storage
        w = await seed(storage, clock.now())
        scheduler = scheduler_of(app)
        now = OPENS + timedelta(hours=1)
        assert not await chat_closed(storage, 5555, scheduler.blocked, now=now)
        assert await chat_closed(storage, w.hung.telegram_id, scheduler.blocked, now=now)
        assert not (await storage.people.get(w.hung.id)).active
        assert len(await storage.notices.list_for_chat(w.hoa.telegram_id, BLOCKED)) == 1
        assert await chat_opened(storage, w.hung.telegram_id, now=now)
        assert (await storage.people.get(w.hung.id)).active
        assert not await chat_opened(storage, w.hung.telegram_id, now=now)  # nothing to change


async def test_a_calendar_change_without_its_audit_row_is_neither_stored_nor_applied(make_app, clock: FakeClock) -> None:
    import sqlite3

    import pytest

    async with make_app(clock) as (app, _):
        storage, settings, forms = app.services.storage, app.services.settings, app.services.forms
        await seed(storage, clock.now())
        scheduler = scheduler_of(app)
        await scheduler.startup()
        async with storage.db.transaction() as conn:  # the audit row fails as a full disk would
            await conn.execute("CREATE TEMP TRIGGER fail_calendar BEFORE INSERT ON audit_log WHEN NEW.action = "
                               "'calendar.change' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
        admin = await identify(storage, settings, ADMIN_ID)
        with pytest.raises(sqlite3.IntegrityError):
            await calendar(storage, forms, admin, ["hannop", "thu6", "10:00"], scheduler.change_calendar,
                           now=clock.now())
        assert await storage.calendar.override("tthc-weekly") is None
        assert forms["tthc-weekly"].period.deadline.weekday == "thursday"

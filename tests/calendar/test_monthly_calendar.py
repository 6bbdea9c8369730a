"""The monthly Resolution 57 report's own calendar (templates/forms/nq57-monthly.yaml): figures from
01/01 to the end of the 23rd, open from the 20th, due on the 24th of the month reported, moved to
the next working day by a weekend or a public holiday as the weekly report is; and its notices,
sent beside the weekly report's by the running application, naming their report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.calendar.nudging import nudge_missing
from bot.chat.access import identify
from bot.chat.actions import NudgeMissing
from bot.chat.replies import Message
from bot.clock import VN_TZ, FakeClock
from bot.domain.forms import load_forms
from bot.domain.periods import PeriodSpec, current_open_period, period_for
from bot.notices.plan import DEADLINE, ESCALATION, OPENING, REMINDER, describe_spec
from tests.calendar.conftest import scheduler_of, seed, sent
from tests.domain.conftest import FORMS_DIR

SPEC = load_forms(FORMS_DIR)["nq57-monthly"].period


def at(month: int, day: int, hour: int, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=VN_TZ)


def test_april_2026_counts_from_new_year_to_the_23rd_and_is_due_on_the_24th() -> None:
    info = period_for(SPEC, "2026-04")
    assert (info.starts_on, info.ends_on) == (date(2026, 1, 1), date(2026, 4, 23))
    assert info.label == "Tháng 4/2026 (từ ngày 01/1 đến 23/4/2026)"
    assert info.opens_at == at(4, 20, 8) and info.deadline_at == at(4, 24, 17)
    assert info.deadline_note is None and not info.deadline_moved
    # the working day before the deadline and the deadline day, at 09:00
    assert info.reminders_at == (at(4, 23, 9), at(4, 24, 9))
    # the report on April is the one open from the 20th of April until the report on May opens
    assert current_open_period(SPEC, at(4, 20, 9)).key == info.key
    assert current_open_period(SPEC, at(5, 19, 9)).key == info.key
    assert str(current_open_period(SPEC, at(4, 20, 7)).key) == "2026-03"


def test_a_24th_on_a_weekend_or_a_public_holiday_moves_to_the_next_working_day() -> None:
    may = period_for(SPEC, "2026-05")  # Sunday 24/05/2026
    assert may.deadline_at == at(5, 25, 17) and may.nominal_deadline_at == at(5, 24, 17)
    assert may.deadline_note == ("Hạn nộp báo cáo chuyển từ Chủ nhật 24/5/2026 sang thứ Hai 25/5/2026 do trùng "
                                 "ngày nghỉ cuối tuần.")
    november = period_for(SPEC, "2026-11")  # Tuesday 24/11/2026: Ngày Văn hóa Việt Nam
    assert november.deadline_at == at(11, 25, 17)
    assert november.deadline_note is not None and "Ngày Văn hóa Việt Nam" in november.deadline_note
    # the figures still stop on the 23rd, whatever day the report is due
    assert november.ends_on == date(2026, 11, 23)
    june = period_for(SPEC, "2026-06")  # the 20th a Saturday: the report opens on Monday 22/06
    assert june.opens_at == at(6, 22, 8) and june.opens_note is not None


def test_the_calendar_in_words_says_the_cut_off_and_the_days_of_the_month_itself() -> None:
    lines = describe_spec(SPEC)
    assert "Số liệu: từ 01/01 đến hết ngày 23 của tháng báo cáo" in lines
    assert any("ngày 24 của tháng báo cáo" in line and "17:00" in line for line in lines)
    assert not any("tháng sau" in line for line in lines)


def test_a_cut_off_day_belongs_to_monthly_periods_before_their_deadline() -> None:
    base = {"kind": "monthly", "cutoff_day": 23, "opens": {"day": 20, "time": "08:00"}}
    for wrong in ({**base, "deadline": {"day": 23, "time": "17:00"}},
                  {"kind": "weekly", "cutoff_day": 23}):
        try:
            PeriodSpec.model_validate(wrong)
        except ValueError:
            continue
        raise AssertionError(f"accepted {wrong}")
    # without a cut-off a monthly report is still due in the month after (the default calendar)
    plain = PeriodSpec.model_validate({"kind": "monthly"})
    assert period_for(plain, "2026-04").deadline_at == at(5, 5, 15)


async def test_both_reports_open_and_are_reminded_each_naming_its_report(make_app: Any) -> None:
    clock = FakeClock(at(4, 19, 20))  # Sunday evening: the week 16 and April both open Monday 08:00
    async with make_app(clock) as (app, request):
        storage = app.services.storage
        w = await seed(storage, clock.now())
        scheduler = scheduler_of(app)
        await scheduler.startup()

        async def run(form: str, kind: str, when: datetime) -> None:
            [job] = [j for j in scheduler.moment_jobs() if isinstance(data := j.data, dict)
                     and (data["form"], data["kind"], data["due_at"]) == (form, kind, when.isoformat())]
            clock.set(when)
            await job.run(app)
            await scheduler.broadcaster.wait_idle()

        await run("tthc-weekly", OPENING, at(4, 20, 8))
        await run("nq57-monthly", OPENING, at(4, 20, 8))
        monthly = await storage.periods.get("nq57-monthly", "2026-04")
        weekly = await storage.periods.get("tthc-weekly", "2026-W16")
        texts = sent(request, w.lan.telegram_id)
        assert [t.split("\n")[0] for t in texts] == [
            "📋 Đã mở báo cáo Tuần 16/2026 (từ ngày 13/4 đến 19/4/2026) của Phường Đức Xuân.",
            "📋 Đã mở báo cáo tháng NQ57 tháng 4/2026 (từ ngày 01/1 đến 23/4/2026) của Phường Đức Xuân.",
        ]
        assert "Hạn nộp: 17:00 thứ Sáu 24/4/2026." in texts[1]
        assert request.last_to(w.lan.telegram_id).buttons == [("📝 Nhập báo cáo", f"open:{monthly.id}")]

        # Thursday 09:00: both are reminded, each by its name; a commune that sent one is reminded of the other
        await storage.submissions.add_version(weekly.id, w.c.code, {"received_in_person": 1}, {}, w.thu.id,
                                              at(4, 21, 10))
        request.clear()
        await run("tthc-weekly", REMINDER, at(4, 23, 9))
        await run("nq57-monthly", REMINDER, at(4, 23, 9))
        assert [t.split("\n")[0] for t in sent(request, w.thu.telegram_id)] == [
            "⏰ Nhắc báo cáo: Xã Phong Quang chưa nộp báo cáo tháng NQ57 tháng 4/2026 (từ ngày 01/1 đến 23/4/2026)."]
        assert len(sent(request, w.minh.telegram_id, "Nhắc báo cáo")) == 2

        # Friday 17:00: the monthly deadline and the supervisor's list name the monthly report
        request.clear()
        await run("nq57-monthly", DEADLINE, at(4, 24, 17))
        await run("nq57-monthly", ESCALATION, at(4, 24, 17))
        [last] = sent(request, w.thu.telegram_id)
        assert last.startswith("⚠️ Đã đến hạn nộp báo cáo tháng NQ57 tháng 4/2026 (17:00 thứ Sáu 24/4/2026) nhưng")
        [listing] = sent(request, w.hoa.telegram_id)
        assert listing.startswith("📌 Đến hạn nộp báo cáo tháng NQ57 tháng 4/2026 (17:00 thứ Sáu 24/4/2026), "
                                  "Tỉnh Thái Nguyên còn 3/3 xã, phường chưa nộp:")
        # the supervisor's «Nhắc các xã chưa nộp» under it says which report was nudged
        assert request.last_to(w.hoa.telegram_id).buttons == [("🔔 Nhắc các xã chưa nộp", f"nudge:{monthly.id}:19")]
        hoa = await identify(storage, app.services.settings, w.hoa.telegram_id)
        replies = await nudge_missing(storage, hoa, NudgeMissing(monthly.id, "19"), scheduler.nudge,
                                      now=clock.now(), nudge_minutes=60, forms=app.services.forms)
        [told] = [reply for reply in replies if isinstance(reply, Message)]
        assert "báo cáo tháng NQ57 tháng 4/2026 (từ ngày 01/1 đến 23/4/2026)" in told.text

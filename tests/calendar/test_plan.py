"""The plan of a period, pure: moments in Asia/Ho_Chi_Minh, holidays, quiet hours, chat changes.

Holiday dates were checked against the ``holidays`` package (country_holidays("VN", language="vi")):
2025 — 30/4 (Wed), 1/5 (Thu), 2/5 (Fri, in exchange for Sat 26/4); 2026 — Tết 16/2–20/2,
Giỗ Tổ 26/4 (Sun) with 27/4 off in lieu, 30/4 (Thu), 1/5 (Fri)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clock import VN_TZ
from bot.domain.calendar import holiday_name
from bot.domain.periods import PeriodSpec, QuietHours
from bot.notices.plan import (
    DEADLINE,
    ESCALATION,
    OPENING,
    REMINDER,
    CalendarInputError,
    allowed_moment,
    checked_spec,
    describe_plan,
    effective_spec,
    merge_override,
    parse_change,
    plan,
)

SPEC = PeriodSpec.model_validate({"form_id": "tthc-weekly"})


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


def timeline(key: str, spec: PeriodSpec = SPEC) -> list[tuple[str, datetime]]:
    [period] = plan(spec, key, 1)
    return [(m.kind, m.due_at) for m in period.moments]


def test_an_ordinary_week_in_vietnam_time() -> None:
    assert timeline("2025-W50") == [
        (OPENING, at(2025, 12, 15, 8)),
        (REMINDER, at(2025, 12, 17, 9)),  # the working day before the deadline
        (REMINDER, at(2025, 12, 18, 9)),  # the deadline day
        (DEADLINE, at(2025, 12, 18, 15)),
        (ESCALATION, at(2025, 12, 18, 15)),
    ]
    [period] = plan(SPEC, "2025-W50", 1)
    assert all(m.due_at.utcoffset().total_seconds() == 7 * 3600 for m in period.moments)
    assert period.moment(DEADLINE).due_at.astimezone(VN_TZ).hour == 15


def test_deadline_moves_past_30_4_and_1_5_2025() -> None:
    assert holiday_name(date(2025, 4, 30)) == "Ngày Chiến thắng"
    assert holiday_name(date(2025, 5, 1)) == "Ngày Quốc tế Lao động"
    assert holiday_name(date(2025, 5, 2)) is not None  # off in exchange for Saturday 26/4
    [period] = plan(SPEC, "2025-W17", 1)  # 21/4–27/4, due on Thursday 1/5 → Monday 5/5
    assert period.info.deadline_at == at(2025, 5, 5, 15)
    assert "Ngày Quốc tế Lao động (01/5)" in period.info.deadline_note
    assert [m.due_at for m in period.reminders] == [at(2025, 4, 29, 9), at(2025, 5, 5, 9)]


def test_deadline_and_opening_move_around_30_4_2026() -> None:
    [period] = plan(SPEC, "2026-W17", 1)  # 20/4–26/4
    assert period.moment(OPENING).due_at == at(2026, 4, 28, 8)  # Monday 27/4 is off in lieu of Giỗ Tổ
    assert period.moment(DEADLINE).due_at == at(2026, 5, 4, 15)  # Thursday 30/4, Friday 1/5 off
    assert period.info.deadline_note == (
        "Hạn nộp báo cáo chuyển từ thứ Năm 30/4/2026 sang thứ Hai 04/5/2026 do trùng ngày nghỉ: "
        "Ngày Chiến thắng (30/4), Ngày Quốc tế Lao động (01/5)."
    )
    assert [m.due_at for m in period.reminders] == [at(2026, 4, 29, 9), at(2026, 5, 4, 9)]


def test_tet_2026_two_reports_open_the_same_morning() -> None:
    assert all(holiday_name(date(2026, 2, d)) for d in range(16, 21))
    week6, week7, week8 = plan(SPEC, "2026-W06", 3)
    assert week6.moment(DEADLINE).due_at == at(2026, 2, 12, 15)  # before Tết
    # the week before Tết opens and is due after it: one reminder that morning, none before
    assert week7.moment(OPENING).due_at == at(2026, 2, 23, 8)
    assert week7.moment(DEADLINE).due_at == at(2026, 2, 23, 15)
    assert [m.due_at for m in week7.reminders] == [at(2026, 2, 23, 9)]
    assert "Tết Nguyên Đán" in week7.info.deadline_note
    assert week8.moment(OPENING).due_at == at(2026, 2, 23, 8)
    assert week8.moment(DEADLINE).due_at == at(2026, 2, 26, 15)


def test_quiet_hours_shift_a_moment_to_the_next_allowed_instant() -> None:
    quiet = QuietHours(allowed_from=time(7), allowed_until=time(21))
    assert allowed_moment(at(2025, 12, 18, 6, 30), quiet, VN_TZ) == at(2025, 12, 18, 7)
    assert allowed_moment(at(2025, 12, 18, 21), quiet, VN_TZ) == at(2025, 12, 19, 7)
    assert allowed_moment(at(2025, 12, 18, 2), quiet, VN_TZ) == at(2025, 12, 18, 7)  # never at 2 a.m.
    assert allowed_moment(at(2025, 12, 18, 20, 59), quiet, VN_TZ) == at(2025, 12, 18, 20, 59)
    # an instant given in UTC is judged in Vietnam time: 23:30 UTC is 06:30 the next morning
    assert allowed_moment(datetime(2025, 12, 17, 23, 30, tzinfo=UTC), quiet, VN_TZ) == at(2025, 12, 18, 7)


@given(
    moment=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)),
    start=st.integers(min_value=0, max_value=22), length=st.integers(min_value=1, max_value=23),
)
def test_a_shifted_moment_is_allowed_never_earlier_and_within_a_day(moment: datetime, start: int, length: int) -> None:
    quiet = QuietHours(allowed_from=time(start), allowed_until=time(min(start + length, 23), 59))
    shifted = allowed_moment(moment, quiet, VN_TZ)
    assert quiet.allows(shifted.astimezone(VN_TZ).time())
    assert moment <= shifted < moment + timedelta(days=1)
    assert allowed_moment(shifted, quiet, VN_TZ) == shifted
    if quiet.allows(moment.astimezone(VN_TZ).time()):
        assert shifted == moment


def test_notices_outside_working_hours_are_shifted() -> None:
    spec = effective_spec(SPEC, {
        "deadline": {"weekday": "friday", "time": "22:30"},
        "reminders": [{"working_days_before": 0, "time": "06:00"}, {"working_days_before": 1, "time": "12:00"}],
    })
    [period] = plan(spec, "2025-W50", 1)
    deadline = period.moment(DEADLINE)
    assert deadline.nominal_at == at(2025, 12, 19, 22, 30) and deadline.due_at == at(2025, 12, 20, 7)
    assert period.moment(ESCALATION).due_at == at(2025, 12, 20, 7)
    assert [(m.nominal_at, m.due_at) for m in period.reminders] == [
        (at(2025, 12, 18, 12), at(2025, 12, 18, 12)),
        (at(2025, 12, 19, 6), at(2025, 12, 19, 7)),
    ]
    text = describe_plan(spec, [period])
    assert "22:30 thứ Sáu 19/12/2025 (gửi lúc 07:00 thứ Bảy 20/12/2025 do ngoài giờ gửi tin 07:00–21:00)" in text


def test_a_reminder_pushed_to_the_deadline_is_left_out() -> None:
    spec = effective_spec(SPEC, {"quiet_hours": {"allowed_from": "16:00", "allowed_until": "20:00"}})
    [period] = plan(spec, "2025-W50", 1)
    # 09:00 reminders move to 16:00; the one on the deadline day would come after the deadline's notice
    assert [m.due_at for m in period.reminders] == [at(2025, 12, 17, 16)]
    assert period.moment(DEADLINE).due_at == at(2025, 12, 18, 16)


def test_plan_from_a_day_starts_with_the_report_still_to_be_due() -> None:
    assert str(plan(SPEC, date(2025, 12, 16), 1)[0].info.key) == "2025-W50"  # open, due Thursday
    assert str(plan(SPEC, at(2025, 12, 18, 16), 1)[0].info.key) == "2025-W51"  # W50 is past due
    assert [str(p.info.key) for p in plan(SPEC, "2025-W52", 3)] == ["2025-W52", "2026-W01", "2026-W02"]


def test_changes_typed_in_chat() -> None:
    assert parse_change(SPEC, ["hannop", "thu6", "10:00"]) == {"deadline": {"weekday": "friday", "time": "10:00"}}
    assert parse_change(SPEC, ["hạn", "thứ", "sáu", "10h"]) == {"deadline": {"weekday": "friday", "time": "10:00"}}
    assert parse_change(SPEC, ["mo", "t3", "7h30"]) == {"opens": {"weekday": "tuesday", "time": "07:30"}}
    assert parse_change(SPEC, ["nhac", "2", "08:00,", "0", "9h"]) == {"reminders": [
        {"working_days_before": 2, "time": "08:00"}, {"working_days_before": 0, "time": "09:00"}]}
    assert parse_change(SPEC, ["nhac", "tat"]) == {"reminders": []}
    assert parse_change(SPEC, ["gio", "6h30-22h"]) == {"quiet_hours": {"allowed_from": "06:30", "allowed_until": "22:00"}}
    assert parse_change(SPEC, ["macdinh"]) is None
    for bad in (["hannop", "thu9", "10:00"], ["hannop", "thu5", "25:00"], ["nhac", "x", "9h"],
                ["gio", "21:00", "07:00"], ["doi", "gi", "do"]):
        with pytest.raises(CalendarInputError):
            parse_change(SPEC, bad)


def test_an_override_that_cannot_work_is_refused_in_vietnamese() -> None:
    override = merge_override(None, {"deadline": {"weekday": "monday", "time": "07:00"}})
    with pytest.raises(CalendarInputError, match="Hạn nộp phải sau"):
        checked_spec(SPEC, override)
    merged = merge_override({"deadline": {"weekday": "friday", "time": "10:00"}}, {"deadline": {"time": "11:00"}})
    assert merged == {"deadline": {"weekday": "friday", "time": "11:00"}}
    assert checked_spec(SPEC, merged).deadline.time == time(11)

"""Reporting periods: keys, dates, openings, deadlines moved by holidays, reminders.

Holiday dates below were checked against the ``holidays`` package (country_holidays("VN",
language="vi")): 2026 — Tết 16/2–20/2, Giỗ Tổ 26/4 (Sun) with 27/4 off in lieu, 30/4 and 1/5,
31/8 off (in exchange for Sat 22/8), 1/9–2/9; 2027 — Tết 4/2–10/2, 2/9–3/9.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import BaseModel

from bot.clock import VN_TZ
from bot.domain.periods import (
    PeriodInfo,
    PeriodKey,
    PeriodKeyError,
    PeriodSpec,
    current_open_period,
    next_key,
    open_periods,
    period_containing,
    period_for,
    period_label,
    periods_between,
    previous_key,
)

WEEKLY = PeriodSpec.model_validate({"form_id": "tthc-weekly"})
MONTHLY = PeriodSpec.model_validate({"kind": "monthly", "deadline": {"day": 2, "time": "15:00"}})


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


# --- keys ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "printed"),
    [
        ("2025-W50", PeriodKey.week(2025, 50), "2025-W50"),
        ("2025w50", PeriodKey.week(2025, 50), "2025-W50"),
        ("2026-W1", PeriodKey.week(2026, 1), "2026-W01"),
        ("2026-W53", PeriodKey.week(2026, 53), "2026-W53"),
        ("2025-12", PeriodKey.month(2025, 12), "2025-12"),
        ("2026-2", PeriodKey.month(2026, 2), "2026-02"),
    ],
)
def test_keys_parse_and_print(text: str, key: PeriodKey, printed: str) -> None:
    assert PeriodKey.parse(text) == key
    assert str(key) == printed
    assert PeriodKey.parse(str(key)) == key


@pytest.mark.parametrize("text", ["2025-W53", "2025-W00", "2025-13", "2025-00", "W50", "2025/50", "", "abc"])
def test_bad_keys(text: str) -> None:
    with pytest.raises(PeriodKeyError):
        PeriodKey.parse(text)


def test_previous_and_next_keys() -> None:
    assert previous_key("2026-W01") == PeriodKey.week(2025, 52)
    assert next_key("2025-W52") == PeriodKey.week(2026, 1)
    assert next_key("2026-W52") == PeriodKey.week(2026, 53)
    assert next_key("2026-W53") == PeriodKey.week(2027, 1)
    assert previous_key("2026-01") == PeriodKey.month(2025, 12)
    assert next_key("2025-12") == PeriodKey.month(2026, 1)
    assert previous_key(PeriodKey.month(2026, 3)) == PeriodKey.month(2026, 2)
    assert PeriodKey.week(2025, 49) < PeriodKey.week(2025, 50) < PeriodKey.week(2026, 1)


def test_key_dates_and_labels() -> None:
    week = PeriodKey.week(2025, 50)
    assert (week.starts_on, week.ends_on) == (date(2025, 12, 8), date(2025, 12, 14))
    assert week.label == "Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025)"
    assert period_label("2026-W01") == "Tuần 1/2026 (từ ngày 29/12/2025 đến 04/1/2026)"
    month = PeriodKey.month(2026, 2)
    assert (month.starts_on, month.ends_on) == (date(2026, 2, 1), date(2026, 2, 28))
    assert month.label == "Tháng 2/2026 (từ ngày 01/2 đến 28/2/2026)"
    assert PeriodKey.containing("weekly", date(2027, 1, 1)) == PeriodKey.week(2026, 53)


def test_keys_in_pydantic_models_are_strings() -> None:
    class Stored(BaseModel):
        period: PeriodKey

    stored = Stored.model_validate({"period": "2025-W50"})
    assert stored.period == PeriodKey.week(2025, 50)
    assert stored.model_dump(mode="json") == {"period": "2025-W50"}
    assert Stored.model_validate_json(stored.model_dump_json()) == stored


# --- the default weekly calendar -------------------------------------------------------------


def test_week_50_opens_monday_and_is_due_thursday() -> None:
    info = period_for(WEEKLY, "2025-W50")
    assert isinstance(info, PeriodInfo)
    assert info.form_id == "tthc-weekly"
    assert (info.starts_on, info.ends_on) == (date(2025, 12, 8), date(2025, 12, 14))
    assert info.opens_at == at(2025, 12, 15, 8)
    assert info.deadline_at == at(2025, 12, 18, 15)
    assert info.deadline_at.utcoffset().total_seconds() == 7 * 3600  # type: ignore[union-attr]
    assert info.deadline_note is None and not info.deadline_moved
    assert info.reminders_at == (at(2025, 12, 17, 9), at(2025, 12, 18, 9))
    assert info.label == "Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025)"
    assert info.is_late(at(2025, 12, 18, 15, 1)) and not info.is_late(at(2025, 12, 18, 15))


def test_deadline_around_30_4_and_1_5_2026() -> None:
    info = period_for(WEEKLY, "2026-W17")  # 20/4–26/4/2026; Thu 30/4 and Fri 1/5 are holidays
    assert info.nominal_deadline_at == at(2026, 4, 30, 15)
    assert info.deadline_at == at(2026, 5, 4, 15)
    assert info.deadline_note == (
        "Hạn nộp báo cáo chuyển từ thứ Năm 30/4/2026 sang thứ Hai 04/5/2026 do trùng ngày nghỉ: "
        "Ngày Chiến thắng (30/4), Ngày Quốc tế Lao động (01/5)."
    )
    # Mon 27/4 is off in lieu of Giỗ Tổ (Sun 26/4): the report opens on Tuesday
    assert info.opens_at == at(2026, 4, 28, 8)
    assert info.opens_note is not None and "Ngày Giỗ Tổ Hùng Vương" in info.opens_note
    assert info.reminders_at == (at(2026, 4, 29, 9), at(2026, 5, 4, 9))


def test_around_2_9_2026_the_deadline_stays_but_the_opening_moves() -> None:
    info = period_for(WEEKLY, "2026-W35")  # 24/8–30/8; Mon 31/8, Tue 1/9 and Wed 2/9 are off
    assert info.deadline_at == at(2026, 9, 3, 15)
    assert info.deadline_note is None
    assert info.opens_at == at(2026, 9, 3, 8)
    assert info.opens_note == (
        "Ngày mở báo cáo chuyển từ thứ Hai 31/8/2026 sang thứ Năm 03/9/2026 do trùng ngày nghỉ: "
        "Ngày nghỉ bù (31/8), Quốc khánh (01/9–02/9)."
    )
    assert info.reminders_at == (at(2026, 9, 3, 9),)  # the working day before is before the opening


def test_deadline_on_2_9_2027() -> None:
    info = period_for(WEEKLY, "2027-W34")  # due Thu 2/9/2027; 2/9 and 3/9 are off
    assert info.deadline_at == at(2027, 9, 6, 15)
    assert info.deadline_note is not None and "Quốc khánh (02/9–03/9)" in info.deadline_note


def test_tet_2026() -> None:
    info = period_for(WEEKLY, "2026-W07")  # 09/2–15/2/2026; Tết is Mon 16/2 – Fri 20/2
    assert info.deadline_at == at(2026, 2, 23, 15)
    assert info.deadline_note == (
        "Hạn nộp báo cáo chuyển từ thứ Năm 19/2/2026 sang thứ Hai 23/2/2026 do trùng ngày nghỉ: "
        "Tết Nguyên Đán (19/2–20/2)."
    )
    assert info.opens_at == at(2026, 2, 23, 8)
    assert info.reminders_at == (at(2026, 2, 23, 9),)
    tet_week = period_for(WEEKLY, "2026-W08")  # the week of Tết itself: nothing moves
    assert tet_week.opens_at == at(2026, 2, 23, 8)
    assert tet_week.deadline_at == at(2026, 2, 26, 15)


def test_tet_2027() -> None:
    info = period_for(WEEKLY, "2027-W04")  # 25/1–31/1/2027; Tết is Thu 4/2 – Wed 10/2
    assert info.opens_at == at(2027, 2, 1, 8)
    assert info.deadline_at == at(2027, 2, 11, 15)
    assert info.deadline_note is not None
    assert info.deadline_note.endswith("do trùng ngày nghỉ: Tết Nguyên Đán (04/2–10/2).")
    assert info.reminders_at == (at(2027, 2, 3, 9), at(2027, 2, 11, 9))


def test_weekend_deadline_moves_to_monday() -> None:
    spec = PeriodSpec.model_validate({"deadline": {"weekday": "saturday", "time": "10:00"}})
    info = period_for(spec, "2025-W50")
    assert info.deadline_at == at(2025, 12, 22, 10)
    assert info.deadline_note == (
        "Hạn nộp báo cáo chuyển từ thứ Bảy 20/12/2025 sang thứ Hai 22/12/2025 do trùng ngày nghỉ cuối tuần."
    )


def test_moving_can_be_switched_off() -> None:
    spec = PeriodSpec.model_validate(
        {"deadline": {"weekday": "thursday", "time": "15:00", "move_to_working_day": False}}
    )
    assert period_for(spec, "2026-W17").deadline_at == at(2026, 4, 30, 15)


# --- monthly ---------------------------------------------------------------------------------


def test_monthly_periods() -> None:
    info = period_for(MONTHLY, "2025-12")
    assert (info.starts_on, info.ends_on) == (date(2025, 12, 1), date(2025, 12, 31))
    assert info.opens_at == at(2026, 1, 2, 8)  # 1/1 is Tết Dương lịch
    assert info.deadline_at == at(2026, 1, 2, 15)
    august = period_for(MONTHLY, "2026-08")  # due 2/9/2026, Quốc khánh
    assert august.deadline_at == at(2026, 9, 3, 15)
    assert august.deadline_note is not None and "Quốc khánh (02/9)" in august.deadline_note
    assert period_for(PeriodSpec.model_validate({"kind": "monthly"}), "2026-03").deadline_at == at(
        2026, 4, 6, 15
    )


def test_kind_mismatch() -> None:
    with pytest.raises(PeriodKeyError):
        period_for(WEEKLY, "2025-12")


# --- finding periods -------------------------------------------------------------------------


def test_period_containing() -> None:
    assert period_containing(WEEKLY, date(2025, 12, 14)).key == PeriodKey.week(2025, 50)
    assert period_containing(WEEKLY, date(2025, 12, 15)).key == PeriodKey.week(2025, 51)
    assert period_containing(WEEKLY, at(2025, 12, 31, 23, 30)).key == PeriodKey.week(2026, 1)
    assert period_containing(MONTHLY, date(2026, 2, 28)).key == PeriodKey.month(2026, 2)


def test_periods_between() -> None:
    keys = [str(info.key) for info in periods_between(WEEKLY, "2025-W51", "2026-W02")]
    assert keys == ["2025-W51", "2025-W52", "2026-W01", "2026-W02"]
    counted = periods_between(WEEKLY, date(2025, 12, 10), count=3)
    assert [str(info.key) for info in counted] == ["2025-W50", "2025-W51", "2025-W52"]
    assert periods_between(WEEKLY, "2025-W51", "2025-W50") == []
    assert [str(i.key) for i in periods_between(MONTHLY, "2025-11", count=3)] == [
        "2025-11",
        "2025-12",
        "2026-01",
    ]
    with pytest.raises(ValueError):
        periods_between(WEEKLY, "2025-W51")


def test_current_open_period() -> None:
    assert current_open_period(WEEKLY, at(2025, 12, 15, 7, 59)).key == PeriodKey.week(2025, 49)
    assert current_open_period(WEEKLY, at(2025, 12, 15, 8)).key == PeriodKey.week(2025, 50)
    assert current_open_period(WEEKLY, at(2025, 12, 19, 10)).key == PeriodKey.week(
        2025, 50
    )  # late, still current
    assert current_open_period(WEEKLY, at(2026, 2, 17, 10)).key == PeriodKey.week(2026, 6)  # during Tết
    assert current_open_period(WEEKLY, datetime(2025, 12, 15, 1, 0, tzinfo=UTC)).key == PeriodKey.week(
        2025, 50
    )
    assert current_open_period(WEEKLY, datetime(2025, 12, 15, 0, 59, tzinfo=UTC)).key == PeriodKey.week(
        2025, 49
    )
    with pytest.raises(ValueError):
        current_open_period(WEEKLY, datetime(2025, 12, 15, 9))


def test_two_periods_open_after_tet() -> None:
    keys = [str(info.key) for info in open_periods(WEEKLY, at(2026, 2, 23, 10))]
    assert keys == ["2026-W07", "2026-W08"]
    assert [str(info.key) for info in open_periods(WEEKLY, at(2026, 2, 23, 16))] == ["2026-W08"]
    assert [str(info.key) for info in open_periods(WEEKLY, at(2025, 12, 16, 10))] == ["2025-W50"]

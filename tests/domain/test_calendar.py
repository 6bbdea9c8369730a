"""Working days in Vietnam, with holiday names in Vietnamese from the holidays package."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.calendar import (
    holiday_name,
    is_working_day,
    moved_note,
    next_working_day,
    weekday_vi,
    working_day_before,
    working_day_on_or_after,
)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 4, 30), "Ngày Chiến thắng"),
        (date(2026, 5, 1), "Ngày Quốc tế Lao động"),
        (date(2026, 9, 2), "Quốc khánh"),
        (date(2026, 2, 17), "Tết Nguyên Đán"),
        (date(2026, 2, 16), "Giao thừa Tết Nguyên Đán"),
        (date(2027, 2, 4), "29 Tết"),
        (date(2026, 1, 1), "Tết Dương lịch"),
        (date(2026, 4, 29), None),
    ],
)
def test_holiday_names_in_vietnamese(day: date, name: str | None) -> None:
    assert holiday_name(day) == name


def test_working_days() -> None:
    assert is_working_day(date(2025, 12, 18))  # a Thursday
    assert not is_working_day(date(2025, 12, 20))  # a Saturday
    assert not is_working_day(date(2026, 8, 22))  # a make-up Saturday is still not counted
    assert not is_working_day(date(2026, 4, 30))
    assert working_day_on_or_after(date(2025, 12, 18)) == date(2025, 12, 18)
    assert working_day_on_or_after(date(2026, 4, 30)) == date(2026, 5, 4)
    assert next_working_day(date(2025, 12, 18)) == date(2025, 12, 19)
    assert next_working_day(date(2027, 2, 3)) == date(2027, 2, 11)


def test_working_day_before() -> None:
    assert working_day_before(date(2025, 12, 18)) == date(2025, 12, 17)
    assert working_day_before(date(2025, 12, 22)) == date(2025, 12, 19)  # Monday → Friday
    assert working_day_before(date(2026, 5, 4)) == date(2026, 4, 29)  # over 30/4, 1/5 and a weekend
    assert working_day_before(date(2026, 2, 23)) == date(2026, 2, 13)  # over Tết
    assert working_day_before(date(2025, 12, 18), count=0) == date(2025, 12, 18)
    assert working_day_before(date(2025, 12, 18), count=3) == date(2025, 12, 15)


def test_weekday_names() -> None:
    assert weekday_vi(date(2025, 12, 18)) == "thứ Năm"
    assert weekday_vi(date(2025, 12, 21)) == "Chủ nhật"
    assert weekday_vi(date(2025, 12, 15)) == "thứ Hai"


def test_moved_note_groups_tet() -> None:
    note = moved_note("Hạn nộp", date(2027, 2, 4), date(2027, 2, 11))
    assert (
        note
        == "Hạn nộp chuyển từ thứ Năm 04/2/2027 sang thứ Năm 11/2/2027 do trùng ngày nghỉ: Tết Nguyên Đán (04/2–10/2)."
    )

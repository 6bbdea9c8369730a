"""Reporting periods."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from storage_helpers import World

from bot.clock import VN_TZ
from storage import Period, Storage


def _vn(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=VN_TZ)


async def _weeks(storage: Storage, count: int = 4) -> list[Period]:
    """Weeks 2025-W49 … : Monday 08:00 to Thursday 15:00."""
    periods = []
    monday = date(2025, 12, 1)
    for i in range(count):
        start = monday + timedelta(weeks=i)
        periods.append(
            await storage.periods.upsert(
                "tthc-weekly", f"2025-W{49 + i}", start, start + timedelta(days=6),
                _vn(start.year, start.month, start.day, 8), _vn(start.year, start.month, start.day, 8) + timedelta(days=3, hours=7),
            )
        )
    return periods


async def test_upsert_keeps_the_id_and_moves_the_deadline(world: World) -> None:
    periods = world.storage.periods
    p = world.period
    assert p.key == "2025-W50" and p.starts_on == date(2025, 12, 8) and p.deadline_at == _vn(2025, 12, 11, 15)
    moved = await periods.upsert("tthc-weekly", "2025-W50", p.starts_on, p.ends_on, p.opens_at,
                                 _vn(2025, 12, 12, 15), deadline_note="Ngày lễ")
    assert moved.id == p.id and moved.deadline_at == _vn(2025, 12, 12, 15) and moved.deadline_note == "Ngày lễ"
    assert await periods.get("tthc-weekly", "2025-W50") == moved
    assert await periods.get_by_id(p.id) == moved
    assert await periods.get("other-form", "2025-W50") is None
    with pytest.raises(ValueError):
        await periods.upsert("tthc-weekly", "x", date(2025, 12, 8), date(2025, 12, 1), p.opens_at, p.deadline_at)


async def test_open_current_latest_closed_range_previous(storage: Storage) -> None:
    w49, w50, w51, w52 = await _weeks(storage)
    periods = storage.periods
    # Wednesday of W50, noon: W50 open
    assert await periods.open_at(_vn(2025, 12, 10, 12)) == [w50]
    assert await periods.open_at(_vn(2025, 12, 10, 12), form_id="other") == []
    # Friday of W50: nothing open on time, W50 still current (late answers), W50 the latest closed
    friday = _vn(2025, 12, 12, 9)
    assert await periods.open_at(friday) == []
    assert await periods.current("tthc-weekly", friday) == w50
    assert await periods.latest_closed("tthc-weekly", friday) == w50
    assert await periods.latest_closed("tthc-weekly", _vn(2025, 12, 10)) == w49
    assert await periods.latest_closed("tthc-weekly", _vn(2025, 11, 1)) is None
    assert await periods.current("tthc-weekly", _vn(2025, 11, 1)) is None
    # the deadline instant itself is closed
    assert await periods.open_at(w50.deadline_at) == []
    assert await periods.list_range("tthc-weekly", date(2025, 12, 10), date(2025, 12, 16)) == [w50, w51]
    assert await periods.list_range("tthc-weekly", date(2025, 1, 1), date(2025, 12, 31)) == [w49, w50, w51, w52]
    assert await periods.previous(w51) == [w50]
    assert await periods.previous(w52, count=3) == [w51, w50, w49]
    assert await periods.previous(w49) == []


async def test_periods_are_read_back_in_vietnam_time(world: World) -> None:
    stored = await world.storage.periods.get_by_id(world.period.id)
    assert stored is not None
    assert str(stored.opens_at.tzinfo) == "Asia/Ho_Chi_Minh"
    assert stored.opens_at.isoformat() == "2025-12-08T08:00:00+07:00"

"""Shared data for the storage tests: a few units, people and a period, and a clock origin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.clock import VN_TZ
from storage import Period, Person, Role, Storage, Unit, UnitKind

T0 = datetime(2025, 12, 8, 8, 0, tzinfo=VN_TZ)  # Monday of 2025-W50, 08:00

QUANG_NGAI = Unit(code="51", name="Quảng Ngãi", full_name="Tỉnh Quảng Ngãi", kind=UnitKind.PROVINCE,
                  division_type="tỉnh", province_code="51")
PHUOC_GIANG = Unit(code="21370", name="Phước Giang", full_name="Xã Phước Giang", kind=UnitKind.COMMUNE,
                   division_type="xã", province_code="51")
THAI_NGUYEN = Unit(code="19", name="Thái Nguyên", full_name="Tỉnh Thái Nguyên", kind=UnitKind.PROVINCE,
                   division_type="tỉnh", province_code="19")
DUC_XUAN = Unit(code="01840", name="Đức Xuân", full_name="Phường Đức Xuân", kind=UnitKind.COMMUNE,
                division_type="phường", province_code="19")
BAC_KAN = Unit(code="01843", name="Bắc Kạn", full_name="Phường Bắc Kạn", kind=UnitKind.COMMUNE,
               division_type="phường", province_code="19")
UNITS = [QUANG_NGAI, PHUOC_GIANG, THAI_NGUYEN, DUC_XUAN, BAC_KAN]


def at(minutes: float = 0, *, days: float = 0) -> datetime:
    """T0 plus some minutes/days."""
    return T0 + timedelta(minutes=minutes, days=days)


@dataclass
class World:
    storage: Storage
    lan: Person  # reporter of Phước Giang
    minh: Person  # second reporter of Phước Giang
    hoa: Person  # supervisor of Quảng Ngãi
    period: Period  # tthc-weekly 2025-W50


async def make_world(storage: Storage) -> World:
    await storage.units.upsert_many(UNITS)
    lan = await storage.people.get_or_create(1001, T0, "Nguyễn Thị Lan", "lan_ubnd")
    minh = await storage.people.get_or_create(1002, T0, "Trần Văn Minh")
    hoa = await storage.people.get_or_create(2001, T0, "Lê Thị Hoa", "hoa_skhcn")
    await storage.people.add_membership(lan.id, Role.REPORTER, PHUOC_GIANG.code, T0)
    await storage.people.add_membership(minh.id, Role.REPORTER, PHUOC_GIANG.code, T0)
    await storage.people.add_membership(hoa.id, Role.SUPERVISOR, QUANG_NGAI.code, T0)
    period = await storage.periods.upsert(
        "tthc-weekly", "2025-W50", date(2025, 12, 8), date(2025, 12, 14),
        T0, datetime(2025, 12, 11, 15, 0, tzinfo=VN_TZ),
    )
    return World(storage, lan, minh, hoa, period)

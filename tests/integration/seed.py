"""Seeding the database for integration tests: real units, people bound by real invitations."""

from __future__ import annotations

from datetime import datetime

from bot.administering.tokens import create_invite, redeem_invite
from bot.administering.units import official_units
from storage import Storage
from storage.models import Person, Role, Unit

# A week as an official types it, that balances (no soft check fires): 53 + 49 = 102 = 53 + 48 + 1.
BALANCED = {
    "carried_over": "53", "received_online_full": "40", "received_online_partial": "9",
    "received_in_person": "0", "received_postal": "0", "resolved_early": "50", "resolved_on_time": "3",
    "resolved_late": "0", "pending_in_time": "48", "pending_overdue": "0", "withdrawn": "1",
    "digitized": "49", "e_results": "53",
    "legal": "Đã ban hành Kế hoạch chuyển đổi số năm 2026.", "infrastructure": "Thiếu máy scan.",
    "resources": "03 công chức tiếp nhận.", "difficulties": "Mạng chập chờn.", "proposals": "Hỗ trợ kinh phí.",
}

PHUOC_GIANG_SEARCH = "phuoc giang"
THAI_NGUYEN = "19"


async def load_units(storage: Storage, province: str = THAI_NGUYEN) -> list[Unit]:
    units = official_units(province)
    await storage.units.upsert_many(units)
    return [u for u in units if u.kind == "commune"]


async def bind(storage: Storage, telegram_id: int, name: str, role: Role, unit: Unit | None,
               now: datetime) -> Person:
    token, _ = await create_invite(storage, role, unit, created_by=None, now=now)
    result = await redeem_invite(storage, token, telegram_id=telegram_id, full_name=name, username=None, now=now)
    assert result.person is not None
    return result.person

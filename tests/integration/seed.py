"""Seeding the database for integration tests: real units, people bound by real invitations."""

from __future__ import annotations

from datetime import datetime

from bot.invites import create_invite, redeem_invite
from bot.units import official_units
from storage import Storage
from storage.models import Person, Role, Unit

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

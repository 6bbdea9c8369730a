"""The journeys' services driven directly, with no messenger: a real SQLite file with the official
units of Thái Nguyên (19) and Hà Nội (01), people bound to them, and the replies read back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

import pytest

from bot.administering.units import official_units
from bot.chat.access import Identity, identify
from bot.chat.replies import Message, Reply, TapAnswer
from bot.settings import Settings
from storage import Storage
from storage.models import Person, Role, Unit

CONFIGURED_ADMIN = 900001  # the root conftest's ADMIN_IDS


@pytest.fixture
async def storage(settings: Settings) -> AsyncIterator[Storage]:
    opened = await Storage.open(settings.database_path)
    try:
        yield opened
    finally:
        await opened.close()


@dataclass
class Place:
    thai_nguyen: Unit
    ha_noi: Unit
    phuc_loc: Unit  # a commune of Thái Nguyên
    dong_phuc: Unit  # another
    ha_noi_commune: Unit  # Xã Phúc Lộc of Hà Nội


@pytest.fixture
async def place(storage: Storage) -> Place:
    units = official_units("19") + official_units("01")
    await storage.units.upsert_many(units)
    by_name = {u.full_name: u for u in units if u.province_code == "19"}  # Hà Nội has a Xã Phúc Lộc too
    ha_noi = next(u for u in units if u.code == "01")
    ha_noi_commune = next(u for u in units if u.province_code == "01" and u.full_name == "Xã Phúc Lộc")
    return Place(by_name["Tỉnh Thái Nguyên"], ha_noi, by_name["Xã Phúc Lộc"],
                 by_name["Xã Đồng Phúc"], ha_noi_commune)


async def person(storage: Storage, telegram_id: int, name: str, role: Role, unit: Unit | None,
                 now: datetime) -> Person:
    found = await storage.people.get_or_create(telegram_id, now, name)
    await storage.people.add_membership(found.id, role, unit.code if unit else None, now)
    return found


async def who(storage: Storage, settings: Settings, telegram_id: int) -> Identity:
    return await identify(storage, settings, telegram_id)


def texts(replies: list[Reply]) -> list[str]:
    return [r.text for r in replies if isinstance(r, Message)]


def only_text(replies: list[Reply]) -> str:
    [text] = texts(replies)
    return text


def refused(replies: list[Reply]) -> bool:
    """The tap was refused with an alert, and nothing else was said."""
    return len(replies) == 1 and isinstance(replies[0], TapAnswer) and replies[0].alert

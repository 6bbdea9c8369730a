"""The demo's officials on Zalo (templates/demo.yaml, ``zalo_people``): bound to their units
directly (an invitation by code is typed on Zalo; the demo needs none), once."""

from __future__ import annotations

from datetime import datetime

from bot.demo.script import ZaloPersonData, script
from bot.demo.seed import choose_communes
from storage import Storage
from storage.models import Unit

ZALO_COMMUNES = 4  # the Telegram officials' three communes, and one more


async def seed_zalo_people(storage: Storage, province: Unit, communes: list[Unit],
                           now: datetime) -> list[tuple[ZaloPersonData, Unit]]:
    chosen = choose_communes(province.code, communes, ZALO_COMMUNES)
    seeded: list[tuple[ZaloPersonData, Unit]] = []
    for data in script().zalo_people:
        unit = province if data.commune is None else chosen[data.commune % len(chosen)]
        person = await storage.people.get_or_create_zalo(data.zalo_id, now, data.display_name)
        await storage.people.add_membership(person.id, data.role, unit.code, now)
        seeded.append((data, unit))
    return seeded

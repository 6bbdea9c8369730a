"""Fixtures of the reporting journey's service tests: the services on a real SQLite file, and two
communes of Thái Nguyên with a reporter each (Lan of Phúc Lộc, Tú of another)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import FakeClock
from bot.domain.forms import load_forms
from bot.services import Services
from bot.settings import Settings
from storage import Storage
from storage.models import Role, Unit
from tests.integration.seed import bind, load_units

LAN, TU = 8201, 8202


@pytest.fixture
async def services(settings: Settings, clock: FakeClock) -> AsyncIterator[Services]:
    services = Services(settings=settings, clock=clock, forms=load_forms(settings.forms_dir))
    storage = await Storage.open(settings.database_path)
    services.attach_storage(storage)
    try:
        yield services
    finally:
        await storage.close()


@pytest.fixture
async def communes(services: Services, clock: FakeClock) -> list[Unit]:
    units = await load_units(services.storage)
    phuc_loc = next(u for u in units if u.name == "Phúc Lộc")
    other = next(u for u in units if u.code != phuc_loc.code)
    await bind(services.storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, phuc_loc, clock.now())
    await bind(services.storage, TU, "Lê Văn Tú", Role.REPORTER, other, clock.now())
    return [phuc_loc, other]



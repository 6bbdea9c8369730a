"""A real database with a province and two communes; the clock; the settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.clock import VN_TZ, FakeClock
from bot.settings import Settings
from storage import Storage
from tests.storage.storage_helpers import DUC_XUAN, PHUOC_GIANG, QUANG_NGAI, THAI_NGUYEN


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 12, 7, 9, 0, tzinfo=VN_TZ))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, database_path=tmp_path / "baocao.db")


@pytest.fixture
async def storage(settings: Settings) -> AsyncIterator[Storage]:
    opened = await Storage.open(settings.database_path)
    await opened.units.upsert_many([QUANG_NGAI, PHUOC_GIANG, THAI_NGUYEN, DUC_XUAN])
    yield opened
    await opened.close()

"""Fixtures for the storage tests: real SQLite files in tmp_path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from storage_helpers import World, make_world

from storage import Storage


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "baocao.sqlite3"


@pytest.fixture
async def storage(db_path: Path) -> AsyncIterator[Storage]:
    opened = await Storage.open(db_path)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
async def world(storage: Storage) -> World:
    return await make_world(storage)

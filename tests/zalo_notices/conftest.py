"""Fixtures for notices over Zalo: the sandbox (both messengers) and its control client, as the
sandbox's own tests have them (checked for spec violations at the end), and a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Storage
from tests.sandbox.conftest import client, limits, server

__all__ = ["client", "limits", "server", "storage"]


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    opened = await Storage.open(tmp_path / "baocao.db")
    yield opened
    await opened.close()

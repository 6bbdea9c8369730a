"""Fixtures for notices over Zalo: the sandbox (both messengers), its control client, a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox import SandboxClient, SandboxServer
from storage import Storage


@pytest.fixture
async def server() -> AsyncIterator[SandboxServer]:
    srv = SandboxServer()
    await srv.start()
    yield srv
    await srv.stop()
    assert srv.spec_violations == [], srv.spec_violations
    assert srv.internal_errors == [], srv.internal_errors


@pytest.fixture
async def client(server: SandboxServer) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(server.base_url) as c:
        yield c


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    opened = await Storage.open(tmp_path / "baocao.db")
    yield opened
    await opened.close()

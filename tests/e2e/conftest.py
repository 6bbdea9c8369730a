from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox import SandboxClient, SandboxServer
from tests.e2e.botprocess import BotProcess


@pytest.fixture
async def sandbox() -> AsyncIterator[tuple[SandboxServer, SandboxClient]]:
    server = SandboxServer()
    base = await server.start()
    client = SandboxClient(base)
    try:
        yield server, client
    finally:
        await client.close()
        await server.stop()


@pytest.fixture
async def bot_process(sandbox, tmp_path: Path) -> AsyncIterator[BotProcess]:
    server, _ = sandbox
    process = BotProcess(server.base_url, tmp_path / "baocao.db")
    yield process
    if process.process is not None and process.process.poll() is None:
        process.kill()

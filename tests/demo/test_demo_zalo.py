"""`python -m bot demo` runs both channels on the sandbox: the demo's Zalo official reports on
Zalo beside the Telegram ones, in the same database (`make run` without tokens)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot.commands.demo import demo
from bot.settings import Settings
from sandbox import SandboxClient
from tests.e2e.zalo_world import field_of


async def test_the_demo_answers_on_zalo_too(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(_env_file=None, database_path=tmp_path / "baocao.db")  # type: ignore[call-arg]
    ready, stop = asyncio.Event(), asyncio.Event()
    running = asyncio.create_task(demo(settings, port=0, ready=ready, stop=stop))
    try:
        await asyncio.wait_for(ready.wait(), 60)
        found = re.search(r"http://127\.0\.0\.1:\d+", capsys.readouterr().out)
        assert found is not None
        client = SandboxClient(found[0])
        try:
            assert "demo-zalo-trang" in {user["id"] for user in await client.zalo.users()}
            sent = await client.zalo.send_text("demo-zalo-trang", "/baocao")
            question = await client.zalo.wait_for_bot_message("demo-zalo-trang", since=sent["seq"], timeout=30,
                                                              predicate=lambda m: field_of(m) is not None)
            assert "a = " in question["text"]
        finally:
            await client.close()
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)

"""`python -m bot demo` at start: the seeded weeks' reminders that are long past are expected in a
demo, so they are not warnings to the person trying it (one INFO line says what was not sent);
production keeps a warning for each."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.commands.demo import demo
from bot.settings import Settings

REMINDERS_LOG = "bot.notices.reminders"


async def test_the_demo_starts_without_grace_warnings(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    settings = Settings(_env_file=None, database_path=tmp_path / "baocao.db")
    ready, stop = asyncio.Event(), asyncio.Event()
    running = asyncio.create_task(demo(settings, port=0, ready=ready, stop=stop))
    try:
        await asyncio.wait_for(ready.wait(), 60)
        for _ in range(200):  # the start-up job runs once the application has started
            if any(r.name == REMINDERS_LOG and "grace" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(running, 30)
    about_grace = [r for r in caplog.records if r.name == REMINDERS_LOG and "grace" in r.getMessage()]
    assert about_grace, "the start-up's catch-up did not run"
    assert [r.getMessage() for r in about_grace if r.levelno >= logging.WARNING] == []
    assert len(about_grace) == 1, [r.getMessage() for r in about_grace]  # summarised in one line
    assert "not sent" in about_grace[0].getMessage()

"""Supervisors asking for their rollups together: at most ``AT_ONCE`` are built at a time (each
holds its reports, files and chart in memory), and every one of them is still delivered."""

from __future__ import annotations

import asyncio
import threading
from datetime import date
from typing import Any

import pytest

from bot.clock import VN_TZ
from bot.supervising import rollup_service
from bot.supervising.rollup_service import AT_ONCE, produce
from storage import Storage
from tests.integration.seed import load_units
from tests.rollup import scenario as sc
from tests.rollup.conftest import TEMPLATES

ASKED = AT_ONCE + 3


async def test_rollups_asked_together_are_built_a_few_at_a_time(form, monkeypatch: pytest.MonkeyPatch) -> None:
    storage = await Storage.open(":memory:")
    try:
        communes = await load_units(storage)
        scenario = await sc.build(storage, form, communes)
        building, most = 0, 0
        lock = threading.Lock()
        real_build = rollup_service.build_files

        def counted(*args: Any, **kwargs: Any) -> rollup_service.RollupFiles:
            nonlocal building, most
            with lock:
                building += 1
                most = max(most, building)
            try:
                return real_build(*args, **kwargs)
            finally:
                with lock:
                    building -= 1

        monkeypatch.setattr(rollup_service, "build_files", counted)
        results = await asyncio.gather(*(
            produce(storage, form, scenario.periods[sc.WEEK], sc.PROVINCE, templates_dir=TEMPLATES,
                    report_date=date(2025, 12, 19), tz=VN_TZ)
            for _ in range(ASKED)
        ))
    finally:
        await storage.close()
    assert most == AT_ONCE
    assert len(results) == ASKED
    assert all(files.docx[:2] == b"PK" and files.xlsx[:2] == b"PK" and files.chart[:4] == b"\x89PNG" for files in results)

"""The rollup's chart drawn in a process of its own (bot/documents/chart_process.py): it gives the picture, and
when the bot shuts down half-way (``stop`` says so) the drawing stops at once and the process is gone;
a rollup cancelled in the event loop stops its worker thread at its next step."""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import time
from datetime import date, datetime

import pytest

from bot.clock import VN_TZ
from bot.documents.chart_process import ChartStopped, render_rollup_chart_apart
from bot.documents.rollup_docx import TEMPLATE_NAME
from bot.domain.rollup import Rollup, RollupInput, RollupPeriod, RollupUnit, build_rollup
from bot.supervising.rollup_service import ProgressState, RollupStopped, build_files, find_period, produce
from storage import Storage
from tests.integration.seed import load_units
from tests.rollup.conftest import TEMPLATES


def _input(form) -> RollupInput:  # type: ignore[no-untyped-def]
    period = RollupPeriod("2025-W50", "Tuần 50/2025", "Tuần 50/2025", date(2025, 12, 8), date(2025, 12, 14),
                          datetime(2025, 12, 18, 15, tzinfo=VN_TZ))
    units = [RollupUnit(f"{index:05d}", f"X{index}", f"Xã X{index}", "19", "Tỉnh Thái Nguyên") for index in range(30)]
    return RollupInput(form, period, "Tỉnh Thái Nguyên", units, {}, scope_code="19")


def _charts() -> list[multiprocessing.process.BaseProcess]:
    """The chart processes alive (not the render pool's workers that other tests started)."""
    return [process for process in multiprocessing.active_children() if process.name == "baocao-chart"]


def _rollup(form) -> Rollup:  # type: ignore[no-untyped-def]
    return build_rollup(_input(form))


def test_the_chart_comes_back_from_its_process(form) -> None:
    phone, full = render_rollup_chart_apart(_rollup(form))
    assert phone.startswith(b"\x89PNG\r\n\x1a\n") and full.startswith(b"\x89PNG\r\n\x1a\n")
    assert _charts() == []


def test_a_stop_kills_the_chart_process_at_once(form) -> None:
    asked = time.monotonic() + 0.3  # the process is started and drawing (importing matplotlib) by then
    started = time.monotonic()
    with pytest.raises(ChartStopped):
        render_rollup_chart_apart(_rollup(form), stop=lambda: time.monotonic() > asked)
    assert time.monotonic() - started < 1.5
    assert _charts() == []


def test_a_stopped_rollup_ends_its_worker_at_the_chart(form) -> None:
    progress = ProgressState()
    timer = threading.Timer(0.3, progress.stop)
    timer.start()
    started = time.monotonic()
    with pytest.raises(RollupStopped):
        build_files(_input(form), report_date=date(2025, 12, 19), template=TEMPLATES / TEMPLATE_NAME,
                    progress=progress, chart_apart=True)
    timer.cancel()
    assert time.monotonic() - started < 1.5
    assert _charts() == []


async def test_a_cancelled_produce_tells_its_worker_to_stop(form) -> None:
    storage = await Storage.open(":memory:")
    try:
        communes = await load_units(storage)
        period = await find_period(storage, form, "2025-W50", datetime(2025, 12, 19, tzinfo=VN_TZ))
        progress = ProgressState()
        work = asyncio.ensure_future(produce(storage, form, period, "19", templates_dir=TEMPLATES,
                                             report_date=date(2025, 12, 19), progress=progress, chart_apart=True))
        for _ in range(500):  # until the worker draws the chart
            if "biểu đồ" in progress.text:
                break
            await asyncio.sleep(0.02)
        assert "biểu đồ" in progress.text
        work.cancel()
        with pytest.raises(asyncio.CancelledError):
            await work
        assert progress.stopping()
        for _ in range(50):  # the worker notices within a poll, and kills the chart's process
            if not _charts():
                break
            await asyncio.sleep(0.05)
        assert _charts() == [] and communes
    finally:
        await storage.close()

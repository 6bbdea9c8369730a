"""A form file with ``scheduled: false`` (the monthly Resolution 57 report, until chat can take
it) is loaded beside the weekly form, but the calendar opens no period of it and sends nothing."""

from __future__ import annotations

from typing import Any

from bot.clock import FakeClock
from tests.calendar.conftest import scheduler_of, seed


async def test_the_calendar_runs_only_the_scheduled_forms(make_app: Any, clock: FakeClock) -> None:
    async with make_app(clock) as (app, _):
        assert {"tthc-weekly", "nq57-monthly"} <= set(app.services.forms)
        await seed(app.services.storage, clock.now())
        await scheduler_of(app).startup()
        forms = {job.data["form"] for job in scheduler_of(app).moment_jobs()}  # type: ignore[index]
        assert forms == {"tthc-weekly"}
        assert await app.services.storage.periods.get("nq57-monthly", "2025-12") is None
        assert await app.services.storage.periods.get("tthc-weekly", "2025-W50") is not None

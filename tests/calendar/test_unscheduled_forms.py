"""A form file with ``scheduled: false`` (a form being prepared, loaded, checked and rendered before
its calendar runs) is loaded beside the scheduled forms, but the calendar opens no period of it and
sends nothing; the weekly and the monthly Resolution 57 forms run."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.settings import Settings
from tests.calendar.conftest import scheduler_of, seed

FORMS_DIR = Path(__file__).resolve().parents[2] / "templates" / "forms"
UNSCHEDULED = """\
id: survey-quarterly
version: 1
title: Khảo sát hằng quý (đang chuẩn bị)
scheduled: false
fields:
  - id: answered
    label: Số phiếu đã trả lời
    help: Anh/Chị vui lòng nhập số phiếu đã trả lời. VD 12
    kind: count
period:
  kind: monthly
"""


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    forms = tmp_path / "forms"
    shutil.copytree(FORMS_DIR, forms)
    (forms / "survey-quarterly.yaml").write_text(UNSCHEDULED, encoding="utf-8")
    return settings.model_copy(update={"forms_dir": forms})


async def test_the_calendar_runs_only_the_scheduled_forms(make_app: Any, clock: FakeClock) -> None:
    async with make_app(clock) as (app, _):
        assert {"tthc-weekly", "nq57-monthly", "survey-quarterly"} <= set(app.services.forms)
        await seed(app.services.storage, clock.now())
        await scheduler_of(app).startup()
        forms = {job.data["form"] for job in scheduler_of(app).moment_jobs()}  # type: ignore[index]
        assert forms == {"tthc-weekly", "nq57-monthly"}
        assert await app.services.storage.periods.get("survey-quarterly", "2025-12") is None
        assert await app.services.storage.periods.get("nq57-monthly", "2025-12") is not None
        assert await app.services.storage.periods.get("tthc-weekly", "2025-W50") is not None

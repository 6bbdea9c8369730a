"""The choice of the report on Telegram, with the weekly and the monthly form scheduled: /tonghop
and /baocaocu answer with one button per report, whose data carries the form, and a tap on the
monthly one gives the monthly rollup, or the monthly periods the official's commune submitted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_application
from bot.chat.actions import EarlierReports, PastReportFile, ShowRollup, encode
from bot.clock import FakeClock
from bot.domain.forms import WEEKLY_FORM_ID
from bot.domain.periods import period_for
from bot.reporting.periods import ensure_period
from bot.settings import Settings
from tests.conftest import BotHarness
from tests.fakes import RecordingRequest, callback_update, text_update
from tests.supervising.monthly import MONTHLY, REP, SUP, MonthlyDesk, open_monthly_desk, scheduled_forms_dir


@pytest.fixture
async def two_forms(settings: Settings, monthly_clock: FakeClock,
                    tmp_path: Path) -> AsyncIterator[tuple[BotHarness, MonthlyDesk]]:
    folder = scheduled_forms_dir(tmp_path / "forms")
    local = settings.model_copy(update={"forms_dir": folder})
    storage, desk = await open_monthly_desk(local, monthly_clock, folder)
    await storage.close()
    request = RecordingRequest()
    app = build_application(local, request=request, token="123456:TEST", clock=monthly_clock, rate_limiter=False)
    harness = BotHarness(app, request)
    async with app:
        yield harness, desk


async def test_tonghop_asks_and_the_monthly_button_gives_the_monthly_rollup(
        two_forms: tuple[BotHarness, MonthlyDesk]) -> None:
    harness, _ = two_forms
    await harness.send(text_update(SUP, "/tonghop"))
    asked = harness.request.last_to(SUP)
    assert [data for _, data in asked.buttons] == [encode(ShowRollup("19", None, MONTHLY)),
                                                  encode(ShowRollup("19", None, WEEKLY_FORM_ID))]
    assert asked.buttons[0][1] == "sv:t:19::nq57-monthly"
    harness.request.clear()
    await harness.send(callback_update(SUP, asked.buttons[0][1]))
    texts = [call.text for call in harness.request.calls if call.text]
    assert any("• Tỷ lệ hồ sơ trực tuyến toàn trình: 82,35%" in text for text in texts), texts


async def test_baocaocu_asks_and_lists_the_monthly_periods(two_forms: tuple[BotHarness, MonthlyDesk]) -> None:
    harness, desk = two_forms
    storage = harness.app.services.storage  # the commune sent a weekly report too: /baocaocu asks which
    week = await ensure_period(storage, period_for(harness.app.services.forms[WEEKLY_FORM_ID].period, "2026-W15"))
    await storage.submissions.add_version(week.id, desk.first, {}, {}, None, week.deadline_at)
    await harness.send(text_update(REP, "/baocaocu"))
    asked = harness.request.last_to(REP)
    assert [data for _, data in asked.buttons] == [encode(EarlierReports(MONTHLY)),
                                                  encode(EarlierReports(WEEKLY_FORM_ID))]
    harness.request.clear()
    await harness.send(callback_update(REP, encode(EarlierReports(MONTHLY))))
    listed = harness.request.last_to(REP)
    assert listed.buttons == [("Tháng 4/2026", encode(PastReportFile(desk.april.id, desk.first)))]
    await harness.send(text_update(REP, "/baocaocu thang"))
    assert harness.request.last_to(REP).buttons == listed.buttons

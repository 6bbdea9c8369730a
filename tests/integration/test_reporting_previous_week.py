""""Last week" is the period just before: after a missed week there is no last period to continue
from, so the conversation offers no «Như kỳ trước» and checks no continuity — as the .docx and the
rollup already did."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.periods import PeriodKey, period_for
from bot.reporting.files import report_inputs
from bot.reporting.periods import ensure_period
from storage.models import Role, Unit
from tests.conftest import BotHarness
from tests.fakes import text_update
from tests.integration.seed import bind, load_units

LAN = 8101
CONTINUITY = "khác số hồ sơ đang giải quyết cuối kỳ trước"
WEEK = {  # pending = 40 + 8 = 48
    "carried_over": 50, "received_online_full": 30, "received_online_partial": 10, "received_in_person": 6,
    "received_postal": 0, "resolved_early": 40, "resolved_on_time": 7, "resolved_late": 0,
    "pending_in_time": 40, "pending_overdue": 8, "withdrawn": 1, "digitized": 40, "e_results": 40,
    "legal": "Không có.", "infrastructure": "Không có.", "resources": "Không có.", "difficulties": "Không có.",
    "proposals": "Không có.",
}


@pytest.fixture
async def commune(harness: BotHarness, clock) -> Unit:
    communes = await load_units(harness.storage)
    unit = next(u for u in communes if u.name == "Phúc Lộc")
    await bind(harness.storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, unit, clock.now() - timedelta(days=60))
    return unit


async def submitted(harness: BotHarness, unit: Unit, key: str) -> None:
    form = harness.app.services.forms["tthc-weekly"]
    period = await ensure_period(harness.storage, period_for(form.period, PeriodKey.parse(key)))
    await harness.storage.submissions.add_version(period.id, unit.code, WEEK, {}, None, period.deadline_at)


def suggestions(harness: BotHarness) -> list[str]:
    return [label for label, data in harness.request.last_to(LAN).buttons if data.split(":")[2:3] == ["s"]]


async def test_after_a_missed_week_nothing_continues_from_the_week_before(harness: BotHarness, commune) -> None:
    await submitted(harness, commune, "2025-W48")  # W49 never sent; W50 is open on 15/12/2025
    await harness.send(text_update(LAN, "/baocao"))
    assert suggestions(harness) == []  # no «Như kỳ trước: 48» from two weeks ago
    await harness.send(text_update(LAN, "12"))
    assert not any(CONTINUITY in c.text for c in harness.request.sent_to(LAN))
    draft = await harness.storage.drafts.get_or_create(
        (await harness.storage.periods.get("tthc-weekly", "2025-W50")).id, commune.code, harness.app.services.clock.now())
    assert (await harness.storage.drafts.values(draft.id))["carried_over"] == 12
    form = harness.app.services.forms["tthc-weekly"]
    inputs = await report_inputs(harness.storage, form, PeriodKey.parse("2025-W50"), commune.code, None)
    assert inputs.previous is None and len(inputs.history) == 1  # the .docx: the same rule


async def test_with_last_week_sent_it_is_offered_and_checked(harness: BotHarness, commune) -> None:
    await submitted(harness, commune, "2025-W48")
    await submitted(harness, commune, "2025-W49")
    await harness.send(text_update(LAN, "/baocao"))
    assert any("48" in label for label in suggestions(harness))
    await harness.send(text_update(LAN, "12"))
    assert any(CONTINUITY in c.text for c in harness.request.sent_to(LAN))

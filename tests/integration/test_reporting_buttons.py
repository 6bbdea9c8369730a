"""A value button only answers the question it belongs to: a forged or mismatched tap («Không có»
on a count question) stores nothing and the question is asked again."""

from __future__ import annotations

import pytest

from storage.models import Role, Unit
from tests.conftest import BotHarness
from tests.fakes import callback_update, text_update
from tests.integration.seed import bind, load_units

LAN = 8102
FIRST = "carried_over"  # the weekly form's first question, a count


@pytest.fixture
async def commune(harness: BotHarness, clock) -> Unit:
    unit = next(u for u in await load_units(harness.storage) if u.name == "Phúc Lộc")
    await bind(harness.storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, unit, clock.now())
    return unit


def draft_prefix(harness: BotHarness) -> tuple[str, int]:
    """The reporting buttons' prefix and draft id, read from the question's buttons."""
    data = next(d for _, d in harness.request.last_to(LAN).buttons if d.count(":") >= 2)
    prefix, draft_id = data.split(":")[:2]
    return prefix, int(draft_id)


async def test_a_text_button_on_a_count_question_stores_nothing(harness: BotHarness, commune: Unit) -> None:
    await harness.send(text_update(LAN, "/baocao"))
    prefix, draft_id = draft_prefix(harness)
    await harness.send(callback_update(LAN, f"{prefix}:{draft_id}:n:{FIRST}"))
    assert FIRST not in await harness.storage.drafts.values(draft_id)
    await harness.send(callback_update(LAN, f"{prefix}:{draft_id}:z:{FIRST}"))  # the count's own «0»
    assert (await harness.storage.drafts.values(draft_id))[FIRST] == 0

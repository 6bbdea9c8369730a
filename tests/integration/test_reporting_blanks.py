"""Honest blanks in chat (issue 15, item 3): an optional count answered «Không có số liệu» by its
button, or typed "-" / "không rõ", is stored as a blank (JSON null), never 0; the online dossiers
are then asked as one total; the review says "không có số liệu", prints a rate with a blank part
as "—" and says which checks were not made."""

from __future__ import annotations

import re

import pytest

from bot.chat.catalogue import say
from bot.domain.forms import load_form
from storage.models import Role, Unit
from tests.conftest import BotHarness
from tests.fakes import callback_update, text_update
from tests.integration.seed import bind, load_units
from tests.render.conftest import ROOT

LAN = 8103
ANSWERS = {
    "carried_over": "0", "received_online": "120", "received_in_person": "10", "received_postal": "0",
    "resolved_early": "100", "resolved_on_time": "20", "resolved_late": "0", "pending_in_time": "10",
    "pending_overdue": "0", "withdrawn": "0", "e_results": "50",
}


@pytest.fixture
async def commune(harness: BotHarness, clock) -> Unit:
    unit = next(u for u in await load_units(harness.storage) if u.name == "Phúc Lộc")
    await bind(harness.storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, unit, clock.now())
    return unit


def _question(harness: BotHarness) -> str:
    return harness.request.last_to(LAN).text



async def test_blank_by_button_and_typed_words(harness: BotHarness, commune: Unit) -> None:
    form = load_form(ROOT / "templates" / "forms" / "tthc-weekly.yaml")
    labels = {f.label: f.id for f in form.fields}
    await harness.send(text_update(LAN, "/baocao"))
    draft_id = 0
    seen: list[str] = []
    for _ in range(30):
        text = _question(harness)
        field = next((ident for label, ident in sorted(labels.items(), key=lambda kv: -len(kv[0]))
                      if f" · {label}\n" in text + "\n"), None)
        if field is None:
            break
        seen.append(field)
        buttons = dict(harness.request.last_to(LAN).buttons)
        if field == "received_online_full":
            assert say("blanks.button") in buttons
            draft_id = int(buttons[say("blanks.button")].split(":")[1])
            await harness.send(callback_update(LAN, buttons[say("blanks.button")]))
        elif field == "received_online_partial":
            await harness.send(text_update(LAN, "-"))
        elif field == "digitized":
            await harness.send(text_update(LAN, "Không rõ"))
        elif field in ANSWERS:
            assert say("blanks.button") in buttons or field != "received_online"
            await harness.send(text_update(LAN, ANSWERS[field]))
        else:
            await harness.send(text_update(LAN, "Không"))
    assert "received_online" in seen  # asked because the split is blank
    stored = await harness.storage.drafts.values(draft_id)
    assert stored["received_online_full"] is None and stored["received_online_partial"] is None
    assert stored["digitized"] is None and stored["received_online"] == 120
    review = _question(harness)
    assert "Số hóa không có số liệu" in review
    assert "Trực tuyến toàn trình không có số liệu" in review
    assert "Số hóa —" in review  # the digitization rate: a blank part
    assert "Trực tuyến 92,31%" in review  # 120/130 from the total answered
    assert say("blanks.checks_skipped", figures="«Số hóa»") in review


async def test_a_required_count_does_not_take_a_blank(harness: BotHarness, commune: Unit) -> None:
    await harness.send(text_update(LAN, "/baocao"))
    buttons = dict(harness.request.last_to(LAN).buttons)
    assert say("blanks.button") not in buttons  # carried_over is not optional
    await harness.send(text_update(LAN, "-"))
    draft = next(d for _, d in harness.request.last_to(LAN).buttons if d.count(":") >= 2)
    assert "carried_over" not in await harness.storage.drafts.values(int(draft.split(":")[1]))


async def test_a_blank_counts_as_answered_when_paused(harness: BotHarness, commune: Unit) -> None:
    """/huy after a blank: the blank is one of the questions answered (as the next question, the
    review and the submission already treat it), not a question still to answer."""
    await harness.send(text_update(LAN, "/baocao"))
    await harness.send(text_update(LAN, ANSWERS["carried_over"]))
    buttons = dict(harness.request.last_to(LAN).buttons)
    await harness.send(callback_update(LAN, buttons[say("blanks.button")]))  # the first optional count
    asked = re.search(r"Câu (\d+)/(\d+)", _question(harness))
    assert asked is not None and asked.group(1) == "3"
    await harness.send(text_update(LAN, "/huy"))
    assert say("reporting.paused", answered=2, total=int(asked.group(2))) in _question(harness)

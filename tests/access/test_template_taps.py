"""A replacement template sent to the bot on Telegram with two reports scheduled, through the
handlers (handlers/report_setup.py): the admin taps the report it is for, then «use» under the
preview; a second tap on either button — a double tap, or an old message — is told the choice is
no longer valid and changes nothing (the waiting upload was removed with its answer)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.chat.catalogue import say
from bot.domain.forms import WEEKLY_FORM_ID
from bot.settings import Settings
from tests.conftest import ADMIN_ID, BotHarness
from tests.fakes import callback_update, document_update
from tests.supervising.monthly import scheduled_forms_dir

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "bao-cao-tuan.docx"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, database_path=tmp_path / "baocao.db", admin_ids=[ADMIN_ID],  # type: ignore[call-arg]
                    forms_dir=scheduled_forms_dir(tmp_path / "forms"))


def alerts(harness: BotHarness) -> list[tuple[str, Any]]:
    """(text, show_alert) of every answer to a tap since the last clear."""
    return [(str(call.params.get("text") or ""), call.params.get("show_alert"))
            for call in harness.request.calls if call.method == "answerCallbackQuery"]


async def test_a_second_tap_on_the_report_or_on_use_changes_nothing(harness: BotHarness) -> None:
    content = TEMPLATE.read_bytes()
    harness.request.uploads["mau"] = content
    await harness.send(document_update(ADMIN_ID, "mau", "mau.docx", len(content)))
    asked = harness.request.last_to(ADMIN_ID)
    assert asked.text == say("template_forms.ask", filename="mau.docx")
    [weekly] = [data for label, data in asked.buttons if label == harness.app.services.forms[WEEKLY_FORM_ID].title]
    stale = [(say("common.stale_button"), True)]

    harness.request.clear()
    await harness.send(callback_update(ADMIN_ID, weekly, message_id=2))
    assert alerts(harness) == [("", False)]
    preview = harness.request.last_to(ADMIN_ID)
    assert preview.method == "sendDocument"
    harness.request.clear()
    await harness.send(callback_update(ADMIN_ID, weekly, message_id=2))  # the report tapped again
    assert alerts(harness) == stale
    assert not [call for call in harness.request.calls if call.method == "sendDocument"]

    [use, _drop] = [data for _, data in preview.buttons]
    harness.request.clear()
    await harness.send(callback_update(ADMIN_ID, use, message_id=3))
    assert harness.request.last_text_to(ADMIN_ID).text == say("report_template.used", version=1)
    harness.request.clear()
    await harness.send(callback_update(ADMIN_ID, use, message_id=3))  # «use» tapped again
    assert alerts(harness) == stale
    storage = harness.storage
    assert [t.version for t in await storage.templates.versions(WEEKLY_FORM_ID, None)] == [1]
    assert len(await storage.audit.recent(action="template.replace")) == 1

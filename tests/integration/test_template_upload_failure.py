"""A template check that fails for another reason than the template (the database refusing the
write, say) is made beside the updates: the failure still reaches the error handler with its
update, so the admin is told in Vietnamese instead of waiting for a preview that never comes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.chat.catalogue import say
from bot.settings import Settings
from tests.conftest import ADMIN_ID, BotHarness
from tests.e2e.botprocess import weekly_forms
from tests.fakes import document_update

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "bao-cao-tuan.docx"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The weekly form alone: with several forms scheduled the upload first asks which report it is
    for (tests/integration/test_template_upload_forms.py) before anything is checked."""
    return Settings(_env_file=None, database_path=tmp_path / "baocao.db", admin_ids=[ADMIN_ID],
                    forms_dir=weekly_forms(tmp_path))


async def test_a_failing_check_is_told_to_the_admin(harness: BotHarness) -> None:
    async with harness.storage.db.transaction() as conn:
        await conn.execute("CREATE TEMP TRIGGER full_disk BEFORE INSERT ON templates "
                           "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    content = TEMPLATE.read_bytes()
    harness.request.uploads["tpl"] = content
    await harness.send(document_update(ADMIN_ID, "tpl", "mau-moi.docx", len(content)))
    texts = [c.text for c in harness.request.sent_to(ADMIN_ID) if c.method == "sendMessage"]
    assert texts == [say("render.checking"), say("common.error")]
    assert [str(error) for error in harness.errors] == ["database or disk is full"]
    harness.errors.clear()  # the failure was expected and handled

"""Stray arguments and forged buttons: superscript digits ("²" is a digit to str.isdigit, not to
int()), ids too long for SQLite, a period in the year 9999 or a week the year lacks. Each gets a
Vietnamese answer saying what is expected (with an example), no handler raises (the harness fails
the test on any handler exception) and every callback is answered exactly once (the stand-in
refuses a second answer, as Telegram does)."""

from __future__ import annotations

import re

import pytest

from storage.models import Role, Unit
from tests.conftest import ADMIN_ID, BotHarness
from tests.fakes import callback_update, text_update
from tests.integration.seed import bind, load_units

REP, SUP = 7401, 7402
VIETNAMESE = re.compile("[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I)


@pytest.fixture
async def communes(harness: BotHarness, clock) -> list[Unit]:
    storage = harness.storage
    units = await load_units(storage)
    now = clock.now()
    await bind(storage, SUP, "Trần Văn Sơn", Role.SUPERVISOR, await storage.units.get("19"), now)
    await bind(storage, REP, "Nguyễn Thị Lan", Role.REPORTER, units[0], now)
    harness.request.clear()
    return units


async def answer_to(harness: BotHarness, who: int, payload: dict) -> str:
    before = len(harness.request.calls)
    await harness.send(payload)
    calls = [c for c in harness.request.calls[before:] if c.method in {"sendMessage", "answerCallbackQuery"}]
    return "\n".join(str(c.params.get("text") or "") for c in calls)


@pytest.mark.parametrize(("who", "command", "expected"), [
    (SUP, "/duyet ²", "chỉ gồm các chữ số 0–9"),
    (SUP, "/duyet ¹²³", "VD: /duyet 123"),
    (SUP, "/duyet 99999999999999999999999", "chỉ gồm các chữ số 0–9"),
    (SUP, "/tralai ² lý do trả lại", "chỉ gồm các chữ số 0–9"),
    (SUP, "/tralai 99999999999999999999999 lý do trả lại", "chỉ gồm các chữ số 0–9"),
    (SUP, "/tonghop 9999-W52", "2020"),
    (SUP, "/tonghop 2025-W60", "không có tuần 60"),
    (SUP, "/tonghop 1999-W10", "2020"),
    (SUP, "/nhapthay phuc loc 9999-W52", "2020"),
    (ADMIN_ID, "/caidat ² nguoiky Lê Văn A", "mã"),
])
async def test_a_bad_argument_gets_a_vietnamese_explanation(harness: BotHarness, communes, who: int, command: str,
                                                            expected: str) -> None:
    said = await answer_to(harness, who, text_update(who, command))
    assert expected in said and VIETNAMESE.search(said), said


@pytest.mark.parametrize(("who", "data"), [
    (REP, "r:²:v"), (REP, "r:99999999999999999999999:v"), (REP, "rc:²"), (REP, "rc:99999"), (REP, "rc:"),
    (REP, "sv:f:²"), (REP, "rf:²:01234"), (SUP, "sv:a:²"), (SUP, "sv:r:²"), (SUP, "sv:w:²"),
    (SUP, "sv:x:05440:²"), (SUP, "sv:s:05440:²"), (SUP, "sv:t:19:9999-W52"), (SUP, "sv:t:19:2025-W60"),
    (SUP, "sv:t:19:²"), (SUP, "nudge:²:19"), (ADMIN_ID, "tp:y:²"), (ADMIN_ID, "nd:r:²"), (ADMIN_ID, "nd:y:²"),
    (SUP, "sv:a:99999999999999999999999"),
])
async def test_a_forged_button_is_answered_once_in_vietnamese(harness: BotHarness, communes, who: int,
                                                              data: str) -> None:
    said = await answer_to(harness, who, callback_update(who, data))
    assert VIETNAMESE.search(said), said
    answers = [c for c in harness.request.calls if c.method == "answerCallbackQuery"]
    assert len(answers) == 1


async def test_a_return_reason_over_its_limit_is_refused_and_nothing_changes(harness: BotHarness, communes) -> None:
    said = await answer_to(harness, SUP, text_update(SUP, "/tralai 1 " + "Số liệu chưa khớp 👍🏽. " * 80))
    assert "Lý do trả lại dài" in said and "tối đa 1.000 ký tự" in said, said

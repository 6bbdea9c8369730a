"""A free text an official types has a limit, refused at entry in Vietnamese with nothing stored:
the reason for keeping figures a soft check questions (at most 1,000 characters; it was cut
silently at 1,000 before)."""

from __future__ import annotations

from storage.models import Role, Unit
from tests.conftest import BotHarness
from tests.fakes import callback_update, text_update
from tests.integration.seed import BALANCED, bind, load_units
from tests.integration.test_reporting import current_field

LAN = 8101


async def asked_for_a_reason(harness: BotHarness, clock) -> Unit:
    """Lan of Phúc Lộc at the reason for keeping figures that do not balance."""
    communes = await load_units(harness.storage)
    unit = next(u for u in communes if u.name == "Phúc Lộc")
    await bind(harness.storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, unit, clock.now())
    answers = {**BALANCED, "withdrawn": "6"}  # unbalanced by 5: the soft check fires
    await harness.send(text_update(LAN, "/baocao"))
    for _ in range(40):
        call = harness.request.last_to(LAN)
        if "Giữ nguyên, ghi lý do" in str(call.buttons):
            break
        await harness.send(text_update(LAN, answers[current_field(harness, LAN)]))
    keep = next(data for label, data in harness.request.last_to(LAN).buttons if label.startswith("Giữ nguyên"))
    await harness.send(callback_update(LAN, keep))
    return unit


async def test_a_reason_over_its_limit_is_refused_and_asked_again(harness: BotHarness, clock) -> None:
    unit = await asked_for_a_reason(harness, clock)
    await harness.send(text_update(LAN, "Có hồ sơ tồn từ trước khi sáp nhập 👍🏽. " * 30))
    said = harness.request.last_text_to(LAN).text
    assert "✖ Chưa lưu. Lý do dài 1.169 ký tự, tối đa 1.000 ký tự" in said and "lý do giữ nguyên số liệu" in said
    period = await harness.storage.periods.current("tthc-weekly", clock.now())
    draft = await harness.storage.drafts.find(period.id, unit.code)
    assert draft is not None and not await harness.storage.drafts.explanations(draft.id)
    await harness.send(text_update(LAN, "Có hồ sơ tồn từ trước khi sáp nhập."))
    assert "Chưa lưu" not in harness.request.last_text_to(LAN).text
    assert list(await harness.storage.drafts.explanations(draft.id)) == ["balance"]


async def test_a_reason_too_short_to_say_anything_is_refused_with_why(harness: BotHarness, clock) -> None:
    unit = await asked_for_a_reason(harness, clock)
    await harness.send(text_update(LAN, "ok"))
    said = harness.request.last_text_to(LAN).text
    assert "✖ Chưa lưu. Lý do quá ngắn (2 ký tự)" in said and "lý do giữ nguyên số liệu" in said
    period = await harness.storage.periods.current("tthc-weekly", clock.now())
    draft = await harness.storage.drafts.find(period.id, unit.code)
    assert draft is not None and not await harness.storage.drafts.explanations(draft.id)
    await harness.send(text_update(LAN, "Hồ sơ tồn trước sáp nhập."))
    assert list(await harness.storage.drafts.explanations(draft.id)) == ["balance"]

"""A typed message Telegram received before the bot showed the current question is not its answer.

On a slow connection an official sends "53", sees nothing, and sends "53" again; the second one
must not fill the next question. The bot compares Telegram's own dates (whole seconds): the date
of the message that showed the question, kept in the person's cursor, and the date of the answer.
Bot messages are dated by the test clock here (``request.clock``); typed ones carry ``date=``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.app import build_application
from bot.clock import VN_TZ, FakeClock
from storage.models import Role, Unit
from tests.conftest import BotHarness
from tests.fakes import RecordingRequest, as_update, callback_update, text_update
from tests.integration.seed import bind, load_units

LAN = 8101
T0 = datetime(2025, 12, 15, 9, 0, tzinfo=VN_TZ)  # the clock fixture's start

COUNTS = {  # a week that balances: 53 + 49 = 102 = 53 + 48 + 1
    "carried_over": 53, "received_online_full": 40, "received_online_partial": 9, "received_in_person": 0,
    "received_postal": 0, "resolved_early": 50, "resolved_on_time": 3, "resolved_late": 0,
    "pending_in_time": 48, "pending_overdue": 0, "withdrawn": 1, "digitized": 49, "e_results": 53,
}


@pytest.fixture
async def commune(harness: BotHarness, clock: FakeClock) -> Unit:
    assert clock.now() == T0
    communes = await load_units(harness.storage)
    unit = next(u for u in communes if u.name == "Phúc Lộc")
    await bind(harness.storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, unit, clock.now())
    harness.request.clock = clock  # the bot's messages are dated when "Telegram" accepts them
    return unit


def at(seconds: float) -> datetime:
    """``seconds`` after the test clock's start (9:00, Monday 15/12/2025)."""
    return T0 + timedelta(seconds=seconds)


def current_field(request: RecordingRequest, chat: int) -> str:
    """The field id the last question's buttons name."""
    call = request.last_to(chat)
    for _, data in call.buttons:
        parts = data.split(":")
        if len(parts) == 4 and parts[2] in {"z", "s", "n", "k"}:
            return parts[3]
    raise AssertionError(f"not a question: {call.text}")


async def values(harness: BotHarness, unit: Unit) -> dict[str, Any]:
    period = await harness.storage.periods.get("tthc-weekly", "2025-W50")
    draft = await harness.storage.drafts.find(period.id, unit.code)
    return dict(await harness.storage.drafts.values(draft.id))


async def cursor_shown(harness: BotHarness, unit: Unit) -> datetime | None:
    period = await harness.storage.periods.get("tthc-weekly", "2025-W50")
    draft = await harness.storage.drafts.find(period.id, unit.code)
    person = await harness.storage.people.get_by_telegram_id(LAN)
    cursor = await harness.storage.drafts.get_cursor(draft.id, person.id)
    assert cursor is not None
    return cursor.shown_at


async def first_answer_then_slow_reply(harness: BotHarness, clock: FakeClock, text: str = "53") -> None:
    """/baocao at 0 s; ``text`` typed at 1 s; the bot's reply (the second question) reaches
    Telegram at 10 s, as on a slow connection."""
    await harness.send(text_update(LAN, "/baocao", date=at(0)))
    clock.set(at(10))
    await harness.send(text_update(LAN, text, date=at(1)))
    assert current_field(harness.request, LAN) == "received_online_full"


async def test_the_same_figure_sent_twice_does_not_fill_the_next_question(
    harness: BotHarness, commune: Unit, clock: FakeClock
) -> None:
    await first_answer_then_slow_reply(harness, clock)
    assert await cursor_shown(harness, commune) == at(10)
    # the second "53", sent at 4 s when the official still saw only the first question
    await harness.send(text_update(LAN, "53", date=at(4)))
    reply = harness.request.last_to(LAN)
    assert "Anh/Chị đã gửi «53» cho câu trước («Kỳ trước chuyển sang»), bot đã lưu rồi" in reply.text, reply.text
    assert "không được lưu" in reply.text
    assert "Câu 2/" in reply.text and current_field(harness.request, LAN) == "received_online_full"
    assert await values(harness, commune) == {"carried_over": 53}
    # the question was shown again, but the moment it was first shown still counts
    assert await cursor_shown(harness, commune) == at(10)
    # the official reads the question and answers it: taken
    await harness.send(text_update(LAN, "53", date=at(12)))
    assert "✔ Đã lưu «Trực tuyến toàn trình»: 53." in harness.request.last_to(LAN).text
    assert await values(harness, commune) == {"carried_over": 53, "received_online_full": 53}


async def test_a_repeat_written_differently_is_still_a_repeat(
    harness: BotHarness, commune: Unit, clock: FakeClock
) -> None:
    await first_answer_then_slow_reply(harness, clock, "1.794")
    await harness.send(text_update(LAN, "1794 hồ sơ", date=at(3)))  # the same number, parsed
    reply = harness.request.last_to(LAN).text
    assert "đã gửi «1794 hồ sơ» cho câu trước" in reply and "bot đã lưu rồi" in reply
    assert await values(harness, commune) == {"carried_over": 1794}


async def test_a_different_text_sent_before_the_question_is_asked_again(
    harness: BotHarness, commune: Unit, clock: FakeClock
) -> None:
    await first_answer_then_slow_reply(harness, clock)
    # typed ahead: two more figures before the second question appeared
    for typed, second in (("40", 2), ("9", 3)):
        await harness.send(text_update(LAN, typed, date=at(second)))
        reply = harness.request.last_to(LAN)
        assert f"✖ Chưa lưu «{typed}»: tin nhắn này đến trước khi bot hiện câu hỏi dưới đây" in reply.text
        assert "cho câu trước" not in reply.text
        assert "Câu 2/" in reply.text and "VD:" in reply.text
        assert {label for label, _ in reply.buttons} >= {"0", "« Quay lại", "Tạm dừng"}
        assert current_field(harness.request, LAN) == "received_online_full"
    assert await values(harness, commune) == {"carried_over": 53}
    await harness.send(text_update(LAN, "40", date=at(11)))
    assert await values(harness, commune) == {"carried_over": 53, "received_online_full": 40}
    assert current_field(harness.request, LAN) == "received_online_partial"


async def test_an_answer_in_the_same_second_as_the_question_is_taken(
    harness: BotHarness, commune: Unit, clock: FakeClock
) -> None:
    await harness.send(text_update(LAN, "/baocao", date=at(0)))
    clock.set(at(10.8))  # Telegram dates the question 10 s (whole seconds)
    await harness.send(text_update(LAN, "53", date=at(1)))
    assert await cursor_shown(harness, commune) == at(10)
    await harness.send(text_update(LAN, "49", date=at(10)))  # read and answered within the second
    assert "✔ Đã lưu «Trực tuyến toàn trình»: 49." in harness.request.last_to(LAN).text
    assert await values(harness, commune) == {"carried_over": 53, "received_online_full": 49}


async def test_a_restart_between_the_two_keeps_when_the_question_was_shown(
    settings: Any, harness: BotHarness, commune: Unit, clock: FakeClock
) -> None:
    await first_answer_then_slow_reply(harness, clock)
    # a second Application over the same database file: the cursor keeps the question's date
    request = RecordingRequest(clock=clock)
    app = build_application(settings, request=request, token="123456:TEST", clock=clock, rate_limiter=False)
    async with app:
        await app.process_update(as_update(text_update(LAN, "53", date=at(5)), app.bot))
        assert "bot đã lưu rồi" in request.last_to(LAN).text
        assert current_field(request, LAN) == "received_online_full"
        await app.process_update(as_update(text_update(LAN, "49", date=at(10)), app.bot))
        assert "✔ Đã lưu «Trực tuyến toàn trình»: 49." in request.last_to(LAN).text
    assert await values(harness, commune) == {"carried_over": 53, "received_online_full": 49}


async def test_buttons_and_one_message_entry_are_not_dated(
    harness: BotHarness, commune: Unit, clock: FakeClock
) -> None:
    await first_answer_then_slow_reply(harness, clock)
    # a button of the question shown: taps carry no date of their own and are taken as before
    zero = next(data for label, data in harness.request.last_to(LAN).buttons if label == "0")
    await harness.send(callback_update(LAN, zero))
    assert await values(harness, commune) == {"carried_over": 53, "received_online_full": 0}
    # every figure in one message, sent before the third question appeared: filled as before
    bulk = "\n".join(str(v) for v in COUNTS.values())
    await harness.send(text_update(LAN, bulk, date=at(2)))
    assert "Đã điền 13 mục" in "\n".join(c.text for c in harness.request.sent_to(LAN))
    assert await values(harness, commune) == COUNTS
    assert current_field(harness.request, LAN) == "legal"  # the texts come next


async def test_a_text_answer_sent_twice_is_a_repeat_too(
    harness: BotHarness, commune: Unit, clock: FakeClock
) -> None:
    await harness.send(text_update(LAN, "/baocao", date=at(0)))
    await harness.send(text_update(LAN, "\n".join(str(v) for v in COUNTS.values()), date=at(1)))
    assert current_field(harness.request, LAN) == "legal"
    clock.set(at(30))
    await harness.send(text_update(LAN, "Đã ban hành Kế hoạch chuyển đổi số.", date=at(20)))
    assert current_field(harness.request, LAN) == "infrastructure"
    await harness.send(text_update(LAN, "đã ban hành  kế hoạch chuyển đổi số", date=at(25)))
    reply = harness.request.last_to(LAN).text
    assert "cho câu trước" in reply and "bot đã lưu rồi" in reply
    stored = await values(harness, commune)
    assert stored["legal"] == "Đã ban hành Kế hoạch chuyển đổi số." and "infrastructure" not in stored


async def test_a_cursor_without_a_date_takes_the_answer_as_before(
    harness: BotHarness, commune: Unit, clock: FakeClock
) -> None:
    await first_answer_then_slow_reply(harness, clock)
    # as a cursor written before the date was kept (schema v3): nothing to compare with
    period = await harness.storage.periods.get("tthc-weekly", "2025-W50")
    draft = await harness.storage.drafts.find(period.id, commune.code)
    person = await harness.storage.people.get_by_telegram_id(LAN)
    await harness.storage.drafts.set_cursor(draft.id, person.id, "received_online_full", clock.now())
    assert await cursor_shown(harness, commune) is None
    await harness.send(text_update(LAN, "53", date=at(4)))
    assert "✔ Đã lưu «Trực tuyến toàn trình»: 53." in harness.request.last_to(LAN).text
    assert await values(harness, commune) == {"carried_over": 53, "received_online_full": 53}
    # and the question it moved to is dated again
    assert await cursor_shown(harness, commune) == at(10)


async def test_a_colleague_s_questions_do_not_date_the_other_s_answers(
        harness: BotHarness, clock: FakeClock, commune: Unit) -> None:
    """Two officials of one commune share the draft but each has a cursor: Hùng opening the same
    question later does not make Lan's answer "early", and his own double-sent figure is caught."""
    hung = 8102
    await bind(harness.storage, hung, "Trần Văn Hùng", Role.REPORTER, commune, clock.now())
    await harness.send(text_update(LAN, "/baocao", date=at(0)))  # Lan sees question 1 at 0 s
    clock.set(at(30))
    await harness.send(text_update(hung, "/baocao", date=at(30)))  # Hùng sees it at 30 s
    await harness.send(text_update(LAN, "53", date=at(20)))  # typed before Hùng's question: hers, taken
    assert (await values(harness, commune)) == {"carried_over": 53}
    assert current_field(harness.request, LAN) == "received_online_full"
    clock.set(at(60))
    await harness.send(text_update(hung, "53", date=at(40)))  # Hùng answers question 1 himself
    assert current_field(harness.request, hung) == "received_online_full"
    await harness.send(text_update(hung, "53", date=at(45)))  # sent twice before his question 2 (60 s)
    assert (await values(harness, commune)) == {"carried_over": 53}
    assert "bot đã lưu rồi" in harness.request.last_to(hung).text

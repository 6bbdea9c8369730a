"""A message Telegram delivers again (the bot stopped after storing its answer, before confirming the
update) is not taken a second time as the answer to the next question, even when that question
was never shown; a later message is taken as usual. Driven as a service on a real SQLite file."""

from __future__ import annotations

from bot.reporting.journey import ReportingJourney
from bot.services import Services
from storage.models import Unit
from tests.integration.conftest import LAN
from tests.integration.test_reporting_service import message, who


async def test_a_message_delivered_again_does_not_answer_the_next_question(
        services: Services, communes: list[Unit]) -> None:
    journey, lan = ReportingJourney(services), await who(services, LAN)
    start = await journey.start(lan)  # question 1, carried_over; not marked shown: as after a crash
    assert "Câu 1/" in message(start).text
    first = await journey.text(lan, "53", message=101)
    assert message(first).text.startswith("✔ Đã lưu «Kỳ trước chuyển sang»: 53.")
    again = await journey.text(lan, "53", message=101)  # the same update, delivered again
    assert "bot đã lưu rồi" in message(again).text and "Câu 2/" in message(again).text
    draft = int(await services.storage.db.fetch_value("SELECT id FROM drafts WHERE unit_code = ?", (communes[0].code,)))
    answers = await services.storage.drafts.values(draft)
    assert answers == {"carried_over": 53}  # question 2 was not answered by the repeat
    person = await services.storage.people.get_by_telegram_id(LAN)
    assert person is not None
    cursor = await services.storage.drafts.get_cursor(draft, person.id)
    assert cursor is not None and cursor.answered_message == 101 and cursor.field_id == "received_online_full"
    later = await journey.text(lan, "53", message=102)  # a new message with the same text is an answer
    assert message(later).text.startswith("✔ Đã lưu «Trực tuyến toàn trình»: 53.")

"""A person on both messengers who writes on Telegram gets their notices on Telegram again."""

from __future__ import annotations

from bot.notices.routing import messenger_of
from tests.conftest import BotHarness
from tests.fakes import text_update


async def test_a_message_on_telegram_makes_telegram_the_messenger_used_last(harness: BotHarness, clock) -> None:
    storage = harness.storage
    person = await storage.people.get_or_create(6101, clock.now(), "Lan")
    await storage.db.execute("UPDATE people SET zalo_id = 'z-lan', messenger = 'zalo' WHERE id = ?", (person.id,))
    before = await storage.people.get(person.id)
    assert before is not None and messenger_of(before, zalo_runs=True) == "zalo"
    await harness.send(text_update(6101, "/help"))
    after = await storage.people.get(person.id)
    assert after is not None and after.messenger == "telegram" and messenger_of(after, zalo_runs=True) == "telegram"

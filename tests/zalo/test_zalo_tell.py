"""Telling someone from the Zalo channel (a reporter told their report was returned): on the
messenger the notices would take (bot.notices.routing.messenger_of) — in a process without
Telegram, a person with a Zalo account is told there even if they used Telegram last."""

from __future__ import annotations

from bot.chat.replies import Message
from tests.zalo.conftest import ZaloWorld

ZALO_HUNG = "d00dd00dd00dd00dd00d"


async def test_a_person_who_used_telegram_last_is_told_on_zalo_when_telegram_does_not_run(
        zalo_world: ZaloWorld) -> None:
    storage, now = zalo_world.storage, zalo_world.channel.services.clock.now()
    assert zalo_world.channel.other_tell is None  # a Zalo-only process
    hung = await storage.people.get_or_create_zalo(ZALO_HUNG, now, "Trần Văn Hùng")
    await storage.db.execute("UPDATE people SET telegram_id = 3402, messenger = 'telegram' WHERE id = ?", (hung.id,))
    await zalo_world.client.zalo.add_user(ZALO_HUNG, "Hùng")
    person = await storage.people.get(hung.id)
    assert person is not None and person.messenger == "telegram" and person.telegram_id == 3402

    assert await zalo_world.channel.tell(person, Message("Báo cáo của xã đã bị trả lại."))
    got = await zalo_world.client.zalo.bot_messages(ZALO_HUNG)
    assert [m["text"] for m in got] == ["Báo cáo của xã đã bị trả lại."]

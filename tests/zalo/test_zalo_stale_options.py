"""Two officials of one commune, one on Zalo and one on Telegram: an option kept in SQLite (so a
restart keeps it) typed back after the other official answered its question meanwhile. The option
names its field, so it is taken as a tap on Telegram is — and Lan is told whose answer it replaced
(nothing changes silently), then asked the question of now, with its options."""

from __future__ import annotations

from bot.chat.access import identity_of
from bot.chat.actions import decode
from bot.chat.catalogue import say
from storage.models import Role
from tests.e2e.zalo_world import ZALO_LAN, has
from tests.integration.seed import bind
from tests.zalo.conftest import ZaloWorld


async def test_an_option_of_a_question_answered_meanwhile_on_telegram(zalo_world: ZaloWorld) -> None:
    storage, now = zalo_world.storage, zalo_world.channel.services.clock.now()
    lan = zalo_world.chat(ZALO_LAN)
    await lan.ask("/baocao", has("Câu 1/"))
    before = await storage.chat_options.offered("zalo", ZALO_LAN)
    option = next(o for o in before.options if hasattr(decode(o.action), "draft_id"))

    hung = await bind(storage, 3501, "Phạm Văn Hùng", Role.REPORTER, zalo_world.units["mine"], now)
    other = await identity_of(storage, hung, messenger="telegram")
    journey = zalo_world.channel.dispatch.journey()
    assert "Câu 1/" in " ".join(getattr(r, "text", "") for r in (await journey.start(other)).replies)
    answered = await journey.text(other, "5", sent_at=now, message=1)
    assert "Câu 2/" in " ".join(getattr(r, "text", "") for r in answered.replies)

    await lan.ask(option.key, has("Câu 2/"))
    said = await lan.answer_text()
    replaced = say("reporting.replaced", who="Phạm Văn Hùng", old="5", time="", day="").split("(")[0]
    assert replaced in said and say("common.error") not in said
    after = await storage.chat_options.offered("zalo", ZALO_LAN)
    assert after.options and after.options != before.options

"""Commands on Zalo, typed as on Telegram: /help says how options are typed here."""

from __future__ import annotations

from bot.chat.catalogue import say
from tests.e2e.zalo_world import ZALO_LAN, has
from tests.zalo.conftest import ZaloWorld


async def test_help_on_zalo_says_how_options_are_typed(zalo_world: ZaloWorld) -> None:
    lan = zalo_world.chat(ZALO_LAN)
    await lan.ask("/help", has(say("zalo.help_options")))
    stranger = zalo_world.chat("f00df00df00df00df00d")
    await zalo_world.client.zalo.add_user("f00df00df00df00df00d", "Khách")
    assert (await stranger.ask("/help"))["text"] == say("common.help_stranger")

"""Commands on Zalo, typed as on Telegram: /help says how options are typed here."""

from __future__ import annotations

from datetime import datetime, timedelta

from telegram.ext import CommandHandler

from bot.app import build_application
from bot.chat.access import Identity, identify_zalo
from bot.chat.catalogue import say
from bot.clock import VN_TZ
from bot.onboarding.menus import commands_for
from tests.e2e.zalo_world import ZALO_LAN, ZALO_SON, has
from tests.zalo.conftest import ZaloWorld


async def test_help_on_zalo_says_how_options_are_typed(zalo_world: ZaloWorld) -> None:
    lan = zalo_world.chat(ZALO_LAN)
    await lan.ask("/help", has(say("zalo.help_options")))
    stranger = zalo_world.chat("f00df00df00df00df00d")
    await zalo_world.client.zalo.add_user("f00df00df00df00df00d", "Khách")
    # on Zalo an invitation is a code typed in the chat: a stranger is never told to tap a link
    for typed in ("/help", "/baocao", "/nghiphep 20/12", "xin chào"):
        told = (await stranger.ask(typed))["text"]
        assert told == say("zalo_strangers.help") and "mã mời" in told and "liên kết" not in told, (typed, told)
    greeting = (await stranger.ask("/start"))["text"]
    assert greeting == say("zalo_strangers.greeting") and "liên kết" not in greeting


async def test_start_and_leave_on_zalo(zalo_world: ZaloWorld) -> None:
    lan = zalo_world.chat(ZALO_LAN)
    greeting = await lan.ask("/start")
    assert "Nguyễn Thị Lan" in greeting["text"] and zalo_world.units["mine"].full_name in greeting["text"]
    today = datetime.now(VN_TZ).date()
    start, end = today + timedelta(days=2), today + timedelta(days=4)
    answer = await lan.ask(f"/nghiphep {start:%d/%m} {end:%d/%m}", has("Đã ghi nghỉ phép"))
    assert answer
    person = await zalo_world.storage.people.get_by_zalo_id(ZALO_LAN)
    assert person is not None and (person.reminders_paused_from, person.reminders_paused_to) == (start, end)
    assert (await lan.ask("/nghiphep huy"))["text"] == say("calendar.leave_cleared")


async def test_every_command_a_menu_offers_is_routed_on_both_channels(zalo_world: ZaloWorld) -> None:
    """The menus (bot/onboarding/menus.py) are the one list of commands: Telegram registers a
    handler for each, and Zalo's dispatch answers each typed — none as an unknown command."""
    storage, settings = zalo_world.storage, zalo_world.channel.services.settings
    reporter = await identify_zalo(storage, settings, ZALO_LAN)
    admin = Identity(messenger="zalo", user_id=ZALO_SON, person=None, configured_admin=True)
    names = sorted({command.name for who in (reporter, admin) for command in commands_for(who)})
    assert {"baocao", "nghiphep", "tonghop", "xa", "moi", "lich", "lienket"} <= set(names)

    application = build_application(settings, token="123456:TEST")
    registered = {name for group in application.handlers.values() for handler in group
                  if isinstance(handler, CommandHandler) for name in handler.commands}
    assert set(names) <= registered, set(names) - registered

    son = zalo_world.chat(ZALO_SON)
    for name in names:
        answer = await son.ask(f"/{name}")
        assert answer["text"] != say("common.unknown_command", command=f"/{name}"), name

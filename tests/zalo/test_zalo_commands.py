"""Commands on Zalo, typed as on Telegram: /help says how options are typed here."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.chat.catalogue import say
from bot.clock import VN_TZ
from tests.e2e.zalo_world import ZALO_LAN, has
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

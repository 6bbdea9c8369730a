"""Codes typed on Zalo (no deep links there): a stranger joins by typing an invitation's code, and
/lienket shows the code that links a person's Zalo and Telegram accounts."""

from __future__ import annotations

from bot.administering.tokens import create_invite
from bot.chat.catalogue import say
from bot.onboarding.codes import PER_USER, WINDOW, add_invite_code, shown
from storage.models import Role
from tests.e2e.zalo_world import ZALO_LAN, has
from tests.zalo.conftest import ZaloWorld

NEWCOMER = "c0ffeec0ffeec0ffee01"


async def test_a_stranger_joins_on_zalo_by_typing_the_invitations_code(zalo_world: ZaloWorld) -> None:
    storage, clock = zalo_world.storage, zalo_world.channel.services.clock
    _, invite = await create_invite(storage, Role.REPORTER, zalo_world.units["other"], created_by=None,
                                    now=clock.now())
    code = await add_invite_code(storage, invite.id)
    await zalo_world.client.zalo.add_user(NEWCOMER, "Hà")
    newcomer = zalo_world.chat(NEWCOMER)
    assert (await newcomer.ask("/baocao"))["text"] == say("zalo_strangers.help")  # a code to type, not a link

    welcome = await newcomer.ask(shown(code).lower())
    assert zalo_world.units["other"].full_name in welcome["text"]
    person = await storage.people.get_by_zalo_id(NEWCOMER)
    assert person is not None and person.telegram_id is None and person.messenger == "zalo"
    assert "Câu 1/" in await _first_question(newcomer)

    await zalo_world.client.zalo.add_user("c0ffeec0ffeec0ffee02", "Khác")
    again = await zalo_world.chat("c0ffeec0ffeec0ffee02").ask(code)
    assert "đã được sử dụng" in again["text"]


async def test_wrong_codes_typed_on_zalo_until_the_limit_are_answered_in_vietnamese(zalo_world: ZaloWorld) -> None:
    storage, clock = zalo_world.storage, zalo_world.channel.services.clock
    _, invite = await create_invite(storage, Role.REPORTER, zalo_world.units["other"], created_by=None,
                                    now=clock.now())
    code = await add_invite_code(storage, invite.id)
    wrong = "23456-789AB" if code != "23456789AB" else "98765-432AB"
    await zalo_world.client.zalo.add_user(NEWCOMER, "Hà")
    newcomer = zalo_world.chat(NEWCOMER)
    for _ in range(PER_USER):
        assert (await newcomer.ask(wrong))["text"] == say("codes.unknown")
    too_many = say("codes.too_many", minutes=int(WINDOW.total_seconds() // 60))
    assert (await newcomer.ask(wrong))["text"] == too_many
    assert (await newcomer.ask(code))["text"] == too_many  # even the right code waits for the hour
    assert await storage.people.get_by_zalo_id(NEWCOMER) is None
    kept = await storage.invites.get(invite.id)
    assert kept is not None and kept.used_at is None  # the invitation is still usable


async def test_lienket_on_zalo_shows_a_code_for_telegram(zalo_world: ZaloWorld) -> None:
    shown_code = await zalo_world.chat(ZALO_LAN).ask("/lienket", has("Mã liên kết: "))
    assert "Telegram" in shown_code["text"]
    assert len(await zalo_world.storage.audit.recent(action="account.link_code")) == 1


async def _first_question(chat: object) -> str:
    answer = await chat.ask("/baocao", has("Câu 1/"))  # type: ignore[attr-defined]
    return str(answer["text"])

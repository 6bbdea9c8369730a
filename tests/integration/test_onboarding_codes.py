"""Codes on Telegram through Application.process_update: a stranger types an invitation's code
instead of following the link; /lienket shows the code to type on Zalo."""

from __future__ import annotations

from bot.administering.tokens import create_invite
from bot.chat.access import identify_zalo
from bot.onboarding.codes import add_invite_code, shown
from bot.onboarding.typed_codes import typed_code
from storage.models import Role
from tests.conftest import BotHarness
from tests.fakes import text_update
from tests.integration.seed import load_units

STRANGER = 5550101


async def test_a_typed_invitation_code_binds_the_telegram_account(harness: BotHarness, clock) -> None:
    storage = harness.storage
    unit = next(u for u in await load_units(storage) if u.name == "Phúc Lộc")
    _, invite = await create_invite(storage, Role.REPORTER, unit, created_by=None, now=clock.now())
    code = await add_invite_code(storage, invite.id)

    await harness.send(text_update(STRANGER, shown(code), first_name="Lan"))
    assert unit.full_name in harness.request.last_to(STRANGER).text
    menus = [c for c in harness.request.calls if c.method == "setMyCommands"]
    assert menus and "lienket" in str(menus[-1].params["commands"])

    await harness.send(text_update(STRANGER, "/lienket"))
    shown_code = harness.request.last_to(STRANGER).text.split("\n")[0].removeprefix("Mã liên kết: ")
    settings = harness.app.services.settings
    zalo = await identify_zalo(storage, settings, "zalo-lan")
    welcome = await typed_code(storage, settings, zalo, shown_code, now=clock.now())
    assert welcome is not None
    assert (await identify_zalo(storage, settings, "zalo-lan")).communes == [unit.code]


async def test_a_wrong_code_is_answered_in_vietnamese(harness: BotHarness) -> None:
    await harness.send(text_update(STRANGER, "ABCDE-23456"))
    assert "Mã này không đúng" in harness.request.last_to(STRANGER).text

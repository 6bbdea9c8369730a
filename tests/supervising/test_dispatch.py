"""The Telegram adapter of the journey: «sv:» taps reach the service by their typed action (a
commune picked from /xa's list, forged data answered as a stale button), and the province scope is
the identity's alone."""

from __future__ import annotations

from datetime import datetime

from bot.chat.access import Identity
from bot.chat.actions import PickCommune, decode
from bot.chat.catalogue import say
from bot.clock import VN_TZ
from storage.models import Membership, Role
from tests.conftest import BotHarness
from tests.fakes import callback_update, text_update
from tests.integration.seed import bind, load_units

SUP = 7301
AT = datetime(2025, 12, 1, tzinfo=VN_TZ)


async def test_a_commune_picked_from_the_list_shows_its_card(harness: BotHarness, clock) -> None:
    communes = await load_units(harness.storage)
    await bind(harness.storage, SUP, "Trần Văn Sơn", Role.SUPERVISOR, await harness.storage.units.get("19"),
               clock.now())
    await harness.send(text_update(SUP, "/xa phu tuan"))  # the weekly report (asked when several are scheduled)
    chooser = harness.request.last_to(SUP)
    assert chooser.text == "Anh/Chị chọn xã, phường:"
    label, data = chooser.buttons[0]
    picked = next(u for u in communes if u.full_name == label)
    action = decode(data)
    assert isinstance(action, PickCommune) and action.code == picked.code and action.form in (None, "tthc-weekly")
    harness.request.clear()
    await harness.send(callback_update(SUP, data))
    assert any(f"{picked.full_name} (mã {picked.code})" in c.text for c in harness.request.sent_to(SUP) if c.text)


async def test_forged_supervising_data_is_a_stale_button(harness: BotHarness, clock) -> None:
    await load_units(harness.storage)
    await bind(harness.storage, SUP, "Trần Văn Sơn", Role.SUPERVISOR, await harness.storage.units.get("19"),
               clock.now())
    await harness.send(callback_update(SUP, "sv:zz:1"))
    [answer] = [c for c in harness.request.calls if c.method == "answerCallbackQuery"]
    assert answer.params.get("text") == say("common.stale_button")


def _identity(*memberships: tuple[Role, str | None], configured: bool = False, revoked: bool = False) -> Identity:
    return Identity(telegram_id=1, person=None, configured_admin=configured, memberships=tuple(
        Membership(id=i, person_id=1, role=role, unit_code=code, created_at=AT, revoked_at=AT if revoked else None)
        for i, (role, code) in enumerate(memberships)))


def test_the_province_scope_is_the_identity_s() -> None:
    supervisor = _identity((Role.SUPERVISOR, "19"), (Role.ADMIN, "01"))
    assert supervisor.visible_provinces == ["19", "01"]
    assert supervisor.can_see("19") and supervisor.can_see("01") and not supervisor.can_see("02")
    assert not supervisor.can_see(None)  # the whole country: admins of all only
    for everywhere in (_identity(configured=True), _identity((Role.ADMIN, None))):
        assert everywhere.visible_provinces is None and everywhere.can_see(None) and everywhere.can_see("02")
    assert _identity((Role.ADMIN, None), revoked=True).visible_provinces == []
    reporter = _identity((Role.REPORTER, "05800"))
    assert reporter.visible_provinces == [] and not reporter.can_see("19") and not reporter.supervises

"""The onboarding journey's service (bot.onboarding) with no messenger: /start with and without an
invitation, each refusal, /help by role, the command menus and the answers to stray input."""

from __future__ import annotations

from datetime import timedelta

from bot.administering.tokens import create_invite
from bot.chat.catalogue import say
from bot.chat.replies import TapAnswer
from bot.onboarding import menus, stray
from bot.onboarding.welcome import Newcomer, help_for, start
from bot.settings import Settings
from storage import Storage
from storage.models import Role
from tests.journeys.conftest import CONFIGURED_ADMIN, Place, only_text, person, who


async def test_a_stranger_is_greeted_and_told_to_ask_for_an_invitation(storage: Storage, settings: Settings,
                                                                         clock, place: Place) -> None:
    welcome = await start(storage, settings, Newcomer(5001, "Lan"), None, now=clock.now())
    assert only_text(welcome.replies) == say("onboarding.greeting_stranger")
    assert welcome.identity is None


async def test_an_invitation_binds_the_account_once_with_its_audit(storage: Storage, settings: Settings,
                                                                   clock, place: Place) -> None:
    token, invite = await create_invite(storage, Role.REPORTER, place.phuc_loc, created_by=None, now=clock.now())
    welcome = await start(storage, settings, Newcomer(5002, "Nguyễn Thị Lan", "lan"), token, now=clock.now())
    text = only_text(welcome.replies)
    assert text.startswith("Xin chào Nguyễn Thị Lan!") and "Xã Phúc Lộc" in text and "/baocao" in text
    assert welcome.identity is not None and welcome.identity.communes == [place.phuc_loc.code]
    assert [e.action for e in await storage.audit.recent(limit=5)].count("invite.redeem") == 1

    # the same link again, by someone else: refused, and they stay a stranger
    again = await start(storage, settings, Newcomer(5003, "Minh"), token, now=clock.now())
    assert only_text(again.replies) == say("onboarding.invite_used")
    assert again.identity is None
    assert not (await who(storage, settings, 5003)).is_known
    # by the same person: refused, with the hint that their account still works
    mine = await start(storage, settings, Newcomer(5002, "Nguyễn Thị Lan"), token, now=clock.now())
    assert only_text(mine.replies) == say("onboarding.invite_used") + "\n\n" + say("onboarding.already_registered")


async def test_forged_expired_and_revoked_invitations_are_refused_and_logged(storage: Storage, settings: Settings,
                                                                             clock, place: Place) -> None:
    now = clock.now()
    old, _ = await create_invite(storage, Role.REPORTER, place.phuc_loc, created_by=None, now=now - timedelta(days=30))
    revoked, invite = await create_invite(storage, Role.REPORTER, place.phuc_loc, created_by=None, now=now)
    await storage.invites.revoke(invite.id, now)
    cases = {"x": "onboarding.invite_invalid", "forged-token-that-does-not-exist": "onboarding.invite_invalid",
             old: "onboarding.invite_expired", revoked: "onboarding.invite_revoked"}
    for user_id, (token, key) in enumerate(cases.items(), start=6001):
        welcome = await start(storage, settings, Newcomer(user_id, "Lan"), token, now=now)
        assert only_text(welcome.replies) == say(key), token
        assert welcome.identity is None
    refusals = [e for e in await storage.audit.recent(limit=20) if e.action == "invite.refused"]
    assert len(refusals) == len(cases)


async def test_help_lists_the_commands_of_each_role(storage: Storage, settings: Settings, clock,
                                                    place: Place) -> None:
    assert only_text(await help_for(storage, await who(storage, settings, 7000))) == say("common.help_stranger")

    await person(storage, 7001, "Lan", Role.REPORTER, place.phuc_loc, clock.now())
    reporter = only_text(await help_for(storage, await who(storage, settings, 7001)))
    assert "Xã Phúc Lộc" in reporter and say("onboarding.help_header") in reporter
    assert "/baocao — Nhập hoặc sửa báo cáo tuần" in reporter and "/moi" not in reporter
    assert "/tonghop" not in reporter

    admin = only_text(await help_for(storage, await who(storage, settings, CONFIGURED_ADMIN)))
    assert say("onboarding.what_admin") in admin
    assert "/moi — Tạo lời mời" in admin and "/tonghop" in admin and "/baocao" not in admin
    assert admin.count("/caidat") == 1  # a command shared by two roles is listed once


async def test_the_menus_follow_the_roles(storage: Storage, settings: Settings, clock, place: Place) -> None:
    assert [c.name for c in menus.common()] == ["start", "help"]
    await person(storage, 7101, "Hoa", Role.SUPERVISOR, place.thai_nguyen, clock.now())
    supervisor = [c.name for c in menus.commands_for(await who(storage, settings, 7101))]
    assert supervisor == ["start", "help", "tonghop", "chuanop", "xa", "nhapthay", "caidat", "lienket"]
    admin = menus.commands_for(await who(storage, settings, CONFIGURED_ADMIN))
    caidat = next(c for c in admin if c.name == "caidat")
    assert caidat.description == say("onboarding.command_caidat_supervisor")


def test_stray_input_gets_a_hint() -> None:
    assert only_text(stray.unknown_command("/xyz@baocao_bot 1")) == say("common.unknown_command", command="/xyz")
    assert stray.group_message("xin chào") == []
    assert only_text(stray.group_message("/baocao")) == say("common.group_only_private")
    assert only_text(stray.media()) == say("common.stray_media")
    assert only_text(stray.stray_text()) == say("common.stray_text")
    assert stray.stale_choice() == [TapAnswer(say("common.stale_button"))]
    assert only_text(stray.error()) == say("common.error")

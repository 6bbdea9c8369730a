"""Invitation codes typed on Zalo or Telegram: an invitation made by /moi (or the CLI) carries a
short code that gives its role once, until the invitation expires; wrong codes are limited per
account and overall."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.administering.tokens import create_invite
from bot.chat.access import Identity, identify, identify_zalo
from bot.clock import FakeClock
from bot.onboarding.codes import (
    ALPHABET,
    INVITE_LENGTH,
    OVERALL,
    PER_USER,
    add_invite_code,
    normalized,
    shown,
)
from bot.onboarding.typed_codes import typed_code
from bot.settings import Settings
from storage import Storage
from storage.codes import codes_of
from storage.models import Role
from tests.onboarding_codes.texts import text
from tests.storage.storage_helpers import DUC_XUAN, PHUOC_GIANG


async def invite_code(storage: Storage, clock: FakeClock, unit: object = PHUOC_GIANG) -> str:
    _, invite = await create_invite(storage, Role.REPORTER, unit, created_by=None, now=clock.now())  # type: ignore[arg-type]
    return await add_invite_code(storage, invite.id)


async def on_zalo(storage: Storage, settings: Settings, zalo_id: str) -> Identity:
    return await identify_zalo(storage, settings, zalo_id)


def test_a_code_has_ten_unambiguous_characters_and_reads_with_or_without_dash() -> None:
    code = "K7M2QX9PRT"
    assert normalized(shown(code)) == code and shown(code) == "K7M2Q-X9PRT"
    assert normalized(" k7m2q x9prt ") == code
    assert normalized("K7M2QX9PR0") is None  # 0 is not in the alphabet (nor O, 1, I, L, U)
    assert normalized("1234567890") is None and normalized("Không có gì") is None
    assert len(ALPHABET) == len(set(ALPHABET)) == 30 and not set("0O1ILU") & set(ALPHABET)


async def test_a_zalo_official_joins_by_typing_the_code_once(storage: Storage, settings: Settings,
                                                             clock: FakeClock) -> None:
    code = await invite_code(storage, clock)
    assert len(code) == INVITE_LENGTH
    stranger = await on_zalo(storage, settings, "zalo-lan")
    welcome = await typed_code(storage, settings, stranger, shown(code).lower(), full_name="Nguyễn Thị Lan",
                               now=clock.now())
    assert welcome is not None and welcome.identity is not None
    assert "Xã Phước Giang" in text(welcome.replies[0])
    member = await on_zalo(storage, settings, "zalo-lan")
    assert member.communes == [PHUOC_GIANG.code] and member.messenger == "zalo"
    assert member.person is not None and member.person.telegram_id is None

    again = await typed_code(storage, settings, await on_zalo(storage, settings, "zalo-other"), code,
                             now=clock.now())
    assert again is not None and again.identity is None and "đã được sử dụng" in text(again.replies[0])


async def test_the_same_code_works_on_telegram(storage: Storage, settings: Settings, clock: FakeClock) -> None:
    code = await invite_code(storage, clock, DUC_XUAN)
    stranger = await identify(storage, settings, 424242)
    welcome = await typed_code(storage, settings, stranger, code, full_name="Trần Văn Bình", now=clock.now())
    assert welcome is not None and welcome.identity is not None
    assert (await identify(storage, settings, 424242)).communes == [DUC_XUAN.code]


async def test_an_expired_invitation_code_is_refused(storage: Storage, settings: Settings, clock: FakeClock) -> None:
    code = await invite_code(storage, clock)
    clock.advance(timedelta(days=14, seconds=1))
    welcome = await typed_code(storage, settings, await on_zalo(storage, settings, "z"), code, now=clock.now())
    assert welcome is not None and "đã hết hạn" in text(welcome.replies[0])
    assert (await on_zalo(storage, settings, "z")).communes == []


async def test_text_that_is_not_a_code_is_left_to_the_journeys(storage: Storage, settings: Settings,
                                                               clock: FakeClock) -> None:
    stranger = await on_zalo(storage, settings, "z")
    for message in ("Toàn trình: 12", "/baocao", "53", "xin chào"):
        assert await typed_code(storage, settings, stranger, message, now=clock.now()) is None


async def test_wrong_codes_are_limited_per_account(storage: Storage, settings: Settings, clock: FakeClock) -> None:
    code = await invite_code(storage, clock)
    guesser = await on_zalo(storage, settings, "guesser")
    for _ in range(PER_USER):
        welcome = await typed_code(storage, settings, guesser, "ABCDE-23456", now=clock.now())
        assert welcome is not None and "không đúng" in text(welcome.replies[0])
    blocked = await typed_code(storage, settings, guesser, code, now=clock.now())  # even the right one
    assert blocked is not None and "quá nhiều lần" in text(blocked.replies[0])
    assert (await on_zalo(storage, settings, "guesser")).communes == []
    other = await typed_code(storage, settings, await on_zalo(storage, settings, "honest"), code, now=clock.now())
    assert other is not None and other.identity is not None  # another account is not held back
    clock.advance(timedelta(hours=1))
    later = await typed_code(storage, settings, guesser, "ABCDE-23457", now=clock.now())
    assert later is not None and "không đúng" in text(later.replies[0])
    assert len(await storage.audit.recent(action="code.refused")) == PER_USER + 1


async def test_wrong_codes_are_limited_overall(storage: Storage, settings: Settings, clock: FakeClock) -> None:
    for n in range(OVERALL):  # many accounts, each under its own limit
        await codes_of(storage).note_failure(f"zalo:bot-{n}", "invite", clock.now())
    code = await invite_code(storage, clock)
    welcome = await typed_code(storage, settings, await on_zalo(storage, settings, "fresh"), code, now=clock.now())
    assert welcome is not None and "quá nhiều lần" in text(welcome.replies[0])


@pytest.mark.parametrize("role", [Role.REPORTER])
async def test_moi_shows_the_code_with_the_link(storage: Storage, settings: Settings, clock: FakeClock,
                                                role: Role) -> None:
    from bot.administering.invitations import invite
    from bot.chat.actions import Invite

    admin = await storage.people.get_or_create(77, clock.now(), "Quản trị")
    await storage.people.add_membership(admin.id, Role.ADMIN, None, clock.now())
    identity = await identify(storage, settings, 77)
    replies = await invite(storage, identity, Invite(role="r", code=PHUOC_GIANG.code), now=clock.now(),
                           bot_username="baocao_bot")
    shown_text = text(replies[-1])
    assert "https://t.me/baocao_bot?start=" in shown_text and "mã mời" in shown_text
    code = shown_text.rsplit(": ", 1)[1].strip()
    welcome = await typed_code(storage, settings, await on_zalo(storage, settings, "z1"), code, now=clock.now())
    assert welcome is not None and welcome.identity is not None and welcome.identity.communes == [PHUOC_GIANG.code]

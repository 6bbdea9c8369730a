"""/lienket: a code shown on one messenger, typed on the other within 10 minutes, makes one person
with both accounts; an account with roles of its own is not merged."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.administering.tokens import create_invite, redeem_invite
from bot.chat.access import Identity, identify, identify_zalo
from bot.chat.catalogue import say
from bot.clock import FakeClock
from bot.onboarding import codes
from bot.onboarding.linking import show_link_code
from bot.onboarding.typed_codes import typed_code
from bot.settings import Settings
from storage import Storage
from storage.models import Role
from tests.onboarding_codes.texts import text
from tests.storage.storage_helpers import DUC_XUAN, PHUOC_GIANG

LAN_TELEGRAM = 5551


async def lan_on_telegram(storage: Storage, settings: Settings, clock: FakeClock) -> Identity:
    token, _ = await create_invite(storage, Role.REPORTER, PHUOC_GIANG, created_by=None, now=clock.now())
    await redeem_invite(storage, token, telegram_id=LAN_TELEGRAM, full_name="Nguyễn Thị Lan", username=None,
                        now=clock.now())
    return await identify(storage, settings, LAN_TELEGRAM)


async def code_shown(storage: Storage, identity: Identity, clock: FakeClock) -> str:
    shown_text = text((await show_link_code(storage, identity, now=clock.now()))[0])
    assert shown_text.startswith("Mã liên kết: ")
    return shown_text.split("\n")[0].removeprefix("Mã liên kết: ")


def said(welcome: object) -> str:
    assert welcome is not None
    return text(welcome.replies[0])  # type: ignore[attr-defined]


async def test_a_code_from_telegram_typed_on_zalo_makes_one_person(storage: Storage, settings: Settings,
                                                                   clock: FakeClock) -> None:
    lan = await lan_on_telegram(storage, settings, clock)
    code = await code_shown(storage, lan, clock)
    clock.advance(timedelta(minutes=9))
    zalo = await identify_zalo(storage, settings, "zalo-lan")
    assert "Đã liên kết" in said(await typed_code(storage, settings, zalo, code, now=clock.now()))
    on_zalo = await identify_zalo(storage, settings, "zalo-lan")
    assert on_zalo.person is not None and lan.person is not None and on_zalo.person.id == lan.person.id
    assert on_zalo.communes == [PHUOC_GIANG.code] and on_zalo.person.messenger == "zalo"
    assert on_zalo.person.telegram_id == LAN_TELEGRAM
    assert (await identify(storage, settings, LAN_TELEGRAM)).person == on_zalo.person
    assert len(await storage.audit.recent(action="account.link")) == 1
    again = await identify_zalo(storage, settings, "zalo-lan")
    assert "hết hạn hoặc đã được dùng" in said(await typed_code(storage, settings, again, code, now=clock.now()))


async def test_a_zalo_account_that_wrote_before_is_folded_in(storage: Storage, settings: Settings,
                                                             clock: FakeClock) -> None:
    lan = await lan_on_telegram(storage, settings, clock)
    bare = await storage.people.get_or_create_zalo("zalo-lan", clock.now(), "Lan")  # wrote to the bot, no role
    code = await code_shown(storage, lan, clock)
    zalo = await identify_zalo(storage, settings, "zalo-lan")
    assert "Đã liên kết" in said(await typed_code(storage, settings, zalo, code, now=clock.now()))
    assert await storage.people.get(bare.id) is None
    linked = await identify_zalo(storage, settings, "zalo-lan")
    assert linked.person is not None and lan.person is not None and linked.person.id == lan.person.id


async def test_a_code_from_zalo_typed_on_telegram(storage: Storage, settings: Settings, clock: FakeClock) -> None:
    person = await storage.people.get_or_create_zalo("zalo-binh", clock.now(), "Trần Văn Bình")
    await storage.people.add_membership(person.id, Role.SUPERVISOR, "51", clock.now())
    code = await code_shown(storage, await identify_zalo(storage, settings, "zalo-binh"), clock)
    telegram = await identify(storage, settings, 6001)
    assert "Đã liên kết" in said(await typed_code(storage, settings, telegram, code, now=clock.now()))
    assert (await identify(storage, settings, 6001)).provinces == ["51"]


async def test_an_account_with_roles_of_its_own_is_not_merged(storage: Storage, settings: Settings,
                                                              clock: FakeClock) -> None:
    lan = await lan_on_telegram(storage, settings, clock)
    other = await storage.people.get_or_create_zalo("zalo-hoa", clock.now(), "Hoa")
    await storage.people.add_membership(other.id, Role.REPORTER, DUC_XUAN.code, clock.now())
    code = await code_shown(storage, lan, clock)
    hoa = await identify_zalo(storage, settings, "zalo-hoa")
    assert "đã có vai trò riêng" in said(await typed_code(storage, settings, hoa, code, now=clock.now()))
    assert (await identify_zalo(storage, settings, "zalo-hoa")).communes == [DUC_XUAN.code]
    assert (await identify(storage, settings, LAN_TELEGRAM)).person.zalo_id is None  # type: ignore[union-attr]


async def test_an_expired_code_or_one_typed_on_the_same_messenger_links_nothing(
    storage: Storage, settings: Settings, clock: FakeClock
) -> None:
    lan = await lan_on_telegram(storage, settings, clock)
    code = await code_shown(storage, lan, clock)
    same = await identify(storage, settings, 7002)
    assert "không phải trên ứng dụng đã hiện mã" in said(await typed_code(storage, settings, same, code,
                                                                          now=clock.now()))
    clock.advance(timedelta(minutes=10))
    zalo = await identify_zalo(storage, settings, "zalo-lan")
    assert "hết hạn" in said(await typed_code(storage, settings, zalo, code, now=clock.now()))
    assert (await identify_zalo(storage, settings, "zalo-lan")).person is None


async def test_a_stranger_gets_no_link_code(storage: Storage, settings: Settings, clock: FakeClock) -> None:
    replies = await show_link_code(storage, await identify_zalo(storage, settings, "nobody"), now=clock.now())
    assert "chưa được đăng ký" in text(replies[0])


async def test_a_typed_link_code_is_hashed_once(storage: Storage, settings: Settings, clock: FakeClock,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """scrypt costs tens of milliseconds of CPU: the code typed is hashed once, not again inside
    the write transaction (which would hold every other writer that long)."""
    lan = await lan_on_telegram(storage, settings, clock)
    code = await code_shown(storage, lan, clock)
    hashed: list[str] = []
    real = codes.hash_code_now

    def counted(typed: str) -> str:
        hashed.append(typed)
        return real(typed)

    monkeypatch.setattr(codes, "hash_code_now", counted)
    zalo = await identify_zalo(storage, settings, "zalo-lan")
    assert "Đã liên kết" in said(await typed_code(storage, settings, zalo, code, now=clock.now()))
    assert len(hashed) == 1


async def test_a_link_code_typed_wrong_is_answered_and_the_right_one_still_links(
        storage: Storage, settings: Settings, clock: FakeClock) -> None:
    lan = await lan_on_telegram(storage, settings, clock)
    code = await code_shown(storage, lan, clock)
    wrong = code.replace(code[0], "2" if code[0] != "2" else "3", 1)
    zalo = await identify_zalo(storage, settings, "zalo-lan")
    assert said(await typed_code(storage, settings, zalo, wrong, now=clock.now())) == say("codes.unknown")
    assert (await identify_zalo(storage, settings, "zalo-lan")).person is None  # nothing linked
    assert "Đã liên kết" in said(await typed_code(storage, settings, zalo, code, now=clock.now()))

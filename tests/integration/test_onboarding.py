"""Onboarding through Application.process_update: strangers, invitations, the command menu."""

from __future__ import annotations

from datetime import timedelta

from bot.administering.tokens import create_invite
from storage.models import Role
from tests.conftest import ADMIN_ID, BotHarness
from tests.fakes import callback_update, media_update, text_update
from tests.integration.seed import load_units

STRANGER = 5550001


async def test_stranger_is_told_to_ask_for_an_invite(harness: BotHarness) -> None:
    await harness.send(text_update(STRANGER, "/start"))
    reply = harness.request.last_to(STRANGER)
    assert "chưa được đăng ký" in reply.text
    assert "quản trị viên" in reply.text


async def test_stranger_gets_hints_for_anything(harness: BotHarness) -> None:
    for payload in (text_update(STRANGER, "xin chào"), media_update(STRANGER, "photo"),
                    text_update(STRANGER, "/baocao"), text_update(STRANGER, "/tonghop"),
                    text_update(STRANGER, "/moi phuoc giang")):
        harness.request.clear()
        await harness.send(payload)
        assert harness.request.last_to(STRANGER).text, payload


async def test_invitation_binds_the_account_once(harness: BotHarness, clock) -> None:
    storage = harness.storage
    communes = await load_units(storage)
    unit = next(u for u in communes if u.name == "Phúc Lộc")
    token, _ = await create_invite(storage, Role.REPORTER, unit, created_by=None, now=clock.now())

    await harness.send(text_update(7001, f"/start {token}", first_name="Lan"))
    reply = harness.request.last_to(7001)
    assert unit.full_name in reply.text and "/baocao" in reply.text
    menus = [c for c in harness.request.calls if c.method == "setMyCommands"]
    assert menus and "baocao" in str(menus[-1].params["commands"])

    # a second person with the same (used) token is refused and stays a stranger
    await harness.send(text_update(7002, f"/start {token}"))
    assert "đã được sử dụng" in harness.request.last_to(7002).text
    assert await storage.people.get_by_telegram_id(7002) is None or not (
        await storage.people.memberships_of((await storage.people.get_by_telegram_id(7002)).id))

    # forged and expired tokens
    await harness.send(text_update(7003, "/start forged-token-that-does-not-exist"))
    assert "không hợp lệ" in harness.request.last_to(7003).text
    old, _ = await create_invite(storage, Role.REPORTER, unit, created_by=None, now=clock.now() - timedelta(days=30))
    await harness.send(text_update(7004, f"/start {old}"))
    assert "hết hạn" in harness.request.last_to(7004).text
    refusals = [e for e in await storage.audit.recent(limit=20) if e.action == "invite.refused"]
    assert len(refusals) == 3


async def test_two_officials_can_share_a_commune(harness: BotHarness, clock) -> None:
    storage = harness.storage
    unit = (await load_units(storage))[0]
    for telegram_id in (7101, 7102):
        token, _ = await create_invite(storage, Role.REPORTER, unit, created_by=None, now=clock.now())
        await harness.send(text_update(telegram_id, f"/start {token}"))
    assert len(await storage.people.reporters_of(unit.code)) == 2


async def test_admin_creates_an_invitation_in_chat(harness: BotHarness) -> None:
    storage = harness.storage
    await load_units(storage)
    await harness.send(text_update(ADMIN_ID, "/moi phuc loc"))
    reply = harness.request.last_to(ADMIN_ID)
    buttons = reply.buttons
    assert buttons, reply.text
    label, data = buttons[0]
    await harness.send(callback_update(ADMIN_ID, data))
    link_message = harness.request.last_to(ADMIN_ID)
    assert "https://t.me/baocao_test_bot?start=" in link_message.text
    token = link_message.text.split("?start=")[1].split()[0]

    await harness.send(text_update(7201, f"/start {token}"))
    assert "/baocao" in harness.request.last_to(7201).text


async def test_non_admin_cannot_invite_or_list(harness: BotHarness, clock) -> None:
    storage = harness.storage
    await load_units(storage)
    await harness.send(text_update(7301, "/moi phuoc"))
    assert "không có quyền" in harness.request.last_to(7301).text
    await harness.send(callback_update(7301, "mi:r:05929"))
    answers = [c for c in harness.request.calls if c.method == "answerCallbackQuery"]
    assert "không có quyền" in answers[-1].params.get("text", "")


async def test_admin_lists_and_revokes(harness: BotHarness, clock) -> None:
    storage = harness.storage
    unit = (await load_units(storage))[0]
    token, _ = await create_invite(storage, Role.REPORTER, unit, created_by=None, now=clock.now())
    await harness.send(text_update(7401, f"/start {token}", first_name="Hùng"))
    await harness.send(text_update(ADMIN_ID, "/nguoidung"))
    listing = harness.request.last_to(ADMIN_ID)
    assert "Hùng" in listing.text
    revoke = next(data for label, data in listing.buttons if "Hùng" in label)
    await harness.send(callback_update(ADMIN_ID, revoke))
    confirm = next(data for label, data in harness.request.last_to(ADMIN_ID).buttons if label == "Thu hồi")
    await harness.send(callback_update(ADMIN_ID, confirm))
    assert "Đã thu hồi" in harness.request.last_to(ADMIN_ID).text
    assert await storage.people.reporters_of(unit.code) == []
    # the revoked official no longer reaches the form
    await harness.send(text_update(7401, "/baocao"))
    assert "không phải cán bộ báo cáo" in harness.request.last_to(7401).text or \
        "chưa được đăng ký" in harness.request.last_to(7401).text

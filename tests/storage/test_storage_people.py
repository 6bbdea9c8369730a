"""People and memberships."""

from __future__ import annotations

from datetime import date

import pytest
from storage_helpers import BAC_KAN, DUC_XUAN, PHUOC_GIANG, QUANG_NGAI, THAI_NGUYEN, World, at

from storage import Role, Storage


async def test_get_or_create_by_telegram_id(world: World) -> None:
    people = world.storage.people
    again = await people.get_or_create(1001, at(60), "Nguyễn Thị Lan")
    assert again == world.lan  # same person, nothing changed (created_at kept)
    renamed = await people.get_or_create(1001, at(60), "Nguyễn Thị Lan (UBND)", username=None)
    assert renamed.id == world.lan.id
    assert renamed.full_name == "Nguyễn Thị Lan (UBND)"
    assert renamed.username == "lan_ubnd"  # an unknown username does not erase the known one
    assert (await people.get_or_create(1001, at(61))).full_name == "Nguyễn Thị Lan (UBND)"
    assert await people.get_by_telegram_id(1001) == renamed
    assert await people.get(world.lan.id) == renamed
    assert await people.get_by_telegram_id(42) is None
    assert world.lan.created_at == at(0) and world.lan.active and world.lan.blocked_at is None


async def test_people_on_zalo(world: World) -> None:
    people = world.storage.people
    hoa = await people.get_or_create_zalo("5f1c0a9e77d2b4c3a1e0", at(1), "Hoa")
    assert hoa.telegram_id is None and hoa.zalo_id == "5f1c0a9e77d2b4c3a1e0" and hoa.messenger == "zalo"
    assert await people.get_or_create_zalo("5f1c0a9e77d2b4c3a1e0", at(2), "") == hoa  # an empty name erases nothing
    renamed = await people.get_or_create_zalo("5f1c0a9e77d2b4c3a1e0", at(2), "Trần Thị Hoa")
    assert renamed.id == hoa.id and renamed.full_name == "Trần Thị Hoa"
    assert await people.get_by_zalo_id("5f1c0a9e77d2b4c3a1e0") == renamed
    assert await people.get_by_zalo_id("nobody") is None
    assert hoa.actor < 0 and hoa.actor == renamed.actor and hoa.actor != world.lan.actor == 1001
    # the messenger used last
    assert world.lan.messenger is None
    assert await people.set_messenger(world.lan.id, "zalo")
    assert not await people.set_messenger(world.lan.id, "zalo")
    assert (await people.get(world.lan.id)).messenger == "zalo"  # type: ignore[union-attr]
    assert await people.set_messenger(world.lan.id, "telegram")
    assert not await people.set_messenger(hoa.id + 100, "zalo")


async def test_a_zalo_only_reporter_is_read_whole_by_every_query(world: World) -> None:
    people = world.storage.people
    hoa = await people.get_or_create_zalo("5f1c0a9e77d2b4c3a1e0", at(1), "Hoa")
    await people.add_membership(hoa.id, Role.REPORTER, DUC_XUAN.code, at(1))
    found = await world.storage.missing.for_period(world.period.id)
    [commune] = [c for c in found.communes if c.code == DUC_XUAN.code]
    assert [(p.zalo_id, p.messenger, p.actor) for p in commune.reporters] == [(hoa.zalo_id, "zalo", hoa.actor)]
    assert [p.zalo_id for p in await people.reporters_of(DUC_XUAN.code)] == [hoa.zalo_id]
    assert hoa.zalo_id in [p.zalo_id for p in (await people.reporter_roster())[DUC_XUAN.code]]


async def test_memberships_add_revoke_and_grant_again(world: World) -> None:
    people = world.storage.people
    [membership] = await people.memberships_of(world.lan.id)
    assert membership.role is Role.REPORTER and membership.unit_code == PHUOC_GIANG.code and membership.active
    # granting the same active membership again is harmless
    assert await people.add_membership(world.lan.id, Role.REPORTER, PHUOC_GIANG.code, at(5)) == membership
    second = await people.add_membership(world.lan.id, Role.REPORTER, DUC_XUAN.code, at(5))
    admin = await people.add_membership(world.lan.id, Role.ADMIN, None, at(5))
    assert [m.id for m in await people.memberships_of(world.lan.id)] == [membership.id, second.id, admin.id]

    assert await people.revoke_membership(membership.id, at(10))
    assert not await people.revoke_membership(membership.id, at(11))
    assert [m.id for m in await people.memberships_of(world.lan.id)] == [second.id, admin.id]
    revoked = (await people.memberships_of(world.lan.id, include_revoked=True))[0]
    assert revoked.revoked_at == at(10) and not revoked.active
    assert await people.get_membership(membership.id) == revoked
    assert await people.get_membership(9999) is None

    again = await people.add_membership(world.lan.id, Role.REPORTER, PHUOC_GIANG.code, at(20))
    assert again.id != membership.id and again.active


async def test_a_membership_must_fit_its_role(world: World) -> None:
    people = world.storage.people
    with pytest.raises(ValueError, match="commune"):
        await people.add_membership(world.lan.id, Role.REPORTER, QUANG_NGAI.code, at())
    with pytest.raises(ValueError, match="province"):
        await people.add_membership(world.hoa.id, Role.SUPERVISOR, PHUOC_GIANG.code, at())
    with pytest.raises(ValueError, match="needs a unit"):
        await people.add_membership(world.hoa.id, Role.SUPERVISOR, None, at())
    with pytest.raises(ValueError, match="unknown unit"):
        await people.add_membership(world.hoa.id, Role.REPORTER, "00000", at())
    assert (await people.add_membership(world.hoa.id, Role.ADMIN, THAI_NGUYEN.code, at())).unit_code == "19"


async def test_reporters_and_supervisors(world: World) -> None:
    people = world.storage.people
    assert [p.id for p in await people.reporters_of(PHUOC_GIANG.code)] == [world.lan.id, world.minh.id]
    assert [p.id for p in await people.supervisors_of(QUANG_NGAI.code)] == [world.hoa.id]
    assert await people.reporters_of(BAC_KAN.code) == []

    assert await people.set_active(world.minh.id, False, at(30))
    assert not await people.set_active(world.minh.id, False, at(31))  # already blocked
    minh = await people.get(world.minh.id)
    assert minh is not None and not minh.active and minh.blocked_at == at(30)
    assert [p.id for p in await people.reporters_of(PHUOC_GIANG.code)] == [world.lan.id]

    [membership] = await people.memberships_of(world.lan.id)
    await people.revoke_membership(membership.id, at(40))
    assert await people.reporters_of(PHUOC_GIANG.code) == []

    assert await people.set_active(world.minh.id, True, at(50))
    minh = await people.get(world.minh.id)
    assert minh is not None and minh.active and minh.blocked_at is None
    assert [p.id for p in await people.reporters_of(PHUOC_GIANG.code)] == [world.minh.id]


async def test_list_people_filters(world: World) -> None:
    people = world.storage.people
    ids = lambda found: {p.id for p in found}  # noqa: E731
    assert ids(await people.list_people()) == {world.lan.id, world.minh.id, world.hoa.id}
    assert ids(await people.list_people(province_code="51")) == {world.lan.id, world.minh.id, world.hoa.id}
    assert ids(await people.list_people(province_code="51", role=Role.SUPERVISOR)) == {world.hoa.id}
    assert ids(await people.list_people(unit_code=PHUOC_GIANG.code)) == {world.lan.id, world.minh.id}
    assert ids(await people.list_people(province_code="19")) == set()
    await people.set_blocked(world.lan.id, at(1))
    assert ids(await people.list_people(unit_code=PHUOC_GIANG.code)) == {world.minh.id}
    assert ids(await people.list_people(unit_code=PHUOC_GIANG.code, active_only=False)) == {world.lan.id, world.minh.id}


async def test_pausing_reminders_for_leave(world: World) -> None:
    people = world.storage.people
    lan = await people.set_pause(world.lan.id, date(2025, 12, 10), date(2025, 12, 20))
    assert lan.reminders_paused_from == date(2025, 12, 10) and lan.reminders_paused_to == date(2025, 12, 20)
    assert not lan.is_paused(date(2025, 12, 9))
    assert lan.is_paused(date(2025, 12, 10)) and lan.is_paused(date(2025, 12, 20))
    assert not lan.is_paused(date(2025, 12, 21))
    open_ended = await people.set_pause(world.lan.id, date(2025, 12, 10), None)
    assert open_ended.is_paused(date(2026, 6, 1))
    resumed = await people.set_pause(world.lan.id, None, None)
    assert not resumed.is_paused(date(2025, 12, 15))
    with pytest.raises(ValueError):
        await people.set_pause(world.lan.id, date(2025, 12, 20), date(2025, 12, 10))
    with pytest.raises(LookupError):
        await people.set_pause(9999, None, None)


async def test_people_survive_reopening(world: World, db_path) -> None:
    await world.storage.close()
    reopened = await Storage.open(db_path)
    try:
        assert await reopened.people.get_by_telegram_id(1001) == world.lan
    finally:
        await reopened.close()

"""Invitations: only hashes stored, used once, exactly one winner under concurrency."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from storage_helpers import PHUOC_GIANG, World, at

from storage import Role, Storage, hash_token


async def _invite(world: World, token: str = "tok-phuoc-giang", days: int = 7):
    return await world.storage.invites.create(
        hash_token(token), Role.REPORTER, PHUOC_GIANG.code, world.hoa.id, at(), at(days=days)
    )


async def test_create_and_find_by_hash(world: World) -> None:
    invite = await _invite(world)
    assert invite.token_hash == hash_token("tok-phuoc-giang") != "tok-phuoc-giang"
    assert await world.storage.invites.find_by_hash(hash_token("tok-phuoc-giang")) == invite
    assert await world.storage.invites.find_by_hash(hash_token("other")) is None
    assert invite.is_usable(at(1)) and not invite.is_usable(at(days=8))
    raw = await world.storage.db.fetch_all("SELECT * FROM invites")
    assert all("tok-phuoc-giang" not in str(tuple(row)) for row in raw)


async def test_the_token_itself_is_refused(world: World) -> None:
    with pytest.raises(ValueError, match="SHA-256"):
        await world.storage.invites.create("tok-plain", Role.REPORTER, PHUOC_GIANG.code, None, at(), at(days=1))
    with pytest.raises(ValueError, match="expire"):
        await world.storage.invites.create(hash_token("t"), Role.REPORTER, PHUOC_GIANG.code, None, at(), at())


async def test_mark_used_once(world: World) -> None:
    invites = world.storage.invites
    await _invite(world)
    used = await invites.mark_used(hash_token("tok-phuoc-giang"), world.lan.id, at(5))
    assert used is not None and used.used_by == world.lan.id and used.used_at == at(5)
    assert await invites.mark_used(hash_token("tok-phuoc-giang"), world.minh.id, at(6)) is None
    assert await invites.mark_used(hash_token("unknown"), world.minh.id, at(6)) is None
    stored = await invites.find_by_hash(hash_token("tok-phuoc-giang"))
    assert stored is not None and stored.used_by == world.lan.id


async def test_expired_or_revoked_invites_cannot_be_used(world: World) -> None:
    invites = world.storage.invites
    await _invite(world, "old", days=1)
    assert await invites.mark_used(hash_token("old"), world.lan.id, at(days=1)) is None  # expires_at is exclusive
    revoked = await _invite(world, "revoked")
    assert await invites.revoke(revoked.id, at(1))
    assert not await invites.revoke(revoked.id, at(2))
    assert await invites.mark_used(hash_token("revoked"), world.lan.id, at(3)) is None
    fresh = await _invite(world, "fresh")
    assert [i.id for i in await invites.list(unit_code=PHUOC_GIANG.code, usable_at=at(days=2))] == [fresh.id]
    assert len(await invites.list(unit_code=PHUOC_GIANG.code)) == 3
    assert len(await invites.list(created_by=world.hoa.id, limit=2)) == 2


async def test_concurrent_use_has_exactly_one_winner(world: World) -> None:
    await _invite(world)
    people = [await world.storage.people.get_or_create(5000 + i, at(), f"P{i}") for i in range(20)]
    results = await asyncio.gather(
        *(world.storage.invites.mark_used(hash_token("tok-phuoc-giang"), p.id, at(1)) for p in people)
    )
    winners = [r for r in results if r is not None]
    assert len(winners) == 1


async def test_concurrent_use_from_two_processes_has_exactly_one_winner(world: World, db_path: Path) -> None:
    await _invite(world)
    other = await Storage.open(db_path)  # a second connection, as another process would hold
    try:
        async def use(storage: Storage, person_id: int):
            return await storage.invites.mark_used(hash_token("tok-phuoc-giang"), person_id, at(1))

        results = await asyncio.gather(
            *(use(world.storage if i % 2 else other, world.lan.id if i % 2 else world.minh.id) for i in range(10))
        )
    finally:
        await other.close()
    assert len([r for r in results if r is not None]) == 1


async def test_redeem_grants_the_membership_atomically(world: World) -> None:
    newcomer = await world.storage.people.get_or_create(3001, at(), "Phạm Văn Nam")
    await _invite(world)
    redeemed = await world.storage.invites.redeem(hash_token("tok-phuoc-giang"), newcomer.id, at(2))
    assert redeemed is not None
    invite, membership = redeemed
    assert invite.used_by == newcomer.id
    assert membership.role is Role.REPORTER and membership.unit_code == PHUOC_GIANG.code
    assert await world.storage.invites.redeem(hash_token("tok-phuoc-giang"), newcomer.id, at(3)) is None
    assert newcomer.id in {p.id for p in await world.storage.people.reporters_of(PHUOC_GIANG.code)}


async def test_a_failed_redeem_leaves_the_invite_unused(world: World) -> None:
    # an invite for a province as a reporter cannot become a membership: nothing is kept
    await world.storage.invites.create(hash_token("bad"), Role.REPORTER, "51", None, at(), at() + timedelta(days=1))
    with pytest.raises(ValueError):
        await world.storage.invites.redeem(hash_token("bad"), world.lan.id, at(1))
    stored = await world.storage.invites.find_by_hash(hash_token("bad"))
    assert stored is not None and stored.used_at is None

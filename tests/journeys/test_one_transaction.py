"""Each action of these journeys is one transaction: when its audit row cannot be written (a real
SQLite failure, raised by a trigger on the bot's own connection), the change is not kept either."""

from __future__ import annotations

import sqlite3

import pytest

from bot.administering import people
from bot.administering.tokens import create_invite
from bot.calendar.leave import leave
from bot.chat.actions import ConfirmRevoke
from bot.onboarding.welcome import Newcomer, start
from bot.settings import Settings
from storage import Storage
from storage.models import Role
from tests.journeys.conftest import CONFIGURED_ADMIN, Place, person, who


async def fail_audit(storage: Storage, action: str) -> None:
    """From now on, writing an audit row of ``action`` fails as a full disk would."""
    async with storage.db.transaction() as conn:
        await conn.execute(
            f"CREATE TEMP TRIGGER fail_{action.replace('.', '_')} BEFORE INSERT ON audit_log "
            f"WHEN NEW.action = '{action}' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
        )


async def test_a_revocation_without_its_audit_row_is_not_kept(storage: Storage, settings: Settings, clock,
                                                              place: Place) -> None:
    lan = await person(storage, 9001, "Nguyễn Thị Lan", Role.REPORTER, place.phuc_loc, clock.now())
    [membership] = await storage.people.memberships_of(lan.id)
    await fail_audit(storage, "membership.revoke")
    admin = await who(storage, settings, CONFIGURED_ADMIN)
    with pytest.raises(sqlite3.IntegrityError):
        await people.revoke(storage, admin, ConfirmRevoke(membership_id=membership.id), now=clock.now())
    assert (await who(storage, settings, 9001)).communes == [place.phuc_loc.code]


async def test_a_leave_without_its_audit_row_is_not_kept(storage: Storage, settings: Settings, clock,
                                                         place: Place) -> None:
    await person(storage, 9002, "Trần Văn Minh", Role.REPORTER, place.phuc_loc, clock.now())
    await fail_audit(storage, "leave.set")
    minh = await who(storage, settings, 9002)
    with pytest.raises(sqlite3.IntegrityError):
        await leave(storage, minh, ["20/12", "22/12"], now=clock.now())
    paused = await storage.people.get_by_telegram_id(9002)
    assert paused is not None and paused.reminders_paused_from is None


async def test_an_invitation_redeemed_without_its_audit_row_is_not_used(storage: Storage, settings: Settings,
                                                                        clock, place: Place) -> None:
    token, invite = await create_invite(storage, Role.REPORTER, place.phuc_loc, created_by=None, now=clock.now())
    await fail_audit(storage, "invite.redeem")
    with pytest.raises(sqlite3.IntegrityError):
        await start(storage, settings, Newcomer(9003, "Lê Văn Hùng"), token, now=clock.now())
    assert not (await who(storage, settings, 9003)).is_known
    stored = await storage.invites.get(invite.id)
    assert stored is not None and stored.used_at is None  # the link still works once the disk is fixed


async def test_an_invitation_made_without_its_audit_row_is_not_kept(storage: Storage, settings: Settings, clock,
                                                                    place: Place) -> None:
    from bot.administering import invitations
    from bot.chat.actions import Invite

    await fail_audit(storage, "invite.create")
    admin = await who(storage, settings, CONFIGURED_ADMIN)
    with pytest.raises(sqlite3.IntegrityError):
        await invitations.invite(storage, admin, Invite(role="r", code=place.phuc_loc.code), now=clock.now(),
                                 bot_username="baocao_test_bot")
    assert await storage.invites.list(unit_code=place.phuc_loc.code) == []

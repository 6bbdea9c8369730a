"""Invitations: random single-use tokens that bind a Telegram account to a commune or a province.

Only the token's SHA-256 is stored; the token itself travels once, in the deep link
`https://t.me/<bot>?start=<token>` (Telegram allows [A-Za-z0-9_-], at most 64 characters)."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from storage import Storage, hash_token
from storage.models import Invite, Membership, Person, Role, Unit

DEFAULT_TTL = timedelta(days=14)
TOKEN_BYTES = 24  # 192 bits, 32 characters of base64url
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class RedeemStatus(StrEnum):
    OK = "ok"
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"
    ALREADY_MEMBER = "already_member"


class RedeemResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: RedeemStatus
    person: Person | None = None
    invite: Invite | None = None
    membership: Membership | None = None


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


async def create_invite(
    storage: Storage,
    role: Role,
    unit: Unit | None,
    *,
    created_by: int | None,
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
) -> tuple[str, Invite]:
    """A new invitation; returns the token (shown once) and the stored record."""
    token = new_token()
    invite = await storage.invites.create(
        hash_token(token), role, unit.code if unit else None, created_by, now, now + ttl
    )
    await storage.audit.log(
        at=now, actor=None, action="invite.create", subject=f"invite:{invite.id}",
        detail={"role": str(role), "unit": invite.unit_code, "created_by": created_by},
    )
    return token, invite


async def redeem_invite(
    storage: Storage, token: str, *, telegram_id: int, full_name: str, username: str | None, now: datetime
) -> RedeemResult:
    """Use a token for this Telegram account. A used, expired, revoked or forged token is
    refused and logged; a concurrent second use of one token finds it used."""
    if not _TOKEN_SHAPE.match(token):
        await _log_refusal(storage, now, telegram_id, RedeemStatus.MALFORMED)
        return RedeemResult(status=RedeemStatus.MALFORMED)
    token_hash = hash_token(token)
    invite = await storage.invites.find_by_hash(token_hash)
    if invite is None:
        await _log_refusal(storage, now, telegram_id, RedeemStatus.UNKNOWN)
        return RedeemResult(status=RedeemStatus.UNKNOWN)
    person = await storage.people.get_or_create(telegram_id, now, full_name=full_name, username=username)
    current = await storage.people.memberships_of(person.id)  # the active ones
    if invite.used_at is None and any(m.role == invite.role and m.unit_code == invite.unit_code for m in current):
        return RedeemResult(status=RedeemStatus.ALREADY_MEMBER, person=person, invite=invite)
    redeemed = await storage.invites.redeem(token_hash, person.id, now)
    if redeemed is None:
        fresh = await storage.invites.find_by_hash(token_hash) or invite
        if fresh.revoked_at is not None:
            status = RedeemStatus.REVOKED
        elif fresh.used_at is not None:
            status = RedeemStatus.USED
        else:
            status = RedeemStatus.EXPIRED
        await _log_refusal(storage, now, telegram_id, status, invite_id=invite.id)
        return RedeemResult(status=status, person=person, invite=fresh)
    used, membership = redeemed
    await storage.audit.log(
        at=now, actor=telegram_id, action="invite.redeem", subject=f"invite:{used.id}",
        detail={"role": str(used.role), "unit": used.unit_code, "person": person.id},
    )
    return RedeemResult(status=RedeemStatus.OK, person=person, invite=used, membership=membership)


async def _log_refusal(
    storage: Storage, now: datetime, telegram_id: int, status: RedeemStatus, invite_id: int | None = None
) -> None:
    await storage.audit.log(
        at=now, actor=telegram_id, action="invite.refused",
        subject=f"invite:{invite_id}" if invite_id else None, detail={"reason": str(status)},
    )

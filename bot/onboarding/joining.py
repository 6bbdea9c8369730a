"""An invitation's code typed (on Zalo, which has no deep links, or on Telegram): the person on
that messenger gets the invitation's role, exactly as the link would give it (single use, the
invitation's expiry; the person, the membership and the audit row in one transaction)."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.administering.tokens import RedeemStatus
from bot.chat.access import Identity, identity_of, person_of
from bot.chat.catalogue import say
from bot.chat.replies import Message
from bot.onboarding.codes import Attempt, failed, hash_code
from bot.onboarding.welcome import REFUSALS, Welcome, describe_roles
from bot.settings import Settings
from storage import Storage
from storage.codes import codes_of

log = logging.getLogger(__name__)


async def join_by_code(storage: Storage, settings: Settings, identity: Identity, code: str, *,
                       full_name: str, now: datetime) -> Welcome:
    """Use the invitation whose code is ``code`` (normalized) for this messenger account."""
    attempt = Attempt.of(identity.messenger, identity.user_id)
    token_hash = await codes_of(storage).invite_token_hash(await hash_code(code))
    invite = await storage.invites.find_by_hash(token_hash) if token_hash is not None else None
    if token_hash is None or invite is None:
        await failed(storage, attempt, "invite", now)
        return Welcome([Message(say("codes.unknown"))], None)
    async with storage.db.transaction():
        person = await person_of(storage, identity, now, full_name)
        current = await storage.people.memberships_of(person.id)
        if invite.used_at is None and any(m.role == invite.role and m.unit_code == invite.unit_code
                                          for m in current):
            status = RedeemStatus.ALREADY_MEMBER
        else:
            redeemed = await storage.invites.redeem(token_hash, person.id, now)
            if redeemed is not None:
                status = RedeemStatus.OK
                await storage.audit.log(
                    "invite.redeem", now, actor=identity.actor, subject=f"invite:{invite.id}",
                    detail={"role": str(invite.role), "unit": invite.unit_code, "person": person.id,
                            "by": "code", "messenger": identity.messenger})
            else:
                fresh = await storage.invites.find_by_hash(token_hash) or invite
                status = (RedeemStatus.REVOKED if fresh.revoked_at is not None
                          else RedeemStatus.USED if fresh.used_at is not None else RedeemStatus.EXPIRED)
                await storage.audit.log("invite.refused", now, actor=identity.actor,
                                        subject=f"invite:{invite.id}", detail={"reason": str(status), "by": "code"})
    if status in REFUSALS:
        log.info("invitation code refused for %s: %s", attempt.actor, status)
        return Welcome([Message(say(REFUSALS[status]))], None)
    fresh_person = await storage.people.get(person.id) or person
    joined = await identity_of(storage, fresh_person, messenger=identity.messenger,
                               configured_admin=identity.configured_admin)
    name = fresh_person.full_name or full_name
    text = say("onboarding.greeting_known", name=name, what=await describe_roles(storage, joined))
    return Welcome([Message(text)], joined)

"""/lienket: one person on both messengers. The command shows a one-time code on one messenger
(8 characters, ``LIFETIME`` 10 minutes); typed on the other, that account becomes the same
person — same roles, drafts and notices (which then go to the messenger used last).

Merge rule: the account typing the code is **folded into** the person who showed it only when it
has nothing of its own — no role (not even a revoked one) and no history. An account that has a
role of its own is refused: merging two role sets silently could hand one account a commune it was
never invited to (a code read over a shoulder, a shared phone), and an admin can always revoke one
account's roles first. The person who showed the code must not already have another account on
that messenger (linking replaces nothing). The code works once and only on the other messenger."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.chat.access import Identity, identity_of, person_of
from bot.chat.catalogue import say
from bot.chat.replies import Message, Reply
from bot.onboarding.codes import LINK_LENGTH, Attempt, failed, hash_code, new_mixed_code, shown
from storage import Storage
from storage.codec import dt_from_text
from storage.codes import LinkAccountRefused, codes_of
from storage.models import Messenger

LIFETIME = timedelta(minutes=10)
_NAMES: dict[str, str] = {"telegram": "Telegram", "zalo": "Zalo"}


def _other(messenger: Messenger) -> str:
    return _NAMES["zalo" if messenger == "telegram" else "telegram"]


async def show_link_code(storage: Storage, identity: Identity, *, now: datetime) -> list[Reply]:
    """/lienket: a new code (earlier ones stop working), for a person with a role."""
    if not identity.is_known:
        return [Message(say("codes.link_stranger"))]
    person = await person_of(storage, identity, now)
    code = new_mixed_code(LINK_LENGTH)
    await codes_of(storage).create_link_code(await hash_code(code), person.id, identity.messenger, now, now + LIFETIME)
    await storage.audit.log("account.link_code", now, actor=identity.actor, subject=f"person:{person.id}",
                            detail={"messenger": identity.messenger})
    return [Message(say("codes.link_shown", code=shown(code), other=_other(identity.messenger),
                        minutes=int(LIFETIME.total_seconds() // 60)))]


async def link_by_code(storage: Storage, identity: Identity, code: str, *, now: datetime) -> list[Reply]:
    """The code typed on the other messenger (``code`` normalized): see the module for the rules."""
    attempt = Attempt.of(identity.messenger, identity.user_id)
    hashed = await hash_code(code)  # once: scrypt is slow, and must not run inside the transaction
    row = await codes_of(storage).link_code(hashed)
    if row is None:
        await failed(storage, attempt, "link", now)
        return [Message(say("codes.unknown"))]
    if row["used_at"] is not None or dt_from_text(row["expires_at"]) <= now:
        return [Message(say("codes.link_expired"))]
    shown_on: Messenger = "zalo" if row["messenger"] == "zalo" else "telegram"
    if shown_on == identity.messenger:
        return [Message(say("codes.link_same_messenger", other=_other(shown_on)))]
    target = await storage.people.get(int(row["person_id"]))
    if target is None:
        return [Message(say("codes.link_expired"))]
    other = identity.person
    if other is not None and other.id == target.id:
        return [Message(say("codes.link_already"))]
    own = target.zalo_id if identity.messenger == "zalo" else target.telegram_id
    if own is not None:
        return [Message(say("codes.link_target_has_account", messenger=_NAMES[identity.messenger]))]
    if other is not None and await storage.people.memberships_of(other.id, include_revoked=True):
        return [Message(say("codes.link_other_has_roles", messenger=_NAMES[identity.messenger]))]
    try:
        async with storage.db.transaction():
            if await codes_of(storage).use_link_code(hashed, now) is None:
                return [Message(say("codes.link_expired"))]
            await codes_of(storage).link_account(target.id, identity.messenger, identity.user_id,
                                             fold=other.id if other is not None else None)
            await storage.audit.log("account.link", now, actor=identity.actor, subject=f"person:{target.id}",
                                    detail={"messenger": identity.messenger, "folded": other.id if other else None})
    except LinkAccountRefused:
        return [Message(say("codes.link_other_has_history", messenger=_NAMES[identity.messenger]))]
    linked = await storage.people.get(target.id) or target
    joined = await identity_of(storage, linked, messenger=identity.messenger)
    return [Message(say("codes.linked", name=linked.full_name or "", messenger=_NAMES[identity.messenger],
                        other=_other(identity.messenger), what=_what(joined)))]


def _what(identity: Identity) -> str:
    return say("codes.linked_roles", count=len(identity.memberships))

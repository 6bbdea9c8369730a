"""/start and /help: the greeting, an invitation redeemed (the person, the membership and the
audit row in one transaction), the refusals of a bad invitation, and the help by role."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.administering.tokens import RedeemStatus, redeem_invite
from bot.chat.access import Identity, identify
from bot.chat.catalogue import say
from bot.chat.replies import Message, Reply
from bot.chat.strangers import stranger_help
from bot.onboarding.menus import describe
from bot.settings import Settings
from storage import Storage
from storage.models import Role

log = logging.getLogger(__name__)

REFUSALS = {
    RedeemStatus.MALFORMED: "onboarding.invite_invalid",
    RedeemStatus.UNKNOWN: "onboarding.invite_invalid",
    RedeemStatus.USED: "onboarding.invite_used",
    RedeemStatus.EXPIRED: "onboarding.invite_expired",
    RedeemStatus.REVOKED: "onboarding.invite_revoked",
}


@dataclass(frozen=True)
class Newcomer:
    """Who wrote /start, as the messenger knows them."""

    user_id: int
    full_name: str
    username: str | None = None


@dataclass(frozen=True)
class Welcome:
    """The answer to /start, and who the person is now (None: still a stranger, or refused) — a
    channel that keeps a menu per person sets it from ``identity``."""

    replies: list[Reply]
    identity: Identity | None


async def describe_roles(storage: Storage, identity: Identity) -> str:
    """One sentence per unit the person reports for or follows, and one for an admin."""
    units = await storage.units.get_many(identity.communes + identity.provinces)
    parts: list[str] = []
    for role, key in ((Role.REPORTER, "onboarding.what_reporter"), (Role.SUPERVISOR, "onboarding.what_supervisor")):
        for code in identity.units(role):
            unit = units.get(code)
            parts.append(say(key, unit=unit.full_name if unit else code))
    if identity.is_admin:
        parts.append(say("onboarding.what_admin"))
    return "\n".join(parts)


async def start(storage: Storage, settings: Settings, newcomer: Newcomer, token: str | None,
                *, now: datetime) -> Welcome:
    """/start, or /start <token> from an invitation's link."""
    if token is not None:
        async with storage.db.transaction():
            result = await redeem_invite(storage, token, telegram_id=newcomer.user_id, full_name=newcomer.full_name,
                                         username=newcomer.username, now=now)
        if result.status in REFUSALS:
            log.info("invitation refused for %s: %s", newcomer.user_id, result.status)
            identity = await identify(storage, settings, newcomer.user_id)
            hint = "" if not identity.is_known else "\n\n" + say("onboarding.already_registered")
            return Welcome([Message(say(REFUSALS[result.status]) + hint)], None)
    identity = await identify(storage, settings, newcomer.user_id)
    if not identity.is_known:
        return Welcome([Message(say("onboarding.greeting_stranger"))], None)
    name = identity.person.full_name if identity.person and identity.person.full_name else newcomer.full_name
    text = say("onboarding.greeting_known", name=name, what=await describe_roles(storage, identity))
    return Welcome([Message(text)], identity)


async def help_for(storage: Storage, identity: Identity) -> list[Reply]:
    """/help: who the person is and the commands of their roles; a stranger is told to ask for an invitation."""
    if not identity.is_known:
        return [Message(stranger_help(identity))]
    parts = [await describe_roles(storage, identity), say("onboarding.help_header"), describe(identity)]
    if identity.communes:  # a reporter: the report may come in one message, any time
        parts.append(say("reporting_entry.help_one_message"))
    return [Message("\n\n".join(parts))]

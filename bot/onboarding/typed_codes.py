"""A code typed in chat, on either messenger: an invitation's (10 characters) or an account link's
(8). Channels call ``typed_code`` with a message before the journeys see it (a stranger's
message, or one word from anyone); None means the message is not a code."""

from __future__ import annotations

from datetime import datetime

from bot.chat.access import Identity
from bot.chat.catalogue import say
from bot.chat.replies import Message
from bot.onboarding.codes import INVITE_LENGTH, WINDOW, Attempt, may_try, normalized
from bot.onboarding.joining import join_by_code
from bot.onboarding.linking import link_by_code
from bot.onboarding.welcome import Welcome
from bot.settings import Settings
from storage import Storage


async def typed_code(storage: Storage, settings: Settings, identity: Identity, text: str, *,
                     full_name: str = "", now: datetime) -> Welcome | None:
    code = normalized(text)
    if code is None:
        return None
    if not await may_try(storage, Attempt.of(identity.messenger, identity.user_id), now):
        return Welcome([Message(say("codes.too_many", minutes=int(WINDOW.total_seconds() // 60)))], None)
    if len(code) == INVITE_LENGTH:
        return await join_by_code(storage, settings, identity, code, full_name=full_name, now=now)
    return Welcome(await link_by_code(storage, identity, code, now=now), None)

"""What someone the bot does not know is told, on their messenger: on Telegram an invitation is a
link to tap; on Zalo (no deep links) it is a code to type (bot/onboarding/codes.py)."""

from __future__ import annotations

from bot.chat.access import Identity
from bot.chat.catalogue import say


def stranger_help(identity: Identity) -> str:
    """The answer to a stranger's command or text: ask the province's admin for an invitation."""
    return say("zalo_strangers.help") if identity.messenger == "zalo" else say("common.help_stranger")


def stranger_greeting(identity: Identity) -> str:
    """A stranger's /start: who the bot is, and how to get in."""
    return say("zalo_strangers.greeting") if identity.messenger == "zalo" else say("onboarding.greeting_stranger")

"""Codes a person types instead of following a link (Zalo has no deep links; Telegram takes them too).

An **invitation code** goes with every invitation link: 10 characters of a 30-symbol alphabet
without look-alikes (no 0, O, 1, I, L, nor U beside V), shown as ``K7M2Q-X9PRT`` and typed with
or without the dash, in any case. Single use and expiring with its invitation (the same record).
A **link code** (/lienket, bot.onboarding.linking) has 8 characters and lives 10 minutes.

Strength against guessing. A code is 30^10 ≈ 5.9·10^14 (49 bits) — far fewer than a link's
192-bit token, so guessing is bounded by counting wrong codes (table ``code_attempts``): one
messenger account may type ``PER_USER`` (5) wrong codes an hour, and everyone together
``OVERALL`` (300) an hour, after which codes are refused until the hour has passed. Over an
invitation's 14 days that is at most 300 × 24 × 14 ≈ 100,800 guesses; with every commune of the
country invited at once (3,321 live codes) the chance that any guess hits is below
100,800 × 3,321 / 5.9·10^14 ≈ 6·10^-7, and for one given invitation about 2·10^-10 — as unusable
in practice as the token. Someone who reads the database cannot use a code either: only its
scrypt hash is stored (a fixed salt, since codes are looked up by hash; n=2^14 makes trying all
5.9·10^14 take years of a GPU's time, longer than a code lives)."""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import Storage
from storage.codes import codes_of

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # 30 symbols: no 0 O 1 I L U
INVITE_LENGTH = 10
LINK_LENGTH = 8
PER_USER = 5  # wrong codes one account may type …
OVERALL = 300  # … and everyone together …
WINDOW = timedelta(hours=1)  # … in this time
_SALT = b"baocao-bot code v1"
_SEPARATORS = str.maketrans("", "", " -._")


def new_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def shown(code: str) -> str:
    """The code as people read it: two groups (``K7M2Q-X9PRT``, ``K7M2-X9PR``)."""
    half = (len(code) + 1) // 2
    return f"{code[:half]}-{code[half:]}"


def normalized(text: str) -> str | None:
    """The code a message holds (dash, spaces and case ignored), or None when it is not shaped
    like one (then the message is something else: an answer, a command)."""
    if len(text.split()) > 2:
        return None
    word = text.strip().translate(_SEPARATORS).upper()
    if len(word) not in (INVITE_LENGTH, LINK_LENGTH) or any(c not in ALPHABET for c in word):
        return None
    if not any(c.isdigit() for c in word) or not any(c.isalpha() for c in word):
        return None  # a number or a word someone typed, not a code (a code has both, see new_code)
    return word


def hash_code_now(code: str) -> str:
    return hashlib.scrypt(code.encode("ascii"), salt=_SALT, n=2**14, r=8, p=1, dklen=32).hex()


async def hash_code(code: str) -> str:
    """The stored hash of a code (scrypt: tens of ms of CPU, in a worker thread)."""
    return await asyncio.to_thread(hash_code_now, code)


def new_mixed_code(length: int) -> str:
    """A code with at least one digit and one letter (so it never reads as a number or a word)."""
    while True:
        code = new_code(length)
        if normalized(code) == code:
            return code


@dataclass(frozen=True)
class Attempt:
    """Who typed a code: ``messenger:user id``."""

    actor: str

    @classmethod
    def of(cls, messenger: str, user_id: str) -> Attempt:
        return cls(f"{messenger}:{user_id}")


async def may_try(storage: Storage, attempt: Attempt, now: datetime) -> bool:
    """Whether this account (and everyone) is still under the limit of wrong codes."""
    since = now - WINDOW
    if await codes_of(storage).failures_since(since, attempt.actor) >= PER_USER:
        return False
    return await codes_of(storage).failures_since(since) < OVERALL


async def failed(storage: Storage, attempt: Attempt, purpose: str, now: datetime) -> None:
    """A wrong code typed: counted (those older than the window are forgotten) and audited."""
    await codes_of(storage).forget_failures_before(now - WINDOW)
    await codes_of(storage).note_failure(attempt.actor, purpose, now)
    await storage.audit.log("code.refused", now, subject=attempt.actor, detail={"purpose": purpose})


async def add_invite_code(storage: Storage, invite_id: int) -> str:
    """A code for the invitation (shown once, with its link)."""
    code = new_mixed_code(INVITE_LENGTH)
    await codes_of(storage).set_invite_code(invite_id, await hash_code(code))
    return code

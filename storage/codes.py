"""Codes typed instead of links: invitation codes (stored as a hash beside the invitation's token
hash), the one-time codes that link a person's second messenger account, and the wrong codes
typed (to limit guessing). Only hashes of codes are stored (bot.onboarding.codes makes them)."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import TYPE_CHECKING

from .base import Repository
from .codec import dt_text
from .models import Messenger

if TYPE_CHECKING:
    from . import Storage


def codes_of(storage: Storage) -> CodeRepo:
    """The codes' repository over the storage's database (it keeps no state of its own)."""
    return CodeRepo(storage.db)


class LinkAccountRefused(Exception):
    """The other account cannot be folded into the person (it has a history of its own)."""


class CodeRepo(Repository):
    # -- invitation codes --------------------------------------------------------------------

    async def set_invite_code(self, invite_id: int, code_hash: str) -> None:
        await self.db.execute("UPDATE invites SET code_hash = ? WHERE id = ?", (code_hash, invite_id))

    async def invite_token_hash(self, code_hash: str) -> str | None:
        """The token hash of the invitation with this code (then used as its token is), or None."""
        row = await self.db.fetch_one("SELECT token_hash FROM invites WHERE code_hash = ?", (code_hash,))
        return None if row is None else str(row["token_hash"])

    # -- wrong codes -------------------------------------------------------------------------

    async def note_failure(self, actor: str, purpose: str, at: datetime) -> None:
        await self.db.execute("INSERT INTO code_attempts (actor, at, purpose) VALUES (?, ?, ?)",
                              (actor, dt_text(at), purpose))

    async def failures_since(self, since: datetime, actor: str | None = None) -> int:
        """Wrong codes typed since then, by ``actor`` or by anyone."""
        if actor is None:
            row = await self.db.fetch_one("SELECT COUNT(*) FROM code_attempts WHERE at > ?", (dt_text(since),))
        else:
            row = await self.db.fetch_one("SELECT COUNT(*) FROM code_attempts WHERE actor = ? AND at > ?",
                                          (actor, dt_text(since)))
        return int(row[0]) if row is not None else 0

    async def forget_failures_before(self, before: datetime) -> int:
        return await self.db.execute("DELETE FROM code_attempts WHERE at < ?", (dt_text(before),))

    # -- account link codes ------------------------------------------------------------------

    async def create_link_code(self, code_hash: str, person_id: int, messenger: Messenger, at: datetime,
                               expires_at: datetime) -> None:
        """A new link code for the person; their earlier unused ones stop working."""
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM link_codes WHERE person_id = ? AND used_at IS NULL", (person_id,))
            await conn.execute(
                "INSERT INTO link_codes (code_hash, person_id, messenger, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)", (code_hash, person_id, messenger, dt_text(at), dt_text(expires_at)))

    async def link_code(self, code_hash: str) -> sqlite3.Row | None:
        """The code's row (person_id, messenger, expires_at, used_at), or None."""
        return await self.db.fetch_one(
            "SELECT person_id, messenger, expires_at, used_at FROM link_codes WHERE code_hash = ?", (code_hash,))

    async def use_link_code(self, code_hash: str, at: datetime) -> tuple[int, Messenger] | None:
        """Use the code: (person id, messenger it was shown on) if this call won it; None if it is
        unknown, used or expired."""
        rows = await self.db.execute_returning(
            "UPDATE link_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?"
            " RETURNING person_id, messenger", (dt_text(at), code_hash, dt_text(at)))
        if not rows:
            return None
        messenger: Messenger = "zalo" if rows[0]["messenger"] == "zalo" else "telegram"
        return int(rows[0]["person_id"]), messenger

    async def link_account(self, person_id: int, messenger: Messenger, user_id: str, *,
                           fold: int | None) -> None:
        """Give the person the account ``user_id`` on ``messenger`` (and make it the one used last),
        removing the bare record ``fold`` the account had; raises LinkAccountRefused when that
        record is referenced by anything (its history would be lost)."""
        column = "zalo_id" if messenger == "zalo" else "telegram_id"
        value: str | int = user_id if messenger == "zalo" else int(user_id)
        async with self.db.transaction() as conn:
            if fold is not None:
                try:
                    await conn.execute("DELETE FROM people WHERE id = ?", (fold,))
                except sqlite3.IntegrityError as error:
                    raise LinkAccountRefused(str(error)) from None
            await conn.execute(f"UPDATE people SET {column} = ?, messenger = ? WHERE id = ?",  # noqa: S608
                               (value, messenger, person_id))

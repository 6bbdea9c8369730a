"""Invitations: one-time links that give their user a role for a unit.

Only the SHA-256 of a token is stored (``hash_token``); whoever reads the database cannot
use an invitation. ``mark_used`` is a single conditional UPDATE inside ``BEGIN IMMEDIATE``:
however many coroutines or processes use one token at once, exactly one wins.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime

from .base import Repository
from .codec import dt_text
from .models import Invite, Membership, Role
from .people import insert_membership

_COLUMNS = "id, token_hash, role, unit_code, created_by, created_at, expires_at, used_at, used_by, revoked_at"


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _invite(row: sqlite3.Row) -> Invite:
    return Invite.model_validate(dict(row))


def _check_hash(token_hash: str) -> None:
    if len(token_hash) != 64 or any(c not in "0123456789abcdef" for c in token_hash):
        raise ValueError("token_hash must be a SHA-256 hex digest (see hash_token); never store the token")


class InviteRepo(Repository):
    async def create(
        self,
        token_hash: str,
        role: Role,
        unit_code: str | None,
        created_by: int | None,
        created_at: datetime,
        expires_at: datetime,
    ) -> Invite:
        _check_hash(token_hash)
        if expires_at <= created_at:
            raise ValueError("an invitation must expire after it is created")
        rows = await self.db.execute_returning(
            "INSERT INTO invites (token_hash, role, unit_code, created_by, created_at, expires_at)"
            f" VALUES (?, ?, ?, ?, ?, ?) RETURNING {_COLUMNS}",
            (token_hash, str(Role(role)), unit_code, created_by, dt_text(created_at), dt_text(expires_at)),
        )
        return _invite(rows[0])

    async def find_by_hash(self, token_hash: str) -> Invite | None:
        row = await self.db.fetch_one(f"SELECT {_COLUMNS} FROM invites WHERE token_hash = ?", (token_hash,))
        return None if row is None else _invite(row)

    async def get(self, invite_id: int) -> Invite | None:
        row = await self.db.fetch_one(f"SELECT {_COLUMNS} FROM invites WHERE id = ?", (invite_id,))
        return None if row is None else _invite(row)

    async def mark_used(self, token_hash: str, person_id: int, at: datetime) -> Invite | None:
        """Use the invitation: the used invitation if this call won it; None if it is unknown,
        used already, revoked or expired at ``at``."""
        rows = await self.db.execute_returning(
            f"UPDATE invites SET used_at = ?, used_by = ? WHERE token_hash = ? AND used_at IS NULL"
            f" AND revoked_at IS NULL AND expires_at > ? RETURNING {_COLUMNS}",
            (dt_text(at), person_id, token_hash, dt_text(at)),
        )
        return _invite(rows[0]) if rows else None

    async def redeem(self, token_hash: str, person_id: int, at: datetime) -> tuple[Invite, Membership] | None:
        """Use the invitation and grant its membership, atomically; None as for ``mark_used``."""
        async with self.db.transaction() as conn:
            invite = await self.mark_used(token_hash, person_id, at)
            if invite is None:
                return None
            membership = await insert_membership(conn, person_id, invite.role, invite.unit_code, at)
        return invite, membership

    async def revoke(self, invite_id: int, at: datetime) -> bool:
        """True if it was still usable (unused, not revoked) and is now revoked."""
        changed = await self.db.execute(
            "UPDATE invites SET revoked_at = ? WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL",
            (dt_text(at), invite_id),
        )
        return changed == 1

    async def list(
        self,
        *,
        unit_code: str | None = None,
        created_by: int | None = None,
        usable_at: datetime | None = None,
        limit: int = 100,
    ) -> list[Invite]:
        """Invitations, newest first; ``usable_at``: only those still usable at that instant."""
        conditions = ["1"]
        params: list[object] = []
        if unit_code is not None:
            conditions.append("unit_code = ?")
            params.append(unit_code)
        if created_by is not None:
            conditions.append("created_by = ?")
            params.append(created_by)
        if usable_at is not None:
            conditions.append("used_at IS NULL AND revoked_at IS NULL AND expires_at > ?")
            params.append(dt_text(usable_at))
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM invites WHERE {' AND '.join(conditions)} ORDER BY created_at DESC, id DESC LIMIT ?",
            (*params, limit),
        )
        return [_invite(row) for row in rows]

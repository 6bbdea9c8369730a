"""People (Telegram or Zalo users, or both) and their memberships: who reports for, or follows, which unit."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from .base import Repository
from .codec import dt_text, opt_date_text
from .db import Conn
from .models import Membership, Messenger, Person, Role, UnitKind

# A person's columns, read here and beside a unit's own (storage/missing.py).
PERSON_COLUMNS = ("id", "telegram_id", "zalo_id", "messenger", "full_name", "username", "active", "created_at",
                  "blocked_at", "reminders_paused_from", "reminders_paused_to")
_PERSON = ", ".join(f"p.{column}" for column in PERSON_COLUMNS)
_MEMBERSHIP = "id, person_id, role, unit_code, created_at, revoked_at"

# The kind of unit each role belongs to (admins: everywhere, or one province).
_ROLE_UNIT_KIND = {Role.REPORTER: UnitKind.COMMUNE, Role.SUPERVISOR: UnitKind.PROVINCE, Role.ADMIN: UnitKind.PROVINCE}


def _person(row: sqlite3.Row) -> Person:
    return Person.model_validate(dict(row))


def _membership(row: sqlite3.Row) -> Membership:
    return Membership.model_validate(dict(row))


async def insert_membership(
    conn: Conn, person_id: int, role: Role, unit_code: str | None, at: datetime
) -> Membership:
    """Grant a membership inside the caller's transaction; an active identical one is returned
    as it is. Checks the unit fits the role: a commune for a reporter, a province for a
    supervisor, a province or None for an admin."""
    role = Role(role)
    if unit_code is None:
        if role is not Role.ADMIN:
            raise ValueError(f"a {role} membership needs a unit")
    else:
        rows = list(await conn.execute_fetchall("SELECT kind FROM units WHERE code = ?", (unit_code,)))
        if not rows:
            raise ValueError(f"unknown unit {unit_code!r}")
        if rows[0]["kind"] != _ROLE_UNIT_KIND[role]:
            raise ValueError(f"a {role} belongs to a {_ROLE_UNIT_KIND[role]}, and {unit_code} is a {rows[0]['kind']}")
    rows = list(
        await conn.execute_fetchall(
            f"INSERT INTO memberships (person_id, role, unit_code, created_at) VALUES (?, ?, ?, ?)"
            f" ON CONFLICT DO NOTHING RETURNING {_MEMBERSHIP}",
            (person_id, str(role), unit_code, dt_text(at)),
        )
    )
    if not rows:
        rows = list(
            await conn.execute_fetchall(
                f"SELECT {_MEMBERSHIP} FROM memberships WHERE person_id = ? AND role = ?"
                " AND unit_code IS ? AND revoked_at IS NULL",
                (person_id, str(role), unit_code),
            )
        )
    return _membership(rows[0])


class PersonRepo(Repository):
    async def get_or_create(
        self, telegram_id: int, at: datetime, full_name: str = "", username: str | None = None
    ) -> Person:
        """The person with this Telegram id, created if new; a name or username that changed
        on Telegram is updated (empty values never overwrite known ones)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO people (telegram_id, full_name, username, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (telegram_id) DO UPDATE SET"
                " full_name = CASE WHEN excluded.full_name <> '' THEN excluded.full_name ELSE full_name END,"
                " username = COALESCE(excluded.username, username)"
                " WHERE (excluded.full_name <> '' AND excluded.full_name IS NOT full_name)"
                " OR (excluded.username IS NOT NULL AND excluded.username IS NOT username)",
                (telegram_id, full_name, username, dt_text(at)),
            )
            person = await self.get_by_telegram_id(telegram_id)
        assert person is not None
        return person

    async def get_or_create_zalo(self, zalo_id: str, at: datetime, full_name: str = "") -> Person:
        """The person with this Zalo id, created if new (their messenger: Zalo); a display name
        that changed on Zalo is updated (an empty one never overwrites a known one)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO people (zalo_id, messenger, full_name, created_at) VALUES (?, 'zalo', ?, ?)"
                " ON CONFLICT (zalo_id) DO UPDATE SET full_name = excluded.full_name"
                " WHERE excluded.full_name <> '' AND excluded.full_name IS NOT full_name",
                (zalo_id, full_name, dt_text(at)),
            )
            person = await self.get_by_zalo_id(zalo_id)
        assert person is not None
        return person

    async def get_by_zalo_id(self, zalo_id: str) -> Person | None:
        row = await self.db.fetch_one(f"SELECT {_PERSON} FROM people p WHERE zalo_id = ?", (zalo_id,), quick=True)
        return None if row is None else _person(row)

    async def set_messenger(self, person_id: int, messenger: Messenger) -> bool:
        """Record the messenger someone used last (notices go there). True if it changed."""
        changed = await self.db.execute(
            "UPDATE people SET messenger = ? WHERE id = ? AND IFNULL(messenger, 'telegram') <> ?",
            (messenger, person_id, messenger),
        )
        return changed == 1

    async def get(self, person_id: int) -> Person | None:
        row = await self.db.fetch_one(f"SELECT {_PERSON} FROM people p WHERE id = ?", (person_id,), quick=True)
        return None if row is None else _person(row)

    async def get_by_telegram_id(self, telegram_id: int) -> Person | None:
        row = await self.db.fetch_one(f"SELECT {_PERSON} FROM people p WHERE telegram_id = ?", (telegram_id,),
                                      quick=True)
        return None if row is None else _person(row)

    async def get_membership(self, membership_id: int) -> Membership | None:
        row = await self.db.fetch_one(f"SELECT {_MEMBERSHIP} FROM memberships WHERE id = ?", (membership_id,))
        return None if row is None else _membership(row)

    async def memberships_of(self, person_id: int, *, include_revoked: bool = False) -> list[Membership]:
        revoked = "" if include_revoked else " AND revoked_at IS NULL"
        rows = await self.db.fetch_all(
            f"SELECT {_MEMBERSHIP} FROM memberships WHERE person_id = ?{revoked} ORDER BY id", (person_id,),
            quick=True,
        )
        return [_membership(row) for row in rows]

    async def add_membership(self, person_id: int, role: Role, unit_code: str | None, at: datetime) -> Membership:
        """Grant a role for a unit (idempotent while the membership is active)."""
        async with self.db.transaction() as conn:
            return await insert_membership(conn, person_id, role, unit_code, at)

    async def revoke_membership(self, membership_id: int, at: datetime) -> bool:
        """True if it was active and is now revoked."""
        changed = await self.db.execute(
            "UPDATE memberships SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
            (dt_text(at), membership_id),
        )
        return changed == 1

    async def list_people(
        self,
        *,
        unit_code: str | None = None,
        province_code: str | None = None,
        role: Role | None = None,
        active_only: bool = True,
    ) -> list[Person]:
        """People holding an active membership that matches every filter given: ``unit_code``
        exactly, ``province_code`` — a unit of that province (its communes or the province
        itself), ``role``. ``active_only`` leaves out people who blocked the bot."""
        conditions = ["m.revoked_at IS NULL"]
        params: list[object] = []
        join = ""
        if unit_code is not None:
            conditions.append("m.unit_code = ?")
            params.append(unit_code)
        if province_code is not None:
            join = " JOIN units u ON u.code = m.unit_code"
            conditions.append("u.province_code = ?")
            params.append(province_code)
        if role is not None:
            conditions.append("m.role = ?")
            params.append(str(Role(role)))
        if active_only:
            conditions.append("p.active = 1")
        rows = await self.db.fetch_all(
            f"SELECT DISTINCT {_PERSON} FROM people p JOIN memberships m ON m.person_id = p.id{join}"
            f" WHERE {' AND '.join(conditions)} ORDER BY p.full_name, p.id",
            params,
        )
        return [_person(row) for row in rows]

    async def reporters_of(self, unit_code: str) -> list[Person]:
        """The commune's reporters who can be reached: membership not revoked, bot not blocked.
        (Whether reminders are paused today is for the caller: ``Person.is_paused``.)"""
        return await self.list_people(unit_code=unit_code, role=Role.REPORTER)

    async def reporter_roster(self, province_code: str | None = None) -> dict[str, list[Person]]:
        """Every commune with at least one reporter (membership not revoked), with its reporters —
        those who blocked the bot too (``active`` False) — in commune code order; only the
        province's communes when ``province_code`` is given."""
        province = "" if province_code is None else " AND u.province_code = ?"
        rows = await self.db.fetch_all(
            f"SELECT m.unit_code AS unit_code, {_PERSON} FROM memberships m JOIN people p ON p.id = m.person_id"
            f" JOIN units u ON u.code = m.unit_code WHERE m.role = 'reporter' AND m.revoked_at IS NULL{province}"
            " ORDER BY m.unit_code, p.full_name, p.id",
            () if province_code is None else (province_code,),
        )
        roster: dict[str, list[Person]] = {}
        for row in rows:
            person = Person.model_validate({k: row[k] for k in row.keys() if k != "unit_code"})
            roster.setdefault(row["unit_code"], []).append(person)
        return roster

    async def supervisors_of(self, province_code: str) -> list[Person]:
        return await self.list_people(unit_code=province_code, role=Role.SUPERVISOR)

    async def set_active(self, person_id: int, active: bool, at: datetime) -> bool:
        """Mark someone as reachable again, or as having blocked the bot (``blocked_at`` = at).
        True if it changed anything."""
        if active:
            changed = await self.db.execute(
                "UPDATE people SET active = 1, blocked_at = NULL WHERE id = ? AND active = 0", (person_id,)
            )
        else:
            changed = await self.db.execute(
                "UPDATE people SET active = 0, blocked_at = ? WHERE id = ? AND active = 1",
                (dt_text(at), person_id),
            )
        return changed == 1

    async def set_blocked(self, person_id: int, at: datetime) -> bool:
        return await self.set_active(person_id, False, at)

    async def set_pause(self, person_id: int, paused_from: date | None, paused_to: date | None) -> Person:
        """Pause reminders from … to … (inclusive; None, None: resume)."""
        if paused_from is not None and paused_to is not None and paused_to < paused_from:
            raise ValueError("the pause ends before it starts")
        async with self.db.transaction():
            changed = await self.db.execute(
                "UPDATE people SET reminders_paused_from = ?, reminders_paused_to = ? WHERE id = ?",
                (opt_date_text(paused_from), opt_date_text(paused_to), person_id),
            )
            if changed != 1:
                raise LookupError(f"no person {person_id}")
            person = await self.get(person_id)
        assert person is not None
        return person

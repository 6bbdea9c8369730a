"""Administrative units: provinces and communes of the official list."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from bot.domain.text import fold

from .base import Repository
from .codec import like_escape
from .models import ImportResult, Unit, UnitKind

_COLUMNS = "code, name, full_name, kind, division_type, province_code"


def _unit(row: sqlite3.Row) -> Unit:
    return Unit(
        code=row["code"],
        name=row["name"],
        full_name=row["full_name"],
        kind=row["kind"],
        division_type=row["division_type"],
        province_code=row["province_code"],
    )


def _key(unit: Unit) -> tuple[str, ...]:
    return (unit.name, unit.full_name, unit.kind, unit.division_type, unit.province_code, unit.folded_name)


class UnitRepo(Repository):
    async def upsert_many(self, units: Iterable[Unit]) -> ImportResult:
        """Insert new units and update changed ones, in one transaction; unchanged rows are
        not touched, so running it twice with the same list reports everything unchanged."""
        wanted = {unit.code: unit for unit in units}
        async with self.db.transaction() as conn:
            existing = {
                row["code"]: row
                for row in await conn.execute_fetchall(f"SELECT {_COLUMNS}, folded_name FROM units")
            }
            added: list[Unit] = []
            changed: list[Unit] = []
            for code, unit in wanted.items():
                row = existing.get(code)
                if row is None:
                    added.append(unit)
                elif _key(unit) != tuple(row[c] for c in ("name", "full_name", "kind", "division_type",
                                                           "province_code", "folded_name")):
                    changed.append(unit)
            if added:
                await conn.executemany(
                    f"INSERT INTO units ({_COLUMNS}, folded_name) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(u.code, *_key(u)) for u in added],
                )
            if changed:
                await conn.executemany(
                    "UPDATE units SET name = ?, full_name = ?, kind = ?, division_type = ?,"
                    " province_code = ?, folded_name = ? WHERE code = ?",
                    [(*_key(u), u.code) for u in changed],
                )
        return ImportResult(added=len(added), updated=len(changed),
                            unchanged=len(wanted) - len(added) - len(changed))

    async def get(self, code: str) -> Unit | None:
        row = await self.db.fetch_one(f"SELECT {_COLUMNS} FROM units WHERE code = ?", (code,))
        return None if row is None else _unit(row)

    async def get_many(self, codes: Iterable[str]) -> dict[str, Unit]:
        rows = await self.fetch_in(f"SELECT {_COLUMNS} FROM units WHERE code IN ({{marks}})", sorted(set(codes)))
        return {row["code"]: _unit(row) for row in rows}

    async def list_provinces(self) -> list[Unit]:
        rows = await self.db.fetch_all(f"SELECT {_COLUMNS} FROM units WHERE kind = 'province' ORDER BY code")
        return [_unit(row) for row in rows]

    async def list_communes(self, province_code: str | None = None) -> list[Unit]:
        """The communes of a province (all communes when None), in official code order."""
        if province_code is None:
            rows = await self.db.fetch_all(f"SELECT {_COLUMNS} FROM units WHERE kind = 'commune' ORDER BY code")
        else:
            rows = await self.db.fetch_all(
                f"SELECT {_COLUMNS} FROM units WHERE province_code = ? AND kind = 'commune' ORDER BY code",
                (province_code,),
            )
        return [_unit(row) for row in rows]

    async def search(
        self,
        text: str,
        province_code: str | None = None,
        limit: int = 10,
        *,
        kind: UnitKind | None = None,
    ) -> list[Unit]:
        """Units whose name contains every word of ``text``, diacritics and case ignored
        ("phuoc giang" finds "Xã Phước Giang"); a number finds the unit with that code.
        Exact names come first, then names starting with the words, then the rest."""
        query = fold(text)
        if not query:
            return []
        conditions: list[str] = []
        params: list[object] = []
        if province_code is not None:
            conditions.append("province_code = ?")
            params.append(province_code)
        if kind is not None:
            conditions.append("kind = ?")
            params.append(str(kind))
        if query.isdigit():
            codes = {query, query.zfill(2), query.zfill(5)}
            conditions.append(f"code IN ({', '.join('?' * len(codes))})")
            params.extend(sorted(codes))
            order = "kind DESC, code"
            order_params: list[object] = []
        else:
            for word in query.split(" "):
                conditions.append("folded_name LIKE ? ESCAPE '\\'")
                params.append(f"%{like_escape(word)}%")
            # folded_name is "<division type> <name>", e.g. "xa phuoc giang".
            order = (
                "CASE WHEN folded_name = ? OR folded_name LIKE ? ESCAPE '\\' THEN 0"
                " WHEN folded_name LIKE ? ESCAPE '\\' OR folded_name LIKE ? ESCAPE '\\' THEN 1"
                " ELSE 2 END, kind DESC, folded_name, code"
            )
            escaped = like_escape(query)
            order_params = [query, f"% {escaped}", f"{escaped}%", f"% {escaped}%"]
        where = " AND ".join(conditions)
        rows = await self.db.fetch_all(
            f"SELECT {_COLUMNS} FROM units WHERE {where} ORDER BY {order} LIMIT ?",
            (*params, *order_params, limit),
        )
        return [_unit(row) for row in rows]

    async def count(self, kind: UnitKind | None = None, province_code: str | None = None) -> int:
        conditions = ["1"]
        params: list[object] = []
        if kind is not None:
            conditions.append("kind = ?")
            params.append(str(kind))
        if province_code is not None:
            conditions.append("province_code = ?")
            params.append(province_code)
        value = await self.db.fetch_value(f"SELECT count(*) FROM units WHERE {' AND '.join(conditions)}", params)
        return int(value or 0)

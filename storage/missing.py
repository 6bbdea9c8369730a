"""The communes that have not submitted for a period, with their reporters, in one query; and the
one definition of a reporter who can be reached.

Who can be reached (:func:`reachable`): a reporter whose membership is not revoked (the query keeps
only those) and who has not blocked the bot; on a given day (``on``), also not on leave that day
(/nghiphep). The rollup's officials are asked without a day — a supervisor calls someone on leave
all the same; the reminders, their notices and /chuanop (which offers to nudge) ask for the day a
nudge goes out. Why a commune cannot be reached (:meth:`MissingCommune.unreachable_because`) is
said here too: nobody bound to it, its reporters blocked the bot, or they are on leave.

Used by the chat's /chuanop (bot/supervising/missing.py), the rollup's list of officials
(bot/supervising/rollup_service.py), the reminders (bot/notices/reminders.py) and the notices that list the missing
(bot/notices/broadcast.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from .base import Repository
from .models import Person, Unit
from .people import PERSON_COLUMNS

Unreachable = Literal["no_reporter", "blocked", "on_leave"]
UNREACHABLE: tuple[Unreachable, ...] = ("no_reporter", "blocked", "on_leave")  # the order they are told in


def reachable(person: Person, on: date | None = None) -> bool:
    """Whether a notice can reach this reporter (membership not revoked is the caller's query):
    the bot not blocked and, when ``on`` is given, not on leave that day."""
    return person.active and (on is None or not person.is_paused(on))


@dataclass(frozen=True)
class MissingCommune:
    """A commune without a report for the period, and its reporters whose membership is not
    revoked — those who blocked the bot too (``Person.active`` False), in name order."""

    unit: Unit
    reporters: tuple[Person, ...] = ()

    @property
    def code(self) -> str:
        return self.unit.code

    def reachable(self, on: date | None = None) -> list[Person]:
        return [person for person in self.reporters if reachable(person, on)]

    def can_be_reached(self, on: date | None = None) -> bool:
        return any(reachable(person, on) for person in self.reporters)

    def unreachable_because(self, on: date | None = None) -> Unreachable | None:
        """Why nobody of the commune can be reached (None: someone can): no reporter bound to it,
        every reporter blocked the bot, else some are on leave that day (the others blocked it)."""
        if self.can_be_reached(on):
            return None
        if not self.reporters:
            return "no_reporter"
        return "blocked" if all(not person.active for person in self.reporters) else "on_leave"


@dataclass(frozen=True)
class MissingCommunes:
    """The communes considered (``totals``: how many per province) and those of them missing."""

    period_id: int
    communes: tuple[MissingCommune, ...] = ()
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def codes(self) -> list[str]:
        return [commune.code for commune in self.communes]

    def only(self, codes: Iterable[str]) -> list[MissingCommune]:
        """The missing communes among ``codes``, in commune code order."""
        wanted = set(codes)
        return [commune for commune in self.communes if commune.code in wanted]

    def by_province(self) -> dict[str, list[MissingCommune]]:
        grouped: dict[str, list[MissingCommune]] = {}
        for commune in self.communes:
            grouped.setdefault(commune.unit.province_code, []).append(commune)
        return grouped


class MissingRepo(Repository):
    async def for_period(self, period_id: int, province_code: str | None = None, *,
                         with_reporters_only: bool = False) -> MissingCommunes:
        """The communes (of a province, or of the country) with no report for the period, in code
        order, with their reporters. ``with_reporters_only``: consider only communes that have a
        reporter (the reminders: a commune without one has nobody to remind, and is not counted)."""
        province = "" if province_code is None else " AND u.province_code = ?"
        person = ", ".join(f"p.{column} AS p_{column}" for column in PERSON_COLUMNS)
        rows = await self.db.fetch_all(
            "SELECT u.code, u.name, u.full_name, u.kind, u.division_type, u.province_code,"
            " EXISTS (SELECT 1 FROM submissions s WHERE s.period_id = ? AND s.unit_code = u.code) AS submitted,"
            f" {person}"
            " FROM units u"
            " LEFT JOIN memberships m ON m.unit_code = u.code AND m.role = 'reporter' AND m.revoked_at IS NULL"
            " LEFT JOIN people p ON p.id = m.person_id"
            f" WHERE u.kind = 'commune'{province}"
            " ORDER BY u.code, p.full_name, p.id",
            (period_id,) if province_code is None else (period_id, province_code),
        )
        units: dict[str, tuple[Unit, bool, list[Person]]] = {}
        for row in rows:
            code = row["code"]
            if code not in units:
                unit = Unit(code=code, name=row["name"], full_name=row["full_name"], kind=row["kind"],
                            division_type=row["division_type"], province_code=row["province_code"])
                units[code] = (unit, bool(row["submitted"]), [])
            if row["p_id"] is not None:
                units[code][2].append(Person.model_validate({c: row[f"p_{c}"] for c in PERSON_COLUMNS}))
        totals: dict[str, int] = {}
        missing: list[MissingCommune] = []
        for unit, submitted, reporters in units.values():
            if with_reporters_only and not reporters:
                continue
            totals[unit.province_code] = totals.get(unit.province_code, 0) + 1
            if not submitted:
                missing.append(MissingCommune(unit, tuple(reporters)))
        return MissingCommunes(period_id, tuple(missing), totals)

"""The demo province: its real communes (from ``vietnam-provinces``), a few demo officials bound by
real invitations (two of them sharing one commune), a supervisor of the province and an admin, and
some weeks of earlier reports so that "Như kỳ trước" and the checks have something to compare with.

Seeding is idempotent: a second run with the same arguments changes nothing in the database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypedDict

from bot.administering.tokens import create_invite, redeem_invite
from bot.administering.units import import_units, normalize_province_code
from bot.demo.figures import opening_backlog, pending_of, profile_for, rng_for, week_answers
from bot.demo.script import script
from bot.domain.forms import Form
from bot.domain.periods import PeriodKey, open_periods, period_for
from bot.reporting.periods import ensure_period
from storage import Storage
from storage.models import Person, Role, Unit, UnitKind

DEFAULT_PROVINCE = "19"  # Thái Nguyên, 92 communes
DEMO_FORM = "tthc-weekly"


@dataclass(frozen=True)
class DemoPerson:
    telegram_id: int
    first_name: str
    last_name: str
    role: Role
    title: str
    commune: int | None = None  # index into the demo's chosen communes; None: the province

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name}"


DEMO_PEOPLE: tuple[DemoPerson, ...] = tuple(  # templates/demo.yaml
    DemoPerson(p.telegram_id, p.first_name, p.last_name, p.role, p.title, p.commune) for p in script().people)


class RosterEntry(TypedDict):
    """One person of the web chat's list."""

    id: int
    first_name: str
    last_name: str
    role: str
    title: str
    units: list[str]


@dataclass
class SeededPerson:
    demo: DemoPerson
    person: Person
    unit: Unit
    created: bool  # bound by this run (False: already there)


@dataclass
class DemoWorld:
    province: Unit
    communes: list[Unit]
    people: list[SeededPerson] = field(default_factory=list)
    history_added: int = 0
    units_added: int = 0

    def roster(self) -> list[RosterEntry]:
        """What the web chat shows to pick a person from."""
        return [
            {
                "id": p.demo.telegram_id, "first_name": p.demo.first_name, "last_name": p.demo.last_name,
                "role": str(p.demo.role), "title": p.demo.title, "units": [p.unit.full_name],
            }
            for p in self.people
        ]


def choose_communes(province_code: str, communes: list[Unit], count: int = 3) -> list[Unit]:
    preferred = [next((u for u in communes if u.name == name), None)
                 for name in script().preferred_communes.get(province_code, ())]
    chosen = [u for u in preferred if u is not None][:count]
    step = max(1, len(communes) // (count + 1))
    for unit in communes[step::step]:
        if len(chosen) >= count:
            break
        if unit not in chosen:
            chosen.append(unit)
    return chosen


async def seed_demo(
    storage: Storage,
    now: datetime,
    *,
    province_code: str = DEFAULT_PROVINCE,
    people: Iterable[DemoPerson] = DEMO_PEOPLE,
    form: Form | None = None,
    history_weeks: int = 0,
    history_units: Iterable[Unit] | None = None,
    seed: int = 0,
) -> DemoWorld:
    """Import the province's official units and bind the demo people by invitation (each only
    once); with ``form`` and ``history_weeks``, add that many earlier weeks of submitted reports
    for ``history_units`` (default: the demo officials' communes) where a week has none yet."""
    code = normalize_province_code(province_code)
    result = await import_units(storage, code)
    province = await storage.units.get(code)
    assert province is not None and province.kind == UnitKind.PROVINCE
    communes = await storage.units.list_communes(code)
    world = DemoWorld(province=province, communes=communes, units_added=result.added)
    chosen = choose_communes(code, communes)
    for demo in people:
        unit = province if demo.commune is None else chosen[demo.commune % len(chosen)]
        world.people.append(await bind_person(storage, demo, unit, now))
    if form is not None and history_weeks > 0:
        units = list(history_units) if history_units is not None else list(
            {p.unit.code: p.unit for p in world.people if p.unit.kind == UnitKind.COMMUNE}.values())
        reporters = {p.unit.code: p.person.id for p in world.people if p.demo.role == Role.REPORTER}
        world.history_added = await seed_history(storage, form, units, now, history_weeks, seed=seed,
                                                 reporters=reporters)
    return world


async def bind_person(storage: Storage, demo: DemoPerson, unit: Unit, now: datetime) -> SeededPerson:
    """A real invitation, redeemed as the person's first /start would, unless already bound."""
    person = await storage.people.get_by_telegram_id(demo.telegram_id)
    if person is not None:
        for membership in await storage.people.memberships_of(person.id):
            if membership.role == demo.role and membership.unit_code == unit.code:
                return SeededPerson(demo, person, unit, created=False)
    token, _ = await create_invite(storage, demo.role, unit, created_by=None, now=now)
    result = await redeem_invite(storage, token, telegram_id=demo.telegram_id, full_name=demo.full_name,
                                 username=None, now=now)
    if result.person is None or result.membership is None:
        raise RuntimeError(f"the demo invitation for {demo.full_name} was refused: {result.status}")
    return SeededPerson(demo, result.person, unit, created=True)


def weeks_before(form: Form, now: datetime, count: int, before: PeriodKey | None = None) -> list[PeriodKey]:
    """The ``count`` weeks before ``before`` (default: the oldest period open now), oldest first."""
    keys: list[PeriodKey] = []
    key = before or open_periods(form.period, now)[0].key
    for _ in range(count):
        key = key.previous()
        keys.append(key)
    return keys[::-1]


async def seed_history(
    storage: Storage, form: Form, units: Iterable[Unit], now: datetime, weeks: int, *, seed: int = 0,
    reporters: dict[str, int] | None = None, before: PeriodKey | None = None,
) -> int:
    """Earlier weeks' reports, submitted on time by the commune's official; weeks that already have a
    report are left alone (and their figures carried on). Returns how many reports were added."""
    reporters = reporters or {}
    added = 0
    keys = weeks_before(form, now, weeks, before)
    periods = [await ensure_period(storage, period_for(form.period, key)) for key in keys]
    for unit in units:
        profile = profile_for(unit, seed)
        carried = opening_backlog(profile)
        for period in periods:
            existing = await storage.submissions.latest(period.id, unit.code)
            if existing is not None:
                carried = pending_of(dict(existing.answers))
                continue
            rng = rng_for(seed, "history", unit.code, period.key)
            answers = week_answers(profile, carried, rng)
            submitted_at = period.deadline_at - timedelta(hours=rng.randint(3, 50), minutes=rng.randint(0, 59))
            submitted_at = max(submitted_at, period.opens_at + timedelta(minutes=30))
            await storage.submissions.add_version(period.id, unit.code, answers, {}, reporters.get(unit.code),
                                                  submitted_at, form_version=form.version)
            carried = pending_of(answers)
            added += 1
    return added

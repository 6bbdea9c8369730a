"""The one query for the communes missing a report (storage.missing) on a seeded database —
reachable, blocked, revoked, on leave, without a reporter, submitted — and its four users agreeing
on which communes are missing and who can be reached: /chuanop, the reminders' nudge, the
escalation notice and the rollup's list of officials."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from bot.chat.access import identify
from bot.chat.replies import Message
from bot.clock import VN_TZ, FakeClock
from bot.domain.forms import WEEKLY_FORM_ID, load_forms
from bot.domain.periods import current_open_period
from bot.notices.broadcast import _escalation
from bot.notices.reminders import ReminderConfig, Reminders
from bot.reporting.periods import ensure_period
from bot.services import Services
from bot.settings import Settings
from bot.supervising.missing import show_missing
from bot.supervising.rollup_service import load_input
from storage import Storage
from storage.missing import reachable
from storage.models import Period, Person, Role, Unit
from tests.integration.seed import bind, load_units

SUP = 8001
# commune index → who reports for it
REACHABLE, BLOCKED, REVOKED, ON_LEAVE, NOBODY, SUBMITTED, MIXED = 0, 1, 2, 3, 4, 5, 6


@dataclass
class Seeded:
    services: Services
    period: Period
    communes: list[Unit]
    people: dict[str, Person]

    @property
    def storage(self) -> Storage:
        return self.services.storage

    def code(self, index: int) -> str:
        return self.communes[index].code


@pytest.fixture
async def seeded(settings: Settings, clock: FakeClock) -> AsyncIterator[Seeded]:
    storage = await Storage.open(settings.database_path)
    try:
        services = Services(settings=settings, clock=clock, forms=load_forms(settings.forms_dir))
        services.attach_storage(storage)
        communes = await load_units(storage)
        await load_units(storage, "01")
        now = clock.now()
        today = now.date()
        await bind(storage, SUP, "Trần Văn Sơn", Role.SUPERVISOR, await storage.units.get("19"), now)
        people = {}
        for name, index in (("Lan", REACHABLE), ("Bình", BLOCKED), ("Cúc", REVOKED), ("Dũng", ON_LEAVE),
                            ("Em", SUBMITTED), ("Giang", MIXED), ("Hà", MIXED)):
            people[name] = await bind(storage, 8100 + len(people), name, Role.REPORTER, communes[index], now)
        await storage.people.set_blocked(people["Bình"].id, now)
        await storage.people.set_blocked(people["Giang"].id, now)
        for membership in await storage.people.memberships_of(people["Cúc"].id):
            await storage.people.revoke_membership(membership.id, now)
        await storage.people.set_pause(people["Dũng"].id, today - timedelta(days=1), today + timedelta(days=3))
        period = await ensure_period(storage, current_open_period(services.forms[WEEKLY_FORM_ID].period, now))
        await storage.submissions.add_version(period.id, communes[SUBMITTED].code, {}, {}, people["Em"].id, now)
        yield Seeded(services, period, communes, {k: await storage.people.get(p.id) for k, p in people.items()})  # type: ignore[misc]
    finally:
        await storage.close()


async def test_the_query_lists_the_missing_with_their_reporters(seeded: Seeded) -> None:
    today = seeded.services.clock.now().date()
    found = await seeded.storage.missing.for_period(seeded.period.id, "19")
    assert found.totals == {"19": len(seeded.communes)}
    assert found.codes == sorted(c.code for i, c in enumerate(seeded.communes) if i != SUBMITTED)
    by_code = {c.code: c for c in found.communes}
    names = {i: [p.full_name for p in by_code[seeded.code(i)].reporters] for i in
             (REACHABLE, BLOCKED, REVOKED, ON_LEAVE, NOBODY, MIXED)}
    assert names == {REACHABLE: ["Lan"], BLOCKED: ["Bình"], REVOKED: [], ON_LEAVE: ["Dũng"], NOBODY: [],
                     MIXED: ["Giang", "Hà"]}
    reached = {i: [p.full_name for p in by_code[seeded.code(i)].reachable()] for i in names}
    assert reached == {REACHABLE: ["Lan"], BLOCKED: [], REVOKED: [], ON_LEAVE: ["Dũng"], NOBODY: [], MIXED: ["Hà"]}
    today_reached = {i: by_code[seeded.code(i)].can_be_reached(today) for i in names}
    assert today_reached == {REACHABLE: True, BLOCKED: False, REVOKED: False, ON_LEAVE: False, NOBODY: False,
                             MIXED: True}
    assert by_code[seeded.code(ON_LEAVE)].can_be_reached(today + timedelta(days=4))  # back from leave


async def test_the_query_keeps_to_its_province_and_to_communes_with_reporters_when_asked(seeded: Seeded) -> None:
    everywhere = await seeded.storage.missing.for_period(seeded.period.id)
    assert set(everywhere.totals) == {"01", "19"}
    assert {c.unit.province_code for c in everywhere.communes} == {"01", "19"}
    covered = await seeded.storage.missing.for_period(seeded.period.id, "19", with_reporters_only=True)
    assert covered.totals == {"19": 5}  # REACHABLE, BLOCKED, ON_LEAVE, SUBMITTED, MIXED
    assert covered.codes == sorted(seeded.code(i) for i in (REACHABLE, BLOCKED, ON_LEAVE, MIXED))


def test_reachable_is_one_definition() -> None:
    person = Person(id=1, telegram_id=1, full_name="A", created_at=datetime(2025, 1, 1, tzinfo=VN_TZ),
                    reminders_paused_from=date(2025, 12, 1), reminders_paused_to=date(2025, 12, 5))
    assert reachable(person) and not reachable(person, date(2025, 12, 3)) and reachable(person, date(2025, 12, 6))
    assert not reachable(person.model_copy(update={"active": False}))


async def test_the_four_users_agree(seeded: Seeded) -> None:
    services, storage, period = seeded.services, seeded.storage, seeded.period
    now = services.clock.now()
    today = now.date()
    found = await storage.missing.for_period(period.id, "19")
    missing = set(found.codes)
    never = {c.code for c in found.communes if not c.can_be_reached()}  # nobody reachable, leave aside
    not_today = {c.code for c in found.communes if not c.can_be_reached(today)}

    # /chuanop (issue 16: one short message): every missing commune named once; those a nudge
    # reaches today counted on its button, the others told with why
    [listing] = await show_missing(services, await identify(storage, services.settings, SUP), "19", WEEKLY_FORM_ID)
    assert isinstance(listing, Message)
    listed = {u.code for u in seeded.communes if listing.text.count(u.full_name) == 1}
    assert listed == missing
    reached_today = missing - not_today
    [[button]] = listing.choices
    assert button.label == f"🔔 Nhắc ngay ({len(reached_today)} xã)"
    assert "(Giang, Hà)" in listing.text and f"đã chặn bot (1): {seeded.communes[BLOCKED].full_name} (Bình)" in listing.text
    assert f"đang nghỉ phép (1): {seeded.communes[ON_LEAVE].full_name} (Dũng)" in listing.text
    assert f"chưa có cán bộ báo cáo ({len(never - {seeded.code(BLOCKED)})})" in listing.text

    # the rollup's officials: the reachable reporters of every missing commune
    data = await load_input(storage, services.forms[WEEKLY_FORM_ID], period, "19")
    assert set(data.officials) == missing
    assert {code for code, names in data.officials.items() if not names} == never

    # the reminders' nudge: only communes that have a reporter; reached on the day it goes out
    reminders = Reminders(storage, services.clock, services.forms, ReminderConfig(_env_file=None))  # type: ignore[call-arg]
    nudge = await reminders.nudge(period, "19", now)
    with_reporters = {c.code for c in found.communes if c.reporters}
    assert set(nudge.units) | set(nudge.unreachable) == with_reporters
    assert set(nudge.unreachable) == with_reporters & not_today

    # the escalation notice: the missing among those listed, marked when nobody receives reminders today
    outgoing = await _escalation(storage, period, {"province": "19", "units": sorted(missing), "total": 92}, today)
    marked = {u.code for u in seeded.communes if f"{u.full_name} (không có cán bộ nhận được tin nhắc)" in outgoing.text}
    shown = {u.code for u in seeded.communes if u.full_name in outgoing.text}
    assert marked == not_today & shown and shown <= missing

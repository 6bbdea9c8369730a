"""Fixtures of the supervising service's tests: the generated province (tests/rollup/scenario.py) in
a real SQLite file, and the services the journey works with — no Telegram anywhere."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime

import pytest

from bot.chat.access import Identity, identify
from bot.chat.replies import Message
from bot.clock import VN_TZ, FakeClock
from bot.domain.forms import WEEKLY_FORM_ID, load_forms
from bot.services import Services
from bot.settings import Settings
from storage import Storage
from storage.models import DraftStatus, Person, Role
from tests.integration.seed import bind, load_units
from tests.rollup import scenario as sc
from tests.supervising.monthly import monthly, monthly_clock  # noqa: F401  (two forms scheduled: the fixtures)

SUP, OTHER, REP, MAI = 7001, 7002, 7003, 7004
REP_INDEX = 40  # an ordinary commune that reported on time


@dataclass
class Told:
    """A ``Tell`` that records what each person was told (and can be made to fail for someone)."""

    messages: list[tuple[Person, Message]] = field(default_factory=list)
    unreachable: set[int] = field(default_factory=set)

    async def __call__(self, person: Person, message: Message) -> bool:
        if person.telegram_id in self.unreachable:
            return False
        self.messages.append((person, message))
        return True

    def to(self, telegram_id: int) -> list[Message]:
        return [message for person, message in self.messages if person.telegram_id == telegram_id]


@dataclass
class Desk:
    services: Services
    scenario: sc.Scenario
    supervisor: Person
    reporter: Person
    told: Told

    @property
    def storage(self) -> Storage:
        return self.services.storage

    async def who(self, telegram_id: int) -> Identity:
        return await identify(self.storage, self.services.settings, telegram_id)

    async def submission(self, index: int):  # type: ignore[no-untyped-def]
        period = self.scenario.periods[sc.WEEK]
        return await self.storage.submissions.latest(period.id, self.scenario.code(index))


@pytest.fixture
def clock() -> FakeClock:
    """The morning after W50's deadline (Thursday 18/12/2025 15:00): W50 is the latest closed week."""
    return FakeClock(datetime(2025, 12, 19, 9, 0, tzinfo=VN_TZ))


@pytest.fixture
async def desk(settings: Settings, clock: FakeClock) -> AsyncIterator[Desk]:
    storage = await Storage.open(settings.database_path)
    try:
        # the weekly cycle alone, whatever the shipped files schedule (tests/supervising/monthly.py runs both)
        forms = {ident: form if ident == WEEKLY_FORM_ID else form.model_copy(update={"scheduled": False})
                 for ident, form in load_forms(settings.forms_dir).items()}
        services = Services(settings=settings, clock=clock, forms=forms)
        services.attach_storage(storage)
        communes = await load_units(storage)
        await load_units(storage, "01")
        now = clock.now()
        supervisor = await bind(storage, SUP, "Trần Văn Sơn", Role.SUPERVISOR, await storage.units.get("19"), now)
        await bind(storage, OTHER, "Hà Thị Nội", Role.SUPERVISOR, await storage.units.get("01"), now)
        reporter = await bind(storage, REP, "Nguyễn Thị Lan", Role.REPORTER, communes[REP_INDEX], now)
        await bind(storage, MAI, "Lò Thị Mai", Role.REPORTER, communes[0], now)
        form = services.forms[WEEKLY_FORM_ID]
        scenario = await sc.build(storage, form, communes, supervisor=supervisor.id, reporter=reporter.id)
        period = scenario.periods[sc.WEEK]
        draft = await storage.drafts.get_or_create(period.id, communes[REP_INDEX].code, now)
        await storage.drafts.set_answers(draft.id, scenario.reported[communes[REP_INDEX].code], reporter.id, now)
        await storage.drafts.set_status(draft.id, DraftStatus.SUBMITTED, now)
        yield Desk(services, scenario, supervisor, reporter, Told())
    finally:
        await storage.close()

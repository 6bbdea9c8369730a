"""Fixtures for the calendar: a province with three communes and their people, the clock on the
Sunday evening before the report on 2025-W50 opens, apps built and rebuilt over one database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.administering.units import official_units
from bot.app import build_application
from bot.clock import VN_TZ, FakeClock
from bot.context import BaocaoApplication
from bot.scheduler import ReminderScheduler
from bot.settings import Settings
from storage import Storage
from storage.models import Person, Role, Unit
from tests.e2e.conftest import sandbox  # noqa: F401 - the in-process sandbox, for test_sandbox.py
from tests.fakes import RecordingRequest

SUNDAY_EVENING = datetime(2025, 12, 14, 20, 0, tzinfo=VN_TZ)  # W50 (08/12–14/12) opens Mon 15/12 08:00
OPENS = datetime(2025, 12, 15, 8, 0, tzinfo=VN_TZ)
REMIND_1 = datetime(2025, 12, 17, 9, 0, tzinfo=VN_TZ)
REMIND_2 = datetime(2025, 12, 18, 9, 0, tzinfo=VN_TZ)
DEADLINE = datetime(2025, 12, 18, 15, 0, tzinfo=VN_TZ)
PROVINCE = "19"  # Thái Nguyên


@pytest.fixture(autouse=True)
def _reminder_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ENABLED", "GRACE_HOURS", "WEEKS_AHEAD", "SEND_TIMEOUT", "MAX_IN_FLIGHT", "RETRY_AMBIGUOUS"):
        monkeypatch.delenv(f"REMINDERS_{name}", raising=False)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(SUNDAY_EVENING)


@dataclass
class World:
    a: Unit  # Phường Đức Xuân: Lan and Minh
    b: Unit  # Phường Bắc Kạn: Hùng
    c: Unit  # Xã Phong Quang: Thu
    lan: Person
    minh: Person
    hung: Person
    thu: Person
    hoa: Person  # supervisor of Thái Nguyên

    @property
    def reporters(self) -> list[Person]:
        return [self.lan, self.minh, self.hung, self.thu]


async def seed(storage: Storage, now: datetime) -> World:
    units = official_units(PROVINCE)
    await storage.units.upsert_many(units)
    a, b, c = (u for u in units if u.code in {"01840", "01843", "01849"})
    people = {}
    for telegram_id, name, role, unit in (
        (3001, "Nguyễn Thị Lan", Role.REPORTER, a), (3002, "Trần Văn Minh", Role.REPORTER, a),
        (3003, "Lê Văn Hùng", Role.REPORTER, b), (3004, "Phạm Thị Thu", Role.REPORTER, c),
        (4001, "Lê Thị Hoa", Role.SUPERVISOR, units[0]),
    ):
        person = await storage.people.get_or_create(telegram_id, now, name)
        await storage.people.add_membership(person.id, role, unit.code, now)
        people[telegram_id] = await storage.people.get(person.id)
    return World(a, b, c, people[3001], people[3002], people[3003], people[3004], people[4001])


def scheduler_of(app: BaocaoApplication) -> ReminderScheduler:
    assert isinstance(app.reminders, ReminderScheduler)
    return app.reminders


AppFactory = Callable[..., Any]


@pytest.fixture
def make_app(settings: Settings) -> AppFactory:
    """``async with make_app(clock) as (app, request):`` — the real application over a recording
    request; rebuilt over the same database for restarts; an error in a handler or job fails."""

    @asynccontextmanager
    async def factory(clock: FakeClock, *, db: Path | None = None) -> AsyncIterator[tuple[BaocaoApplication, RecordingRequest]]:
        request = RecordingRequest()
        used = settings if db is None else settings.model_copy(update={"database_path": db})
        app = build_application(used, request=request, token="123456:TEST", clock=clock, rate_limiter=False)
        errors: list[BaseException] = []

        async def fail_on_error(update: object, context: Any) -> None:
            errors.append(context.error)

        app.add_error_handler(fail_on_error)
        async with app:
            yield app, request
        if errors:
            raise AssertionError(f"a handler or job raised: {errors[0]!r}") from errors[0]

    return factory


def sent(request: RecordingRequest, chat_id: int, containing: str = "") -> list[str]:
    return [c.text for c in request.sent_to(chat_id) if c.method == "sendMessage" and containing in c.text]

"""Fixtures shared by the suite: settings on a temporary database, and the real Application
over a recording request, with an error handler that fails the test (process_update would
otherwise swallow a handler's exception)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import hypothesis  # noqa: F401 - imported first: a late import crashes CPython 3.11.7 at session end
import pytest

from bot.app import BaocaoApplication, build_application
from bot.clock import VN_TZ, FakeClock
from bot.settings import Settings
from tests.fakes import RecordingRequest, as_update

ADMIN_ID = 900001


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(_env_file=None, database_path=tmp_path / "baocao.db", admin_ids=[ADMIN_ID])  # type: ignore[call-arg]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 12, 15, 9, 0, tzinfo=VN_TZ))


class BotHarness:
    """The Application plus what it sent; `send` feeds one update through process_update."""

    def __init__(self, app: BaocaoApplication, request: RecordingRequest) -> None:
        self.app = app
        self.request = request
        self.errors: list[BaseException] = []

    async def send(self, payload: dict[str, Any]) -> None:
        """One update, and the work it started in the background (a rollup)."""
        await self.app.process_update(as_update(payload, self.app.bot))
        await self.app.wait_background()

    @property
    def storage(self) -> Any:
        return self.app.services.storage


@pytest.fixture
async def harness(settings: Settings, clock: FakeClock) -> AsyncIterator[BotHarness]:
    request = RecordingRequest()
    app = build_application(settings, request=request, token="123456:TEST", clock=clock, rate_limiter=False)
    h = BotHarness(app, request)

    async def fail_on_error(update: object, context: Any) -> None:
        h.errors.append(context.error)

    app.add_error_handler(fail_on_error)
    async with app:
        yield h
    if h.errors:
        raise AssertionError(f"a handler raised: {h.errors[0]!r}") from h.errors[0]

"""Fixtures of the rollup's tests: the generated province (tests/rollup/scenario.py) in the
harness's database, and the rollup built from it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.clock import VN_TZ, FakeClock
from bot.domain.forms import Form, load_form
from bot.settings import PROJECT_ROOT
from tests.e2e.conftest import bot_process, sandbox  # noqa: F401  (the sandbox and the real bot process)

FORM_PATH = PROJECT_ROOT / "templates" / "forms" / "tthc-weekly.yaml"
TEMPLATES = PROJECT_ROOT / "templates"


@pytest.fixture(scope="session")
def form() -> Form:
    return load_form(FORM_PATH)


@pytest.fixture
def clock() -> FakeClock:
    """The morning after W50's deadline (Thursday 18/12/2025 15:00): W50 is the latest closed week."""
    return FakeClock(datetime(2025, 12, 19, 9, 0, tzinfo=VN_TZ))


@pytest.fixture
def templates() -> Path:
    return TEMPLATES

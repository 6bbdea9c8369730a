"""Fault tests: the real bot process against the in-process sandbox (the end-to-end fixtures)."""

from tests.e2e.conftest import sandbox  # noqa: F401 - a fixture, re-exported for this folder

"""Identity's scope: which provinces an admin administers and who may supervise a province."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.chat.access import Identity
from storage.models import Membership, Role

NOW = datetime(2025, 12, 8, 8, tzinfo=UTC)


def identity(*roles: tuple[Role, str | None], configured_admin: bool = False) -> Identity:
    memberships = tuple(
        Membership(id=i, person_id=1, role=role, unit_code=code, created_at=NOW)
        for i, (role, code) in enumerate(roles, start=1)
    )
    return Identity(telegram_id=7, person=None, memberships=memberships, configured_admin=configured_admin)


def test_a_province_admin_administers_that_province_only() -> None:
    admin = identity((Role.ADMIN, "19"))
    assert admin.admin_provinces == ["19"]
    assert admin.can_supervise("19") and not admin.can_supervise("20")


def test_a_configured_or_unscoped_admin_administers_every_province() -> None:
    for admin in (identity(configured_admin=True), identity((Role.ADMIN, "19"), (Role.ADMIN, None))):
        assert admin.admin_provinces is None
        assert admin.can_supervise("20")


def test_a_reporter_or_supervisor_administers_nothing() -> None:
    reporter = identity((Role.REPORTER, "05500"))
    supervisor = identity((Role.SUPERVISOR, "19"))
    assert reporter.admin_provinces == [] and supervisor.admin_provinces == []
    assert not reporter.can_supervise("19")
    assert supervisor.can_supervise("19") and not supervisor.can_supervise("20")

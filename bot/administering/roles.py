"""How a role and a place are named to the admin."""

from __future__ import annotations

from bot.chat.catalogue import say
from storage.models import Role, Unit

_ROLE_KEYS = {Role.REPORTER: "administering.role_reporter", Role.SUPERVISOR: "administering.role_supervisor",
              Role.ADMIN: "administering.role_admin"}


def role_name(role: Role) -> str:
    return say(_ROLE_KEYS[role])


def place(unit: Unit | None) -> str:
    """A membership's unit, or the whole country for an admin of no province."""
    return unit.full_name if unit else say("administering.whole_country")


def in_scope(scope: list[str] | None, unit: Unit | None) -> bool:
    """Whether an admin of ``scope`` (None: every province) manages ``unit`` (None: the whole country)."""
    return scope is None or (unit is not None and unit.province_code in scope)

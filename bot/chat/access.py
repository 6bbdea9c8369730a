"""Who a Telegram user is to the bot: their person record, roles and scope.

Every handler asks here, on the server side, before it shows or changes anything."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from bot.settings import Settings
from storage import Storage
from storage.models import Membership, Person, Role


class Identity(BaseModel):
    model_config = ConfigDict(frozen=True)

    telegram_id: int
    person: Person | None
    memberships: tuple[Membership, ...] = ()
    configured_admin: bool = False

    @property
    def is_admin(self) -> bool:
        return self.configured_admin or any(m.role == Role.ADMIN for m in self.memberships)

    @property
    def is_known(self) -> bool:
        return self.is_admin or bool(self.memberships)

    def units(self, role: Role) -> list[str]:
        return [m.unit_code for m in self.memberships if m.role == role and m.unit_code is not None]

    @property
    def communes(self) -> list[str]:
        """Communes this person reports for."""
        return self.units(Role.REPORTER)

    @property
    def provinces(self) -> list[str]:
        """Provinces this person supervises."""
        return self.units(Role.SUPERVISOR)

    def can_report_for(self, commune_code: str) -> bool:
        return commune_code in self.communes

    @property
    def admin_provinces(self) -> list[str] | None:
        """Provinces this person administers; None: every province (a configured admin, or an admin
        membership without a unit); empty for someone who is not an admin."""
        if self.configured_admin:
            return None
        scopes = [m.unit_code for m in self.memberships if m.role == Role.ADMIN and m.revoked_at is None]
        if any(code is None for code in scopes):
            return None
        return [code for code in scopes if code is not None]

    def can_supervise(self, province_code: str) -> bool:
        """A supervisor of the province, or an admin of it."""
        administered = self.admin_provinces
        return province_code in self.provinces or administered is None or province_code in administered

    @property
    def visible_provinces(self) -> list[str] | None:
        """The provinces this person may see: None for every province (a configured admin, or an
        admin of no particular province); else those they supervise or administer, in that order."""
        administered = self.admin_provinces
        if administered is None:
            return None
        return list(dict.fromkeys([*self.provinces, *administered]))

    def can_see(self, province_code: str | None) -> bool:
        """Whether the person may see a province (None: the whole country, for admins of all)."""
        visible = self.visible_provinces
        if visible is None:
            return True
        return province_code is not None and province_code in visible

    @property
    def supervises(self) -> bool:
        """Whether the person may use the supervising journey: a supervisor or an admin."""
        return self.is_admin or bool(self.provinces)


async def identify(storage: Storage, settings: Settings, telegram_id: int) -> Identity:
    person = await storage.people.get_by_telegram_id(telegram_id)
    if person is not None:
        return await identity_of(storage, person, configured_admin=telegram_id in settings.admin_ids)
    return Identity(telegram_id=telegram_id, person=None, configured_admin=telegram_id in settings.admin_ids)


async def identity_of(storage: Storage, person: Person, *, configured_admin: bool = False) -> Identity:
    """A known person's identity (the recipient of a notice, say), as ``identify`` makes it."""
    memberships = tuple(await storage.people.memberships_of(person.id))
    return Identity(telegram_id=person.telegram_id, person=person, memberships=memberships,
                    configured_admin=configured_admin)

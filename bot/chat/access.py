"""Who a messenger's user (Telegram or Zalo) is to the bot: their person record, roles and scope.

Every channel asks here, on the server side, before it shows or changes anything. An identity
names its messenger and the user's id there (``user_id``, as text: Zalo's ids are strings);
``actor`` is the number the audit log and per-chat state (return asks) are kept under: the
Telegram id on Telegram, a stable negative number derived from the id on Zalo."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from bot.settings import Settings
from storage import Storage
from storage.models import Membership, Messenger, Person, Role, zalo_actor


class Identity(BaseModel):
    model_config = ConfigDict(frozen=True)

    messenger: Messenger = "telegram"
    user_id: str = ""  # the messenger's id of the user, as text
    telegram_id: int | None = None  # Telegram users only
    person: Person | None
    memberships: tuple[Membership, ...] = ()
    configured_admin: bool = False

    @model_validator(mode="before")
    @classmethod
    def _ids(cls, data: Any) -> Any:
        """A Telegram identity can be given by ``telegram_id`` or ``user_id``: both are filled."""
        if isinstance(data, dict) and data.get("messenger", "telegram") == "telegram":
            data = dict(data)
            if data.get("telegram_id") is not None and not data.get("user_id"):
                data["user_id"] = str(data["telegram_id"])
            elif data.get("telegram_id") is None and data.get("user_id"):
                data["telegram_id"] = int(data["user_id"])
        return data

    @property
    def actor(self) -> int:
        """The number this user is recorded under in the audit log and per-chat state."""
        if self.telegram_id is not None and self.messenger == "telegram":
            return self.telegram_id
        return zalo_actor(self.user_id)

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
        return await identity_of(storage, person, configured_admin=telegram_id in settings.admin_ids,
                                 messenger="telegram")
    return Identity(telegram_id=telegram_id, person=None, configured_admin=telegram_id in settings.admin_ids)


async def identify_zalo(storage: Storage, settings: Settings, zalo_id: str) -> Identity:
    """A Zalo user's identity (configured admins are Telegram ids: nobody on Zalo is one)."""
    person = await storage.people.get_by_zalo_id(zalo_id)
    if person is not None:
        return await identity_of(storage, person, messenger="zalo")
    return Identity(messenger="zalo", user_id=zalo_id, person=None)


async def identity_of(storage: Storage, person: Person, *, configured_admin: bool = False,
                      messenger: Messenger | None = None) -> Identity:
    """A known person's identity (the recipient of a notice, say), as ``identify`` makes it: on
    ``messenger``, by default the one they used last."""
    memberships = tuple(await storage.people.memberships_of(person.id))
    used = messenger or person.messenger or ("telegram" if person.telegram_id is not None else "zalo")
    user_id = str(person.telegram_id) if used == "telegram" else (person.zalo_id or "")
    return Identity(messenger=used, user_id=user_id, telegram_id=person.telegram_id, person=person,
                    memberships=memberships, configured_admin=configured_admin)


async def person_of(storage: Storage, identity: Identity, at: datetime, full_name: str = "") -> Person:
    """The identity's person record, created if they have none yet (an admin by configuration
    who acts for the first time, say)."""
    if identity.person is not None:
        return identity.person
    if identity.messenger == "zalo":
        return await storage.people.get_or_create_zalo(identity.user_id, at, full_name=full_name)
    assert identity.telegram_id is not None
    return await storage.people.get_or_create(identity.telegram_id, at, full_name=full_name)

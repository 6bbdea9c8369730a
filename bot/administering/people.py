"""/nguoidung: the people of the admin's provinces (or of the units matching a name) with their
roles, and revoking a membership after a confirmation (the revocation and its audit row are one
transaction)."""

from __future__ import annotations

from datetime import datetime

from bot.administering.roles import in_scope, place, role_name
from bot.chat.access import Identity
from bot.chat.actions import AskRevoke, CancelRevoke, ConfirmRevoke
from bot.chat.catalogue import say
from bot.chat.replies import Choice, Message, Reply, TapAnswer
from storage import Storage
from storage.models import Membership, Person, Unit

MAX_LINES = 100
MAX_CHOICES = 30
RevokeStep = AskRevoke | ConfirmRevoke | CancelRevoke


async def _people(storage: Storage, scope: list[str] | None, query: str) -> list[Person] | None:
    """People with a membership in the admin's provinces, or in the units matching ``query``;
    None when the query matches no unit."""
    if query:
        units = [u for u in await storage.units.search(query, limit=20) if scope is None or u.province_code in scope]
        if not units:
            return None
        groups = [await storage.people.list_people(unit_code=u.code, active_only=False) for u in units]
    elif scope is None:
        groups = [await storage.people.list_people(active_only=False)]
    else:
        groups = [await storage.people.list_people(province_code=code, active_only=False) for code in scope]
    unique = {person.id: person for group in groups for person in group}
    return list(unique.values())


async def list_people(storage: Storage, identity: Identity, query: str) -> list[Reply]:
    """/nguoidung [name]: one line per membership, a revoke choice under each (the first 30)."""
    if not identity.is_admin:
        return [Message(say("common.not_allowed"))]
    people = await _people(storage, identity.admin_provinces, query)
    if people is None:
        return [Message(say("administering.no_unit", query=query))]
    memberships = {person.id: await storage.people.memberships_of(person.id) for person in people}
    units = await storage.units.get_many({m.unit_code for ms in memberships.values() for m in ms if m.unit_code})
    lines: list[str] = []
    rows: list[tuple[Choice, ...]] = []
    for person in people:
        for membership in memberships[person.id]:
            where = place(units.get(membership.unit_code) if membership.unit_code else None)
            status = "" if person.active else say("administering.blocked_status")
            lines.append(say("administering.person_line", name=person.full_name or person.telegram_id,
                             role=role_name(membership.role), where=where, status=status))
            if len(rows) < MAX_CHOICES:
                label = say("administering.revoke_choice", name=person.full_name[:20], where=where[:24])
                rows.append((Choice(label, AskRevoke(membership_id=membership.id)),))
    if not lines:
        return [Message(say("administering.no_people"))]
    return [Message(say("administering.people", lines="\n".join(lines[:MAX_LINES])), tuple(rows))]


async def _membership_in_scope(storage: Storage, identity: Identity,
                               membership_id: int) -> tuple[Membership, Unit | None] | None:
    membership = await storage.people.get_membership(membership_id)
    if membership is None:
        return None
    unit = await storage.units.get(membership.unit_code) if membership.unit_code else None
    return (membership, unit) if in_scope(identity.admin_provinces, unit) else None


async def revoke(storage: Storage, identity: Identity, step: RevokeStep, *, now: datetime) -> list[Reply]:
    """«Thu hồi» asks to confirm; «Thu hồi» again revokes (with an audit row); «Không» keeps it.
    Refused out of the admin's provinces; a membership already revoked is said so."""
    found = await _membership_in_scope(storage, identity, step.membership_id) if identity.is_admin else None
    if found is None:
        return [TapAnswer(say("common.not_allowed"), alert=True)]
    membership, unit = found
    person = await storage.people.get(membership.person_id)
    name = person.full_name if person else str(membership.person_id)
    where = place(unit)
    if membership.revoked_at is not None:
        return [TapAnswer(), Message(say("administering.already_revoked", name=name, where=where))]
    match step:
        case AskRevoke():
            choices = (Choice(say("administering.revoke_yes"), ConfirmRevoke(membership_id=membership.id)),
                       Choice(say("administering.revoke_no"), CancelRevoke(membership_id=membership.id)))
            text = say("administering.ask_revoke", role=role_name(membership.role), name=name, where=where)
            return [TapAnswer(), Message(text, (choices,))]
        case ConfirmRevoke():
            async with storage.db.transaction():
                await storage.people.revoke_membership(membership.id, now)
                await storage.audit.log("membership.revoke", now, actor=identity.actor,
                                        subject=f"membership:{membership.id}", detail={"unit": membership.unit_code})
            return [TapAnswer(), Message(say("administering.revoked", name=name, where=where))]
        case CancelRevoke():
            return [TapAnswer(), Message(say("administering.kept"))]

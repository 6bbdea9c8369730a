"""/moi: the admin searches a commune (or ``tinh`` and a province), picks it, and gets a single-use
link; the invitation and its audit row are one transaction.

Stateless on purpose: the unit is typed as the command's argument and picked by a choice that
names it, so nothing is lost between messages and a restart changes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.administering.roles import in_scope, role_name
from bot.administering.tokens import DEFAULT_TTL, create_invite, deep_link
from bot.chat.access import Identity
from bot.chat.actions import Invite
from bot.chat.catalogue import say
from bot.chat.replies import Choice, Message, Reply, TapAnswer
from bot.domain.arguments import is_keyword
from bot.domain.numbers import format_date
from bot.onboarding.codes import add_invite_code, shown
from storage import Storage
from storage.models import Role, UnitKind

MAX_CHOICES = 10
_LETTERS = {"r": Role.REPORTER, "s": Role.SUPERVISOR}


def _usage() -> str:
    return say("administering.moi_help")


async def search(storage: Storage, identity: Identity, args: Sequence[str]) -> list[Reply]:
    """/moi <name> or /moi tinh <name>: the units of the admin's provinces that match, as choices."""
    if not identity.is_admin:
        return [Message(say("common.not_allowed"))]
    words = list(args)
    if not words:
        return [Message(_usage())]
    role, kind = Role.REPORTER, UnitKind.COMMUNE
    if is_keyword(words[0], "keywords.province"):
        role, kind, words = Role.SUPERVISOR, UnitKind.PROVINCE, words[1:]
    query = " ".join(words)
    scope = identity.admin_provinces
    units = await storage.units.search(query, kind=kind, limit=30)
    units = [u for u in units if scope is None or u.province_code in scope][:MAX_CHOICES]
    if not units:
        return [Message(say("administering.no_unit_to_invite", query=query, usage=_usage()))]
    provinces = await storage.units.get_many({u.province_code for u in units})
    rows = []
    for unit in units:
        label = unit.full_name
        if unit.kind != UnitKind.PROVINCE:
            province = provinces.get(unit.province_code)
            label = say("administering.commune_choice", unit=unit.full_name,
                        province=province.name if province else "")
        rows.append((Choice(label, Invite(role=role.value[0], code=unit.code)),))
    return [Message(say("administering.choose_unit", role=role_name(role)), tuple(rows))]


async def invite(storage: Storage, identity: Identity, action: Invite, *, now: datetime,
                 bot_username: str) -> list[Reply]:
    """The admin picked a unit: a new invitation and its link (refused out of the admin's provinces)."""
    unit = await storage.units.get(action.code)
    if not identity.is_admin or unit is None or not in_scope(identity.admin_provinces, unit):
        return [TapAnswer(say("common.not_allowed"), alert=True)]
    role = _LETTERS.get(action.role, Role.REPORTER)
    async with storage.db.transaction():
        token, created = await create_invite(storage, role, unit,
                                             created_by=identity.person.id if identity.person else None, now=now)
        code = await add_invite_code(storage, created.id)  # typed on Zalo, which has no links
    text = say("administering.invite_created", role=role_name(role), unit=unit.full_name,
               link=deep_link(bot_username, token), expires=format_date(created.expires_at.date()),
               days=DEFAULT_TTL.days)
    text += "\n" + say("codes.invite_code", code=shown(code))
    return [TapAnswer(), Message(text)]

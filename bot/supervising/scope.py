"""Who may use the supervising journey and what they may see, found from what they typed:
provinces and communes in the person's scope, a submission in scope, a week. The rules themselves
are the identity's (``Identity.can_see``, ``Identity.visible_provinces``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.chat.access import Identity
from bot.chat.actions import (
    Action,
    Approve,
    CancelReturn,
    EnterOnBehalf,
    PickCommune,
    ReturnReport,
    ShowCommune,
    ShowMissing,
    ShowRollup,
    SubmissionFile,
    SubmitOnBehalf,
)
from bot.chat.catalogue import say
from bot.chat.replies import Choice, Message, Reply, TapAnswer
from bot.domain.arguments import parse_id, parse_period
from bot.domain.text import fold
from storage import Storage
from storage.models import Period, Submission, Unit, UnitKind

SUPERVISOR_ACTIONS = (ShowRollup, ShowMissing, ShowCommune, PickCommune, Approve, ReturnReport, CancelReturn,
                      SubmissionFile, EnterOnBehalf, SubmitOnBehalf)  # the choices only a supervisor is offered


def refusal() -> list[Reply]:
    """«Not allowed»: an alert over a tap, a message after a command."""
    return [TapAnswer(say("common.not_allowed"), alert=True)]


def supervises(identity: Identity | None) -> bool:
    """Whether the person supervises a province or administers."""
    return identity is not None and identity.supervises


async def provinces_of(storage: Storage, identity: Identity) -> list[Unit]:
    visible = identity.visible_provinces
    return [p for p in await storage.units.list_provinces() if visible is None or p.code in visible]


async def find_province(storage: Storage, identity: Identity, query: str) -> list[Unit]:
    """Provinces in the person's scope matching a name or code."""
    provinces = await provinces_of(storage, identity)
    text = fold(query)
    if parse_id(text) is not None:
        return [p for p in provinces if p.code == text.zfill(2)]
    return [p for p in provinces if text and all(word in fold(p.full_name) for word in text.split())]


def period_key(token: str, today: date) -> str | None:
    """The week ("2025-W50") or month ("2026-04") ``token`` names; None when it does not read as
    one; ArgumentError (with the reason) when it reads as one but is not: a year out of reach, a
    week the year lacks."""
    found = parse_period(token, today)
    return None if found is None else str(found)


async def search_communes(storage: Storage, identity: Identity, query: str, limit: int = 10) -> list[Unit]:
    visible = identity.visible_provinces
    if visible is None:
        return await storage.units.search(query, kind=UnitKind.COMMUNE, limit=limit)
    found: list[Unit] = []
    for province in visible:
        found += await storage.units.search(query, province_code=province, kind=UnitKind.COMMUNE, limit=limit)
    return found[:limit]


async def commune_in_scope(storage: Storage, identity: Identity, code: str) -> Unit | None:
    """The commune ``code`` when the person may see its province; None otherwise."""
    unit = await storage.units.get(code)
    if unit is None or unit.kind != UnitKind.COMMUNE or not identity.can_see(unit.province_code):
        return None
    return unit


@dataclass(frozen=True)
class Found:
    """A submission with its commune and period."""

    submission: Submission
    unit: Unit
    period: Period


async def submission_of(storage: Storage, submission_id: int | None) -> Found | None:
    submission = await storage.submissions.get(submission_id) if submission_id is not None else None
    if submission is None:
        return None
    unit = await storage.units.get(submission.unit_code)
    period = await storage.periods.get_by_id(submission.period_id)
    if unit is None or period is None:
        return None
    return Found(submission, unit, period)


async def submission_in_scope(storage: Storage, identity: Identity, submission_id: int | None) -> Found | None:
    """The submission when it exists and the person may see its province; None otherwise."""
    found = await submission_of(storage, submission_id)
    if found is None or not identity.can_see(found.unit.province_code):
        return None
    return found


def province_choices(text: str, provinces: Sequence[Unit], action: Callable[[str], Action],
                     extra: Sequence[Choice] = ()) -> Message:
    """``text`` with the provinces to choose from, two a row, and ``extra`` choices a row each."""
    buttons = [Choice(p.name, action(p.code)) for p in provinces]
    rows = [tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2)]
    rows += [(choice,) for choice in extra]
    return Message(text, tuple(rows))

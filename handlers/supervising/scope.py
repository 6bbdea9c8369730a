"""Who may do what, and finding it from what the supervisor typed: provinces and communes in the
person's scope, a submission in scope, a period key. Every command and button checks again."""

from __future__ import annotations

from telegram import Update

from bot.access import Identity, identify
from bot.catalogue import say
from bot.context import BotContext
from bot.domain.arguments import looks_like_week, parse_id, parse_week
from bot.domain.text import fold
from bot.rollup_service import allowed_provinces, can_see
from storage.models import Period, Submission, Unit, UnitKind


async def supervisor_or_refuse(update: Update, context: BotContext) -> Identity | None:
    """The person, when they supervise a province or administer; None otherwise, after telling them
    they may not."""
    user = update.effective_user
    identity = await identify(context.services.storage, context.services.settings, user.id) if user else None
    if identity is None or not (identity.is_admin or identity.provinces):
        await refuse(update)
        return None
    return identity


async def refuse(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(say("common.not_allowed"), show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(say("common.not_allowed"))


async def provinces_of(context: BotContext, identity: Identity) -> list[Unit]:
    allowed = allowed_provinces(identity)
    provinces = await context.services.storage.units.list_provinces()
    return [p for p in provinces if allowed is None or p.code in allowed]


async def find_province(context: BotContext, identity: Identity, query: str) -> list[Unit]:
    """Provinces in the person's scope matching a name or code."""
    provinces = await provinces_of(context, identity)
    text = fold(query)
    if parse_id(text) is not None:
        return [p for p in provinces if p.code == text.zfill(2)]
    return [p for p in provinces if text and all(word in fold(p.full_name) for word in text.split())]


def period_key(token: str, context: BotContext) -> str | None:
    """The week ``token`` names ("2025-W50"); None when it does not read as one; ArgumentError (with
    the reason) when it reads as one but is not: a year out of reach, a week the year lacks."""
    if not looks_like_week(token):
        return None
    return str(parse_week(token, context.services.clock.now().date()))


async def search_communes(context: BotContext, identity: Identity, query: str, limit: int = 10) -> list[Unit]:
    storage = context.services.storage
    allowed = allowed_provinces(identity)
    if allowed is None:
        return await storage.units.search(query, kind=UnitKind.COMMUNE, limit=limit)
    found: list[Unit] = []
    for province in allowed:
        found += await storage.units.search(query, province_code=province, kind=UnitKind.COMMUNE, limit=limit)
    return found[:limit]


async def submission_in_scope(update: Update, context: BotContext, identity: Identity,
                              raw_id: str) -> tuple[Submission, Unit, Period] | None:
    storage = context.services.storage
    submission_id = parse_id(raw_id)
    submission = await storage.submissions.get(submission_id) if submission_id is not None else None
    unit = await storage.units.get(submission.unit_code) if submission else None
    period = await storage.periods.get_by_id(submission.period_id) if submission else None
    if submission is None or unit is None or period is None or not can_see(identity, unit.province_code):
        await refuse(update)
        return None
    return submission, unit, period

"""The communes that have not reported for the open period (/chuanop), with their officials and
the «Nhắc ngay» choice; who can be reached is storage.missing's one definition."""

from __future__ import annotations

from bot.chat.access import Identity
from bot.chat.actions import NudgeMissing, ShowMissing
from bot.chat.catalogue import say
from bot.chat.replies import Choice, Message, Reply
from bot.domain.numbers import format_count, format_date
from bot.domain.periods import current_open_period, period_label
from bot.reporting.session import ensure_period
from bot.services import Services
from bot.supervising.basics import official, weekly_form
from bot.supervising.scope import find_province, province_choices, provinces_of, refusal


async def missing_command(services: Services, identity: Identity, query: str) -> list[Reply]:
    """/chuanop [tỉnh]: the list of the one province meant, else the provinces to choose from."""
    storage = services.storage
    query = query.strip()
    provinces = await find_province(storage, identity, query) if query else await provinces_of(storage, identity)
    if len(provinces) == 1:
        return await show_missing(services, identity, provinces[0].code)
    text = (say("supervising.choose_province") if provinces or not query
            else say("supervising.no_province_match", query=query))
    return [province_choices(text, provinces, lambda code: ShowMissing(code))]


async def show_missing(services: Services, identity: Identity, province: str) -> list[Reply]:
    """The province's communes without a report for the open period, each with its reporters
    (those who blocked the bot marked), and the choice to remind them."""
    if not identity.can_see(province):
        return refusal()
    storage = services.storage
    now = services.clock.now()
    period = await ensure_period(storage, current_open_period(weekly_form(services).period, now))
    found = await storage.missing.for_period(period.id, province)
    total = found.totals.get(province, 0)
    deadline = period.deadline_at
    head = say("supervising.missing_head", period=period_label(period.key), time=f"{deadline:%H:%M}",
               date=format_date(deadline.date()), overdue=say("supervising.overdue") if now > deadline else "")
    if not found.communes:
        return [Message(head + "\n" + say("supervising.all_submitted", total=format_count(total)))]
    lines = [head + "\n" + say("supervising.missing_count", missing=format_count(len(found.communes)),
                               total=format_count(total))]
    for index, commune in enumerate(found.communes, start=1):
        if commune.reporters:
            who = ", ".join(official(p) + ("" if p.active else say("supervising.blocked_mark"))
                            for p in commune.reporters)
        else:
            who = say("supervising.no_reporter")
        lines.append(say("supervising.missing_line", index=index, commune=commune.unit.full_name, who=who))
    unreachable = sum(1 for commune in found.communes if not commune.can_be_reached())
    if unreachable:
        lines.append("\n" + say("supervising.unreachable", count=unreachable))
    nudge = Choice(say("supervising.nudge_button", count=format_count(len(found.communes))),
                   NudgeMissing(period.id, province))
    return [Message("\n".join(lines), ((nudge,),))]

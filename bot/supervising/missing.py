"""The communes that have not reported for the open period (/chuanop): one short message of who a
nudge reaches (with their officials), who it cannot and why, and the «Nhắc ngay» choice counting
the former; who can be reached is storage.missing's one definition."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.chat.access import Identity
from bot.chat.actions import NudgeMissing, ShowMissing
from bot.chat.catalogue import say
from bot.chat.replies import Choice, Message, Reply
from bot.domain.arguments import ArgumentError
from bot.domain.numbers import format_count, format_date
from bot.domain.periods import current_open_period, period_label
from bot.notices.plan import allowed_moment
from bot.reporting.periods import ensure_period
from bot.services import Services
from bot.supervising.reach import Line, fit, named, unreachable_lines
from bot.supervising.scope import find_province, period_key, province_choices, provinces_of, refusal
from bot.supervising.which_form import ask_form, carried, pick, report_named


async def missing_command(services: Services, identity: Identity, query: str) -> list[Reply]:
    """/chuanop [tỉnh] [báo cáo: «tuần», «tháng», «nq57»…]: the list of the one province meant,
    else the provinces to choose from."""
    storage = services.storage
    picked = pick(services, query.split())
    form = carried(services, picked.form)
    period = _period_word(picked.rest, services.clock.now().date())
    if period is not None:  # the list is of the open period: a period typed is not a province
        return [Message(say("per_form_arguments.chuanop_no_period", word=period))]
    query = " ".join(picked.rest)
    provinces = await find_province(storage, identity, query) if query else await provinces_of(storage, identity)
    if len(provinces) == 1:
        return await show_missing(services, identity, provinces[0].code, form)
    text = (say("supervising.choose_province") if provinces or not query
            else say("supervising.no_province_match", query=query))
    return [province_choices(text, provinces, lambda code: ShowMissing(code, form))]


def _period_word(words: Sequence[str], today: date) -> str | None:
    """The first of ``words`` that reads as a period, or tries to («2026-04», «2026-13»)."""
    for word in words:
        try:
            if period_key(word, today) is not None:
                return word
        except ArgumentError:
            return word
    return None


async def show_missing(services: Services, identity: Identity, province: str, form_id: str | None = None
                       ) -> list[Reply]:
    """The province's communes without a report for the open period of the form ``form_id`` (None:
    the only one scheduled, else asked), in one short message: those a nudge reaches now (with
    their reporters), those it cannot and why, and the choice to nudge the former — counted on its
    button."""
    if not identity.can_see(province):
        return refusal()
    form = pick(services, [], None, form_id).form
    if form is None:
        return [ask_form(services, lambda chosen: ShowMissing(province, chosen))]
    storage = services.storage
    now = services.clock.now()
    spec = form.period
    period = await ensure_period(storage, current_open_period(spec, now))
    found = await storage.missing.for_period(period.id, province)
    total = found.totals.get(province, 0)
    deadline = period.deadline_at
    head = report_named(services, form) + say("supervising.missing_head", period=period_label(period.key), time=f"{deadline:%H:%M}",
               date=format_date(deadline.date()), overdue=say("supervising.overdue") if now > deadline else "")
    if not found.communes:
        return [Message(head + "\n" + say("supervising.all_submitted", total=format_count(total)))]
    head += "\n" + say("supervising.missing_count", missing=format_count(len(found.communes)), total=format_count(total))
    day = allowed_moment(now, spec.quiet_hours, spec.tz).date()  # the day a nudge goes out
    reached = [commune for commune in found.communes if commune.can_be_reached(day)]
    count = format_count(len(reached))
    lines: list[tuple[Line, Sequence[str]]] = []
    if reached:
        lines.append((lambda names: say("supervising_ux.reachable", count=count, names=names),
                      [named(commune, True) for commune in reached]))
    unreachable = unreachable_lines(found.communes, day)
    tail = ""
    if unreachable:
        missed = format_count(len(found.communes) - len(reached))
        lines.append((lambda _: say("supervising_ux.unreachable_head", count=missed), []))
        lines += unreachable
        tail = say("supervising_ux.contact")
    text = fit(head, lines, tail)
    if not reached:
        return [Message(text)]
    nudge = Choice(say("supervising.nudge_button", count=count), NudgeMissing(period.id, province))
    return [Message(text, ((nudge,),))]

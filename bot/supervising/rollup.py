"""The province's rollup (/tonghop): which scope and period the person means, the choices when it
is not clear, and the rollup itself as replies — the message with its period and scope choices, the
chart, the .docx and the .xlsx. Making it takes seconds for a whole country: the channel runs
:func:`make_rollup` beside its other work and shows the progress."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.chat.access import Identity
from bot.chat.actions import ShowMissing, ShowRollup
from bot.chat.catalogue import say
from bot.chat.replies import Choice, Document, Message, Picture, Reply, TapAnswer
from bot.domain.arguments import ArgumentError, is_keyword
from bot.domain.forms import Form
from bot.domain.message_length import MAX_CAPTION, cut
from bot.domain.numbers import format_count, format_date
from bot.domain.periods import PeriodKey, open_periods, period_for, period_label
from bot.services import Services
from bot.supervising.rollup_service import NATIONAL, ProgressState, RollupError, find_period, produce
from bot.supervising.scope import find_province, period_key, province_choices, provinces_of, refusal
from bot.supervising.which_form import ask_form, carried, other_kind, pick, report_named
from storage import Storage
from storage.models import Period, Unit


@dataclass(frozen=True)
class RollupJob:
    """A rollup to make: the scope (a province code, or ``NATIONAL``), its period, and the message
    that says it is being made."""

    scope: str
    period: Period
    started: str
    form: Form

    @property
    def province(self) -> str | None:
        return None if self.scope == NATIONAL else self.scope


Asked = RollupJob | list[Reply]


def _choose(identity: Identity, text: str, provinces: Sequence[Unit], key: str | None, form: str | None) -> Message:
    extra: tuple[Choice, ...] = ()
    if identity.visible_provinces is None:
        extra = (Choice(say("supervising.national_button"), ShowRollup(NATIONAL, key, form)),)
    return province_choices(text, provinces, lambda code: ShowRollup(code, key, form), extra)


async def rollup_command(services: Services, identity: Identity, arguments: list[str]) -> Asked:
    """/tonghop [tỉnh | toanquoc] [kỳ] [báo cáo: «tuần», «tháng», «nq57»…]."""
    storage = services.storage
    key = None
    rest = []
    for token in arguments:
        try:
            found = period_key(token, services.clock.now().date())
        except ArgumentError as exc:
            return [Message(exc.reason)]
        if found is not None and key is None:
            key = found
        else:
            rest.append(token)
    picked = pick(services, rest, key)
    form = carried(services, picked.form)
    query = " ".join(picked.rest).strip()
    if is_keyword(query, "supervising_words.help"):
        return [Message(say("supervising.tonghop_help"))]
    if is_keyword(query, "supervising_words.national"):
        if identity.visible_provinces is not None:
            return [Message(say("supervising.national_admins_only"))]
        return await ask_rollup(services, identity, NATIONAL, key, form)
    if query:
        provinces = await find_province(storage, identity, query)
        if len(provinces) == 1:
            return await ask_rollup(services, identity, provinces[0].code, key, form)
        if not provinces:
            return [_choose(identity, say("supervising.no_province_in_scope", query=query),
                            await provinces_of(storage, identity), key, form)]
        return [_choose(identity, say("supervising.choose_province"), provinces, key, form)]
    provinces = await provinces_of(storage, identity)
    if len(provinces) == 1 and identity.visible_provinces is not None:
        return await ask_rollup(services, identity, provinces[0].code, key, form)
    return [_choose(identity, say("supervising.choose_rollup_province"), provinces, key, form)]


async def rollup_tap(services: Services, identity: Identity, action: ShowRollup) -> Asked:
    """A rollup's choice (a province, a period before or after, a report): refused out of scope."""
    if not identity.can_see(None if action.scope == NATIONAL else action.scope):
        return refusal()
    if action.period is not None:
        try:
            if period_key(action.period, services.clock.now().date()) is None:
                raise ArgumentError(say("rollup.bad_period", key=action.period))
        except ArgumentError as exc:
            return [TapAnswer(exc.reason, alert=True)]
    return await ask_rollup(services, identity, action.scope, action.period, action.form)


async def open_with_reports(storage: Storage, form: Form, province: str | None, now: datetime) -> Period | None:
    """The newest period open now (opened, its deadline not passed) in which a commune of the scope
    (a province; None: the country) has reported; None when there is none."""
    for info in sorted(open_periods(form.period, now), key=lambda found: found.deadline_at, reverse=True):
        if info.deadline_at <= now:
            continue
        stored = await storage.periods.get(form.id, str(info.key))
        if stored is not None and await storage.submissions.any_for_period(stored.id, province):
            return stored
    return None


async def ask_rollup(services: Services, identity: Identity, scope: str, key: str | None,
                     form_id: str | None = None) -> Asked:
    """The rollup to make of ``scope`` for the period ``key`` of the form ``form_id`` (None: told by
    the key, else the only one scheduled, else asked); without a key, the period open now when
    communes of the scope have reported in it, else the latest past its deadline. Or why not."""
    province = None if scope == NATIONAL else scope
    if not identity.can_see(province):
        return refusal()
    form = pick(services, [], key, form_id).form
    if form is None:
        return [ask_form(services, lambda chosen: ShowRollup(scope, key, chosen))]
    storage, now = services.storage, services.clock.now()
    refused = other_kind(form, key, now.date()) if key is not None else None
    if refused is not None:
        return [refused]
    period = await open_with_reports(storage, form, province, now) if key is None else None
    try:
        period = period or await find_period(storage, form, key, now)
    except RollupError as exc:
        return [Message(str(exc))]
    if period.opens_at > now:
        return [Message(say("supervising.not_open", period=period_label(period.key)))]
    unit = await storage.units.get(province) if province is not None else None
    name = say("supervising.country") if province is None else (unit.full_name if unit else province)
    started = say("supervising.rollup_started", period=period_label(period.key), scope=name)
    return RollupJob(scope, period, report_named(services, form) + started, form)


def busy() -> list[Reply]:
    """A second rollup asked while the first is being made."""
    return [Message(say("supervising.rollup_busy"))]


def navigation(scope: str, period: Period, form: Form, now: datetime, national_ok: bool,
               form_id: str | None = None) -> tuple[tuple[Choice, ...], ...]:
    """Under the rollup: the period before (and after, once open), the communes missing, the
    country; each choice carries ``form_id`` (None: one form is scheduled)."""
    key = PeriodKey.parse(period.key)
    row = [Choice(say("supervising.previous_period", label=key.previous().short_label),
                  ShowRollup(scope, str(key.previous()), form_id))]
    following = key.next()
    if period_for(form.period, following).opens_at <= now:
        row.append(Choice(say("supervising.next_period", label=following.short_label),
                          ShowRollup(scope, str(following), form_id)))
    rows: list[tuple[Choice, ...]] = [tuple(row)]
    if scope != NATIONAL:
        rows.append((Choice(say("supervising.missing_button"), ShowMissing(scope, form_id)),))
    if national_ok and scope != NATIONAL:
        rows.append((Choice(say("supervising.national_link"), ShowRollup(NATIONAL, period.key, form_id)),))
    return tuple(rows)


def open_mark(period: Period, reported: int, total: int, now: datetime) -> str:
    """Above the rollup of a period whose deadline has not passed: that its figures may still
    change, and how many communes are still missing (named at the end of the message); "" once past."""
    if period.deadline_at <= now:
        return ""
    deadline = period.deadline_at.astimezone(now.tzinfo)
    return say("supervising_ux.rollup_open", time=f"{deadline:%H:%M}", date=format_date(deadline.date()),
               reported=format_count(reported), total=format_count(total),
               missing=format_count(total - reported)) + "\n\n"


async def make_rollup(services: Services, identity: Identity, job: RollupJob,
                      progress: ProgressState | None = None) -> list[Reply]:
    """Make the rollup (loading, then building and writing in a worker thread): the message with
    its choices, the chart, the .docx and the .xlsx; the viewing is written to the audit log."""
    storage, form, now = services.storage, job.form, services.clock.now()
    try:
        files = await produce(storage, form, job.period, job.province, templates_dir=services.settings.templates_dir,
                              report_date=now.date(), tz=services.clock.tz, progress=progress, chart_apart=True,
                              forms=services.forms)
    except RollupError as exc:
        return [Message(str(exc))]
    choices = navigation(job.scope, job.period, form, now, identity.visible_provinces is None, carried(services, form))
    caption = cut(say("supervising.rollup_caption", period=period_label(job.period.key),
                      scope=files.rollup.scope_name), MAX_CAPTION)
    replies: list[Reply] = [
        Message(open_mark(job.period, files.rollup.completeness.reported, files.rollup.completeness.total,
                          now) + files.message, choices),
        Picture(files.chart, caption),
        Document(files.docx_name, files.docx, say("supervising.docx_caption")),
        Document(files.xlsx_name, files.xlsx, say("supervising.xlsx_caption")),
    ]
    await storage.audit.log("rollup.view", now, actor=identity.actor, subject=f"{job.scope}:{job.period.key}",
                            detail={k: round(v, 3) for k, v in files.timings.items()})
    return replies

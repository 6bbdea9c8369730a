"""Who is owed which notice, recorded in SQLite before anything is sent — no Telegram here.

``Reminders`` keeps the periods created ahead of time (``ensure_periods``), and when a moment
of the calendar comes (``fire``) records one notice per person to tell (``storage.notices``,
unique per kind, period, chat, instant and ref — firing twice records nothing new) and notes
the moment as handled (``storage.calendar``). After an outage ``catch_up`` fires what fell
due within the grace and drops, once and in the log, what is older. The sender
(``bot.notices.broadcast``) checks each notice again when it sends it: a commune that submitted
meanwhile is never reminded.

Settings come from the environment (prefix ``REMINDERS_``, see ``ReminderConfig``).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, MutableMapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.chat.access import identity_of
from bot.clock import Clock
from bot.domain.periods import PeriodInfo, PeriodSpec, period_for
from bot.domain.scheduled import calendar_form_ids, default_form_id
from bot.notices.plan import (
    BLOCKED,
    ESCALATION,
    NUDGE,
    RESUBMITTED,
    UNREACHABLE,
    Moment,
    allowed_moment,
    effective_spec,
    first_key,
    moments,
)
from storage import Storage
from storage.missing import reachable
from storage.models import Period, Person, Role, Submission, SubmissionStatus

if TYPE_CHECKING:
    from bot.domain.forms import Form

log = logging.getLogger(__name__)


class ReminderConfig(BaseSettings):
    """How reminders are planned and sent; from the environment or .env (``REMINDERS_GRACE_HOURS=6`` …)."""

    model_config = SettingsConfigDict(env_prefix="REMINDERS_", env_file=".env", env_file_encoding="utf-8",
                                      extra="ignore")

    enabled: bool = Field(default=True, description="plan and send notices at all")
    grace_hours: float = Field(default=6.0, gt=0, description="after an outage, send what fell due this recently")
    weeks_ahead: int = Field(default=8, ge=1, le=60, description="periods created ahead of time")
    sweep_seconds: float = Field(default=60.0, gt=0, description="how often due and retried notices are looked for")
    max_in_flight: int = Field(default=8, ge=1, le=64, description="notices on their way to Telegram at once")
    send_timeout: float = Field(default=20.0, gt=0, description="seconds to wait for Telegram's answer to one notice")
    tries_per_round: int = Field(default=5, ge=1, le=10, description="tries of one notice (429, 5xx …) before it waits for the next sweep")
    max_attempts: int = Field(default=30, ge=1, le=1000,
                              description="attempts in all before a notice is failed (else it waits until stale)")
    breaker: int = Field(default=20, ge=1, description="notices failing in a row that end a round (Telegram is down)")
    retry_ambiguous: bool = Field(
        default=False, description="resend when Telegram's answer never came (at least once) instead of not (at most once)"
    )
    drops_expected: bool = Field(
        default=False, description="moments long past at start are expected (the demo's freshly seeded weeks): "
                                   "one INFO line says what was not sent instead of a warning for each"
    )
    nudge_minutes: int = Field(default=60, ge=1, le=24 * 60, description="a commune is nudged at most once in this time")
    stop_timeout: float = Field(default=5.0, gt=0, le=60,
                                description="at shutdown, wait this long for sends in flight (the whole stop "
                                            "must fit in the 10 s that docker and systemd are told to give it)")

    @property
    def grace(self) -> timedelta:
        return timedelta(hours=self.grace_hours)


@dataclass
class CatchUp:
    """What the start-up found: moments fired late, moments too old, notices cut off mid-send."""

    fired: list[Moment] = field(default_factory=list)
    dropped: list[Moment] = field(default_factory=list)
    interrupted: int = 0
    stale: int = 0


@dataclass(frozen=True)
class Resubmission:
    """A report sent again after the province returned it, and the notices recorded about it."""

    returned: Submission  # the version the province returned
    recorded: int  # notices recorded now (0: nobody in the province can be reached)
    due_at: datetime  # when they go out (moved out of quiet hours)
    to_returner: bool  # told to the person who returned it (else to the province's supervisors)


@dataclass(frozen=True)
class NudgeResult:
    units: tuple[str, ...]  # communes nudged now
    people: int  # notices recorded now
    already: tuple[str, ...]  # communes nudged within the last nudge_minutes
    unreachable: tuple[str, ...]  # communes where nobody can be reached
    due_at: datetime


class Reminders:
    """The calendar's bookkeeping over the storage; ``forms`` is the application's dict of forms,
    whose ``period`` is replaced by the effective calendar (form file + override set in chat)."""

    def __init__(self, storage: Storage, clock: Clock, forms: MutableMapping[str, Form],
                 config: ReminderConfig) -> None:
        self.storage = storage
        self.clock = clock
        self.forms = forms
        self.config = config
        self._file_specs: dict[str, PeriodSpec] = {form_id: form.period for form_id, form in forms.items()}

    # -- the calendar -----------------------------------------------------------------------

    def form_ids(self) -> list[str]:
        """The forms the calendar runs (a form file with ``scheduled: false`` opens no period)."""
        return calendar_form_ids(self.forms)

    def spec(self, form_id: str) -> PeriodSpec:
        return self.forms[form_id].period

    def file_spec(self, form_id: str) -> PeriodSpec:
        """The calendar as the form file sets it, without the override."""
        return self._file_specs[form_id]

    def default_spec(self) -> PeriodSpec:
        """The calendar whose quiet hours apply to notices of no particular form."""
        return self.spec(default_form_id(self.forms))

    def apply_override(self, form_id: str, settings: dict[str, Any] | None) -> PeriodSpec:
        spec = effective_spec(self._file_specs[form_id], settings)
        form = self.forms[form_id]
        if form.period != spec:
            self.forms[form_id] = form.model_copy(update={"period": spec})
        return spec

    async def load_overrides(self) -> None:
        """Apply the overrides stored in SQLite to the forms (done when the application starts)."""
        for form_id in self.form_ids():
            override = await self.storage.calendar.override(form_id)
            if override is not None:
                try:
                    self.apply_override(form_id, dict(override.settings))
                except ValueError:
                    log.exception("the calendar override of %s is not valid; the form file's calendar is used", form_id)

    # -- periods ahead of time ----------------------------------------------------------------

    async def ensure_periods(self, form_id: str, now: datetime) -> list[Period]:
        """Store the periods from the one before the current one to ``weeks_ahead`` after it,
        with the dates of the effective calendar. Periods not yet open follow the calendar
        entirely; an open one only takes a changed deadline that is still to come."""
        spec = self.spec(form_id)
        key = first_key(spec, now).previous()
        periods = []
        for _ in range(self.config.weeks_ahead + 2):
            info = period_for(spec, key)
            periods.append(await self._sync(info, now))
            key = key.next()
        return periods

    async def _sync(self, info: PeriodInfo, now: datetime) -> Period:
        periods = self.storage.periods
        existing = await periods.get(info.form_id, str(info.key))
        if existing is None or (existing.opens_at > now and (
            existing.opens_at, existing.deadline_at, existing.deadline_note
        ) != (info.opens_at, info.deadline_at, info.deadline_note)):
            return await periods.upsert(info.form_id, str(info.key), info.starts_on, info.ends_on, info.opens_at,
                                        info.deadline_at, info.deadline_note)
        if (existing.opens_at <= now < existing.deadline_at and info.deadline_at > now
                and (existing.deadline_at, existing.deadline_note) != (info.deadline_at, info.deadline_note)):
            return await periods.upsert(info.form_id, str(info.key), existing.starts_on, existing.ends_on,
                                        min(existing.opens_at, info.deadline_at), info.deadline_at, info.deadline_note)
        return existing

    def moments(self, form_id: str, period: Period) -> list[Moment]:
        return moments(self.spec(form_id), period.key, period.opens_at, period.deadline_at)

    async def unhandled(self, form_id: str, period: Period) -> list[Moment]:
        """The period's moments not yet fired, dropped or skipped (one query per period)."""
        handled = {(run.kind, run.due_at) for run in await self.storage.calendar.runs_for_period(period.id)}
        return [m for m in self.moments(form_id, period) if (m.kind, m.due_at) not in handled]

    # -- firing a moment ----------------------------------------------------------------------

    async def fire(self, period: Period, kind: str, due_at: datetime) -> int:
        """Record the notices of one moment (idempotent); how many were recorded now."""
        if await self.storage.calendar.run(period.id, kind, due_at) is not None:
            return 0
        async with self.storage.db.transaction():
            if kind == ESCALATION:
                recorded = await self._record_escalation(period, due_at)
            else:
                recorded = sum(await self._record_reporters(period, kind, due_at))
            await self.storage.calendar.record_run(period.id, kind, due_at, "fired", at=self.clock.now(),
                                                   recorded=recorded)
        log.info("%s of %s %s (due %s): %d notices recorded", kind, period.form_id, period.key,
                 due_at.isoformat(), recorded)
        return recorded

    async def _record_reporters(self, period: Period, kind: str, due_at: datetime,
                                only: Iterable[str] | None = None) -> tuple[int, int]:
        """Record the reporters' notices of a moment; (reporters' notices, supervisors' notices
        about communes nobody can be reached in) recorded now."""
        # the communes nobody has a reporter in are not reminded (nobody to remind), nor counted
        missing = await self.storage.missing.for_period(period.id, with_reporters_only=True)
        day = due_at.date()
        per_person: dict[int, tuple[Person, list[str]]] = {}
        unreachable: list[str] = []
        for commune in missing.communes if only is None else missing.only(only):
            reachable = commune.reachable(day)
            if not reachable:
                unreachable.append(commune.code)
            for person in reachable:
                per_person.setdefault(person.id, (person, []))[1].append(commune.code)
        recorded = 0
        for person, units in per_person.values():
            recorded += await self.storage.notices.record_due(
                kind, person.actor, due_at, period_id=period.id, person_id=person.id, payload={"units": units}
            )
        return recorded, await self.record_unreachable(period, unreachable, due_at)

    async def record_unreachable(self, period: Period, units: list[str], due_at: datetime) -> int:
        """Tell the provinces' supervisors, once per commune and period, about communes whose
        reporters are all on leave or have blocked the bot."""
        if not units:
            return 0
        told = {code for notice in await self.storage.notices.list_for_period(period.id, UNREACHABLE)
                for code in (notice.payload or {}).get("units", [])}  # type: ignore[union-attr]  # a payload's units are a list
        fresh = [code for code in units if code not in told]
        recorded = 0
        for province, codes in (await self._by_province(fresh)).items():
            supervisors = await self._supervisors(province, due_at.date())
            if not supervisors:
                log.warning("communes %s have nobody to remind and province %s has no supervisor to tell",
                            codes, province)
            for supervisor in supervisors:
                recorded += await self.storage.notices.record_due(
                    UNREACHABLE, supervisor.actor, due_at, period_id=period.id, person_id=supervisor.id,
                    payload={"province": province, "units": codes},
                )
        return recorded

    async def _record_escalation(self, period: Period, due_at: datetime) -> int:
        found = await self.storage.missing.for_period(period.id, with_reporters_only=True)
        grouped = found.by_province()
        recorded = 0
        for province, total in found.totals.items():
            missing = [commune.code for commune in grouped.get(province, [])]
            supervisors = await self._supervisors(province, due_at.date())
            if not supervisors:
                log.warning("province %s has no supervisor to receive the list of missing communes", province)
            for supervisor in supervisors:
                recorded += await self.storage.notices.record_due(
                    ESCALATION, supervisor.actor, due_at, period_id=period.id, person_id=supervisor.id,
                    payload={"province": province, "units": missing, "total": total},
                )
        return recorded

    async def _by_province(self, codes: Iterable[str]) -> dict[str, list[str]]:
        codes = list(codes)
        units = await self.storage.units.get_many(codes)
        grouped: dict[str, list[str]] = {}
        for code in codes:
            if code in units:
                grouped.setdefault(units[code].province_code, []).append(code)
        return grouped

    async def _supervisors(self, province: str, day: date) -> list[Person]:
        return [p for p in await self.storage.people.supervisors_of(province) if reachable_on(p, day)]

    # -- after an outage ----------------------------------------------------------------------

    async def catch_up(self, now: datetime) -> CatchUp:
        """At start, before anything is sent: notices cut off mid-send become ``unknown`` (never
        sent again), pending ones older than the grace are dropped, and the moments that came
        while the bot was down are fired (within the grace) or dropped and logged (older)."""
        report = CatchUp()
        interrupted = await self.storage.notices.reconcile_in_flight()
        report.interrupted = len(interrupted)
        for notice in interrupted:
            log.warning("notice %d (%s to chat %d) was being sent when the bot stopped: Telegram may have "
                        "delivered it, so it is not sent again", notice.id, notice.kind, notice.chat_id)
        report.stale = await self.storage.notices.drop_stale(now, self.config.grace)
        if report.stale:
            log.warning("%d pending notices older than %s were dropped", report.stale, self.config.grace)
        for form_id in self.form_ids():
            for period in await self.ensure_periods(form_id, now):
                for moment in await self.unhandled(form_id, period):
                    if moment.due_at > now:
                        continue
                    if moment.due_at >= now - self.config.grace:
                        await self.fire(period, moment.kind, moment.due_at)
                        report.fired.append(moment)
                    else:
                        await self.storage.calendar.record_run(period.id, moment.kind, moment.due_at, "dropped",
                                                               at=now)
                        report.dropped.append(moment)
                        if not self.config.drops_expected:
                            log.warning("%s of %s %s was due %s, longer ago than the grace (%s): not sent",
                                        moment.kind, form_id, period.key, moment.due_at.isoformat(),
                                        self.config.grace)
        if report.dropped and self.config.drops_expected:
            log.info("%d moments were due longer ago than the grace (%s), from %s to %s: not sent (expected here)",
                     len(report.dropped), self.config.grace, min(m.due_at for m in report.dropped).isoformat(),
                     max(m.due_at for m in report.dropped).isoformat())
        return report

    async def skip_past(self, form_id: str, now: datetime) -> int:
        """After a calendar change: moments now in the past that were never handled are not
        sent late (they did not exist when they were due)."""
        skipped = 0
        for period in await self.ensure_periods(form_id, now):
            for moment in await self.unhandled(form_id, period):
                if moment.due_at <= now:
                    skipped += await self.storage.calendar.record_run(period.id, moment.kind, moment.due_at,
                                                                      "skipped", at=now)
        return skipped

    # -- notices of no moment -----------------------------------------------------------------

    def nudge_due_at(self, now: datetime) -> datetime:
        """Nudges within one window of ``nudge_minutes`` share one instant (so one per window),
        moved out of quiet hours."""
        spec = self.default_spec()
        local = now.astimezone(spec.tz)
        minutes = local.hour * 60 + local.minute
        floored = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(
            minutes=minutes - minutes % self.config.nudge_minutes)
        return allowed_moment(floored, spec.quiet_hours, spec.tz)

    async def nudge(self, period: Period, province: str, now: datetime) -> NudgeResult:
        """A supervisor asks to remind the province's communes that have not submitted."""
        due_at = self.nudge_due_at(now)
        found = await self.storage.missing.for_period(period.id, province, with_reporters_only=True)
        missing = found.codes
        before = {code for notice in await self.storage.notices.list_for_period(period.id, NUDGE)
                  if notice.due_at == due_at for code in (notice.payload or {}).get("units", [])}  # type: ignore[union-attr]  # a payload's units are a list
        fresh = [code for code in missing if code not in before]
        people = (await self._record_reporters(period, NUDGE, due_at, only=fresh))[0] if fresh else 0
        day = due_at.date()
        unreachable = tuple(commune.code for commune in found.only(fresh) if not commune.can_be_reached(day))
        nudged = tuple(code for code in fresh if code not in unreachable)
        return NudgeResult(units=nudged, people=people, already=tuple(c for c in missing if c in before),
                           unreachable=unreachable, due_at=due_at)

    async def notify_blocked(self, person_id: int) -> int:
        """Tell the supervisors of the person's provinces, once per blocking, that they blocked
        the bot (whoever noticed it first: a 403 on send or Telegram's my_chat_member update)."""
        person = await self.storage.people.get(person_id)
        if person is None or person.active or person.blocked_at is None:
            return 0
        spec = self.default_spec()
        due_at = allowed_moment(person.blocked_at, spec.quiet_hours, spec.tz)
        memberships = [m for m in await self.storage.people.memberships_of(person.id) if m.unit_code]
        units = await self.storage.units.get_many(m.unit_code for m in memberships if m.unit_code)
        provinces: dict[str, list[str]] = {}
        for membership in memberships:
            unit = units.get(membership.unit_code or "")
            if unit is None:
                continue
            communes = provinces.setdefault(unit.province_code, [])
            if membership.role == Role.REPORTER:
                communes.append(unit.code)
        recorded = 0
        for province, communes in provinces.items():
            for supervisor in await self._supervisors(province, due_at.date()):
                if supervisor.id == person.id:
                    continue
                recorded += await self.storage.notices.record_due(
                    BLOCKED, supervisor.actor, due_at, person_id=supervisor.id, ref=f"person:{person.id}",
                    payload={"person": person.id, "name": person.full_name, "units": communes, "province": province},
                )
        return recorded

    async def notify_resubmitted(self, submission: Submission, *, admins: Collection[int] = ()) -> Resubmission | None:
        """A commune submitted ``submission``: when the version before it had been returned,
        record one notice (``RESUBMITTED``, once per version and person) to whoever returned it —
        while they still oversee the province and can be reached — else to the province's
        supervisors who can be. None when it is not a resubmission after a return (a first
        submission, a correction of a report that was not returned): nobody is told.
        ``admins``: the Telegram ids of the admins set in the configuration (every province).
        The notice is timed like the other supervisors' notices: out of quiet hours."""
        storage = self.storage
        if submission.version < 2:
            return None
        versions = await storage.submissions.versions(submission.period_id, submission.unit_code)
        returned = next((v for v in versions if v.version == submission.version - 1), None)
        if returned is None or returned.status != SubmissionStatus.RETURNED:
            return None
        period = await storage.periods.get_by_id(submission.period_id)
        unit = await storage.units.get(submission.unit_code)
        if period is None or unit is None:
            return None
        form = self.forms.get(period.form_id)
        spec = form.period if form is not None else self.default_spec()
        due_at = allowed_moment(submission.submitted_at, spec.quiet_hours, spec.tz)
        day, province = due_at.date(), unit.province_code
        returner = await storage.people.get(returned.status_by) if returned.status_by is not None else None
        configured_admin = returner is not None and returner.telegram_id in admins
        recipients: list[Person] = []
        if returner is not None and reachable_on(returner, day) and (
                await identity_of(storage, returner, configured_admin=configured_admin)).can_supervise(province):
            recipients = [returner]
        to_returner = bool(recipients)
        if not to_returner:
            configured_admin = False
            recipients = await self._supervisors(province, day)
        if not recipients:
            log.warning("%s sent again its report %s after a return, and nobody in province %s can be told",
                        unit.code, period.key, province)
        recipients = [p for p in recipients if p.id != submission.submitted_by]  # not who entered it (on behalf)
        recorded = 0
        for person in recipients:
            recorded += await storage.notices.record_due(
                RESUBMITTED, person.actor, due_at, period_id=period.id, person_id=person.id,
                ref=f"submission:{submission.id}",
                payload={"submission": submission.id, "returned": returned.id, "unit": unit.code,
                         "province": province, "to_returner": to_returner, "configured_admin": configured_admin},
            )
        return Resubmission(returned=returned, recorded=recorded, due_at=due_at, to_returner=to_returner)


def reachable_on(person: Person, day: date) -> bool:
    """Whether a notice may go to this person on that day: the bot not blocked, not on leave
    (the one definition: ``storage.missing.reachable``)."""
    return reachable(person, day)

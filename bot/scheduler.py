"""The reminder calendar on python-telegram-bot's JobQueue (APScheduler).

Jobs are not persisted, so SQLite is the truth and the jobs are rebuilt from it at every start:

- ``baocao:startup`` (once, as soon as the application starts): notices left ``sending`` by a
  crash become ``unknown``; the moments that came while the bot was down are fired within the
  grace and dropped (logged) when older; the periods of the next ``weeks_ahead`` weeks are
  stored and one job is registered per future moment; then due notices are sent.
- ``baocao:m:<form>:<period>:<kind>:<instant>`` (one per future moment): records the
  moment's notices and sends them.
- ``baocao:sweep`` (every ``sweep_seconds``): sends what is due — notices left for a retry,
  nudges and blocked-bot notices moved out of quiet hours.
- ``baocao:plan`` (daily, 00:05): stores periods further ahead, registers their jobs.

Jobs are timed by the application's clock (``services.clock``): each is due after the delay
from the clock's now to the moment, so with the system clock it fires at the moment itself.
Only ``Application.start`` (``run_polling``, the webhook server, the demo) runs the job queue;
under ``async with app`` (tests) nothing fires unless a test runs a job (``await job.run(app)``)
or calls ``startup`` itself.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from telegram.ext import Job, JobQueue

from bot.domain.periods import PeriodSpec
from bot.notices.broadcast import Broadcaster
from bot.notices.plan import checked_spec, merge_override
from bot.notices.reminders import CatchUp, NudgeResult, ReminderConfig, Reminders, Resubmission

if TYPE_CHECKING:
    from bot.context import BaocaoApplication, BotContext
    from storage.models import Submission

log = logging.getLogger(__name__)

JOB_PREFIX = "baocao:"
MOMENT_JOB = f"{JOB_PREFIX}m"
STARTUP_JOB = f"{JOB_PREFIX}startup"
SWEEP_JOB = f"{JOB_PREFIX}sweep"
PLAN_JOB = f"{JOB_PREFIX}plan"


def moment_job_name(form_id: str, period_key: str, kind: str, due_at: datetime) -> str:
    return f"{MOMENT_JOB}:{form_id}:{period_key}:{kind}:{due_at.strftime('%Y-%m-%dT%H:%M')}"


class ReminderScheduler:
    """The calendar of one application: ``reminders`` (what is owed, in SQLite) and
    ``broadcaster`` (sending it), driven by the application's JobQueue."""

    def __init__(self, application: BaocaoApplication, config: ReminderConfig | None = None) -> None:
        self.application = application
        self.config = config or ReminderConfig()
        services = application.services
        self.clock = services.clock
        self.storage = services.storage
        self.reminders = Reminders(services.storage, services.clock, services.forms, self.config)
        self.broadcaster = Broadcaster(application.bot, services.storage, services.clock, self.config, self.reminders,
                                       keyboard=application.notice_keyboard)

    @property
    def job_queue(self) -> JobQueue[Any] | None:
        return self.application.job_queue

    # -- lifecycle ------------------------------------------------------------------------------

    async def install(self) -> None:
        """At initialize: the calendar overrides set in chat apply at once; the jobs that do the
        rest are queued (they run when the application starts)."""
        await self.reminders.load_overrides()
        queue = self.job_queue
        if not self.config.enabled or queue is None:
            log.info("reminders are off" if queue is not None else "no job queue: reminders are off")
            return
        queue.run_once(self._startup_job, when=0, name=STARTUP_JOB,
                       job_kwargs={"id": STARTUP_JOB, "replace_existing": True, "misfire_grace_time": None})
        queue.run_repeating(self._sweep_job, interval=self.config.sweep_seconds, first=self.config.sweep_seconds,
                            name=SWEEP_JOB, job_kwargs={"id": SWEEP_JOB, "replace_existing": True, "coalesce": True})
        spec = self.reminders.default_spec()
        queue.run_daily(self._plan_job, time=time(0, 5, tzinfo=spec.tz), name=PLAN_JOB,
                        job_kwargs={"id": PLAN_JOB, "replace_existing": True, "misfire_grace_time": 3600,
                                    "coalesce": True})

    async def startup(self) -> CatchUp:
        """Catch up, plan ahead, register the moments' jobs, send what is due."""
        report = await self.reminders.catch_up(self.clock.now())
        await self.register_jobs()
        self.broadcaster.kick()
        return report

    def hold(self) -> None:
        """Take no new notice (the bot is stopping); the sends in flight go on."""
        self.broadcaster.hold()

    async def shutdown(self) -> None:
        """Let the sends in flight finish; the rest stays pending for the next start."""
        await self.broadcaster.stop(self.config.stop_timeout)

    # -- jobs ------------------------------------------------------------------------------------

    async def register_jobs(self, form_id: str | None = None) -> list[Job[Any]]:
        """(Re)register one job per coming moment of the stored periods (created as needed);
        a moment already due and not yet handled is fired at once."""
        queue = self.job_queue
        now = self.clock.now()
        registered: list[Job[Any]] = []
        for form in [form_id] if form_id else self.reminders.form_ids():
            if queue is not None:
                for job in queue.jobs(f"^{MOMENT_JOB}:{form}:"):
                    job.schedule_removal()
            for period in await self.reminders.ensure_periods(form, now):
                for moment in await self.reminders.unhandled(form, period):
                    if moment.due_at < now - self.config.grace or queue is None:
                        continue
                    name = moment_job_name(form, period.key, moment.kind, moment.due_at)
                    registered.append(queue.run_once(
                        self._moment_job,
                        when=max(moment.due_at - now, timedelta(0)),
                        name=name,
                        data={"form": form, "period_id": period.id, "period": period.key, "kind": moment.kind,
                              "due_at": moment.due_at.isoformat()},
                        job_kwargs={"id": name, "replace_existing": True, "coalesce": True,
                                    "misfire_grace_time": int(self.config.grace.total_seconds())},
                    ))
        return registered

    def moment_jobs(self) -> list[Job[Any]]:
        """The registered moments, in time order (for tests and the admin's view)."""
        queue = self.job_queue
        jobs = list(queue.jobs(f"^{MOMENT_JOB}:")) if queue is not None else []
        return sorted(jobs, key=lambda job: (job.data["due_at"], job.name))  # type: ignore[index]

    async def fire(self, data: dict[str, Any]) -> int:
        """What a moment's job does: record its notices, then send them."""
        period = await self.storage.periods.get_by_id(int(data["period_id"]))
        if period is None:
            return 0
        recorded = await self.reminders.fire(period, str(data["kind"]), datetime.fromisoformat(str(data["due_at"])))
        self.broadcaster.kick()
        return recorded

    async def _moment_job(self, context: BotContext) -> None:
        assert context.job is not None and isinstance(context.job.data, dict)
        await self.fire(context.job.data)

    async def _startup_job(self, context: BotContext) -> None:
        await self.startup()

    async def _sweep_job(self, context: BotContext) -> None:
        self.broadcaster.kick()

    async def _plan_job(self, context: BotContext) -> None:
        await self.register_jobs()

    # -- what people do in chat --------------------------------------------------------------------

    async def change_calendar(self, form_id: str, change: dict[str, Any] | None, *, by: int | None) -> PeriodSpec:
        """An admin's change (None: back to the form file): stored, applied to the coming
        periods, jobs rebuilt; moments it puts in the past are not sent late.
        Raises ``CalendarInputError`` for a calendar that cannot work."""
        now = self.clock.now()
        try:
            async with self.storage.db.transaction():  # the change, its audit row and the moments skipped
                if change is None:
                    await self.storage.calendar.clear_override(form_id)
                    settings: dict[str, Any] | None = None
                else:
                    current = await self.storage.calendar.override(form_id)
                    settings = merge_override(dict(current.settings) if current else None, change)
                    checked_spec(self.reminders.file_spec(form_id), settings)
                    await self.storage.calendar.set_override(form_id, settings, by=by, at=now)
                spec = self.reminders.apply_override(form_id, settings)
                await self.storage.audit.log("calendar.change", now, actor=by, subject=f"form:{form_id}",
                                             detail={"override": settings})
                await self.reminders.skip_past(form_id, now)
        except Exception:
            stored = await self.storage.calendar.override(form_id)  # the calendar in force stays the stored one
            self.reminders.apply_override(form_id, dict(stored.settings) if stored else None)
            raise
        await self.register_jobs(form_id)
        return spec

    async def nudge(self, period_id: int, province: str) -> NudgeResult | None:
        period = await self.storage.periods.get_by_id(period_id)
        if period is None:
            return None
        result = await self.reminders.nudge(period, province, self.clock.now())
        self.broadcaster.kick()
        return result

    async def resubmitted(self, submission: Submission) -> Resubmission | None:
        """A commune submitted ``submission``: when it answers a return, tell the supervisor who
        returned it (``Reminders.notify_resubmitted``); None when nobody is to be told."""
        result = await self.reminders.notify_resubmitted(
            submission, admins=self.application.services.settings.admin_ids)
        if result is not None and result.recorded:
            self.broadcaster.kick()
        return result

    async def blocked(self, person_id: int) -> int:
        """Someone blocked the bot (Telegram's my_chat_member update): tell their supervisors."""
        recorded = await self.reminders.notify_blocked(person_id)
        if recorded:
            self.broadcaster.kick()
        return recorded


async def install_reminders(application: BaocaoApplication, config: ReminderConfig | None = None) -> ReminderScheduler:
    """Hook for ``BaocaoApplication.initialize`` (after the storage is open)."""
    scheduler = ReminderScheduler(application, config)
    application.reminders = scheduler
    await scheduler.install()
    return scheduler

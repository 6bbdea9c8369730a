"""The calendar's timetable (bot.notices.timetable) woken by python-telegram-bot's JobQueue
(APScheduler): the composition root's wiring of the notices to the running application, their
sender routing each notice to the messenger its person used last (bot.notices.routing: Telegram's
handlers.notice_sender, Zalo's handlers.zalo.notice_sender).

The timetable decides what runs when and what each moment does; this module only turns that into
jobs (not persisted: the timetable rebuilds them from SQLite at every start):

- ``baocao:startup`` (once, as soon as the application starts): ``Timetable.startup``.
- ``baocao:m:<form>:<period>:<kind>:<instant>`` (one per coming moment): ``Timetable.fire``.
- ``baocao:sweep`` (every ``sweep_seconds``): ``Timetable.sweep``.
- ``baocao:plan`` (daily, 00:05): ``Timetable.replan``.

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

from bot.notices.reminders import ReminderConfig
from bot.notices.routing import RoutingSender
from bot.notices.timetable import Plan, Timetable, Wakeup
from bot.settings import Settings
from handlers.notice_sender import TelegramNoticeSender
from handlers.zalo.client import ZaloBotClient
from handlers.zalo.notice_sender import ZaloNoticeSender
from handlers.zalo.pacing import ZaloPace

if TYPE_CHECKING:
    from bot.context import BaocaoApplication, BotContext

log = logging.getLogger(__name__)

JOB_PREFIX = "baocao:"
MOMENT_JOB = f"{JOB_PREFIX}m"
STARTUP_JOB = f"{JOB_PREFIX}startup"
SWEEP_JOB = f"{JOB_PREFIX}sweep"
PLAN_JOB = f"{JOB_PREFIX}plan"


def moment_job_name(form_id: str, period_key: str, kind: str, due_at: datetime) -> str:
    return f"{MOMENT_JOB}:{form_id}:{period_key}:{kind}:{due_at.strftime('%Y-%m-%dT%H:%M')}"


def _zalo_client(settings: Settings) -> ZaloBotClient | None:
    """The notices' own client of Zalo's Bot API, when ZALO_BOT_TOKEN is set."""
    return ZaloBotClient.from_settings(settings) if settings.zalo_bot_token is not None else None


def notice_sender(application: BaocaoApplication, zalo_client: ZaloBotClient | None) -> RoutingSender:
    """Notices to each person on the messenger they used last (bot.notices.routing): Telegram's
    sender, and Zalo's at ZALO_SEND_RATE when a Zalo client is given."""
    services = application.services
    zalo = None
    if zalo_client is not None:
        zalo = ZaloNoticeSender(zalo_client, ZaloPace(services.settings.zalo_send_rate))
    telegram = TelegramNoticeSender(application.bot) if application.telegram_runs else None
    return RoutingSender(services.storage, telegram, zalo)


class ReminderScheduler(Timetable):
    """The timetable of one application, its moments jobs of the application's JobQueue."""

    def __init__(self, application: BaocaoApplication, config: ReminderConfig | None = None) -> None:
        services = application.services
        self.zalo_client = _zalo_client(services.settings)
        super().__init__(services.storage, services.clock, services.forms, config or ReminderConfig(),
                         notice_sender(application, self.zalo_client), admin_ids=services.settings.admin_ids)
        self.application = application

    async def shutdown(self) -> None:
        await super().shutdown()
        if self.zalo_client is not None:
            await self.zalo_client.close()

    @property
    def job_queue(self) -> JobQueue[Any] | None:
        return self.application.job_queue

    async def install(self) -> None:
        """At initialize: the calendar overrides set in chat apply at once; the jobs that do the
        rest are queued (they run when the application starts)."""
        await self.load()
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

    def wake_at(self, plan: Plan) -> None:
        """One job per coming moment, replacing each form's jobs; a moment already due fires at once."""
        queue = self.job_queue
        if queue is None:
            return
        now = self.clock.now()
        for form, wakeups in plan.items():
            for job in queue.jobs(f"^{MOMENT_JOB}:{form}:"):
                job.schedule_removal()
            for wakeup in wakeups:
                name = moment_job_name(form, wakeup.period_key, wakeup.kind, wakeup.due_at)
                queue.run_once(self._moment_job, when=max(wakeup.due_at - now, timedelta(0)), name=name,
                               data=wakeup.data(),
                               job_kwargs={"id": name, "replace_existing": True, "coalesce": True,
                                           "misfire_grace_time": int(self.config.grace.total_seconds())})

    def moment_jobs(self) -> list[Job[Any]]:
        """The registered moments, in time order (for tests and the admin's view)."""
        queue = self.job_queue
        jobs = list(queue.jobs(f"^{MOMENT_JOB}:")) if queue is not None else []
        return sorted(jobs, key=lambda job: (job.data["due_at"], job.name))  # type: ignore[index]  # our jobs' data is a dict

    async def _moment_job(self, context: BotContext) -> None:
        assert context.job is not None and isinstance(context.job.data, dict)
        await self.fire(Wakeup.from_data(context.job.data))

    async def _startup_job(self, context: BotContext) -> None:
        await self.startup()

    async def _sweep_job(self, context: BotContext) -> None:
        self.sweep()

    async def _plan_job(self, context: BotContext) -> None:
        await self.replan()


async def install_reminders(application: BaocaoApplication, config: ReminderConfig | None = None) -> ReminderScheduler:
    """Hook for ``BaocaoApplication.initialize`` (after the storage is open)."""
    scheduler = ReminderScheduler(application, config)
    application.reminders = scheduler
    await scheduler.install()
    return scheduler

"""The calendar's timetable: what runs when, and what each moment does — no channel, no job queue.

SQLite is the truth; the timetable is rebuilt from it at every start:

- ``startup``: notices left ``sending`` by a crash become ``unknown``; the moments that came while
  the bot was down are fired within the grace and dropped (logged) when older; the periods of the
  next ``weeks_ahead`` weeks are stored and the coming moments are planned (``replan``); then due
  notices are sent.
- each coming moment (a ``Wakeup``), when it comes (``fire``): records the moment's notices and
  sends them.
- ``sweep`` (every ``sweep_seconds``): sends what is due — notices left for a retry, nudges and
  blocked-bot notices moved out of quiet hours.
- ``replan`` (daily): stores periods further ahead and plans their moments.

Something outside wakes it: ``wake_at`` receives the coming moments of each form replanned. Here
nothing does (whoever drives the timetable fires its moments itself, as the demo's simulation
does); the composition root's bot.scheduler wakes it with python-telegram-bot's JobQueue. The
notices leave through the channel's ``Sender`` (bot.notices.sending)."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.clock import Clock
from bot.domain.periods import PeriodSpec
from bot.notices.broadcast import Broadcaster
from bot.notices.plan import checked_spec, merge_override
from bot.notices.reminders import CatchUp, NudgeResult, ReminderConfig, Reminders, Resubmission
from bot.notices.sending import Sender
from storage import Storage

if TYPE_CHECKING:
    from bot.domain.forms import Form
    from storage.models import Submission

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Wakeup:
    """A coming moment of a stored period: when to fire it and what it is."""

    form_id: str
    period_id: int
    period_key: str
    kind: str
    due_at: datetime

    def data(self) -> dict[str, Any]:
        """As plain data (a job's payload)."""
        return {"form": self.form_id, "period_id": self.period_id, "period": self.period_key, "kind": self.kind,
                "due_at": self.due_at.isoformat()}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Wakeup:
        return cls(str(data["form"]), int(data["period_id"]), str(data["period"]), str(data["kind"]),
                   datetime.fromisoformat(str(data["due_at"])))


Plan = Mapping[str, Sequence[Wakeup]]  # form id → its coming moments, in time order


class Timetable:
    """The calendar of one bot: ``reminders`` (what is owed, in SQLite) and ``broadcaster``
    (sending it through ``sender``), woken at its moments by whoever drives it."""

    def __init__(self, storage: Storage, clock: Clock, forms: MutableMapping[str, Form], config: ReminderConfig,
                 sender: Sender, *, admin_ids: Collection[int] = ()) -> None:
        self.config = config
        self.clock = clock
        self.storage = storage
        self.admin_ids = admin_ids
        self.reminders = Reminders(storage, clock, forms, config)
        self.broadcaster = Broadcaster(sender, storage, clock, config, self.reminders)

    # -- what runs when ------------------------------------------------------------------------------

    async def load(self) -> None:
        """The calendar overrides set in chat apply at once."""
        await self.reminders.load_overrides()

    async def coming(self, form_id: str | None = None) -> dict[str, list[Wakeup]]:
        """The moments to wake up for, per form (stored periods, created as needed): those not yet
        handled, from the grace ago on (one already due is to be fired at once)."""
        now = self.clock.now()
        plan: dict[str, list[Wakeup]] = {}
        for form in [form_id] if form_id else self.reminders.form_ids():
            wakeups = plan.setdefault(form, [])
            for period in await self.reminders.ensure_periods(form, now):
                for moment in await self.reminders.unhandled(form, period):
                    if moment.due_at >= now - self.config.grace:
                        wakeups.append(Wakeup(form, period.id, period.key, moment.kind, moment.due_at))
        return plan

    async def replan(self, form_id: str | None = None) -> None:
        """Plan the coming moments again (of one form, or of all) and hand them to ``wake_at``."""
        self.wake_at(await self.coming(form_id))

    def wake_at(self, plan: Plan) -> None:
        """Be woken at these moments (each form's replace what it had). Nothing wakes this one."""

    # -- lifecycle ------------------------------------------------------------------------------------

    async def startup(self) -> CatchUp:
        """Catch up, plan ahead, send what is due."""
        report = await self.reminders.catch_up(self.clock.now())
        await self.replan()
        self.broadcaster.kick()
        return report

    def sweep(self) -> None:
        """Send what is due now (retries, notices moved out of quiet hours), in the background."""
        self.broadcaster.kick()

    def hold(self) -> None:
        """Take no new notice (the bot is stopping); the sends in flight go on."""
        self.broadcaster.hold()

    async def shutdown(self) -> None:
        """Let the sends in flight finish; the rest stays pending for the next start."""
        await self.broadcaster.stop(self.config.stop_timeout)

    async def fire(self, wakeup: Wakeup) -> int:
        """A moment came: record its notices, then send them; how many were recorded."""
        period = await self.storage.periods.get_by_id(wakeup.period_id)
        if period is None:
            return 0
        recorded = await self.reminders.fire(period, wakeup.kind, wakeup.due_at)
        self.broadcaster.kick()
        return recorded

    # -- what people do in chat -------------------------------------------------------------------------

    async def change_calendar(self, form_id: str, change: dict[str, Any] | None, *, by: int | None) -> PeriodSpec:
        """An admin's change (None: back to the form file): stored, applied to the coming
        periods, moments replanned; moments it puts in the past are not sent late.
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
        await self.replan(form_id)
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
        result = await self.reminders.notify_resubmitted(submission, admins=self.admin_ids)
        if result is not None and result.recorded:
            self.broadcaster.kick()
        return result

    async def blocked(self, person_id: int) -> int:
        """Someone blocked the bot (the channel said so): tell their supervisors."""
        recorded = await self.reminders.notify_blocked(person_id)
        if recorded:
            self.broadcaster.kick()
        return recorded

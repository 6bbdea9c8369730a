"""Sending the recorded notices: each person gets each notice once, at the channel's pace.

The sender takes the notices that are due (``storage.notices.due``), checks each again
(``compose``: a commune that submitted, a person on leave or who blocked the bot, a revoked
membership — the notice is dropped; its words and choices come from bot.notices.wording), and
hands it to the channel through the port of bot.notices.sending (on Telegram:
handlers.notice_sender, whose ``PacedRateLimiter`` keeps Telegram's limits, 30/s overall and
1/s per chat). Several are in flight at once (``max_in_flight``), ordered so that one chat's
notices are spread out. Nothing here knows the channel: only the port's outcomes.

Exactly once — the choice
-------------------------
Telegram's Bot API has no idempotency key, and a bot cannot ask whether a message arrived.
So every notice is recorded before anything is sent (``record_due``), and each send is:

1. ``claim`` (pending → sending), committed on the request's turn, right before the request
   leaves (the channel calls ``Turn.take``; on Telegram in the rate limiter) — never while it
   waits for its turn;
2. the request;
3. ``mark_sent`` with the channel's message id once the channel confirms (``Sent``); or, when
   it answers "not done" (``RetryLater``: 429 RetryAfter, 5xx) or the request never left
   (connection refused, pool timeout), ``release`` (back to pending): tried again after the
   wait the channel asked for (or 0.5, 1, 2 … s) up to ``tries_per_round`` times, then by the
   next sweep. A try that waits sits in the queue, not in a worker: the rest of the list goes
   on meanwhile.

A notice whose answer never came (``Unknown``: read timeout, the connection dropped; or the
process killed between 1 and 3) may have been delivered: it is marked ``unknown`` and **not sent again** — at
most once. For a reminder a rare missing message is the lesser harm (the next reminder, the
deadline notice and the supervisor's list follow), and the issue asks for "never twice". The
window is small: a kill loses a notice only between the claim's commit and the request reaching
Telegram (about a millisecond, measured from the commit to the sandbox receiving it, of the
34 ms between sends: roughly one kill in thirty loses one notice — tests/faults/
test_kill_broadcast.py); between the request and the record it costs nothing (the message
arrived once). Sends wait ``send_timeout`` (20 s) for Telegram's answer,
far longer than a slow answer takes, so ambiguity is rare; ``REMINDERS_RETRY_AMBIGUOUS=true``
switches to at least once. At start, notices left ``sending`` by a crash are marked
``unknown`` (``Reminders.catch_up``) before anything is sent.

A ``Blocked`` outcome (Telegram's 403) marks the person as having blocked the bot
(``people.set_blocked``) and records one notice to the province's supervisors
(``Reminders.notify_blocked``), sent in the same run.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.chat.access import identity_of
from bot.chat.replies import Message
from bot.clock import Clock
from bot.notices import wording
from bot.notices.plan import (
    BLOCKED,
    ESCALATION,
    REPORTER_KINDS,
    RESUBMITTED,
    UNREACHABLE,
)
from bot.notices.reminders import ReminderConfig
from bot.notices.sending import Blocked, Gone, NotYet, RetryLater, Sender, Sent, Unknown, Withheld
from storage import Storage
from storage.models import Notice, Period, Person, Role, Submission, SubmissionStatus

if TYPE_CHECKING:
    from bot.domain.forms import Field, Form
    from bot.notices.reminders import Reminders

log = logging.getLogger(__name__)

PAGE = 250  # notices read at a time
unit_names = wording.unit_names


@dataclass(frozen=True)
class Skip:
    reason: str


# --- composing, with the checks made at send time (the words: bot.notices.wording) ---------------


async def compose(storage: Storage, notice: Notice, today: date,
                  forms: Mapping[str, Form] | None = None) -> Message | Skip:
    """The message for a notice, or why it is no longer to be sent (``forms``: the name of the
    period's report, the labels of the items a resubmission changed)."""
    payload: dict[str, Any] = notice.payload if isinstance(notice.payload, dict) else {}
    person: Person | None = None
    if notice.person_id is not None:
        person = await storage.people.get(notice.person_id)
        if person is None:
            return Skip("person removed")
        if not person.active:
            return Skip("blocked the bot")
        if person.is_paused(today):
            return Skip("on leave")
    period = await storage.periods.get_by_id(notice.period_id) if notice.period_id is not None else None
    form = (forms or {}).get(period.form_id) if period is not None else None  # names the period's report
    if notice.kind in REPORTER_KINDS:
        if period is None or notice.person_id is None:
            return Skip("no period")
        return await _to_reporter(storage, notice, period, payload, form)
    if notice.kind == ESCALATION and period is not None:
        return await _escalation(storage, period, payload, today, form)
    if notice.kind == UNREACHABLE and period is not None:
        return await _unreachable(storage, period, payload, form)
    if notice.kind == BLOCKED:
        return await _blocked(storage, payload)
    if notice.kind == RESUBMITTED and person is not None:
        return await _resubmitted(storage, person, payload, forms or {})
    return Skip(f"unknown kind {notice.kind}")


async def _unsubmitted(storage: Storage, period: Period, codes: Sequence[str]) -> list[str]:
    if len(codes) > 20:
        submitted = {s.unit_code for s in await storage.submissions.list_latest_for_period(period.id)}
        return [code for code in codes if code not in submitted]
    return [code for code in codes if await storage.submissions.latest(period.id, code) is None]


async def _to_reporter(storage: Storage, notice: Notice, period: Period, payload: dict[str, Any],
                       form: Form | None = None) -> Message | Skip:
    assert notice.person_id is not None
    memberships = await storage.people.memberships_of(notice.person_id)
    mine = {m.unit_code for m in memberships if m.role == Role.REPORTER and m.revoked_at is None}
    codes = [code for code in payload.get("units", []) if code in mine]
    if not codes:
        return Skip("no longer a reporter there")
    codes = await _unsubmitted(storage, period, codes)
    if not codes:
        return Skip("already submitted")
    units = await storage.units.get_many(codes)
    return wording.to_reporter(notice.kind, period, units, codes, form)


async def _escalation(storage: Storage, period: Period, payload: dict[str, Any], today: date,
                      form: Form | None = None) -> Message:
    province_code = str(payload.get("province", ""))
    province = await storage.units.get(province_code)
    where = province.full_name if province else province_code
    total = int(payload.get("total", 0))
    found = await storage.missing.for_period(period.id, province_code)
    missing = found.only(payload.get("units", []))
    if not missing:
        return wording.escalation(period, where, total, [], province_code, form)
    lines = [(commune.unit.full_name, commune.can_be_reached(today)) for commune in missing]
    return wording.escalation(period, where, total, lines, province_code, form)


async def _unreachable(storage: Storage, period: Period, payload: dict[str, Any],
                       form: Form | None = None) -> Message | Skip:
    codes = await _unsubmitted(storage, period, list(payload.get("units", [])))
    if not codes:
        return Skip("already submitted")
    units = await storage.units.get_many(codes)
    return wording.unreachable(period, unit_names(units, codes), form)


async def _blocked(storage: Storage, payload: dict[str, Any]) -> Message:
    codes = list(payload.get("units", []))
    units = await storage.units.get_many(codes)
    return wording.blocked(str(payload.get("name") or "") or None, unit_names(units, codes))


def changed_lines(before: Submission, after: Submission, fields: Sequence[Field]) -> list[str]:
    """The fields (in form order) whose answers differ, "label: old → new"."""
    lines = []
    for item in fields:
        old, new = before.answers.get(item.id), after.answers.get(item.id)
        if old != new:
            lines.append(wording.changed_line(item.button_label, old, new, item.kind))
    return lines


async def _resubmitted(storage: Storage, person: Person, payload: dict[str, Any],
                       forms: Mapping[str, Form]) -> Message | Skip:
    """A report the province returned came back: what changed, with «Xem báo cáo» and «Duyệt».
    Dropped when it was approved or returned again meanwhile (a report sent again after that
    return has its own notice); a plain correction sent since is the one shown."""
    new = await storage.submissions.get(int(payload.get("submission", 0)))
    returned = await storage.submissions.get(int(payload.get("returned", 0)))
    if new is None or returned is None:
        return Skip("submission removed")
    versions = await storage.submissions.versions(new.period_id, new.unit_code)
    latest = versions[-1]
    if latest.status == SubmissionStatus.APPROVED:
        return Skip("already approved")
    if any(v.status == SubmissionStatus.RETURNED for v in versions if v.version >= new.version):
        return Skip("returned again")
    unit = await storage.units.get(new.unit_code)
    period = await storage.periods.get_by_id(new.period_id)
    if unit is None or period is None:
        return Skip("no unit or period")
    recipient = await identity_of(storage, person, configured_admin=bool(payload.get("configured_admin")))
    if not recipient.can_supervise(unit.province_code):
        return Skip("no longer follows the province")
    returner = await storage.people.get(returned.status_by) if returned.status_by is not None else None
    form = forms.get(period.form_id)
    return wording.resubmitted(
        unit, period, latest.version, to_returner=bool(payload.get("to_returner")),
        returner=returner.full_name if returner else None, reason=returned.status_reason,
        changes=changed_lines(returned, latest, form.fields if form is not None else ()),
        explained=latest.explanations != returned.explanations, submission_id=latest.id, form=form)


# --- sending -----------------------------------------------------------------------------------


@dataclass
class DrainReport:
    sent: int = 0
    dropped: int = 0
    failed: int = 0
    unknown: int = 0
    later: int = 0  # to be retried by the next sweep
    blocked: int = 0
    stale: int = 0
    retries: int = 0

    def add(self, other: DrainReport) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _Claim:
    """One notice's claim (pending → sending): the port's ``Turn``, taken by the channel on the
    request's turn and given back when the channel answered "not done"."""

    notices: Any
    notice_id: int
    clock: Clock
    held: bool = False

    async def take(self) -> bool:
        if not self.held:
            self.held = await self.notices.claim(self.notice_id, self.clock.now())
        return self.held

    async def give_back(self) -> None:
        if self.held:
            await self.notices.release(self.notice_id)
            self.held = False


def backoff(attempt: int) -> float:
    """Seconds before the next try when the channel asked no wait: 0.5, 1, 2, 4 … up to 8."""
    return min(8.0, 0.5 * 2.0 ** (attempt - 1))


class SimulatedCrash(BaseException):
    """For tests: the process dies at this point (not caught by the sender)."""


AfterSend = Callable[[Notice, Sent], Awaitable[None]]


@dataclass
class Broadcaster:
    """Sends due notices in the background (``kick``) or now (``drain``); ``stop`` lets the
    sends in flight finish and leaves the rest pending for the next start."""

    sender: Sender  # the channel (bot.notices.sending)
    storage: Storage
    clock: Clock
    config: ReminderConfig
    reminders: Reminders
    after_send: AfterSend | None = None  # test seam: the channel confirmed, not yet marked sent
    totals: DrainReport = field(default_factory=DrainReport)
    _task: asyncio.Task[None] | None = None
    _again: bool = False
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _failing: int = 0  # notices given up for this round in a row

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def kick(self) -> None:
        """Send what is due, in the background; a kick while sending makes it look again after."""
        if self._stopping.is_set():
            return
        if self.running:
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._run(), name="baocao-notices")

    async def _run(self) -> None:
        while True:
            self._again = False
            try:
                await self.drain()
            except Exception:
                log.exception("sending notices failed; the next sweep tries again")
            if not self._again or self._stopping.is_set():
                return

    async def wait_idle(self) -> None:
        """Wait until the background sending (if any) is done; a crash in it is raised here."""
        while self._task is not None and not self._task.done():
            await asyncio.wait({self._task})
        if self._task is not None and self._task.done() and not self._task.cancelled():
            error = self._task.exception()
            if error is not None:
                raise error

    def hold(self) -> None:
        """Take no new notices (the workers end after the send they are at); ``stop`` waits for them."""
        self._stopping.set()

    async def stop(self, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Take no new notices; wait for those in flight (then they are marked), cancel after ``timeout``."""
        self._stopping.set()
        task = self._task
        if task is None or task.done():
            return
        done, _ = await asyncio.wait({task}, timeout=timeout if timeout is not None else self.config.stop_timeout)
        if not done:
            log.warning("notices still in flight at shutdown were cut off; they are marked unknown at the next start")
            task.cancel()
            await asyncio.wait({task})
        elif not task.cancelled() and task.exception() is not None:
            log.debug("the sending task had ended with an error", exc_info=task.exception())

    async def drain(self) -> DrainReport:
        """Send every notice due now (each looked at once per drain; failures wait for the next)."""
        report = DrainReport()
        report.stale = await self.storage.notices.drop_stale(self.clock.now(), self.config.grace)
        if report.stale:
            log.warning("%d pending notices older than %s dropped", report.stale, self.config.grace)
        due = _DueQueue(self.storage, self.clock, self.config)
        await self._deliver_all(due, report)
        report.later += due.abandon()  # tries waiting when the round ended: the next sweep sends them
        self.totals.add(report)
        if report.sent or report.failed or report.unknown or report.later:
            log.info("notices: %d sent, %d dropped, %d failed, %d unknown, %d for later",
                     report.sent, report.dropped, report.failed, report.unknown, report.later)
        return report

    async def _deliver_all(self, due: _DueQueue, report: DrainReport) -> None:
        crashed: list[BaseException] = []
        self._failing = 0

        async def worker() -> None:
            while not crashed and not self._stopping.is_set() and self._failing < self.config.breaker:
                taken = await due.next(self._stopping)
                if taken is None:
                    return
                notice, attempt = taken
                try:
                    again = await self._deliver(notice, report, attempt)
                    if again is not None:
                        delay, next_attempt = again
                        due.try_again(notice, next_attempt, delay)
                except Exception:
                    log.exception("notice %d could not be handled", notice.id)
                except BaseException as error:
                    crashed.append(error)
                    raise

        workers = [asyncio.create_task(worker()) for _ in range(self.config.max_in_flight)]
        try:
            await asyncio.wait(workers)
        except asyncio.CancelledError:
            for task in workers:
                task.cancel()
            await asyncio.wait(workers, timeout=1.0)  # their writes in progress end (rolled back) first
            raise
        for task in workers:  # a crash is raised once, below; the tasks' copies are retrieved here
            if not task.cancelled():
                task.exception()
        if crashed:
            raise crashed[0]
        if self._failing >= self.config.breaker:
            log.warning("%d notices in a row could not be sent (is the channel down?); the rest wait for the next sweep",
                        self._failing)

    async def _deliver(self, notice: Notice, report: DrainReport, attempt: int = 1) -> tuple[float, int] | None:
        """One try at a notice: seconds to wait before the next try and which try that is, or None
        when it is done with for this round (sent, dropped, failed, unknown, or left for the next
        sweep). A channel whose pace has no room yet (``NotYet``) gets the same try later."""
        notices = self.storage.notices
        outgoing = await compose(self.storage, notice, self.clock.now().date(), self.reminders.forms)
        if isinstance(outgoing, Skip):
            if await notices.mark_dropped(notice.id, outgoing.reason):
                report.dropped += 1
            return None
        claim = _Claim(notices, notice.id, self.clock)
        outcome = await self.sender.send(notice.chat_id, outgoing, claim, answer_within=self.config.send_timeout)
        match outcome:
            case Sent():
                if self.after_send is not None:
                    await self.after_send(notice, outcome)
                await notices.mark_sent(notice.id, self.clock.now(), outcome.message_id)
                report.sent += 1
                self._failing = 0
                return None
            case Withheld():
                return None  # sent, dropped or being sent by someone else meanwhile
            case NotYet():
                return outcome.seconds, attempt  # nothing left; the worker takes other notices meanwhile
            case Blocked():
                await notices.mark_failed(notice.id, f"blocked: {outcome.detail}", max_attempts=1)
                report.failed += 1
                report.blocked += 1
                await self._blocked(notice)
                return None
            case Gone():
                await notices.mark_failed(notice.id, outcome.detail, max_attempts=1)
                report.failed += 1
                log.warning("notice %d to chat %d refused by the channel: %s", notice.id, notice.chat_id,
                            outcome.detail)
                return None
            case Unknown() if not self.config.retry_ambiguous:
                await notices.mark_unknown(notice.id, f"no answer: {outcome.detail}")
                report.unknown += 1
                log.warning("notice %d to chat %d: the channel's answer never came (%s); it may have been "
                            "delivered and is not sent again", notice.id, notice.chat_id, outcome.detail)
                return None
        # not done (or, with retry_ambiguous, perhaps done): pending again
        asked = outcome.seconds if isinstance(outcome, RetryLater) else None
        await claim.give_back()
        prior = (await notices.get(notice.id) or notice).attempts
        if attempt >= self.config.tries_per_round or self._stopping.is_set() \
                or prior + 1 >= self.config.max_attempts:
            released = await notices.mark_failed(notice.id, outcome.detail, max_attempts=self.config.max_attempts)
            if released is not None and released.status == "failed":
                report.failed += 1
            else:
                report.later += 1
            self._failing += 1
            return None
        await notices.note_attempt(notice.id, outcome.detail)
        report.retries += 1
        return (asked if asked is not None else backoff(attempt)), attempt + 1

    async def _blocked(self, notice: Notice) -> None:
        person_id = notice.person_id
        if person_id is None:
            person = await self.storage.people.get_by_telegram_id(notice.chat_id)
            person_id = person.id if person else None
        if person_id is None:
            return
        await self.storage.people.set_blocked(person_id, self.clock.now())
        recorded = await self.reminders.notify_blocked(person_id)
        log.info("chat %d blocked the bot; %d supervisors to be told", notice.chat_id, recorded)


class _DueQueue:
    """The notices due now, a page at a time, each handed out once per drain, and the tries
    after a "not done" answer once their wait is over. The next page is read as soon as the
    last notice of this one is taken, while the sends in flight finish: the list never waits
    for its slowest send, and a chat waiting out a 429 holds no worker. A page also takes what
    was recorded meanwhile (a supervisor told of a blocked bot is told in the same run)."""

    def __init__(self, storage: Storage, clock: Clock, config: ReminderConfig) -> None:
        self.storage = storage
        self.clock = clock
        self.config = config
        self._seen: set[int] = set()
        self._queue: list[Notice] = []  # the next to send at the end
        self._waiting: list[tuple[float, int, Notice, int]] = []  # heap: (when, order, notice, attempt)
        self._order = itertools.count()
        self._lock = asyncio.Lock()
        self._added = asyncio.Event()

    def try_again(self, notice: Notice, attempt: int, delay: float) -> None:
        when = asyncio.get_running_loop().time() + delay
        heapq.heappush(self._waiting, (when, next(self._order), notice, attempt))
        self._added.set()

    async def next(self, stopping: asyncio.Event) -> tuple[Notice, int] | None:
        """The next notice and which try it is; None when nothing is left (or on stopping)."""
        loop = asyncio.get_running_loop()
        while not stopping.is_set():
            async with self._lock:
                if self._waiting and self._waiting[0][0] <= loop.time():
                    _, _, notice, attempt = heapq.heappop(self._waiting)
                    return notice, attempt
                if not self._queue:
                    await self._read_page()
                if self._queue:
                    return self._queue.pop(), 1
                if not self._waiting:
                    return None
                wait = self._waiting[0][0] - loop.time()
                self._added.clear()
            # a try whose wait is not over: sleep until it is (or an earlier one is added, or stop)
            waiters = {asyncio.ensure_future(self._added.wait()), asyncio.ensure_future(stopping.wait())}
            _, pending = await asyncio.wait(waiters, timeout=max(wait, 0), return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
        return None

    def abandon(self) -> int:
        """The tries still waiting (the round ended): how many, left pending for the next sweep."""
        count = len(self._waiting)
        self._waiting.clear()
        return count

    async def _read_page(self) -> None:
        # seen notices still pending (given back for a later try) are skipped: read past them
        rows = await self.storage.notices.due(self.clock.now(), self.config.grace, limit=PAGE + len(self._seen))
        fresh = [n for n in rows if n.id not in self._seen]
        self._seen.update(n.id for n in fresh)
        self._queue = list(reversed(spread_by_chat(fresh)))


def spread_by_chat(notices: Sequence[Notice]) -> list[Notice]:
    """Due order, except that a chat's second notice comes after every chat's first (so the
    per-chat pace of one chat never holds up the others)."""
    by_chat: OrderedDict[int, list[Notice]] = OrderedDict()
    for notice in notices:
        by_chat.setdefault(notice.chat_id, []).append(notice)
    spread: list[Notice] = []
    round_ = 0
    while len(spread) < len(notices):
        for chat_notices in by_chat.values():
            if round_ < len(chat_notices):
                spread.append(chat_notices[round_])
        round_ += 1
    return spread

"""`python -m bot demo --simulate`: a whole reporting week of a province, played at accelerated time.

The real bot (the Application of ``bot.app``, long-polling an in-process sandbox) runs on a
FakeClock that jumps from one moment of the week to the next. Every commune has an official, bound
by a real invitation, who answers through the sandbox as a person would: by /baocao, one question at
a time or all the figures in one message, then the texts. The plan, drawn from ``--seed``, decides who
reports on time, who late and who never, and who makes a slip the checks catch (a part larger than its
whole, a figure typed ten times too large, figures that do not balance) and then fixes or explains it.
The calendar's moments (opening prompt, reminders, deadline, escalation to the supervisor) are fired
through the reminder scheduler at their times; after the week the provincial rollup is produced.
A share of the communes (``zalo_share``, --zalo-share) reports on Zalo: their officials are users of
the sandbox's Zalo side who type the options' keys (bot.demo.zalo_official); their notices go to Zalo.

What it leaves in the output folder: each commune's .docx as the official received it in chat, the
rollup's .docx, .xlsx and chart, a summary (tom-tat.txt) and the database of the week."""

from __future__ import annotations

import asyncio
import logging
import random
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from pydantic import SecretStr

from bot.administering.units import normalize_province_code, official_units
from bot.chat.catalogue import say
from bot.clock import FakeClock
from bot.demo.figures import COUNT_FIELDS, format_thousands, profile_for, rng_for, week_answers
from bot.demo.screens import read, shows
from bot.demo.script import script
from bot.demo.seed import DEMO_FORM, DEMO_PEOPLE, DemoPerson, bind_person, seed_history
from bot.demo.zalo_official import ZaloOfficial
from bot.domain.arguments import keywords
from bot.domain.calendar import weekday_vi
from bot.domain.forms import Form
from bot.domain.numbers import format_date
from bot.domain.periods import PeriodInfo, open_periods, period_label
from bot.driver import DrivenBot
from bot.notices.timetable import Timetable, Wakeup
from bot.reporting.periods import ensure_period
from bot.settings import Settings
from sandbox import Limits, SandboxClient, SandboxServer
from storage import Storage
from storage.models import Period, Role, Unit, UnitKind

log = logging.getLogger(__name__)

SIM_TOKEN = "777001:sandbox-simulation"
SIM_ZALO_TOKEN = "777002:sandboxZaloSimulation"
ZALO_SHARE = 0.3  # the communes on Zalo by default
HISTORY_WEEKS = 4
FIRST_OFFICIAL_ID = 300_001
CONCURRENCY = 6
REPLY_TIMEOUT = 30.0

ON_TIME, LATE, NEVER = "on_time", "late", "never"
HARD, TYPO, EXPLAIN = "hard", "typo", "explain"
SLIP_LABELS = {HARD: "demo.slip_hard", TYPO: "demo.slip_typo", EXPLAIN: "demo.slip_explain"}  # catalogue keys
EXPLAIN_REASON = script().typed.explain_reason


# --- the plan -----------------------------------------------------------------------------------


@dataclass
class OfficialPlan:
    unit: Unit
    telegram_id: int
    first_name: str
    last_name: str
    timing: str  # on_time | late | never
    at: datetime | None  # when they sit down to report
    style: str  # "bulk": all figures in one message; "step": one question at a time
    slip: str | None
    answers: dict[str, Any]  # what ends up in the report
    first_tries: dict[str, int] = field(default_factory=dict)  # the slip: a wrong figure typed first
    zalo_id: str | None = None  # on Zalo (bot.demo.zalo_official): types the options' keys; no slip

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name}"


@dataclass
class OfficialResult:
    plan: OfficialPlan
    submitted: bool = False
    caught: list[str] = field(default_factory=list)  # checks that stopped them (ids), in order
    refused: int = 0  # answers refused by a hard rule
    explained: list[str] = field(default_factory=list)
    docx: Path | None = None
    messages: int = 0
    started_from: str = "/baocao"
    error: str | None = None


@dataclass
class SimulationResult:
    out: Path
    province: Unit
    period: Period
    plans: list[OfficialPlan]
    results: dict[str, OfficialResult]
    planned: dict[str, int]
    actual: dict[str, int]
    notices: dict[str, int]
    files: dict[str, Path]
    missing: list[str]  # what could not be played, in words
    issues: list[str] = field(default_factory=list)  # what the people ran into and worked around
    rollup_counts: dict[str, int] | None = None
    approved: int = 0  # reports the supervisor approved in chat
    rollup_approved: int | None = None  # as the rollup counted them
    elapsed: float = 0.0


def _name(rng: random.Random) -> tuple[str, str]:
    names = script().names
    female = rng.random() < 0.55
    last = f"{rng.choice(names.family)} {rng.choice(names.middle_female if female else names.middle_male)}"
    return rng.choice(names.given_female if female else names.given_male), last


def make_plans(communes: list[Unit], info: PeriodInfo, form: Form, history: dict[str, dict[str, Any]],
               seed: int, zalo_share: float = 0.0) -> list[OfficialPlan]:
    """Who reports when and how: about 70% on time, 20% late, 10% never; a slip for one in five;
    ``zalo_share`` of the communes on Zalo (at least one when the share is above 0)."""
    rng = random.Random(f"{seed}|plan")
    on_zalo = set(random.Random(f"{seed}|zalo").sample(
        range(len(communes)), min(len(communes), max(1, round(len(communes) * zalo_share)))) if zalo_share > 0
        else [])
    count = len(communes)
    never = max(1, round(count * 0.1)) if count >= 4 else 0
    late = max(1, round(count * 0.2)) if count >= 3 else 0
    timings = [NEVER] * never + [LATE] * late + [ON_TIME] * (count - never - late)
    rng.shuffle(timings)
    reporters = [i for i, t in enumerate(timings) if t != NEVER and i not in on_zalo]  # slips: on Telegram
    slips: dict[int, str] = {}
    slip_kinds = [HARD, TYPO, EXPLAIN]
    for n, index in enumerate(rng.sample(reporters, min(len(reporters), max(3, count // 5) if count >= 6 else
                                                        min(len(reporters), 1)))):
        slips[index] = slip_kinds[n % len(slip_kinds)]
    opens, deadline = info.opens_at, info.deadline_at
    on_time_slots = _slots(opens + timedelta(minutes=30), deadline - timedelta(minutes=30))
    late_slots = _slots(deadline + timedelta(hours=1), deadline + timedelta(hours=26), working_hours=True)
    plans = []
    for index, unit in enumerate(communes):
        crng = rng_for(seed, "official", unit.code)
        first, last = _name(crng)
        carried = _pending(history.get(unit.code)) if unit.code in history else None
        profile = profile_for(unit, seed)
        answers = week_answers(profile, carried if carried is not None else round(profile.weekly * 0.35),
                               rng_for(seed, "week", unit.code, info.key))
        timing = timings[index]
        at = None if timing == NEVER else crng.choice(on_time_slots if timing == ON_TIME else late_slots)
        slip = slips.get(index)
        # a figure typed ten times too large is caught as it is typed, one question at a time
        style = "step" if slip == TYPO else ("bulk" if crng.random() < 0.6 else "step")
        plan = OfficialPlan(unit=unit, telegram_id=FIRST_OFFICIAL_ID + index, first_name=first, last_name=last,
                            timing=timing, at=at, style=style, slip=slip, answers=answers,
                            zalo_id=f"zalo-sim-{unit.code}" if index in on_zalo else None)
        _apply_slip(plan)
        plans.append(plan)
    return plans


def _slots(start: datetime, end: datetime, working_hours: bool = True) -> list[datetime]:
    """Half-hour slots between start and end, in office hours (07:30–11:30, 13:30–17:00)."""
    slots = []
    at = start.replace(minute=0 if start.minute < 30 else 30, second=0, microsecond=0)
    while at <= end:
        minutes = at.hour * 60 + at.minute
        if at >= start and (not working_hours or 450 <= minutes <= 690 or 810 <= minutes <= 1020):
            slots.append(at)
        at += timedelta(minutes=30)
    return slots or [start]


def _pending(answers: dict[str, Any] | None) -> int | None:
    if answers is None:
        return None
    return int(answers.get("pending_in_time", 0)) + int(answers.get("pending_overdue", 0))


def _apply_slip(plan: OfficialPlan) -> None:
    a = plan.answers
    if plan.slip == HARD:  # digitized typed larger than what came in: refused, then typed right
        new = sum(a[f] for f in ("received_online_full", "received_online_partial", "received_in_person",
                                 "received_postal"))
        plan.first_tries["digitized"] = new + 10 + a["digitized"]
    elif plan.slip == TYPO:  # an extra digit: 179 becomes 1794
        field_id = "received_online_full" if a["received_online_full"] >= 10 else "received_in_person"
        plan.first_tries[field_id] = a[field_id] * 10 + 4
    elif plan.slip == EXPLAIN:  # two dossiers more pending than the balance allows; kept with a reason
        a["pending_in_time"] += 2


# --- an official in the sandbox -----------------------------------------------------------------


def _buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    markup = message.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]


def _verb(message: dict[str, Any], verb: str) -> str | None:
    for _, data in _buttons(message):
        parts = data.split(":")
        if len(parts) >= 3 and parts[0] == "r" and parts[2] == verb:
            return data
    return None


def _asked_field(message: dict[str, Any]) -> str | None:
    for _, data in _buttons(message):
        parts = data.split(":")
        if len(parts) == 4 and parts[0] == "r" and parts[2] in {"z", "s", "n", "k"}:
            return parts[3]
    return None


def _is_screen(message: dict[str, Any]) -> bool:
    text = message.get("text") or ""
    return (any(d.startswith("r:") for _, d in _buttons(message)) or shows(text, "reporting.ask_reason")
            or shows(text, "reporting_entry.ask_reason_all"))


class Official:
    """One official, acting through the sandbox's control API only."""

    def __init__(self, client: SandboxClient, plan: OfficialPlan, form: Form, out: Path,
                 from_notice: bool = False) -> None:
        self.from_notice = from_notice  # the bot handles the «Nhập báo cáo» button of its notices
        self.client = client
        self.plan = plan
        self.form = form
        self.out = out
        self.result = OfficialResult(plan)
        self.rng = rng_for(plan.telegram_id, "habits")
        self.tried: set[str] = set()
        self.last_id = 0

    @property
    def chat(self) -> int:
        return self.plan.telegram_id

    async def _screen(self) -> dict[str, Any]:
        message = await self.client.wait_for_bot_message(self.chat, after_message_id=self.last_id,
                                                         timeout=REPLY_TIMEOUT, predicate=_is_screen)
        self.last_id = message["message_id"]
        self.result.messages += 1
        return message

    async def _say(self, text: str) -> dict[str, Any]:
        await self.client.send_text(self.chat, text)
        return await self._screen()

    async def _tap(self, message: dict[str, Any], data: str) -> dict[str, Any]:
        await self.client.tap(self.chat, message["message_id"], data=data)
        return await self._screen()

    def _value(self, field_id: str) -> Any:
        """What they type for a figure: the slip the first time, the right figure after."""
        if field_id in self.plan.first_tries and field_id not in self.tried:
            self.tried.add(field_id)
            return self.plan.first_tries[field_id]
        return self.plan.answers[field_id]

    def _typed(self, value: int) -> str:
        roll = self.rng.random()
        if roll < 0.15 and value >= 1000:
            return script().typed.figure_with_unit.format(value=value)
        return format_thousands(value)

    async def report(self) -> OfficialResult:
        existing = await self.client.bot_messages(self.chat)
        self.last_id = max((m["message_id"] for m in existing), default=0)
        notice = next((m for m in reversed(existing) if any(d.startswith("open:") for _, d in _buttons(m))), None)
        try:
            if self.from_notice and notice is not None and self.rng.random() < 0.6:
                self.result.started_from = "notice"
                opener = next(d for _, d in _buttons(notice) if d.startswith("open:"))
                screen: dict[str, Any] | None = await self._tap(notice, opener)  # «📝 Nhập báo cáo» under the prompt or reminder
            else:
                screen = await self._say("/baocao")
            for _ in range(80):  # until the conversation has nothing more to ask
                if screen is None:
                    break
                screen = await self._step(screen)
        except (TimeoutError, OSError) as exc:
            self.result.error = f"{type(exc).__name__}: {exc}"
        return self.result

    async def _step(self, screen: dict[str, Any]) -> dict[str, Any] | None:
        text = screen.get("text") or ""
        if shows(text, "reporting.not_saved") or shows(text, "reporting.early") or (
                shows(text, "reporting.bulk_refused") and shows(text, "reporting.bulk_filled")):
            self.result.refused += 1
        if shows(text, "reporting.submitted"):
            self.result.submitted = True
            await self._collect_file()
            return None
        field_id = _asked_field(screen)
        if field_id is not None:
            return await self._answer(screen, field_id)
        keep, fix = _verb(screen, "g"), _verb(screen, "f")
        if keep and fix:
            check = keep.split(":", 3)[3]
            self.result.caught.append(check)
            if self.plan.slip == EXPLAIN and check.startswith("balance"):
                return await self._tap(screen, keep)
            if any(f in self.plan.first_tries for f in self.form.check_inputs(check.split(":")[0]))\
                    or check.split(":", 1)[-1] in self.plan.first_tries:
                return await self._tap(screen, fix)
            return await self._tap(screen, keep)  # a warning not planned: keep, with a reason
        keep_all = _verb(screen, "a")
        if keep_all:  # several warnings at once: a planned slip is fixed, else all kept with one reason
            checks = [d.split(":", 3)[3] for _, d in _buttons(screen) if d.split(":")[2:3] == ["f"]]
            self.result.caught.extend(checks or ["several"])
            fix_slip = next((d for _, d in _buttons(screen) if d.split(":")[2:3] == ["f"]
                             and d.split(":", 3)[3].split(":", 1)[-1] in self.plan.first_tries), None)
            return await self._tap(screen, fix_slip or keep_all)
        if shows(text, "reporting.ask_reason") or shows(text, "reporting_entry.ask_reason_all"):
            reason = EXPLAIN_REASON if self.plan.slip == EXPLAIN else script().typed.kept_reason
            self.result.explained.append(reason)
            return await self._say(reason)
        submit = _verb(screen, "u")
        if submit:
            return await self._tap(screen, submit)
        resume = _verb(screen, "c")
        if resume:
            return await self._tap(screen, resume)
        raise TimeoutError(f"unexpected screen for {self.plan.unit.full_name}: {text[:80]!r}")

    async def _answer(self, screen: dict[str, Any], field_id: str) -> dict[str, Any]:
        f = self.form.field(field_id)
        if f.kind == "count":
            if self.plan.style == "bulk" and field_id == "carried_over" \
                    and not shows(screen.get("text") or "", "reporting.current"):
                return await self._say(self._bulk_text())
            value = self._value(field_id)
            suggestion = _verb(screen, "s")
            as_before = say("reporting.as_before", value=format_thousands(value))
            if suggestion and value == self.plan.answers[field_id] and \
                    any(as_before in label for label, _ in _buttons(screen)) and self.rng.random() < 0.7:
                return await self._tap(screen, suggestion)
            if value == 0 and _verb(screen, "z") and self.rng.random() < 0.6:
                return await self._tap(screen, str(_verb(screen, "z")))
            return await self._say(self._typed(int(value)))
        nothing = say("reporting.none_answer")
        value = self.plan.answers.get(field_id) or nothing
        if value == nothing and _verb(screen, "n"):
            return await self._tap(screen, str(_verb(screen, "n")))
        same = _verb(screen, "s")
        if same and self.plan.style == "step" and self.rng.random() < 0.3:  # as last period
            return await self._tap(screen, same)
        return await self._say(str(value))

    def _bulk_text(self) -> str:
        labels = {f.id: (f.short_label or f.label) for f in self.form.count_fields}
        lines = []
        for field_id in COUNT_FIELDS:
            value = self._value(field_id)
            lines.append(f"{labels[field_id]}: {format_thousands(int(value))}")
        return "\n".join(lines)

    async def _collect_file(self) -> None:
        document = await self.client.wait_for_bot_message(self.chat, after_message_id=self.last_id,
                                                          timeout=REPLY_TIMEOUT, predicate=lambda m: "document" in m)
        doc = document["document"]
        folder = self.out / "bao-cao-xa"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / doc.get("file_name", f"{self.plan.unit.code}.docx")
        path.write_bytes(await self.client.download(doc["file_id"]))
        self.result.docx = path


# --- the progress bar -----------------------------------------------------------------------------


class Progress:
    def __init__(self, total: int, stream: TextIO | None, width: int = 28) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.stream = stream
        self.width = width
        self.tty = bool(stream is not None and stream.isatty())
        self.last_line = ""

    def step(self, label: str, count: int = 1) -> None:
        self.done = min(self.total, self.done + count)
        self.show(label, final=True)

    def show(self, label: str, final: bool = False) -> None:
        if self.stream is None or (not self.tty and not final):
            return
        filled = round(self.width * self.done / self.total)
        bar = "█" * filled + "░" * (self.width - filled)
        line = f"[{bar}] {self.done:>3}/{self.total}  {label}"
        if self.tty:
            self.stream.write("\r\033[K" + line[:150])
        elif label != self.last_line:
            self.stream.write(line + "\n")
        self.last_line = label
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _when(at: datetime) -> str:
    day = weekday_vi(at.date())
    return f"{day[0].upper()}{day[1:]} {at:%d/%m %H:%M}"


# --- the week ---------------------------------------------------------------------------------------


@dataclass
class Event:
    at: datetime
    order: int  # moments before the officials of the same instant
    label: str
    run: Callable[[], Awaitable[None]]
    officials: int = 0


def _prepare(out: Path) -> Path:
    """The output folder, with no database left from an earlier run in it."""
    out.mkdir(parents=True, exist_ok=True)
    database = out / "mo-phong.db"
    for stale in (database, database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        stale.unlink(missing_ok=True)
    return database


async def simulate_week(
    settings: Settings,
    *,
    province: str,
    communes: int | None = None,
    out: Path,
    seed: int = 1,
    stream: TextIO | None = None,
    zalo_share: float = ZALO_SHARE,
) -> SimulationResult:
    started = time.monotonic()
    province = normalize_province_code(province)
    database = _prepare(out)

    units = official_units(province)
    province_unit = next(u for u in units if u.kind == UnitKind.PROVINCE)
    all_communes = [u for u in units if u.kind == UnitKind.COMMUNE]
    chosen = all_communes[:communes] if communes else all_communes
    if not chosen:
        raise ValueError(f"province {province} has no communes")

    sandbox = SandboxServer(limits=Limits(enforce=False), callback_query_ttl=None)
    base_url = await sandbox.start()
    local = settings.model_copy(update={
        "telegram_bot_token": None, "bot_api_base_url": base_url, "database_path": database,
        "webhook_url": None, "webhook_secret": None, "admin_ids": [],
        "zalo_bot_token": SecretStr(SIM_ZALO_TOKEN) if zalo_share > 0 else None,
        "zalo_api_base_url": sandbox.zalo.api_base_url if zalo_share > 0 else None, "zalo_webhook_url": None,
    })
    clock = FakeClock(datetime.now(settings.tz))
    bot = DrivenBot(local, token=SIM_TOKEN, clock=clock)
    missing: list[str] = []
    files: dict[str, Path] = {}
    notices: Counter[str] = Counter()
    approvals: Counter[str] = Counter()
    issues: list[str] = []  # what the simulated people ran into that the bot should do better
    results: dict[str, OfficialResult] = {}
    client = SandboxClient(base_url)
    if stream is not None and logging.getLogger().level > logging.DEBUG:
        logging.getLogger().setLevel(logging.WARNING)  # the progress bar tells the story
    try:
        await bot.open()  # the simulation fires the calendar's moments itself, on the fake clock
        services = bot.services
        storage = services.storage
        form = services.forms[DEMO_FORM]
        info = open_periods(form.period, clock.now())[-1]
        clock.set(info.opens_at - timedelta(hours=1))
        now = clock.now()

        # the province, its communes (this set only) and its people, bound by invitations
        await storage.units.upsert_many([province_unit, *chosen])
        staff = [p for p in DEMO_PEOPLE if p.role in (Role.SUPERVISOR, Role.ADMIN)]
        for person in staff:
            await bind_person(storage, person, province_unit, now)
            sandbox.webchat.add_person(person.telegram_id, person.first_name, person.last_name,
                                       role=str(person.role), title=person.title, units=[province_unit.full_name])
        await seed_history(storage, form, chosen, now, HISTORY_WEEKS, seed=seed, before=info.key)
        period = await ensure_period(storage, info)
        history = {}
        previous = await storage.periods.get(form.id, str(info.key.previous()))
        if previous is not None:
            for sub in await storage.submissions.list_latest_for_period(previous.id):
                history[sub.unit_code] = dict(sub.answers)
        plans = make_plans(chosen, info, form, history, seed, zalo_share)
        for plan in plans:
            if plan.zalo_id is not None:  # bound directly, as the demo's Zalo officials are
                on_zalo = await storage.people.get_or_create_zalo(plan.zalo_id, now, plan.full_name)
                await storage.people.add_membership(on_zalo.id, Role.REPORTER, plan.unit.code, now)
                await client.zalo.add_user(plan.zalo_id, plan.full_name)
                continue
            demo = DemoPerson(plan.telegram_id, plan.first_name, plan.last_name, Role.REPORTER,
                              script().reporter_title)
            await bind_person(storage, demo, plan.unit, now)
            sandbox.webchat.add_person(plan.telegram_id, plan.first_name, plan.last_name, role="reporter",
                                       title=demo.title, units=[plan.unit.full_name])
        second = script().colleague
        colleague = DemoPerson(plans[0].telegram_id + 100_000, second.first_name, second.last_name, Role.REPORTER,
                               second.title)
        await bind_person(storage, colleague, plans[0].unit, now)  # two officials share the first commune
        sandbox.webchat.add_person(colleague.telegram_id, colleague.first_name, colleague.last_name,
                                   role="reporter", title=colleague.title, units=[plans[0].unit.full_name])

        await bot.start()

        events: list[Event] = []
        supervisor = next(p for p in staff if p.role == Role.SUPERVISOR)
        scheduler = bot.timetable
        from_notice = bot.answers_button(f"open:{period.id}")
        if scheduler is not None:
            for moment in scheduler.reminders.moments(form.id, period):
                events.append(Event(moment.due_at, 0, _moment(moment.kind),
                                    _fire(scheduler, period, moment.kind, moment.due_at, notices)))
            if bot.answers_button(f"nudge:{period.id}:{province}"):
                events.append(Event(info.deadline_at + timedelta(minutes=30), 0, say("demo.step_nudge"),
                                    _nudge(client, scheduler, supervisor.telegram_id, notices)))
        else:
            missing.append(say("demo.missing_calendar"))
        by_time: dict[datetime, list[OfficialPlan]] = {}
        for plan in plans:
            if plan.at is not None:
                by_time.setdefault(plan.at, []).append(plan)
        for at, group in sorted(by_time.items()):
            events.append(Event(at, 1, say("demo.step_officials", count=len(group)),
                                _officials(client, group, form, out, results, from_notice),
                                officials=len(group)))
        events.sort(key=lambda e: (e.at, e.order))
        progress = Progress(len(events) + 2, stream)
        for event in events:
            clock.set(event.at)
            progress.show(f"{_when(event.at)} · {event.label}…")
            await event.run()
            progress.step(f"{_when(event.at)} · {event.label}")

        # after the week: the supervisor approves every report, then asks for the rollup
        clock.set(info.deadline_at + timedelta(days=1, hours=2, minutes=30))
        if bot.answers_command("xa") and bot.answers_button("sv:a:1"):
            progress.show(f"{_when(clock.now())} · {say('demo.step_approving')}…")
            await _approvals(client, supervisor.telegram_id, plans, results, approvals, issues)()
            label = say("demo.step_approved", count=approvals["approved"])
        else:
            missing.append(say("demo.missing_approval"))
            label = say("demo.step_no_approval")
        progress.step(f"{_when(clock.now())} · {label}")
        clock.set(info.deadline_at + timedelta(days=1, hours=3))
        rollup_counts = await _rollup(storage, form, period, province, local, clock, out, files, missing)
        progress.step(f"{_when(clock.now())} · {say('demo.step_rollup')}")
        progress.close()

        if scheduler is not None:
            await scheduler.broadcaster.wait_idle()
        actual = await _actual(storage, period, chosen)
    finally:
        await client.close()
        await bot.close()
        await sandbox.stop()

    planned = Counter(plan.timing for plan in plans)
    for plan in plans:
        results.setdefault(plan.unit.code, OfficialResult(plan))
    result = SimulationResult(
        out=out, province=province_unit, period=period, plans=plans, results=results,
        planned={k: planned.get(k, 0) for k in (ON_TIME, LATE, NEVER)}, actual=actual, notices=dict(notices),
        files=files, missing=missing, issues=issues, rollup_counts=rollup_counts, approved=approvals["approved"],
        rollup_approved=rollup_counts.pop("approved", None) if rollup_counts else None,
        elapsed=time.monotonic() - started,
    )
    (out / "tom-tat.txt").write_text(summary(result), encoding="utf-8")
    return result


MOMENTS = {"opening": "demo.moment_opening", "reminder": "demo.moment_reminder", "deadline": "demo.moment_deadline",
           "escalation": "demo.moment_escalation", "nudge": "demo.moment_nudge"}  # catalogue keys


def _moment(kind: str) -> str:
    return say(MOMENTS[kind]) if kind in MOMENTS else kind


def _fire(scheduler: Timetable, period: Period, kind: str, due_at: datetime,
          notices: Counter[str]) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        recorded = await scheduler.fire(Wakeup(period.form_id, period.id, period.key, kind, due_at))
        await scheduler.broadcaster.wait_idle()
        await scheduler.broadcaster.drain()
        notices[kind] += recorded
    return run


def _nudge(client: SandboxClient, scheduler: Timetable, supervisor: int,
           notices: Counter[str]) -> Callable[[], Awaitable[None]]:
    """The supervisor taps «Nhắc các xã chưa nộp» under the list of missing communes."""
    async def run() -> None:
        messages = await client.bot_messages(supervisor)
        listing = next((m for m in reversed(messages) if any(d.startswith("nudge:") for _, d in _buttons(m))), None)
        if listing is None:
            return
        before = max(m["message_id"] for m in messages)
        data = next(d for _, d in _buttons(listing) if d.startswith("nudge:"))
        await client.tap(supervisor, listing["message_id"], data=data)
        await client.wait_for_bot_message(supervisor, after_message_id=before, timeout=REPLY_TIMEOUT)
        sent_before = scheduler.broadcaster.totals.sent
        await scheduler.broadcaster.wait_idle()
        await scheduler.broadcaster.drain()
        notices["nudge"] += scheduler.broadcaster.totals.sent - sent_before
    return run


def _approvals(client: SandboxClient, supervisor: int, plans: list[OfficialPlan],
               results: dict[str, OfficialResult], approvals: Counter[str],
               issues: list[str]) -> Callable[[], Awaitable[None]]:
    """The supervisor opens each submitted report (/xa <commune>) and taps «✔ Duyệt»."""
    def has(prefix: str) -> Callable[[dict[str, Any]], bool]:
        return lambda m: any(d.startswith(prefix) for _, d in _buttons(m))

    def answered(m: dict[str, Any]) -> bool:
        text = m.get("text") or ""
        return has("sv:a:")(m) or has("sv:x:")(m) or has("sv:k:")(m) or shows(text, "supervising.card_report") \
            or shows(text, "supervising.no_commune_match")

    weekly = keywords("keywords.weekly")[0]  # the report's word after the name: «/xa Chợ Đồn tuần»

    async def show(plan: OfficialPlan, query: str) -> dict[str, Any]:
        before = max((m["message_id"] for m in await client.bot_messages(supervisor)), default=0)
        await client.send_text(supervisor, f"/xa {query} {weekly}")
        shown = await client.wait_for_bot_message(supervisor, after_message_id=before, timeout=REPLY_TIMEOUT,
                                                  predicate=answered)
        pick = next((d for _, d in _buttons(shown) if d.startswith(("sv:x:", "sv:k:"))
                     and d.split(":")[2] == plan.unit.code), None)
        if pick is not None and not has("sv:a:")(shown):  # several communes match: pick this one
            await client.tap(supervisor, shown["message_id"], data=pick)
            shown = await client.wait_for_bot_message(supervisor, after_message_id=shown["message_id"],
                                                      timeout=REPLY_TIMEOUT, predicate=answered)
        return shown

    async def run() -> None:
        for plan in plans:
            result = results.get(plan.unit.code)
            if result is None or not result.submitted:
                continue
            shown = await show(plan, plan.unit.full_name)
            if not (shown.get("text") or "").startswith(plan.unit.full_name):
                title = read(shown.get("text") or "", "supervising.card_title")
                opened = title["commune"] if title else (shown.get("text") or "").split("\n")[0]
                issues.append(say("demo.issue_other_commune", query=plan.unit.full_name, opened=repr(opened),
                                  code=plan.unit.code))
                shown = await show(plan, plan.unit.code)
            approve = next((d for _, d in _buttons(shown) if d.startswith("sv:a:")), None)
            if approve is None:
                issues.append(say("demo.issue_no_approve", commune=plan.unit.full_name))
                continue
            await client.tap(supervisor, shown["message_id"], data=approve)
            await client.wait_for_bot_message(supervisor, after_message_id=shown["message_id"], timeout=REPLY_TIMEOUT,
                                              predicate=lambda m: shows(m.get("text") or "", "supervising.approved"))
            approvals["approved"] += 1
    return run


def _officials(client: SandboxClient, group: list[OfficialPlan], form: Form, out: Path,
               results: dict[str, OfficialResult], from_notice: bool) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(plan: OfficialPlan) -> None:
            async with gate:
                if plan.zalo_id is not None:
                    results[plan.unit.code] = await _on_zalo(client, plan, form)
                else:
                    results[plan.unit.code] = await Official(client, plan, form, out, from_notice).report()

        await asyncio.gather(*(one(plan) for plan in group))
    return run


async def _on_zalo(client: SandboxClient, plan: OfficialPlan, form: Form) -> OfficialResult:
    """A Zalo official's week (bot.demo.zalo_official), told as a Telegram official's is."""
    assert plan.zalo_id is not None
    official = ZaloOfficial(client.zalo, plan.zalo_id, plan.answers, form)
    result = OfficialResult(plan, started_from="zalo")
    try:
        result.submitted = await official.report()
    except (TimeoutError, OSError) as exc:
        result.error = f"Zalo · {type(exc).__name__}: {exc}"
    result.messages = official.messages
    result.caught = ["kept"] * official.kept
    return result


async def _actual(storage: Storage, period: Period, communes: Iterable[Unit]) -> dict[str, int]:
    latest = {s.unit_code: s for s in await storage.submissions.list_latest_for_period(period.id)}
    counts: Counter[str] = Counter()
    for unit in communes:
        sub = latest.get(unit.code)
        if sub is None:
            counts[NEVER] += 1
        else:
            first = (await storage.submissions.versions(period.id, unit.code))[0]
            counts[LATE if first.late else ON_TIME] += 1
    return {k: counts.get(k, 0) for k in (ON_TIME, LATE, NEVER)}


async def _rollup(storage: Storage, form: Form, period: Period, province: str, settings: Settings, clock: FakeClock,
                  out: Path, files: dict[str, Path], missing: list[str]) -> dict[str, int] | None:
    try:
        from bot.supervising.rollup_service import produce
    except ImportError:
        missing.append(say("demo.missing_rollup"))
        return None
    try:
        produced = await produce(storage, form, period, province, templates_dir=settings.templates_dir,
                                 report_date=clock.now().date(), tz=settings.tz)
    except Exception as exc:  # the rollup is being built elsewhere: say what failed, keep the rest
        log.exception("the rollup failed")
        missing.append(say("demo.rollup_failed", error=repr(exc)))
        return None
    folder = out / "tong-hop"
    folder.mkdir(parents=True, exist_ok=True)
    for kind, name, content in (("docx", produced.docx_name, produced.docx), ("xlsx", produced.xlsx_name, produced.xlsx),
                                ("chart", produced.chart_name, produced.chart)):
        path = folder / name
        path.write_bytes(content)
        files[kind] = path
    (folder / "tin-nhan.txt").write_text(produced.message, encoding="utf-8")
    files["message"] = folder / "tin-nhan.txt"
    return rollup_counts(produced.rollup)


def rollup_counts(rollup: Any) -> dict[str, int] | None:
    """On time / late / missing as the rollup counted them (its ``completeness``)."""
    done = getattr(rollup, "completeness", None)
    if done is None:
        return None
    return {ON_TIME: int(done.on_time), LATE: int(done.late), NEVER: int(done.missing),
            "approved": int(done.approved)}


# --- what it tells at the end -----------------------------------------------------------------------


def summary(result: SimulationResult) -> str:
    period = result.period
    lines = [
        say("demo.summary_title", period=period_label(period.key), province=result.province.full_name),
        say("demo.summary_dates", opens_time=f"{period.opens_at:%H:%M}", opens_date=format_date(period.opens_at.date()),
            deadline_time=f"{period.deadline_at:%H:%M}", deadline_date=format_date(period.deadline_at.date())),
        say("demo.summary_planned", communes=len(result.plans), on_time=result.planned[ON_TIME],
            late=result.planned[LATE], never=result.planned[NEVER]),
        say("demo.summary_actual", on_time=result.actual[ON_TIME], late=result.actual[LATE],
            never=result.actual[NEVER]),
    ]
    if result.rollup_counts:
        rc = result.rollup_counts
        approved = "" if result.rollup_approved is None else say("demo.summary_rollup_approved",
                                                                 count=result.rollup_approved)
        lines.append(say("demo.summary_rollup", on_time=rc[ON_TIME], late=rc[LATE], never=rc[NEVER],
                         approved=approved))
    if result.approved:
        lines.append(say("demo.summary_approved", count=result.approved))
    on_zalo = [p for p in result.plans if p.zalo_id is not None]
    if on_zalo:
        lines.append(say("zalo_simulation.summary_zalo", communes=len(on_zalo), submitted=sum(
            1 for p in on_zalo if (r := result.results.get(p.unit.code)) is not None and r.submitted)))
    started = Counter(r.started_from for r in result.results.values() if r.submitted)
    if started.get("notice"):
        lines.append(say("demo.summary_started", from_notice=started["notice"], typed=started.get("/baocao", 0)))
    if result.notices:
        lines.append(say("demo.summary_notices", counts=", ".join(
            say("demo.summary_notice_count", moment=_moment(k), count=v) for k, v in result.notices.items())))
    slips = [r for r in result.results.values() if r.plan.slip]
    if slips:
        lines.append(say("demo.summary_slips"))
        for r in slips:
            caught = ", ".join(dict.fromkeys(c.split(":")[0] for c in r.caught)) or (
                say("demo.summary_refused_on_entry") if r.refused else "—")
            lines.append(say("demo.summary_slip", commune=r.plan.unit.full_name, slip=say(SLIP_LABELS[str(r.plan.slip)]),
                             caught=caught))
    errors = [r for r in result.results.values() if r.error]
    for r in errors:
        lines.append(say("demo.summary_error", commune=r.plan.unit.full_name, error=r.error))
    lines.append("")
    lines.append(say("demo.summary_files", folder=result.out))
    docx = sorted((result.out / "bao-cao-xa").glob("*.docx")) if (result.out / "bao-cao-xa").exists() else []
    lines.append(say("demo.summary_reports", count=len(docx)))
    for kind in ("docx", "xlsx", "chart", "message"):
        if kind in result.files:
            lines.append(f"  {result.files[kind].relative_to(result.out)}")
    lines.append(say("demo.summary_database"))
    lines.append(say("webchat_demo.summary_itself"))
    if result.issues:
        lines.append("")
        lines.append(say("demo.summary_issues"))
        lines.extend(f"  - {m}" for m in result.issues)
    if result.missing:
        lines.append("")
        lines.append(say("demo.summary_missing"))
        lines.extend(f"  - {m}" for m in result.missing)
    lines.append("\n" + say("demo.summary_elapsed", seconds=f"{result.elapsed:.1f}"))
    return "\n".join(lines)


def default_out(province: str) -> Path:
    return Path("data") / "demo-simulation" / f"tinh-{province}-{datetime.now():%Y%m%d-%H%M%S}"


async def run_simulation(settings: Settings, *, province: str, communes: int | None, out: Path | None, seed: int,
                         progress: bool = True, zalo_share: float = ZALO_SHARE) -> int:
    folder = (out or default_out(normalize_province_code(province))).resolve()
    result = await simulate_week(settings, province=province, communes=communes, out=folder, seed=seed,
                                 stream=sys.stderr if progress else None, zalo_share=zalo_share)
    print(summary(result), flush=True)
    return 1 if any(r.error for r in result.results.values()) else 0

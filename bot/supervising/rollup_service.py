"""The rollup from what is stored: loading a period's reports, last periods' and the communes into
the pure domain (``bot.domain.rollup``), then writing the message, chart, .docx and .xlsx.

Used by the chat (/tonghop), by ``python -m bot rollup`` and by the benchmark. The loading is a
handful of queries whatever the number of communes (one per period of history, not one per
commune); the building and writing run in a worker thread (:func:`produce`), reporting progress
through a :class:`ProgressState` that the chat shows by editing its message.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from bot.chat.catalogue import say
from bot.documents.chart_process import ChartStopped, render_rollup_chart_apart, render_rollup_charts
from bot.documents.pool import render_docx_sync
from bot.documents.render import TemplateError
from bot.documents.rollup_chart import chart_filename
from bot.documents.rollup_docx import TEMPLATE_NAME, RollupSettings, build_docx_context, rollup_docx_filename
from bot.documents.rollup_docx_chart import with_chart
from bot.documents.rollup_xlsx import render_rollup_xlsx, rollup_xlsx_filename
from bot.domain.forms import Form, OutlierCheck
from bot.domain.numbers import format_count
from bot.domain.periods import PeriodKey, current_open_period, period_for
from bot.domain.rollup import (
    Report,
    Rollup,
    RollupInput,
    RollupPeriod,
    RollupUnit,
    build_rollup,
    rollup_message,
)
from bot.domain.rollup_spec import RollupSpecError, rollup_of
from bot.domain.themes import Taxonomy, ThemeError, load_taxonomy
from bot.memory import release_memory
from bot.reporting.files import ROLLUP_SUFFIX
from storage import Storage
from storage.models import Period, Submission, Unit

log = logging.getLogger(__name__)
# A rollup's .docx may list 3,321 communes (seconds on a busy machine) and is made in the
# background for one supervisor: it gets this many times the render time limit.
ROLLUP_TIME_SCALE = 6.0

NATIONAL = "all"
DEFAULT_HISTORY = 8
# Rollups built at once (loading, files, the chart's process); the others wait their turn. Each
# holds its province's reports, its .docx and .xlsx and a process drawing its chart: 34
# supervisors asking together held 34 of each (issue 12: 165 MB left in the bot, 190 MB at its
# peak, 540 MB in chart processes). Two keep both cores busy: the 34 take no longer.
AT_ONCE = 2
_turns: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}


class RollupError(Exception):
    """Something the person asking must know (no such period, no communes); Vietnamese."""


# --- progress ----------------------------------------------------------------------------------


class RollupStopped(Exception):
    """The work was stopped half-way (``ProgressState.stop``: the bot is shutting down)."""


@dataclass
class ProgressState:
    """What the work is doing now, written by the worker thread, read by the chat; and whether it
    is to stop (asked by the event loop, seen by the worker at its next step)."""

    text: str = ""
    changes: int = 0
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)

    def set(self, text: str) -> None:
        self.check()
        if text != self.text:
            self.text = text
            self.changes += 1

    def communes(self, done: int, total: int) -> None:
        self.set(say("rollup.progress_communes", done=format_count(done), total=format_count(total)))

    def stop(self) -> None:
        self._stop.set()

    def stopping(self) -> bool:
        return self._stop.is_set()

    def check(self) -> None:
        """Raise ``RollupStopped`` when the work is to stop."""
        if self._stop.is_set():
            raise RollupStopped


# --- periods -----------------------------------------------------------------------------------


def rollup_period(period: Period) -> RollupPeriod:
    key = PeriodKey.parse(period.key)
    return RollupPeriod(key=period.key, label=key.label, short_label=key.short_label, starts_on=period.starts_on,
                        ends_on=period.ends_on, deadline_at=period.deadline_at)


async def find_period(storage: Storage, form: Form, key: str | None, now: datetime) -> Period:
    """The period ``key`` ("2025-W50"), created from the form's calendar if not stored yet; None:
    the latest closed one (deadline passed), else the current one."""
    if key is None:
        latest = await storage.periods.latest_closed(form.id, now)
        if latest is not None:
            return latest
        info = current_open_period(form.period, now)  # nothing stored yet: the calendar says
        while info.deadline_at > now:
            info = period_for(form.period, info.key.previous())
        parsed = info.key
    else:
        try:
            parsed = PeriodKey.parse(key)
            info = period_for(form.period, parsed)
        except (ValueError, OverflowError):  # not a key, or one whose dates fall past year 9999
            raise RollupError(say("rollup.bad_period", key=key)) from None
    stored = await storage.periods.get(form.id, str(parsed))
    if stored is not None:
        return stored
    return await storage.periods.upsert(form.id, str(info.key), info.starts_on, info.ends_on, info.opens_at,
                                        info.deadline_at, info.deadline_note)


def history_window(form: Form) -> int:
    windows = [check.window for check in form.checks if isinstance(check, OutlierCheck)]
    return max([1, *windows])


# --- loading -----------------------------------------------------------------------------------


def _unit(unit: Unit, provinces: dict[str, Unit]) -> RollupUnit:
    province = provinces.get(unit.province_code)
    return RollupUnit(unit.code, unit.name, unit.full_name, unit.province_code,
                      province.full_name if province else "")


async def _names(storage: Storage, province_code: str | None, ids: set[int]) -> dict[int, str]:
    people = await storage.people.list_people(province_code=province_code, active_only=False)
    names = {person.id: person.full_name for person in people}
    for person_id in ids - set(names):
        person = await storage.people.get(person_id)
        if person is not None:
            names[person_id] = person.full_name
    return names


async def load_input(
    storage: Storage,
    form: Form,
    period: Period,
    province_code: str | None,
    *,
    taxonomy: Taxonomy | None = None,
    forms: Mapping[str, Form] | None = None,
) -> RollupInput:
    """Everything the rollup of ``period`` over a province (None: the whole country) needs.
    When every report answered one variant of ``form`` (among ``forms``), the rollup follows the
    variant's figures; reports of mixed forms roll up by field id over ``form``'s."""
    provinces = {p.code: p for p in await storage.units.list_provinces()}
    if province_code is not None and province_code not in provinces:
        raise RollupError(say("rollup.no_province", code=province_code))
    communes = await storage.units.list_communes(province_code)
    if not communes:
        raise RollupError(say("rollup.no_communes"))
    units = [_unit(unit, provinces) for unit in communes]
    if province_code is None:
        units.sort(key=lambda u: (u.province_code, u.code))
    submissions = await storage.submissions.list_latest_for_period(period.id, province_code)
    form = answered_form(form, {s.form_id for s in submissions}, forms or {})
    ids = {s.submitted_by for s in submissions if s.submitted_by is not None}
    ids |= {s.status_by for s in submissions if s.status_by is not None}
    names = await _names(storage, province_code, ids)
    resent = any(submission.version > 1 for submission in submissions)
    firsts = await storage.submissions.first_sent(period.id) if resent else {}
    reports: dict[str, Report] = {}
    for submission in submissions:
        first, untimed = firsts.get(submission.unit_code, (submission.submitted_at, submission.untimed))
        reports[submission.unit_code] = report_of(submission, first, names, untimed)

    earlier = await storage.periods.previous(period, history_window(form))
    previous_period = None
    previous_reports: dict[str, dict[str, Any]] = {}
    history: dict[str, list[dict[str, Any]]] = {}
    key = PeriodKey.parse(period.key)
    for index, before in enumerate(earlier):
        rows = await storage.submissions.list_latest_for_period(before.id, province_code)
        if index == 0 and before.key == str(key.previous()):
            previous_period = rollup_period(before)
            previous_reports = {s.unit_code: dict(s.answers) for s in rows}
        for s in rows:
            history.setdefault(s.unit_code, []).append(dict(s.answers))

    missing = await storage.missing.for_period(period.id, province_code)  # one query, not one per commune
    officials = {commune.code: [p.full_name + (f" (@{p.username})" if p.username else "")
                                for p in commune.reachable()] for commune in missing.communes}

    scope_name = say("units.whole_country") if province_code is None else provinces[province_code].full_name
    return RollupInput(
        form=form, period=rollup_period(period), scope_name=scope_name, scope_code=province_code, units=units,
        reports=reports, previous_period=previous_period, previous_reports=previous_reports, history=history,
        officials=officials, taxonomy=taxonomy,
        provinces={code: RollupUnit(p.code, p.name, p.full_name, p.code, p.full_name) for code, p in provinces.items()},
    )


def answered_form(form: Form, answered: set[str], forms: Mapping[str, Form]) -> Form:
    """The form the rollup follows: the one variant of ``form`` every report answered, else ``form``."""
    if len(answered) == 1:
        only = forms.get(next(iter(answered)))
        if only is not None and only.variant_of == form.id:
            try:
                rollup_of(only)
            except RollupSpecError:
                log.exception("the rollup section of variant %s cannot be used", only.id)
                return form
            return only
    return form


def report_of(submission: Submission, first: datetime, names: dict[int, str], untimed: bool = False) -> Report:
    return Report(
        unit_code=submission.unit_code, answers=submission.answers, explanations=submission.explanations,
        version=submission.version, submitted_at=submission.submitted_at, first_submitted_at=first,
        submitted_by=names.get(submission.submitted_by or -1, ""), on_behalf=submission.on_behalf,
        status=str(submission.status),  # type: ignore[arg-type]
        status_by=names.get(submission.status_by or -1, ""), status_at=submission.status_at,
        status_reason=submission.status_reason or "", submission_id=submission.id, untimed=untimed,
    )


SETTINGS_KEY = "rollup"  # the province's unit settings keep the rollup's under extra["rollup"]


async def rollup_settings(storage: Storage, province_code: str | None) -> RollupSettings:
    """The department's settings for its rollup, kept under the province's unit settings
    (``extra["rollup"]``: issuer, recipient, signer, "Nơi nhận"), if an admin set them."""
    if province_code is None:
        return RollupSettings()
    stored = await storage.unit_settings.get(province_code)
    if stored is None:
        return RollupSettings()
    return RollupSettings.from_mapping(stored.extra.get(SETTINGS_KEY))


async def rollup_template(storage: Storage, form: Form, templates_dir: Path, province_code: str | None) -> bytes | Path:
    """An uploaded rollup template (the province's, else the default one), else the shipped one."""
    record = await storage.templates.effective(form.id + ROLLUP_SUFFIX, province_code, None)
    if record is not None:
        content = await storage.templates.content(record.id)
        if content:
            return content
    return Path(templates_dir) / TEMPLATE_NAME


def taxonomy_from(templates_dir: Path) -> Taxonomy | None:
    try:
        return load_taxonomy(templates_dir)
    except ThemeError:
        log.warning("difficulties are not sorted into themes", exc_info=True)
        return None


# --- building and writing ----------------------------------------------------------------------


@dataclass
class RollupFiles:
    rollup: Rollup
    message: str
    chart: bytes
    chart_name: str
    docx: bytes
    docx_name: str
    xlsx: bytes
    xlsx_name: str
    timings: dict[str, float] = field(default_factory=dict)
    full_chart: bytes = b""  # every commune (or province): in the .xlsx; ``chart`` is the phone's picture
    full_chart_name: str = ""


def _render_rollup_docx(context: dict[str, Any], template: bytes | Path, shipped: Path | None) -> bytes:
    """The rollup's .docx, rendered in a render worker under its limits; an uploaded template that
    fails (or runs too long, or grows too big) gives way to the shipped one."""
    try:
        return render_docx_sync(template, context, scale=ROLLUP_TIME_SCALE)
    except TemplateError as exc:
        if shipped is None or isinstance(template, Path):
            raise
        log.warning("the uploaded rollup template failed, the shipped one was used: %s", exc.reason)
        return render_docx_sync(shipped, context, scale=ROLLUP_TIME_SCALE)


def build_files(
    data: RollupInput,
    *,
    report_date: date,
    template: bytes | Path,
    settings: RollupSettings | None = None,
    tz: tzinfo | None = None,
    progress: ProgressState | None = None,
    chart_apart: bool = False,
    shipped_template: Path | None = None,
) -> RollupFiles:
    """Build the rollup and write everything (CPU-bound: run it off the event loop).
    ``chart_apart``: draw the chart in a process of its own (the long-running bot does, so as not
    to keep matplotlib in memory)."""
    timings: dict[str, float] = {}
    clock = time.perf_counter
    started = clock()
    rollup = build_rollup(data, progress.communes if progress is not None else None)
    message = rollup_message(rollup)
    timings["rollup_s"] = clock() - started

    def stage(text: str) -> None:
        if progress is not None:
            progress.set(text)

    stage(say("rollup.progress_chart"))
    started = clock()
    if chart_apart:
        try:
            chart, full_chart = render_rollup_chart_apart(rollup, progress.stopping if progress is not None else None)
        except ChartStopped:
            raise RollupStopped from None
    else:
        chart, full_chart = render_rollup_charts(rollup)
    timings["chart_s"] = clock() - started
    stage(say("rollup.progress_docx"))
    started = clock()
    # The .docx renders in a render worker: the .xlsx is written here meanwhile.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rollup-docx") as waiting:
        rendering = waiting.submit(_render_rollup_docx, build_docx_context(rollup, report_date, settings, tz),
                                   template, shipped_template)
        stage(say("rollup.progress_xlsx"))
        xlsx_started = clock()
        xlsx = render_rollup_xlsx(rollup, tz, full_chart)
        timings["xlsx_s"] = clock() - xlsx_started
        docx = with_chart(rendering.result(), full_chart)
    timings["docx_s"] = clock() - started  # from the start of the render, the .xlsx written meanwhile
    stage(say("rollup.progress_sending"))
    return RollupFiles(rollup, message, chart, chart_filename(rollup), docx, rollup_docx_filename(rollup), xlsx,
                       rollup_xlsx_filename(rollup), timings, full_chart, chart_filename(rollup, full=True))


async def produce(
    storage: Storage,
    form: Form,
    period: Period,
    province_code: str | None,
    *,
    templates_dir: Path,
    report_date: date,
    tz: tzinfo | None = None,
    progress: ProgressState | None = None,
    run: Callable[..., Any] | None = None,
    chart_apart: bool = False,
    forms: Mapping[str, Form] | None = None,
) -> RollupFiles:
    """Load from storage, then build and write in a worker thread; at most ``AT_ONCE`` rollups at a
    time: one waits for a turn, taken once the one before is done and its memory handed back.
    Cancelled, it tells the worker to stop at its next step (the chart's process is killed) and
    does not wait for it."""
    async with _turn():
        return await _produce(storage, form, period, province_code, templates_dir=templates_dir,
                              report_date=report_date, tz=tz, progress=progress, run=run,
                              chart_apart=chart_apart, forms=forms)


def _turn() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    if loop not in _turns:
        for stale in [other for other in _turns if other.is_closed()]:
            del _turns[stale]
        _turns[loop] = asyncio.Semaphore(AT_ONCE)
    return _turns[loop]


async def _produce(
    storage: Storage,
    form: Form,
    period: Period,
    province_code: str | None,
    *,
    templates_dir: Path,
    report_date: date,
    tz: tzinfo | None,
    progress: ProgressState | None,
    run: Callable[..., Any] | None,
    chart_apart: bool,
    forms: Mapping[str, Form] | None = None,
) -> RollupFiles:
    progress = progress if progress is not None else ProgressState()
    try:
        rollup_of(form)
    except RollupSpecError as exc:  # the form file's rollup: section names what the form lacks
        log.error("%s", exc)
        raise RollupError(say("rollup_figures.bad_section", form=form.title, problems="; ".join(exc.problems))) from None
    started = time.perf_counter()
    data = await load_input(storage, form, period, province_code, taxonomy=taxonomy_from(templates_dir), forms=forms)
    settings = await rollup_settings(storage, province_code)
    template = await rollup_template(storage, form, templates_dir, province_code)
    loaded = time.perf_counter() - started
    kwargs = dict(report_date=report_date, template=template, settings=settings, tz=tz, progress=progress,
                  chart_apart=chart_apart, shipped_template=Path(templates_dir) / TEMPLATE_NAME)
    if run is None:
        try:
            files = await asyncio.to_thread(build_files, data, **kwargs)  # type: ignore[arg-type]
        except asyncio.CancelledError:
            progress.stop()
            raise
    else:
        files = run(data, **kwargs)
    files.timings["load_s"] = loaded
    del data
    release_memory()
    return files

"""Importing many rows without locking the bot out: rows are checked in batches, reading what the
checks need with a few queries per batch on the reader connection (no lock), and each batch's new
versions are written in one short transaction, so the bot's own writes get in between batches.

- A row that cannot be read, checked or stored fails alone, with its reason.
- Within a file the later row for a commune and period wins: the earlier one is skipped (the rows
  are spooled to a temporary file first, so the whole file is known before anything is stored,
  without keeping it in memory).
- A row equal to the stored latest version adds nothing, so importing a file twice changes nothing.
- A commune with a draft for the period, or a period still open for reporting, goes through
  :func:`bot.importing.entry.enter_report` (its draft follows the new version); other rows are stored
  as versions only — the draft of a closed period is made from its version when it is reopened.
- ``dry_run``: everything is checked as if stored, nothing is written (not even a period).
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from typing import IO, Any

from bot.chat.catalogue import say
from bot.domain.forms import Form, OutlierCheck
from bot.domain.periods import PeriodKey, open_periods, period_for
from bot.domain.text import fold
from bot.domain.values import Values, compute
from bot.importing.entry import (
    HISTORY_PERIODS,
    Latest,
    Result,
    RowError,
    check_moment,
    decide,
    enter_report,
    has_value,
    row_period_key,
)
from bot.importing.reading import Row
from storage import Storage
from storage.codec import dt_text
from storage.models import Period, SubmissionStatus, Unit, UnitKind
from storage.submissions import NewVersion, Recent

log = logging.getLogger(__name__)

BATCH_ROWS = 250  # rows per write transaction: a few milliseconds of lock
LOCKED_RETRIES = 5
VALUES_KEPT = 4000  # values of rows just checked, kept for the next period's row of the same commune
COUNTS_KEPT = 30_000  # past reports' counts (for the outlier check), kept for the commune's next rows:
# the 8 periods the check reads of every commune of the country, about 30 MB
_NONE: Mapping[str, Any] = MappingProxyType({})  # the derived figures and rates of a past report's counts


def _bounded_put(cache: dict[Any, Any], key: Any, value: Any, limit: int) -> None:
    if len(cache) >= limit:
        cache.pop(next(iter(cache)))  # the oldest
    cache[key] = value


# --- the whole file first: which row is the last for its commune and period ----------------------


@lru_cache(maxsize=4096)
def _period_name(text: str) -> str:
    """A period as written, in its canonical form when it is one (a file names few periods, each
    on many rows: parsed once each)."""
    try:
        return str(PeriodKey.parse(text))
    except ValueError:
        return text


def row_key(row: Row, default_period: str | None) -> tuple[str, str] | None:
    if row.problem:
        return None
    who = row.unit or ("~" + fold(row.unit_name) if row.unit_name else "")
    when = _period_name(row.period or default_period or "")
    return (who, when) if who and when else None


class Spool:
    """The rows of a file written to a temporary file as they are read, with the last row of each
    commune and period; read back in order with the row that replaces each earlier one. What it
    keeps in memory is one small entry per commune and period (texts shared between entries)."""

    def __init__(self, rows: Iterable[Row], default_period: str | None) -> None:
        self._file: IO[bytes] = tempfile.TemporaryFile()
        self.count = 0
        self._last: dict[tuple[str, str], int] = {}
        self._where: dict[int, str] = {}  # where the rows that replace an earlier one are
        shared: dict[str, str] = {}
        for row in rows:
            key = row_key(row, default_period)
            if key is not None:
                key = (shared.setdefault(key[0], key[0]), shared.setdefault(key[1], key[1]))
                if key in self._last:
                    self._where[self.count] = row.where
                self._last[key] = self.count
            pickle.dump(row, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self.count += 1

    def rows(self, default_period: str | None) -> Iterator[tuple[Row, str | None]]:
        """(row, where the row that replaces it is — None when it is the last of its commune and period)."""
        self._file.seek(0)
        for index in range(self.count):
            row: Row = pickle.load(self._file)
            key = row_key(row, default_period)
            last = self._last.get(key, index) if key is not None else index
            yield row, (self._where[last] if last != index else None)

    def close(self) -> None:
        self._file.close()


# --- one batch ------------------------------------------------------------------------------------


@dataclass
class _Pending:
    """A row checked and ready to be written."""

    index: int
    row: Row
    unit: Unit
    period: Period
    answers: dict[str, int | str | None]  # None: a blank
    kept: dict[str, str]
    version: int  # the number it gets


@dataclass
class _State:
    """What the import knows across rows: units, periods, and (dry run) what it would have stored."""

    communes: dict[str, Unit]
    periods: dict[str, Period] = field(default_factory=dict)
    fake_ids: int = 0
    # dry run only: the versions "stored" so far, as the next batches' prefetch would see them
    current: dict[tuple[int, str], Latest] = field(default_factory=dict)
    recent: dict[str, dict[int, Recent]] = field(default_factory=dict)


@dataclass
class Importer:
    storage: Storage
    form: Form
    now: datetime
    default_period: str | None = None
    province: str | None = None
    actor: int | None = None
    dry_run: bool = False
    batch_rows: int | None = None  # default: BATCH_ROWS
    communes: Sequence[Unit] | None = None  # the communes to find rows' units in (default: the database's)
    open_keys: set[str] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        self.open_keys = {str(info.key) for info in open_periods(self.form.period, self.now)}
        self._count_ids = tuple(item.id for item in self.form.count_fields)
        targets = [check.applies_to for check in self.form.checks if isinstance(check, OutlierCheck)]
        self._counts_only = all(t is None or set(t) <= set(self._count_ids) for t in targets)
        self._values: dict[tuple[str, int, int], Values] = {}
        self._counts: dict[tuple[str, int, int], Values] = {}
        self._dates: dict[int, tuple[str, str]] = {}  # a period's opening and start, as stored (ISO text)
        self._last_keys: dict[str, str] = {}  # a period's key → the key of the period before it

    async def run(self, rows: Iterable[Row]) -> AsyncIterator[Result]:
        """A result per row, in the file's order, as each batch is done."""
        spool = Spool(rows, self.default_period)
        try:
            communes = self.communes if self.communes is not None else await self.storage.units.list_communes()
            state = _State({unit.code: unit for unit in communes})
            batch: list[tuple[Row, str | None]] = []
            for item in spool.rows(self.default_period):
                batch.append(item)
                if len(batch) >= (self.batch_rows or BATCH_ROWS):
                    for result in await self._batch(batch, state):
                        yield result
                    batch = []
            if batch:
                for result in await self._batch(batch, state):
                    yield result
        finally:
            spool.close()

    # -- a row's commune and period ---------------------------------------------------------------

    async def _unit(self, row: Row, state: _State) -> Unit:
        unit: Unit | None = None
        if row.unit:
            unit = state.communes.get(row.unit)
        elif row.unit_name:
            found = await self.storage.units.search(row.unit_name, province_code=self.province,
                                                    kind=UnitKind.COMMUNE, limit=2)
            name = fold(row.unit_name)
            exact = [u for u in found if fold(u.full_name) == name or fold(u.name) == name]
            unit = exact[0] if len(exact) == 1 else None
        if unit is None:
            what = (say("importing.unit_code", code=row.unit) if row.unit
                    else say("importing.unit_name", name=row.unit_name[:60]) if row.unit_name
                    else say("importing.no_unit_code"))
            raise RowError(say("importing.unit_not_found", what=what))
        return unit

    async def _period(self, key: str, state: _State) -> Period:
        known = state.periods.get(key)  # by the text as written: most rows name a period seen already
        if known is not None:
            return known
        parsed = row_period_key(self.form, key, self.now)
        name = str(parsed)
        if name in state.periods:
            state.periods[key] = state.periods[name]
            return state.periods[name]
        period = await self.storage.periods.get(self.form.id, name)
        if period is None:
            info = period_for(self.form.period, parsed)
            if self.dry_run:
                state.fake_ids -= 1
                period = Period(id=state.fake_ids, form_id=self.form.id, key=name, starts_on=info.starts_on,
                                ends_on=info.ends_on, opens_at=info.opens_at, deadline_at=info.deadline_at,
                                deadline_note=info.deadline_note)
            else:
                period = await self.storage.periods.upsert(self.form.id, name, info.starts_on, info.ends_on,
                                                           info.opens_at, info.deadline_at, info.deadline_note)
        state.periods[name] = state.periods[key] = period
        return period

    async def _locate(self, row: Row, later: str | None, state: _State) -> Result | tuple[Unit, Period]:
        """The row's commune and period, or its final result (refused or skipped)."""
        if row.problem:
            return Result(row.where, "error", say("importing.refused", reason=row.problem))
        unit: Unit | None = None
        try:
            unit = await self._unit(row, state)
            if self.province is not None and unit.province_code != self.province:
                raise RowError(say("importing.other_province", province=self.province))
            key = row.period or self.default_period
            if not key:
                raise RowError(say("importing.no_period"))
            period = await self._period(key, state)
        except RowError as exc:
            return Result(row.where, "error", say("importing.refused", reason=exc), unit=unit)
        if later is not None:
            return Result(row.where, "skipped", say("importing.replaced_by", where=later), unit=unit, period=period)
        if not any(has_value(value) for value in row.answers.values()):
            return Result(row.where, "skipped", say("importing.no_figures"), unit=unit, period=period)
        try:
            check_moment(row.submitted_at, period, self.now)
        except RowError as exc:
            return Result(row.where, "error", say("importing.refused", reason=exc), unit=unit, period=period)
        return unit, period

    # -- checking and writing a batch --------------------------------------------------------------

    async def _batch(self, batch: list[tuple[Row, str | None]], state: _State) -> list[Result]:
        results: list[Result | None] = [None] * len(batch)
        located: list[tuple[int, Row, Unit, Period]] = []
        for index, (row, later) in enumerate(batch):
            try:
                found = await self._locate(row, later, state)
            except Exception:  # noqa: BLE001 - one row must never stop the others
                log.exception("import: %s could not be located", row.where)
                found = Result(row.where, "error", say("importing.row_failed"))
            if isinstance(found, Result):
                results[index] = found
            else:
                located.append((index, row, *found))
        pairs = sorted({(period.id, unit.code) for _, _, unit, period in located})
        wanted = sorted({(unit.code, period.opens_at) for _, _, unit, period in located})
        current = await self.storage.submissions.current_of(pairs)
        latest = {pair: Latest(c.version, c.status, c.answers, c.explanations) for pair, c in current.items()}
        recent = await self.storage.submissions.recent_of(wanted, self.form.id, HISTORY_PERIODS)
        if self.dry_run:  # what earlier batches would have stored
            latest.update({pair: state.current[pair] for pair in pairs if pair in state.current})
            for code in {unit for unit, _ in wanted}:
                if code in state.recent:
                    recent.setdefault(code, {}).update(state.recent[code])
        pending: list[_Pending] = []
        for index, row, unit, period in located:
            try:
                pending_row = self._decide(index, row, unit, period, latest, recent, results)
            except Exception:  # noqa: BLE001
                log.exception("import: %s could not be checked", row.where)
                results[index] = Result(row.where, "error", say("importing.row_failed"), unit=unit, period=period)
                continue
            if pending_row is not None:
                pending.append(pending_row)
        if self.dry_run:
            state.current.update({(p.period.id, p.unit.code): latest[(p.period.id, p.unit.code)] for p in pending})
            for p in pending:
                state.recent.setdefault(p.unit.code, {})[p.period.id] = recent[p.unit.code][p.period.id]
        elif pending:
            await self._write(pending, results)
        return [result for result in results if result is not None]

    def _past(self, code: str, entry: Recent) -> Values | dict[str, Any]:
        """A past report as the outlier checks read it: when they only look at counts answered,
        those counts are all it takes — kept for the commune's next rows (versions never change),
        so a past report is neither decoded nor computed again for each later period."""
        if not self._counts_only:
            return entry.answers
        key = (code, entry.period_id, entry.version)
        past = self._counts.get(key)
        if past is None:
            answers = entry.answers
            past = Values(answers={ident: value for ident in self._count_ids
                                   if type(value := answers.get(ident)) is int}, derived=_NONE, rates=_NONE)
            _bounded_put(self._counts, key, past, COUNTS_KEPT)
        return past

    def _previous(self, code: str, last: Recent) -> Values:
        """Last period's values, computed once: the row that stored them computed them already."""
        known = self._values.get((code, last.period_id, last.version))
        return known if known is not None else compute(self.form, last.answers)

    def _forget(self, code: str, period_id: int, version: int) -> None:
        """A version that may not be the one stored under its number (written another way)."""
        self._values.pop((code, period_id, version), None)
        self._counts.pop((code, period_id, version), None)

    def _decide(self, index: int, row: Row, unit: Unit, period: Period, latest: dict[tuple[int, str], Latest],
                recent: dict[str, dict[int, Recent]], results: list[Result | None]) -> _Pending | None:
        before, starts_on = self._dates.get(period.id) or self._dates.setdefault(
            period.id, (dt_text(period.opens_at), period.starts_on.isoformat()))
        entries = sorted((e for e in recent.get(unit.code, {}).values() if e.opens_at < before),
                         key=lambda e: e.starts_on, reverse=True)[:HISTORY_PERIODS]
        last_key = self._last_keys.get(period.key)
        if last_key is None:
            last_key = self._last_keys[period.key] = str(PeriodKey.parse(period.key).previous())
        previous = self._previous(unit.code, entries[0]) if entries and entries[0].key == last_key else None
        history = [self._past(unit.code, e) for e in entries]
        stored = latest.get((period.id, unit.code))
        decision = decide(self.form, unit, period, row.answers, row.explanations, previous, history, stored,
                          where=row.where)
        results[index] = decision.result
        outcome = decision.result.outcome
        if outcome not in ("added", "unchanged"):
            return None
        version = (stored.version if stored else 0) + (1 if outcome == "added" else 0)
        if decision.values is not None:  # the next period's row of this commune starts from it
            # without its own previous: a chain of periods would keep every one alive
            _bounded_put(self._values, (unit.code, period.id, version), replace(decision.values, previous=None),
                         VALUES_KEPT)
        if outcome == "unchanged":
            return None
        decision.result.message = say("importing.stored", version=version)
        # later rows of this batch see this one as stored
        latest[(period.id, unit.code)] = Latest(version, SubmissionStatus.SUBMITTED, decision.answers, decision.kept)
        recent.setdefault(unit.code, {})[period.id] = Recent(period.id, period.key, starts_on,
                                                             before, version, answers=dict(decision.answers))
        return _Pending(index, row, unit, period, decision.answers, decision.kept, version)

    async def _write(self, pending: list[_Pending], results: list[Result | None]) -> None:
        for attempt in range(LOCKED_RETRIES):
            try:
                await self._write_once(pending, results)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == LOCKED_RETRIES - 1:
                    raise
                log.warning("import: database locked, batch retried (%s)", exc)
                await asyncio.sleep(0.5)

    async def _write_once(self, pending: list[_Pending], results: list[Result | None]) -> None:
        storage = self.storage
        async with storage.db.transaction():
            pairs = sorted({(p.period.id, p.unit.code) for p in pending})
            drafts = await storage.drafts.existing(pairs)
            now_current = await storage.submissions.current_of(pairs)
            first: dict[tuple[int, str], int] = {}
            for p in pending:
                first.setdefault((p.period.id, p.unit.code), p.version)
            fast: list[_Pending] = []
            for p in pending:
                pair = (p.period.id, p.unit.code)
                moved = (now_current[pair].version if pair in now_current else 0) != first[pair] - 1
                if pair in drafts or p.period.key in self.open_keys or moved:
                    await self._flush(fast, results)
                    fast = []
                    self._forget(p.unit.code, p.period.id, p.version)
                    await self._one(p, results)
                else:
                    fast.append(p)
            await self._flush(fast, results)

    async def _flush(self, fast: list[_Pending], results: list[Result | None]) -> None:
        """Versions only, in two statements; if they fail, row by row (each fails alone)."""
        if not fast:
            return
        try:
            async with self.storage.db.transaction():
                await self.storage.submissions.add_versions([
                    NewVersion(p.period.id, p.unit.code, p.version, p.answers, p.kept, p.row.submitted_at or self.now,
                               p.row.submitted_at is not None and p.row.submitted_at > p.period.deadline_at,
                               self.form.version, untimed=p.row.submitted_at is None)
                    for p in fast])
                await self.storage.audit.log_many("report.on_behalf", self.now, [
                    (f"{p.unit.code}:{p.period.key}", {"version": p.version, "where": p.row.where or None})
                    for p in fast], actor=self.actor)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise
            log.warning("import: batch of %d rows stored one by one (%s)", len(fast), exc)
            for p in fast:
                self._forget(p.unit.code, p.period.id, p.version)
                await self._one(p, results)
        except (sqlite3.Error, ValueError, OverflowError) as exc:
            log.warning("import: batch of %d rows stored one by one (%s)", len(fast), exc)
            for p in fast:
                self._forget(p.unit.code, p.period.id, p.version)
                await self._one(p, results)

    async def _one(self, p: _Pending, results: list[Result | None]) -> None:
        """One row through ``enter_report`` (its draft kept in step), failing alone."""
        try:
            results[p.index] = await enter_report(
                self.storage, self.form, p.unit, p.period, p.row.answers, p.row.explanations, by=None,
                actor=self.actor, now=self.now, submitted_at=p.row.submitted_at, where=p.row.where, imported=True)
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                raise
            log.exception("import: %s could not be stored", p.row.where)
            results[p.index] = Result(p.row.where, "error", say("importing.row_failed"), unit=p.unit, period=p.period)
        except Exception:  # noqa: BLE001 - one row must never stop the others
            log.exception("import: %s could not be stored", p.row.where)
            results[p.index] = Result(p.row.where, "error", say("importing.row_failed"), unit=p.unit, period=p.period)


async def import_stream(storage: Storage, form: Form, rows: Iterable[Row], *, now: datetime,
                        default_period: str | None = None, province: str | None = None, actor: int | None = None,
                        dry_run: bool = False, batch_rows: int | None = None,
                        communes: Sequence[Unit] | None = None) -> AsyncIterator[Result]:
    """Every row checked and stored (see the module docstring), a result per row as it is done."""
    importer = Importer(storage, form, now, default_period, province, actor, dry_run, batch_rows, communes)
    async for result in importer.run(rows):
        yield result

"""The rollup of one period over many communes (a province, or the whole country by province):
who reported on time, late or not at all, the figures rolled up as the form file declares them
(``rollup:``, :mod:`bot.domain.rollup_spec`: summed, rates recomputed from the sums and never
averaged, communes meeting a target, spreads, rows per status), the change against the previous
period, what looks wrong, and the texts raised, sorted into themes.

Pure: :func:`build_rollup` takes plain data (:class:`RollupInput`, loaded from storage by
``bot.supervising.rollup_service``) and returns a :class:`Rollup`; :func:`rollup_message` writes the short chat
message. The files are written by ``rollup_docx``, ``rollup_xlsx`` and ``rollup_chart``. Nothing
here knows about Telegram or storage.

Anomalies of a commune's report (domain.md, "Checks"):

- ``soft``: a soft rule of the form broken (the balance of the period), with the commune's
  explanation when it gave one;
- ``continuity``: a rule that reads last period (carried over ≠ last week's pending), checked
  against the previous period's report as stored now;
- ``outlier``: a count far above the commune's own recent median (the form's outlier check);
- ``hard``: a hard rule broken (only imported or legacy data can hold one).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from statistics import median
from typing import Any, Literal

from bot.chat.catalogue import say
from bot.domain.evaluate import CheckResult, evaluate_checks
from bot.domain.forms import Form, OutlierCheck, RuleCheck
from bot.domain.numbers import DASH, format_count, format_date, format_percent
from bot.domain.numbers import rate as percentage
from bot.domain.rollup_figures import (
    FigureTexts,
    Spread,
    TargetCount,
    count_of,
    label_of,
    number,
    own_rates,
    status_counts,
    target_count,
)
from bot.domain.rollup_figures import kind_of as figure_kind
from bot.domain.rollup_figures import spread as spread_of
from bot.domain.rollup_ranking import ranking_lines
from bot.domain.rollup_spec import RollupSpec, rollup_of
from bot.domain.text import fold
from bot.domain.themes import Taxonomy, ThemeCount, ThemeSource, classify, is_nothing
from bot.domain.values import Values, compute

State = Literal["on_time", "late", "missing", "untimed"]  # untimed: imported without when it was sent
Approval = Literal["submitted", "approved", "returned"]
AnomalyKind = Literal["soft", "continuity", "outlier", "hard"]

STATE_LABELS: dict[str, str] = {"on_time": say("rollup_labels.on_time"), "late": say("rollup_labels.late"),
                                "missing": say("rollup_labels.missing"), "untimed": say("import_times.untimed")}
APPROVAL_LABELS: dict[str, str] = {"submitted": say("rollup_labels.submitted"),
                                   "approved": say("rollup_labels.approved"),
                                   "returned": say("rollup_labels.returned")}
ANOMALY_LABELS: dict[AnomalyKind, str] = {
    "soft": say("rollup_labels.soft"),
    "continuity": say("rollup_labels.continuity"),
    "outlier": say("rollup_labels.outlier"),
    "hard": say("rollup_labels.hard"),
}

_PROMPTS = ("anh/chi", "anh chi", "vui long", "xin vui long", "de nghi anh", "ban vui long")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

Progress = Callable[[int, int], None]


# --- input -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RollupUnit:
    """A commune (or, in a national rollup's groups, a province)."""

    code: str
    name: str
    full_name: str
    province_code: str = ""
    province_name: str = ""  # "Tỉnh Thái Nguyên"


@dataclass(frozen=True)
class RollupPeriod:
    key: str  # "2025-W50"
    label: str  # "Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025)"
    short_label: str  # "Tuần 50/2025"
    starts_on: date
    ends_on: date
    deadline_at: datetime


@dataclass(frozen=True)
class Report:
    """A commune's report for the period: its latest version, and when it first reported."""

    unit_code: str
    answers: Mapping[str, Any]
    explanations: Mapping[str, Any] = field(default_factory=dict)
    version: int = 1
    submitted_at: datetime | None = None  # of the latest version
    first_submitted_at: datetime | None = None  # of version 1 (on time or late is judged on it)
    untimed: bool = False  # version 1 was imported without the moment it was sent: neither on time nor late
    submitted_by: str = ""
    on_behalf: bool = False
    status: Approval = "submitted"
    status_by: str = ""
    status_at: datetime | None = None
    status_reason: str = ""
    submission_id: int | None = None


@dataclass
class RollupInput:
    form: Form
    period: RollupPeriod
    scope_name: str  # "Tỉnh Thái Nguyên", "Toàn quốc"
    units: Sequence[RollupUnit]
    reports: Mapping[str, Report]
    scope_code: str | None = None  # province code; None for the whole country
    previous_period: RollupPeriod | None = None
    previous_reports: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # answers by unit
    history: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)  # newest first
    officials: Mapping[str, Sequence[str]] = field(default_factory=dict)  # reporters of each unit
    taxonomy: Taxonomy | None = None
    provinces: Mapping[str, RollupUnit] = field(default_factory=dict)  # national: by code

    @property
    def national(self) -> bool:
        return self.scope_code is None


# --- output ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anomaly:
    kind: AnomalyKind
    key: str  # the check's key: "balance", "continuity", "outlier:<field id>"
    message: str  # the finding, naming the numbers (without the prompt to the reporter)
    explanation: str = ""

    @property
    def label(self) -> str:
        return ANOMALY_LABELS[self.kind]


@dataclass
class CommuneRow:
    unit: RollupUnit
    state: State
    report: Report | None = None
    counts: dict[str, int] = field(default_factory=dict)  # answers and derived figures
    rates: dict[str, Decimal | None] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    anomalies: list[Anomaly] = field(default_factory=list)
    officials: tuple[str, ...] = ()
    values: Values | None = None  # of the report: what the sums cover when some commune left a figure blank

    @property
    def reported(self) -> bool:
        return self.report is not None

    @property
    def approval(self) -> Approval | None:
        return None if self.report is None else self.report.status

    def count(self, ident: str) -> int | None:
        return self.counts.get(ident)

    def value(self, ident: str) -> Decimal | None:
        """A figure of the commune as a number (a count, rate or decimal answer), for targets and
        spreads."""
        if ident in self.counts:
            return Decimal(self.counts[ident])
        if ident in self.rates:
            return self.rates[ident]
        if self.report is None:
            return None
        table, _, row = ident.partition(".")
        if row:  # a row of a table the form declares: «targets.records_digitized»
            rows = self.report.answers.get(table)
            return number(rows.get(row)) if isinstance(rows, Mapping) else None
        return number(self.report.answers.get(ident))


@dataclass
class Totals:
    """Summed counts of the communes that reported, and the rates recomputed from those sums."""

    reported: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    rates: dict[str, Decimal | None] = field(default_factory=dict)
    targets: dict[str, TargetCount] = field(default_factory=dict)
    spreads: dict[str, Spread | None] = field(default_factory=dict)
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)
    # Blanks (``blanks.button``): whether a commune that reported left a figure blank, and then how
    # many communes have each count, derived figure and rate (see _cover).
    coverage: dict[str, int] = field(default_factory=dict)
    blanks: bool = False

    def covered(self, form: Form, ident: str) -> int | None:
        """How many of the communes that reported have this figure of the form, when not all do
        (None when all do, and for the rollup's own figures)."""
        if not self.blanks or form.kind_of(ident) not in ("count", "derived", "rate"):
            return None
        found = self.coverage.get(ident, 0)
        return found if found < self.reported else None

    def coverage_text(self, form: Form, ident: str) -> str | None:
        """"80/92 xã có số liệu" when not all the communes that reported have this figure."""
        covered = self.covered(form, ident)
        if covered is None:
            return None
        return say("blanks.coverage", reported=format_count(covered), total=format_count(self.reported))

    def texts(self, form: Form) -> FigureTexts:
        """The figures as the form file's sentences name them."""
        return FigureTexts(form, rollup_of(form), self.counts, self.rates, self.targets, self.spreads, self.statuses)


@dataclass
class Completeness:
    total: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    approved: int = 0
    returned: int = 0
    waiting: int = 0  # submitted, not yet approved or returned
    on_behalf: int = 0
    untimed: int = 0  # imported without the moment sent: neither on time nor late ("nhập thay")

    @property
    def reported(self) -> int:
        return self.on_time + self.late + self.untimed

    def late_text(self) -> str:
        """The late count as the completeness sentences write it: "8", or "8, nhập thay 3"."""
        late = format_count(self.late)
        return late if not self.untimed else say("import_times.late_and_untimed", late=late,
                                                 untimed=format_count(self.untimed))

    def add(self, row: CommuneRow) -> None:
        self.total += 1
        if row.state == "on_time":
            self.on_time += 1
        elif row.state == "late":
            self.late += 1
        elif row.state == "untimed":
            self.untimed += 1
        else:
            self.missing += 1
        if row.report is not None:
            if row.report.status == "approved":
                self.approved += 1
            elif row.report.status == "returned":
                self.returned += 1
            else:
                self.waiting += 1
            if row.report.on_behalf:
                self.on_behalf += 1


@dataclass(frozen=True)
class Change:
    """One figure against the previous period: counts by their difference, rates in points."""

    ident: str
    label: str
    current: int | Decimal | None
    previous: int | Decimal | None
    is_rate: bool

    @property
    def delta(self) -> int | Decimal | None:
        if self.current is None or self.previous is None:
            return None
        return self.current - self.previous

    def text(self) -> str:
        """ "+1.345", "−2,50 điểm %", "không đổi"; "—" when either side is unknown."""
        delta = self.delta
        if delta is None:
            return DASH
        if delta == 0:
            return say("rollup_labels.unchanged")
        sign = "+" if delta > 0 else "−"
        if self.is_rate:
            return say("rollup_labels.points", sign=sign, points=format_percent(abs(Decimal(delta))).removesuffix("%"))
        return f"{sign}{format_count(abs(int(delta)))}"


@dataclass
class GroupRow:
    """A province in a national rollup."""

    unit: RollupUnit
    completeness: Completeness
    totals: Totals
    anomalies: int = 0


@dataclass
class Rollup:
    form: Form
    period: RollupPeriod
    scope_name: str
    scope_code: str | None
    rows: list[CommuneRow]
    totals: Totals
    completeness: Completeness
    previous_period: RollupPeriod | None = None
    previous_totals: Totals | None = None
    previous_reported: int = 0
    groups: list[GroupRow] = field(default_factory=list)
    themes: list[ThemeCount] = field(default_factory=list)

    @property
    def national(self) -> bool:
        return self.scope_code is None

    @property
    def spec(self) -> RollupSpec:
        return rollup_of(self.form)

    @property
    def reported_rows(self) -> list[CommuneRow]:
        return [row for row in self.rows if row.reported]

    @property
    def missing_rows(self) -> list[CommuneRow]:
        return [row for row in self.rows if not row.reported]

    @property
    def anomaly_rows(self) -> list[CommuneRow]:
        return [row for row in self.rows if row.anomalies]

    def anomaly_count(self, kind: AnomalyKind | None = None) -> int:
        return sum(1 for row in self.rows for item in row.anomalies if kind is None or item.kind == kind)

    def changes(self) -> list[Change]:
        """The headline figures against the previous period (empty without one)."""
        if self.previous_totals is None:
            return []
        form, spec = self.form, self.spec
        changes = []
        for line in spec.message:
            kind = figure_kind(form, spec, line.figure)
            if kind == "count":
                changes.append(Change(line.figure, line.label or label_of(form, spec, line.figure, short=True),
                                      count_of(spec, self.totals.counts, line.figure),
                                      count_of(spec, self.previous_totals.counts, line.figure), False))
            elif kind == "rate":
                changes.append(Change(line.figure, line.label or label_of(form, spec, line.figure),
                                      self.totals.rates.get(line.figure),
                                      self.previous_totals.rates.get(line.figure), True))
        return changes

    def change(self, ident: str) -> Change | None:
        return next((c for c in self.changes() if c.ident == ident), None)


# --- building ----------------------------------------------------------------------------------


def finding(message: str) -> str:
    """A check's message without the sentences addressed to the reporter ("Anh/Chị vui lòng kiểm
    tra lại, …"): the rollup states the finding."""
    kept = [s for s in _SENTENCE_END.split(" ".join(message.split())) if not fold(s).startswith(_PROMPTS)]
    text = " ".join(kept).strip()
    return text or " ".join(message.split())


def explanation_text(value: Any) -> str:
    if isinstance(value, Mapping):
        value = value.get("reason")
    return " ".join(str(value).split()) if value else ""


def _reads_previous(check: RuleCheck) -> bool:
    return any(ref.previous for ref in check.require.refs())


def _kind_of(form: Form, result: CheckResult) -> AnomalyKind:
    if result.is_hard:
        return "hard"
    check = form.check(result.check_id)
    if isinstance(check, OutlierCheck):
        return "outlier"
    if isinstance(check, RuleCheck) and _reads_previous(check):
        return "continuity"
    return "soft"


def _outlier_fires(form: Form, counts: Mapping[str, int], history: Sequence[Mapping[str, Any]]) -> bool:
    """Whether any outlier check of the form fires: a fast pass on raw counts (a derived target's
    past values are computed only when one is named); the messages come from the evaluator."""
    for check in form.checks:
        if not isinstance(check, OutlierCheck):
            continue
        targets = check.applies_to if check.applies_to is not None else tuple(f.id for f in form.count_fields)
        window = list(history[: check.window])
        if len(window) < check.min_history:
            continue
        past_values: list[Any] | None = None
        for ident in targets:
            value = counts.get(ident)
            if value is None or value <= check.minimum:
                continue
            if form.kind_of(ident) == "derived":
                if past_values is None:
                    past_values = [compute(form, past) for past in window]
                known = [v.count(ident) for v in past_values]
            else:
                known = [past.get(ident) for past in window]
            numbers = [n for n in known if isinstance(n, int) and not isinstance(n, bool)]
            if len(numbers) < check.min_history:
                continue
            if value > check.factor * Decimal(str(median(numbers))):
                return True
    return False


def _rule_fires(form: Form, values: Values) -> bool:
    return any(isinstance(check, RuleCheck) and check.require.evaluate(values) is False for check in form.checks)


def _anomalies(
    form: Form,
    report: Report,
    values: Values,
    previous: Mapping[str, Any] | None,
    history: Sequence[Mapping[str, Any]],
) -> list[Anomaly]:
    """The checks the report breaks, with the commune's explanations. Most reports break none:
    the rules are tried on the values already computed and the outliers on the raw counts, and
    the evaluator (which words the messages) runs only for a report that breaks something."""
    counts = {**{k: v for k, v in values.answers.items() if isinstance(v, int)}, **values.derived}
    with_history = _outlier_fires(form, counts, history)
    if not with_history and not _rule_fires(form, values):
        return []
    results = evaluate_checks(form, dict(report.answers), previous,
                              list(history) if with_history else [])
    found = []
    for result in results:
        reason = explanation_text(report.explanations.get(result.key) or report.explanations.get(result.check_id))
        kind = _kind_of(form, result)
        message = finding(result.message)
        label = ANOMALY_LABELS[kind]
        if fold(message).startswith(fold(label) + ":"):  # "Số liệu chưa cân đối: tổng số …"
            rest = message[len(label) + 1:].strip()
            message = rest[:1].upper() + rest[1:]
        found.append(Anomaly(kind, result.key, message, reason))
    return found


def _sum_into(totals: Totals, counts: Mapping[str, int], fields: Sequence[str]) -> None:
    totals.reported += 1
    for ident in fields:
        value = counts.get(ident)
        if value is not None:
            totals.counts[ident] = totals.counts.get(ident, 0) + value


def _cover(form: Form, totals: Totals, reported: Sequence[Values]) -> dict[str, tuple[int, int]]:
    """Once a commune left a figure blank: how many communes have each figure (``Totals.coverage``),
    each derived figure summed over the communes that have it (a total sums only the communes that
    reported the figure), and each rate's parts summed over those that have both (returned)."""
    for derived in form.derived:
        totals.counts.pop(derived.id, None)
    parts: dict[str, tuple[int, int]] = {}
    for values in reported:
        for ident, value in (*values.answers.items(), *values.derived.items()):
            if isinstance(value, int):
                totals.coverage[ident] = totals.coverage.get(ident, 0) + 1
        for ident, value in values.derived.items():
            totals.counts[ident] = totals.counts.get(ident, 0) + value
        for ratio in form.rates:
            top, bottom = ratio.numerator.evaluate(values), ratio.denominator.evaluate(values)
            if top is not None and bottom is not None:
                totals.coverage[ratio.id] = totals.coverage.get(ratio.id, 0) + 1
                summed = parts.get(ratio.id, (0, 0))
                parts[ratio.id] = (summed[0] + top, summed[1] + bottom)
    return parts


def _finish(form: Form, totals: Totals, rows: Sequence[CommuneRow] = (),
            reported: Sequence[Values] | None = None) -> Totals:
    """The derived figures and rates of the sums (rates from sums, never averaged), and what is
    counted over the communes (``rows``, those that reported): targets met, spreads, statuses.
    ``reported``: the values of the reports summed (default: the rows'), for their blanks."""
    spec = rollup_of(form)
    rates = [figure.id for figure in spec.of("rate")]
    if reported is None:
        reported = [row.values for row in rows if row.values is not None]
    totals.blanks = any(values.blanks for values in reported)
    if totals.reported == 0:
        totals.rates = {ident: None for ident in rates}
    else:
        values = compute(form, {ident: totals.counts[ident] for ident in totals.counts})
        totals.counts.update(values.derived)
        parts = _cover(form, totals, reported) if totals.blanks else None
        mine = own_rates(spec, totals.counts, zero=True)
        totals.rates = {ident: mine[ident] if ident in mine else values.rates.get(ident) for ident in rates}
        if parts is not None:  # a rate of the sums of its parts over the communes that have both
            for ratio in form.rates:
                if ratio.id in totals.rates:
                    totals.rates[ratio.id] = percentage(*parts[ratio.id]) if ratio.id in parts else None
    for figure in spec.of("target"):
        totals.targets[figure.id] = target_count(figure, _values(rows, figure.source))
    for figure in spec.of("spread"):
        totals.spreads[figure.id] = spread_of(_values(rows, figure.source))
    for figure in spec.of("statuses"):
        totals.statuses[figure.id] = status_counts(
            figure, (row.report.answers.get(figure.source) for row in rows if row.report is not None))
    return totals


def _values(rows: Sequence[CommuneRow], ident: str) -> list[Decimal]:
    return [value for value in (row.value(ident) for row in rows) if value is not None]


def _state(report: Report | None, deadline: datetime) -> State:
    if report is None:
        return "missing"
    if report.untimed:
        return "untimed"
    first = report.first_submitted_at or report.submitted_at
    return "late" if first is not None and first > deadline else "on_time"


def build_rollup(data: RollupInput, progress: Progress | None = None) -> Rollup:
    """The rollup of ``data``; ``progress(done, total)`` is called as communes are processed."""
    form = data.form
    spec = rollup_of(form)
    count_ids = [figure.id for figure in spec.of("sum") if figure.value is None]
    text_ids = [f.id for f in form.text_fields]
    totals = Totals()
    completeness = Completeness()
    rows: list[CommuneRow] = []
    groups: dict[str, GroupRow] = {}
    group_rows: dict[str, list[CommuneRow]] = {}
    total = len(data.units)
    step = max(1, total // 50)
    for index, unit in enumerate(data.units):
        report = data.reports.get(unit.code)
        row = CommuneRow(unit=unit, state=_state(report, data.period.deadline_at), report=report,
                         officials=tuple(data.officials.get(unit.code, ())))
        if report is not None:
            previous = data.previous_reports.get(unit.code)
            values = row.values = compute(form, report.answers, previous)
            row.counts = {ident: value for ident, value in values.answers.items() if isinstance(value, int)}
            row.counts.update(values.derived)
            row.rates = {rate.id: values.rates.get(rate.id) for rate in form.rates if rate.id in values.rates}
            row.rates.update(own_rates(spec, row.counts))
            row.texts = {ident: str(report.answers[ident]) for ident in text_ids
                         if isinstance(report.answers.get(ident), str)}
            row.anomalies = _anomalies(form, report, values, previous, data.history.get(unit.code, ()))
            _sum_into(totals, row.counts, count_ids)
        completeness.add(row)
        if data.national:
            group = groups.get(unit.province_code)
            if group is None:
                province = data.provinces.get(unit.province_code) or RollupUnit(
                    unit.province_code, unit.province_name or unit.province_code,
                    unit.province_name or unit.province_code, unit.province_code, unit.province_name)
                group = groups[unit.province_code] = GroupRow(province, Completeness(), Totals())
            group.completeness.add(row)
            group.anomalies += len(row.anomalies)
            if report is not None:
                _sum_into(group.totals, row.counts, count_ids)
                group_rows.setdefault(unit.province_code, []).append(row)
        rows.append(row)
        if progress is not None and (index + 1) % step == 0:
            progress(index + 1, total)
    if progress is not None:
        progress(total, total)
    _finish(form, totals, [row for row in rows if row.reported])
    for code, group in groups.items():
        _finish(form, group.totals, group_rows.get(code, []))

    previous_totals = None
    previous_reported = 0
    if data.previous_period is not None:
        in_scope = {unit.code for unit in data.units}
        previous_totals = Totals()
        before = [answers for code, answers in data.previous_reports.items() if code in in_scope]
        for answers in before:
            counts = {k: v for k, v in answers.items() if isinstance(v, int) and not isinstance(v, bool)}
            _sum_into(previous_totals, counts, count_ids)
        previous_reported = previous_totals.reported
        # with a blank among them, summed over the communes that reported each figure, as this period is
        blank = any(value is None for answers in before for value in answers.values())
        _finish(form, previous_totals, reported=[compute(form, answers) for answers in before] if blank else ())
        if previous_reported == 0:
            previous_totals = None

    themes: list[ThemeCount] = []
    themed = [figure.id for figure in spec.of("themes")]
    if data.taxonomy is not None and themed:
        sources = [
            ThemeSource(row.unit.code, row.unit.full_name,
                        [(ident, row.texts[ident]) for ident in themed if row.texts.get(ident)])
            for row in rows if row.reported
        ]
        themes = classify(data.taxonomy, sources)

    return Rollup(
        form=form, period=data.period, scope_name=data.scope_name, scope_code=data.scope_code, rows=rows,
        totals=totals, completeness=completeness, previous_period=data.previous_period,
        previous_totals=previous_totals, previous_reported=previous_reported,
        groups=sorted(groups.values(), key=lambda g: g.unit.code), themes=themes,
    )


# --- formatting helpers shared by the message and the files --------------------------------------


def format_moment(moment: datetime | None, tz: Any = None) -> str:
    """ "08:15 15/12/2025"; "" for none."""
    if moment is None:
        return ""
    if tz is not None:
        moment = moment.astimezone(tz)
    return f"{moment:%H:%M} {format_date(moment.date())}"


def count_text(value: int | None) -> str:
    return DASH if value is None else format_count(value)


def rate_text(value: Decimal | None) -> str:
    return format_percent(value)


def raised_texts(form: Form, row: CommuneRow) -> list[tuple[str, str]]:
    """(field id, text) of the texts sorted into themes (difficulties, proposals) a commune raised
    ("Không" left out)."""
    return [(figure.id, row.texts[figure.id]) for figure in rollup_of(form).of("themes")
            if row.texts.get(figure.id) and not is_nothing(row.texts[figure.id])]


def list_names(names: Sequence[str], limit: int) -> str:
    shown = list(names[:limit])
    rest = len(names) - len(shown)
    text = ", ".join(shown)
    return say("rollup_labels.and_others", names=text, rest=rest) if rest > 0 else text


# --- the chat message --------------------------------------------------------------------------

MESSAGE_ANOMALIES = 10
MESSAGE_MISSING = 15


def rollup_message(rollup: Rollup) -> str:
    """The short message in chat: completeness, the summed figures, the rates from the sums,
    the change against the previous period, anomalies, the missing communes, the themes."""
    done = rollup.completeness
    spread = say("rollup.spread", count=format_count(len(rollup.groups))) if rollup.national else ""
    lines = [
        say("rollup.title", period=rollup.period.label.upper()),
        say("rollup.scope", scope=rollup.scope_name, total=format_count(done.total), spread=spread),
        "",
        say("rollup.completeness", reported=format_count(done.reported), total=format_count(done.total),
            on_time=format_count(done.on_time), late=done.late_text(), missing=format_count(done.missing)),
    ]
    if done.reported:
        on_behalf = say("rollup.approval_on_behalf", count=format_count(done.on_behalf)) if done.on_behalf else ""
        lines.append(say("rollup.approval", approved=format_count(done.approved), returned=format_count(done.returned),
                         waiting=format_count(done.waiting), on_behalf=on_behalf))
    if rollup.previous_period is not None:
        lines.append(say("rollup.previous", period=rollup.previous_period.short_label,
                         reported=format_count(rollup.previous_reported), total=format_count(done.total)))
    lines.append("")
    if not done.reported:
        lines.append(say("rollup.nothing_reported"))
    else:
        lines.append(say("rollup.figures_head", count=format_count(done.reported)))
        lines += _figure_lines(rollup)
    anomalies = [(row, item) for row in rollup.rows for item in row.anomalies]
    if anomalies:
        kinds = ", ".join(
            f"{ANOMALY_LABELS[kind].lower()} {rollup.anomaly_count(kind)}"
            for kind in ANOMALY_LABELS if rollup.anomaly_count(kind)
        )
        lines += ["", say("rollup.anomalies_head", count=len(rollup.anomaly_rows), kinds=kinds)]
        for row, item in anomalies[:MESSAGE_ANOMALIES]:
            reason = (say("rollup.explained", explanation=item.explanation) if item.explanation
                      else say("rollup.unexplained"))
            lines.append(f"• {row.unit.full_name} — {item.label}: {_clip(item.message, 160)}{_clip(reason, 120)}")
        if len(anomalies) > MESSAGE_ANOMALIES:
            lines.append(say("rollup.more_anomalies", count=len(anomalies) - MESSAGE_ANOMALIES))
    ranked = ranking_lines(rollup)
    if ranked:
        lines += ["", *ranked]
    missing = rollup.missing_rows
    if missing:
        lines += ["", say("rollup.missing", count=format_count(len(missing)),
                          names=list_names([row.unit.full_name for row in missing], MESSAGE_MISSING))]
    if rollup.themes:
        lines += ["", say("rollup.themes_head")]
        lines.append("; ".join(f"{t.theme.label} {t.unit_count}" for t in rollup.themes) + ".")
    if rollup.national and rollup.groups:
        lines += ["", say("rollup.by_province_head")]
        lines.append("; ".join(
            f"{g.unit.name} {g.completeness.reported}/{g.completeness.total}" for g in rollup.groups
        ) + ".")
    return "\n".join(lines).strip()


def _figure_lines(rollup: Rollup) -> list[str]:
    """The message's figures, as the form declares them, each against the previous period."""
    form, spec, totals = rollup.form, rollup.spec, rollup.totals
    changes = {c.ident: c for c in rollup.changes()}
    named = totals.texts(form)
    lines = []
    for item in spec.message:
        ident = item.figure
        kind = figure_kind(form, spec, ident)
        label = item.label or label_of(form, spec, ident, short=kind == "count")
        if kind == "count":
            value = count_text(count_of(spec, totals.counts, ident))
        elif kind == "rate":
            value = rate_text(totals.rates.get(ident))
        elif kind == "target":
            found = totals.targets.get(ident, TargetCount(0, 0))
            value = say("rollup_figures.target_met", met=format_count(found.met), counted=format_count(found.counted))
        elif kind == "spread":
            shown = named[ident]
            value = say("rollup_figures.spread_values", lowest=shown.lowest, median=shown.median, highest=shown.highest)
        else:
            value = format(named[ident])
        line = f"• {label}: {value}" + named.fill(item.note)
        covered = totals.coverage_text(form, ident)
        if covered is not None:  # some communes answered ``blanks.button``
            line += f" ({covered})"
        change = changes.get(ident)
        if change is not None:
            show = rate_text if change.is_rate else count_text
            line += say("rollup.change", previous=show(change.previous),  # type: ignore[arg-type]
                        change=change.text())
        lines.append(line)
    return lines


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

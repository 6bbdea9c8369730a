"""How a form's reports roll up over many communes, as its file declares it (the ``rollup:``
section of ``templates/forms/*.yaml``): per figure how it rolls up, and what the chat message, the
chart, the .docx and the .xlsx show.

Ways a figure rolls up (``how``):

``sum``
    summed over the communes that reported (a count); with ``value`` (an expression over summed
    figures) a figure computed for each commune and for the sums, e.g. the overdue dossiers;
    the form's derived figures are recomputed from the sums.
``rate``
    a rate recomputed from the sums, never averaged: one of the form's rates, or (with ``label``,
    ``numerator`` and ``denominator``) a rate of two summed figures of the rollup's own.
``target``
    the number of communes whose ``of`` (an answer, derived figure or rate, or a row of a table
    declared by the form: ``targets.records_digitized``) meets ``target`` (``{ge: 98}``: a
    comparator and a number; for a row of kind target, its own target when left out).
``spread``
    for percentages that cannot be summed: the lowest, the median and the highest of ``of`` over
    the communes that gave it.
``statuses``
    for a table of tasks (``of``, a list of rows): how many rows have each status (``column``,
    labels in ``statuses``), counting only the rows that match ``where`` (``{note: tỉnh giao}``).
``themes``
    a text sorted into the themes of ``templates/themes.yaml`` (difficulties, proposals).

Besides the figures: the chat ``message``'s lines, the ``chart``'s rates, the ``docx`` (its
sentences, table columns and the ``balance`` its sums must keep), the ``xlsx``, and the
``ranking`` of the communes on rates of their own reports.

A form without a ``rollup:`` section sums its counts and recomputes its rates (:func:`rollup_of`).
Nothing here reads storage or knows the documents' formats; the sentences are the form's.
"""

from __future__ import annotations

import string
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from bot.domain.expressions import ExpressionField

if TYPE_CHECKING:
    from bot.domain.forms import Field as FormField
    from bot.domain.forms import Form

How = Literal["sum", "rate", "target", "spread", "statuses", "themes"]
Comparator = Literal["eq", "ne", "lt", "le", "gt", "ge"]
COMPARATORS: dict[str, str] = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥"}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RollupFigure(_Model):
    """One figure of the rollup and how it rolls up (see the module docstring)."""

    id: str
    how: How
    label: str | None = None
    short_label: str | None = None
    value: ExpressionField | None = None  # sum: computed from summed figures
    numerator: str | None = None  # rate of the rollup's own
    denominator: str | None = None
    of: str | None = None  # target, spread, statuses: the figure or table read for each commune
    target: dict[Comparator, Decimal] | None = None
    column: str = "status"  # statuses
    statuses: dict[str, str] = Field(default_factory=dict)  # status → label, in the order shown
    where: dict[str, str] = Field(default_factory=dict)  # statuses: only rows with these values

    @model_validator(mode="after")
    def _complete(self) -> RollupFigure:
        if self.how == "target" and (self.target is not None and len(self.target) != 1):
            raise ValueError(f"{self.id}: a target needs one comparator and a number, e.g. target: {{ge: 98}}")
        if (self.numerator is None) != (self.denominator is None):
            raise ValueError(f"{self.id}: a rate needs both numerator and denominator")
        if self.numerator is not None and (self.how != "rate" or not self.label):
            raise ValueError(f"{self.id}: numerator and denominator make a rate (how: rate) with its label")
        if self.value is not None and self.how != "sum":
            raise ValueError(f"{self.id}: value computes a figure from the sums (how: sum)")
        if self.how == "statuses" and not self.statuses:
            raise ValueError(f"{self.id}: statuses needs the labels of its statuses")
        return self

    @property
    def source(self) -> str:
        """The figure (or table) read for each commune."""
        return self.of or self.id

    @property
    def comparison(self) -> tuple[Comparator, Decimal]:
        assert self.target is not None
        return next(iter(self.target.items()))


class MessageLine(_Model):
    """A line of the chat message: a figure, its label (default: a count's short label, a rate's
    label) and a ``note`` after the value, a template with named figures (" (quá hạn {x})").
    Counts and rates are compared with the previous period."""

    figure: str
    label: str | None = None
    note: str = ""


class ChartRate(_Model):
    """A rate drawn per commune (or province): its legend, its words in the title, its colour,
    and the lines across: the rate of the whole scope (``line: total``) and a ``target``."""

    figure: str
    legend: str
    words: str
    color: str
    line: Literal["total", "none"] = "total"
    target: Decimal | None = None


class ChartSpec(_Model):
    rates: tuple[ChartRate, ...] = ()


class RankedRate(_Model):
    """A rate the communes are ranked on, and its words in the message ("đúng hạn")."""

    figure: str
    words: str


class RankingSpec(_Model):
    """The communes ranked on rates their own figures give (:mod:`bot.domain.rollup_ranking`):
    the ``shown`` best and weakest in the message, all in the .xlsx, the ``weakest_chart`` weakest
    in the chat picture."""

    rates: tuple[RankedRate, ...] = ()
    shown: int = Field(default=5, ge=1)
    weakest_chart: int = Field(default=10, ge=1)


class BalanceSpec(_Model):
    """The balance the sums must keep as each commune's figures do: the form's rule (``check``, a
    check id), the sentence when the sums keep it (``holds``) and when they do not (``broken``, with
    ``{units}``: the communes whose own figures break it, with their explanations); both templates
    with named figures."""

    check: str
    holds: str
    broken: str


class DocxSpec(_Model):
    """The .docx: its title, the sentence that opens it (``directive``) and what it reports on
    (``subject``, in its closing), the figures as sentences (templates with named figures), the
    balance of the sums (:class:`BalanceSpec`), the table's columns (the template's variable → a
    figure) and their ``headings`` (the template's variable → its heading), and the note under
    the table."""

    title: str | None = None
    directive: str | None = None
    subject: str | None = None
    heading: str | None = None  # the heading of the figures' part (default: the template's own)
    figures: tuple[str, ...] = ()
    balance: BalanceSpec | None = None
    columns: dict[str, str] = Field(default_factory=dict)
    headings: dict[str, str] = Field(default_factory=dict)  # a column's heading (default: the template's own)
    table_note: str = ""


class XlsxSpec(_Model):
    """The .xlsx: the counts of the sheet by province (every rate follows them)."""

    provinces: tuple[str, ...] = ()


class RollupSpec(_Model):
    """The ``rollup:`` section of a form file."""

    figures: tuple[RollupFigure, ...] = ()
    message: tuple[MessageLine, ...] = ()
    chart: ChartSpec = Field(default_factory=ChartSpec)
    docx: DocxSpec = Field(default_factory=DocxSpec)
    xlsx: XlsxSpec = Field(default_factory=XlsxSpec)
    ranking: RankingSpec = Field(default_factory=RankingSpec)

    _by_id: dict[str, RollupFigure] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._by_id.update((figure.id, figure) for figure in self.figures)

    def of(self, how: How) -> tuple[RollupFigure, ...]:
        return tuple(figure for figure in self.figures if figure.how == how)

    def figure(self, ident: str) -> RollupFigure | None:
        """The figure the section declares by this id (None: the form's own, or none)."""
        return self._by_id.get(ident)


class RollupSpecError(ValueError):
    """A rollup section naming what the form lacks; every problem in one message."""

    def __init__(self, form_id: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{form_id}: rollup: " + "; ".join(problems))


def default_spec(form: Form) -> RollupSpec:
    """A form that declares no rollup: its counts summed, its rates recomputed, every derived figure
    and rate in the .docx by its label."""
    return RollupSpec(figures=(
        *(RollupFigure(id=field.id, how="sum") for field in form.count_fields),
        *(RollupFigure(id=rate.id, how="rate") for rate in form.rates),
    ))


_checked: dict[int, tuple[Form, RollupSpec]] = {}  # by id(form), the form kept alive with it


def rollup_of(form: Form) -> RollupSpec:
    """The form's rollup, its references checked against the form (:class:`RollupSpecError`)."""
    known = _checked.get(id(form))
    if known is not None and known[0] is form:
        return known[1]
    declared: RollupSpec | None = getattr(form, "rollup", None)
    spec = declared if declared is not None else default_spec(form)
    problems = problems_of(form, spec)
    if problems:
        raise RollupSpecError(form.id, problems)
    if len(_checked) > 64:
        _checked.clear()
    spec = with_row_targets(form, spec)
    _checked[id(form)] = (form, spec)
    return spec


def table_row(form: Form, ident: str) -> FormField | None:
    """The row a dotted id names («targets.records_digitized»: the row of a table the form
    declares), or None."""
    table, _, row = ident.partition(".")
    if not row or form.kind_of(table) != "table":
        return None
    return next((item for item in form.field(table).rows if item.id == row), None)


def with_row_targets(form: Form, spec: RollupSpec) -> RollupSpec:
    """A target figure left without its target takes its row's («≥ 98»)."""
    figures = []
    for figure in spec.figures:
        row = table_row(form, figure.source) if figure.how == "target" and figure.target is None else None
        if row is not None and row.target is not None:
            figure = figure.model_copy(update={"target": {row.target.op: row.target.value}})
        figures.append(figure)
    if figures == list(spec.figures):
        return spec
    return RollupSpec(**{**dict(spec), "figures": tuple(figures)})  # built again: its index of figures too


def problems_of(form: Form, spec: RollupSpec) -> list[str]:
    """What the section names that the form (or the section) does not have."""
    problems: list[str] = []
    own = {figure.id for figure in spec.figures}
    known = {*(f.id for f in form.fields), *(d.id for d in form.derived), *(r.id for r in form.rates), *own}

    def need(ident: str | None, where: str) -> None:
        if ident is not None and ident not in known:
            problems.append(f"{where}: no figure {ident!r}")

    seen: set[str] = set()
    for figure in spec.figures:
        where = f"figures.{figure.id}"
        if figure.id in seen:
            problems.append(f"{where}: declared twice")
        seen.add(figure.id)
        if figure.how == "sum" and figure.value is None and form.kind_of(figure.id) not in ("count",):
            problems.append(f"{where}: only a count field is summed (or give value:)")
        if figure.how == "rate" and figure.numerator is None and form.kind_of(figure.id) != "rate":
            problems.append(f"{where}: not a rate of the form (or give label, numerator, denominator)")
        if figure.how == "themes" and form.kind_of(figure.id) != "text":
            problems.append(f"{where}: only a text is sorted into themes")
        if figure.value is not None:
            for ref in figure.value.references():
                need(ref, where)
        need(figure.numerator, where)
        need(figure.denominator, where)
        if figure.how in ("target", "spread") and table_row(form, figure.source) is None:
            need(figure.source, where)
        if figure.how == "target" and figure.target is None:
            row = table_row(form, figure.source)
            if row is None or row.target is None:
                problems.append(f"{where}: a target needs one comparator and a number, e.g. target: {{ge: 98}}")
    def how(ident: str) -> str | None:
        figure = spec.figure(ident)
        return figure.how if figure is not None else form.kind_of(ident)

    for index, line in enumerate(spec.message):
        need(line.figure, f"message[{index}]")
        if how(line.figure) in ("text", "themes"):
            problems.append(f"message[{index}]: a text is not a figure ({line.figure!r})")
        problems += _template_problems(line.note, known, f"message[{index}].note")
    for rate in spec.chart.rates:
        need(rate.figure, f"chart.{rate.figure}")
        if rate.figure in known and how(rate.figure) != "rate":
            problems.append(f"chart.{rate.figure}: the chart draws rates only")
    for index, sentence in enumerate(spec.docx.figures):
        problems += _template_problems(sentence, known, f"docx.figures[{index}]")
    for ranked in spec.ranking.rates:
        need(ranked.figure, f"ranking.{ranked.figure}")
        if ranked.figure in known and how(ranked.figure) != "rate":
            problems.append(f"ranking.{ranked.figure}: communes are ranked on rates only")
    balance = spec.docx.balance
    if balance is not None:
        if balance.check not in {check.id for check in form.checks}:
            problems.append(f"docx.balance: no check {balance.check!r}")
        problems += _template_problems(balance.holds, known, "docx.balance.holds")
        problems += _template_problems(balance.broken, known | {"units"}, "docx.balance.broken")
    for key, ident in spec.docx.columns.items():
        need(ident, f"docx.columns.{key}")
        if ident in known and how(ident) not in ("count", "derived", "sum", "rate"):
            problems.append(f"docx.columns.{key}: a column shows a count or a rate")
    for ident in spec.xlsx.provinces:
        need(ident, "xlsx.provinces")
    return problems


def _template_problems(template: str, known: set[str], where: str) -> list[str]:
    problems = []
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
    except ValueError as error:
        return [f"{where}: {error}"]
    for name in names:
        head = name.split(".", 1)[0].split("[", 1)[0]
        if head not in known:
            problems.append(f"{where}: no figure {head!r}")
    return problems


def placeholders(template: str) -> tuple[str, ...]:
    """The figures a sentence names ("{received_total}", "{tasks.done}" → "tasks")."""
    names = [name.split(".", 1)[0] for _, name, _, _ in string.Formatter().parse(template) if name]
    return tuple(dict.fromkeys(names))


def meets(value: Decimal | int, comparator: Comparator, target: Decimal) -> bool:
    number = Decimal(value)
    return {
        "eq": number == target, "ne": number != target, "lt": number < target,
        "le": number <= target, "gt": number > target, "ge": number >= target,
    }[comparator]


__all__ = ["COMPARATORS", "BalanceSpec", "ChartRate", "DocxSpec", "MessageLine", "RankedRate", "RankingSpec", "RollupFigure", "RollupSpec", "RollupSpecError",
           "default_spec", "meets", "placeholders", "problems_of", "rollup_of"]

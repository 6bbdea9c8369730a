"""Forms as data: the models of a form file (templates/forms/*.yaml), loading and checking them.

A form is checked when it is loaded: duplicate ids, unknown references, cycles in derivations,
bad bounds, checks without a message and the like give one :class:`FormError` whose message names
the file and the field, e.g. ``tthc-weekly.yaml: field 'digitized': check
'digitized_le_received_new' refers to unknown id 'received_neww'``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, TypeAlias, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Discriminator, PrivateAttr, Tag, ValidationError, model_validator
from pydantic import Field as PydanticField

from bot.domain.expressions import (
    All,
    Answered,
    AnyOf,
    Blank,
    Compare,
    ConditionField,
    ConditionNode,
    ExpressionError,
    ExpressionField,
    ExpressionNode,
    Not,
    Ref,
    Rows,
    walk,
)
from bot.domain.field_kinds import ANSWERED_KINDS, NUMERIC_KINDS, FieldKind, Option, TargetField
from bot.domain.form_variants import VariantError, explain_removed, extends_of
from bot.domain.form_variants import resolve as resolve_variant
from bot.domain.numbers import COUNT_MAX, CountBounds
from bot.domain.periods import PeriodSpec
from bot.domain.rollup_spec import RollupSpec
from bot.domain.text import fold
from bot.domain.values import Answers, Values, compute
from bot.domain.yaml_files import load_yaml

Severity = Literal["hard", "soft"]
_Stored = TypeVar("_Stored")  # an answer as the caller holds it (int | str, or the JSON of a table)

TEXT_MAX_LENGTH = 3500  # a Telegram message holds 4096 characters; leave room for the framing
LONG_TEXT_MAX_LENGTH = 50_000  # a text written over several messages (``several_messages: true``)
PERCENT_MAX = 100
DEFAULT_DECIMALS = {"decimal": 3, "percent": 2, "target": 2}
DEFAULT_TEXT_LENGTH = 2000
FIELD_ID = re.compile(r"^[a-z][a-z0-9_]*$")
FORM_ID = re.compile(r"^[a-z][a-z0-9_-]*$")
WEEKLY_FORM_ID = "tthc-weekly"  # the weekly report of every commune: templates/forms/tthc-weekly.yaml
NON_WORD = re.compile(r"[^a-z0-9]+")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
OUTLIER_PLACEHOLDERS = frozenset({"label", "short_label", "value", "median", "factor", "minimum", "periods"})
COMPARE_PLACEHOLDERS = frozenset({"left", "right"})

__all__ = [
    "Check",
    "Derived",
    "Field",
    "Form",
    "FormError",
    "OutlierCheck",
    "PeriodSpec",
    "Rate",
    "RuleCheck",
    "Section",
    "load_form",
    "load_forms",
]


class FormError(ValueError):
    """A form file that cannot be used. ``problems`` lists every problem found, each prefixed with
    the file name; the message is those lines."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(f"{source}: {problem}" if source else problem for problem in problems)
        super().__init__("\n".join(self.problems))


class _Problems(ValueError):
    """Carries the cross-reference problems out of the model validator."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# --- the parts of a form ---------------------------------------------------------------------


class Section(_Model):
    """A group of fields on the review screen."""

    id: str
    label: str


class Field(_Model):
    """One question of the form (or one row or column of a table field).

    Beyond counts and texts: ``decimal`` (a number with ``unit`` and up to ``decimals`` places,
    "1.234,5"), ``percent`` (0–100), ``choice`` (one of ``options``; any text too when
    ``other``), ``target`` (a number measured against ``target``, "≥ 98", or one of the declared
    ``texts`` such as "Không phát sinh") and ``table``: ``rows`` declared by the form, each a
    field answered on its own, or ``columns`` of rows the commune adds (at most ``max_rows``)."""

    id: str
    label: str
    short_label: str | None = None
    help: str = ""
    kind: FieldKind
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    ask_if: ConditionField | None = None
    default_from_previous: str | None = None
    offer_previous: bool = False
    optional: bool = False  # a count that may be answered ``blanks.button`` (a blank, never 0)
    aliases: tuple[str, ...] = ()
    section: str | None = None
    several_messages: bool = False  # a long text entered over several messages, up to max_length
    default: str | None = None  # a text offered as the answer ("Không có kiến nghị, đề xuất")
    unit: str | None = None
    decimals: int | None = PydanticField(default=None, ge=0, le=6)
    options: tuple[Option, ...] = ()
    other: bool = False
    target: TargetField | None = None
    texts: tuple[str, ...] = ()
    rows: tuple[Field, ...] = ()
    columns: tuple[Field, ...] = ()
    max_rows: int | None = PydanticField(default=None, ge=1, le=500)
    group: str | None = None  # a heading over rows of a table ("Phát triển hạ tầng")

    @property
    def button_label(self) -> str:
        return self.short_label or self.label

    @property
    def minimum(self) -> int:
        return 0 if self.min is None else self.min

    @property
    def maximum(self) -> int:
        return COUNT_MAX if self.max is None else self.max

    @property
    def bounds(self) -> CountBounds:
        return CountBounds(self.minimum, self.maximum)

    @property
    def text_limit(self) -> int:
        return DEFAULT_TEXT_LENGTH if self.max_length is None else self.max_length

    @property
    def places(self) -> int:
        """The decimals a decimal, percentage or target accepts and prints."""
        return self.decimals if self.decimals is not None else DEFAULT_DECIMALS.get(self.kind, 0)

    @property
    def number_bounds(self) -> tuple[int, int]:
        """(min, max) of a number answer: percentages and "%" targets 0–100 by default."""
        top = PERCENT_MAX if self.kind == "percent" or self.unit == "%" else COUNT_MAX
        return self.minimum, top if self.max is None else self.max

    def option(self, option_id: str) -> Option | None:
        return next((option for option in self.options if option.id == option_id), None)


Field.model_rebuild()


class Derived(_Model):
    """A figure computed from others, never asked (``value`` is an expression, usually a sum)."""

    id: str
    label: str
    short_label: str | None = None
    value: ExpressionField


class Rate(_Model):
    """A percentage ``numerator / denominator`` (two decimals; "—" when the denominator is 0)."""

    id: str
    label: str
    short_label: str | None = None
    numerator: ExpressionField
    denominator: ExpressionField


class RuleCheck(_Model):
    """A rule over the answers: when ``require`` is false, the check fires with ``message``.

    ``message`` may name any id (``{digitized}``), last period's values (``{previous.pending}``)
    and, when ``require`` is a comparison, its two sides (``{left}``, ``{right}``).
    ``fields`` are the answers to offer for correction (default: the fields ``require`` reads)."""

    kind: Literal["rule"] = "rule"
    id: str
    severity: Severity
    require: ConditionField
    message: str | None = None
    fields: tuple[str, ...] = ()


class OutlierCheck(_Model):
    """A count far above the commune's usual: value > ``factor`` × the median of its last
    ``window`` periods and > ``minimum``; needs ``min_history`` periods with that value.

    ``message`` may use {label}, {short_label}, {value}, {median}, {factor}, {minimum}, {periods}."""

    kind: Literal["outlier"]
    id: str
    severity: Severity = "soft"
    applies_to: tuple[str, ...] | None = None
    factor: Decimal = PydanticField(default=Decimal(3), gt=1)
    minimum: int = PydanticField(default=20, ge=0)
    window: int = PydanticField(default=8, ge=1, le=52)
    min_history: int = PydanticField(default=3, ge=1)
    # High figures whose factors (value ÷ median) lie within ``together`` times their middle factor
    # agree with each other (a busy week): one question names them all.
    together: Decimal = PydanticField(default=Decimal(4), gt=1)
    message: str | None = None


def _check_kind(raw: Any) -> str:
    if isinstance(raw, Mapping):
        return str(raw.get("kind", "rule"))
    return str(getattr(raw, "kind", "rule"))


Check: TypeAlias = Annotated[
    Annotated[RuleCheck, Tag("rule")] | Annotated[OutlierCheck, Tag("outlier")],
    Discriminator(_check_kind),
]


# --- the form --------------------------------------------------------------------------------


class Form(_Model):
    """A reporting form: questions, derived figures, rates, checks and the reporting period."""

    id: str
    version: int = 1
    title: str
    # How notices and the /baocao choice name the report beside the period ("tháng NQ57" →
    # "báo cáo tháng NQ57 tháng 4/2026"); none: the period alone names it ("báo cáo Tuần 50/2025").
    short_title: str | None = None
    description: str = ""
    previous_option: str = "Như kỳ trước"
    sections: tuple[Section, ...] = ()
    fields: tuple[Field, ...]
    derived: tuple[Derived, ...] = ()
    rates: tuple[Rate, ...] = ()
    checks: tuple[Check, ...] = ()
    period: PeriodSpec = PydanticField(default_factory=lambda: PeriodSpec.model_validate({}))
    scheduled: bool = True  # false: loaded, checked and rendered, but the calendar opens no period of it
    rollup: RollupSpec | None = None  # how its reports roll up over communes: bot/domain/rollup_spec.py
    variant_of: str | None = None  # a variant (bot/domain/form_variants.py): the scheduled form it extends
    template: str | None = None  # its .docx in templates/ (None: the form's default template)

    _fields: dict[str, Field] = PrivateAttr(default_factory=dict)
    _derived: dict[str, Derived] = PrivateAttr(default_factory=dict)
    _rates: dict[str, Rate] = PrivateAttr(default_factory=dict)
    _checks: dict[str, RuleCheck | OutlierCheck] = PrivateAttr(default_factory=dict)
    _derived_order: tuple[str, ...] = PrivateAttr(default=())
    _check_inputs: dict[str, frozenset[str]] = PrivateAttr(default_factory=dict)
    _inputs: dict[str, frozenset[str]] = PrivateAttr(default_factory=dict)  # expand() of each id
    _count_fields: tuple[Field, ...] = PrivateAttr(default=())
    _aliases: tuple[tuple[str, str], ...] = PrivateAttr(default=())
    _names: dict[str, str] = PrivateAttr(default_factory=dict)  # folded label, short label, alias → field
    _field_kinds: tuple[tuple[str, str], ...] = PrivateAttr(default=())
    _derived_steps: tuple[tuple[str, ExpressionNode], ...] = PrivateAttr(default=())

    @model_validator(mode="before")
    @classmethod
    def _period_of_this_form(cls, data: Any) -> Any:
        """The period block learns the form's id (PeriodInfo carries it)."""
        if isinstance(data, Mapping) and isinstance(data.get("id"), str):
            owner = data.get("variant_of") if isinstance(data.get("variant_of"), str) else data["id"]
            period = data.get("period", {})
            if isinstance(period, PeriodSpec):
                period = period.model_copy(update={"form_id": owner})
            elif isinstance(period, Mapping):
                period = {**period, "form_id": owner}
            data = {**data, "period": period}
        return data

    @model_validator(mode="after")
    def _cross_check(self) -> Form:
        problems, order = _FormChecker(self).run()
        if problems:
            raise _Problems(problems)
        self._fields = {field.id: field for field in self.fields}
        self._derived = {item.id: item for item in self.derived}
        self._rates = {item.id: item for item in self.rates}
        self._checks = {check.id: check for check in self.checks}
        self._derived_order = order
        self._inputs = {ident: self.expand([ident]) for ident in (*self._fields, *self._derived, *self._rates)}
        self._count_fields = tuple(field for field in self.fields if field.kind == "count")
        self._field_kinds = tuple((field.id, field.kind) for field in self.fields)
        self._derived_steps = tuple((ident, self._derived[ident].value) for ident in order)
        self._check_inputs = {check.id: self._inputs_of_check(check) for check in self.checks}
        self._names = {}
        for field in reversed(self.fields):  # the first field of a name wins
            for name in (field.label, field.short_label or "", *field.aliases):
                if _words(name):
                    self._names[_words(name)] = field.id
        self._aliases = tuple(
            sorted(
                (
                    (_words(alias), field.id)
                    for field in self.fields
                    for alias in (field.label, *field.aliases)
                ),
                key=lambda pair: -len(pair[0]),
            )
        )
        return self

    # --- lookups -----------------------------------------------------------------------------

    @property
    def schedule_id(self) -> str:
        """The form whose periods its reports belong to: the one a variant extends, else itself."""
        return self.variant_of or self.id

    @property
    def is_variant(self) -> bool:
        return self.variant_of is not None

    def field(self, field_id: str) -> Field:
        try:
            return self._fields[field_id]
        except KeyError:
            raise KeyError(f"form {self.id!r} has no field {field_id!r}") from None

    def derived_figure(self, derived_id: str) -> Derived:
        try:
            return self._derived[derived_id]
        except KeyError:
            raise KeyError(f"form {self.id!r} has no derived figure {derived_id!r}") from None

    def rate(self, rate_id: str) -> Rate:
        try:
            return self._rates[rate_id]
        except KeyError:
            raise KeyError(f"form {self.id!r} has no rate {rate_id!r}") from None

    def check(self, check_id: str) -> RuleCheck | OutlierCheck:
        try:
            return self._checks[check_id]
        except KeyError:
            raise KeyError(f"form {self.id!r} has no check {check_id!r}") from None

    def kind_of(self, ident: str) -> FieldKind | Literal["derived", "rate"] | None:
        if ident in self._fields:
            return self._fields[ident].kind
        if ident in self._derived:
            return "derived"
        if ident in self._rates:
            return "rate"
        return None

    def label_of(self, ident: str, short: bool = False) -> str:
        item: Field | Derived | Rate | None = (
            self._fields.get(ident) or self._derived.get(ident) or self._rates.get(ident)
        )
        if item is None:
            raise KeyError(f"form {self.id!r} has no id {ident!r}")
        return (item.short_label or item.label) if short else item.label

    @property
    def field_kinds(self) -> tuple[tuple[str, str], ...]:
        """(id, kind) of every field, in order (built once: computing values reads it per report)."""
        return self._field_kinds

    @property
    def derived_steps(self) -> tuple[tuple[str, ExpressionNode], ...]:
        """(id, expression) of the derived figures in :attr:`derived_order` (built once)."""
        return self._derived_steps

    @property
    def fields_by_id(self) -> Mapping[str, Field]:
        """The fields by id (built once, when the form is loaded)."""
        return self._fields

    @property
    def count_fields(self) -> tuple[Field, ...]:
        return self._count_fields

    @property
    def text_fields(self) -> tuple[Field, ...]:
        return tuple(field for field in self.fields if field.kind == "text")

    @property
    def derived_order(self) -> tuple[str, ...]:
        """Derived ids in an order where each comes after the derived figures it reads."""
        return self._derived_order

    def check_inputs(self, check_id: str) -> frozenset[str]:
        """The fields (answers) a check reads, through derived figures, this period only."""
        return self._check_inputs[check_id]

    def inputs(self, ident: str) -> frozenset[str]:
        """``expand([ident])``, computed once when the form is loaded."""
        found = self._inputs.get(ident)
        return found if found is not None else self.expand([ident])

    def expand(self, idents: Iterable[str]) -> frozenset[str]:
        """The fields behind ids: a field is itself, a derived figure or rate the fields it reads."""
        found: set[str] = set()
        stack = list(idents)
        while stack:
            ident = stack.pop()
            if ident in self._fields:
                found.add(ident)
            elif ident in self._derived:
                stack.extend(ref.id for ref in self._derived[ident].value.refs() if not ref.previous)
            elif ident in self._rates:
                rate = self._rates[ident]
                stack.extend(
                    ref.id for ref in (*rate.numerator.refs(), *rate.denominator.refs()) if not ref.previous
                )
        return frozenset(found)

    def sections_with_fields(self) -> list[tuple[Section | None, tuple[Field, ...]]]:
        """Fields grouped for the review screen, sections in declared order (ungrouped last)."""
        groups: list[tuple[Section | None, tuple[Field, ...]]] = []
        for section in self.sections:
            members = tuple(field for field in self.fields if field.section == section.id)
            if members:
                groups.append((section, members))
        loose = tuple(field for field in self.fields if field.section is None)
        if loose:
            groups.append((None, loose))
        return groups

    def match_label(self, text: str) -> Field | None:
        """The field a free-text label names ("tiep nhan truc tuyen toan trinh", "Số hóa"), by the
        longest label or alias contained in it, diacritics ignored; None when nothing matches."""
        folded = f" {_words(text)} "
        for alias, field_id in self._aliases:
            if alias and f" {alias} " in folded:
                return self._fields[field_id]
        return None

    def named_exactly(self, text: str) -> Field | None:
        """The field whose label, short label or an alias ``text`` is, diacritics and case ignored
        ("Nguyên nhân quá hạn", "nguyen nhan qua han"); None otherwise."""
        field_id = self._names.get(_words(text)) if text and len(text) <= _LONGEST_NAME else None
        return None if field_id is None else self._fields[field_id]

    # --- the questions -----------------------------------------------------------------------

    def values(self, answers: Answers, previous: Answers | Values | None = None) -> Values:
        return compute(self, answers, previous)

    def applies(self, field: Field | str, answers: Answers, previous: Answers | Values | None = None) -> bool | None:
        """Whether a field is to be asked: True, False, or None while its condition is undecided."""
        field = self.field(field) if isinstance(field, str) else field
        if field.ask_if is None:
            return True
        return field.ask_if.evaluate(compute(self, answers, previous))

    def questions(self, answers: Answers, previous: Answers | Values | None = None, *,
                  values: Values | None = None) -> list[Field]:
        """The fields to ask, in order, given the answers so far. A field whose condition cannot be
        decided yet (its inputs unanswered) is kept: it may still be asked. ``values``:
        ``compute(self, answers, previous)`` when the caller has it already."""
        return self.asked(values if values is not None else compute(self, answers, previous))

    def asked(self, values: Values) -> list[Field]:
        """``questions`` from the report's values already computed (``compute``)."""
        return [
            field
            for field in self.fields
            if field.ask_if is None or field.ask_if.evaluate(values) is not False
        ]

    def next_question(self, answers: Answers, previous: Answers | Values | None = None) -> Field | None:
        """The first applicable field not answered yet, or None when the form is complete."""
        for field in self.questions(answers, previous):
            if answers.get(field.id) is None and not (field.optional and field.id in answers):  # a blank is answered
                return field
        return None

    def is_complete(self, answers: Answers, previous: Answers | Values | None = None) -> bool:
        return self.next_question(answers, previous) is None

    def relevant_answers(self, answers: Mapping[str, _Stored | None],
                         previous: Answers | Values | None = None) -> dict[str, _Stored]:
        """The answers to keep: those of this form's fields that still apply (an overdue reason is
        dropped once the overdue counts are corrected to 0)."""
        asked = {field.id: field for field in self.questions(answers, previous)}
        return {key: value  # type: ignore[misc]  # (a blank, None, is kept: it is an answer)
                for key, value in answers.items() if key in asked and (value is not None or asked[key].optional)}

    # --- internals ---------------------------------------------------------------------------

    def _inputs_of_check(self, check: RuleCheck | OutlierCheck) -> frozenset[str]:
        if isinstance(check, RuleCheck):
            return self.expand(ref.id for ref in check.require.refs() if not ref.previous)
        targets = check.applies_to if check.applies_to is not None else tuple(f.id for f in self.count_fields)
        return self.expand(targets)


_LONGEST_NAME = 300  # longer text is no field's name (not folded to find out)


def _words(text: str) -> str:
    """Folded words separated by single spaces: "Tiếp nhận mới: trực tuyến" → "tiep nhan moi truc tuyen"."""
    return " ".join(NON_WORD.split(fold(text))).strip()


# --- checking a form -------------------------------------------------------------------------


class _FormChecker:
    """Cross-reference checks of a structurally valid form; problems are 'where: what' lines."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.problems: list[str] = []
        self.fields = {field.id: field for field in form.fields}
        self.derived = {item.id: item for item in form.derived}
        self.rates = {item.id: item for item in form.rates}
        self.position = {field.id: index for index, field in enumerate(form.fields)}

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}" if where else what)

    def run(self) -> tuple[list[str], tuple[str, ...]]:
        form = self.form
        if not FORM_ID.match(form.id):
            self.add("", f"form id {form.id!r} must be lower-case letters, digits, '-' and '_'")
        if not form.title.strip():
            self.add("", "title is empty")
        if not form.fields:
            self.add("", "fields: a form needs at least one field")
        self._ids()
        sections = [section.id for section in form.sections]
        for duplicate in sorted({s for s in sections if sections.count(s) > 1}):
            self.add(f"section '{duplicate}'", "id is used more than once")
        for field in form.fields:
            self._field(field, set(sections))
        self._aliases()
        order = self._derivations()
        for rate in form.rates:
            for part in ("numerator", "denominator"):
                self._numeric_refs(f"rate '{rate.id}'", part, getattr(rate, part))
        check_ids = [check.id for check in form.checks]
        for duplicate in sorted({c for c in check_ids if check_ids.count(c) > 1}):
            self.add(f"check '{duplicate}'", "id is used more than once")
        for check in form.checks:
            if isinstance(check, RuleCheck):
                self._rule_check(check)
            else:
                self._outlier_check(check)
        return self.problems, order

    # ids ---------------------------------------------------------------------------------------

    def _ids(self) -> None:
        seen: dict[str, str] = {}
        items: list[tuple[str, str]] = [
            *(("field", f.id) for f in self.form.fields),
            *(("derived", d.id) for d in self.form.derived),
            *(("rate", r.id) for r in self.form.rates),
        ]
        for what, ident in items:
            where = f"{what} '{ident}'"
            if not FIELD_ID.match(ident):
                self.add(where, "id must be lower-case letters, digits and '_', starting with a letter")
            if ident in seen:
                self.add(where, f"duplicate id (already used by {seen[ident]} '{ident}')")
            else:
                seen[ident] = what
        for check in self.form.checks:
            if not FIELD_ID.match(check.id):
                self.add(f"check '{check.id}'", "id must be lower-case letters, digits and '_'")

    # fields ------------------------------------------------------------------------------------

    def _field(self, field: Field, sections: set[str]) -> None:
        where = f"field '{field.id}'"
        for problem in _own_problems(field):
            self.add(where, problem)
        if field.section is not None and field.section not in sections:
            self.add(where, f"section '{field.section}' is not declared under sections")
        if field.default_from_previous is not None:
            self._default_from_previous(field, where)
        if field.ask_if is not None:
            self._ask_if(field, where)

    def _default_from_previous(self, field: Field, where: str) -> None:
        source = field.default_from_previous
        assert source is not None
        kind = self._kind(source)
        if kind is None:
            self.add(where, f"default_from_previous refers to unknown id '{source}'")
        elif field.kind == "count" and kind not in ("count", "derived"):
            self.add(where, f"default_from_previous: '{source}' is a {kind}, not a count")
        elif field.kind == "text" and kind != "text":
            self.add(where, f"default_from_previous: '{source}' is a {kind}, not a text")
        elif field.kind not in ("count", "text") and kind != field.kind:
            self.add(where, f"default_from_previous: '{source}' is a {kind}, not a {field.kind}")

    def _ask_if(self, field: Field, where: str) -> None:
        assert field.ask_if is not None
        self._condition_refs(where, "ask_if", field.ask_if)
        mine = self.position[field.id]
        for ref in field.ask_if.refs():
            if ref.previous or self._kind(ref.id) is None:
                continue
            for source in sorted(self._fields_behind(ref.id)):
                if self.position[source] >= mine:
                    self.add(
                        where,
                        f"ask_if reads '{source}', which is asked at or after this field; "
                        "a question can only depend on earlier answers",
                    )

    def _aliases(self) -> None:
        owner: dict[str, str] = {}
        for field in self.form.fields:
            for alias in field.aliases:
                key = _words(alias)
                if not key:
                    self.add(f"field '{field.id}'", "an alias is empty")
                elif owner.get(key, field.id) != field.id:
                    self.add(
                        f"field '{field.id}'", f"alias '{alias}' is also an alias of field '{owner[key]}'"
                    )
                else:
                    owner[key] = field.id

    # derivations -------------------------------------------------------------------------------

    def _derivations(self) -> tuple[str, ...]:
        for item in self.form.derived:
            self._numeric_refs(f"derived '{item.id}'", "value", item.value)
        order: list[str] = []
        state: dict[str, str] = {}

        def visit(ident: str, path: list[str]) -> None:
            if state.get(ident) == "done":
                return
            if state.get(ident) == "visiting":
                cycle = path[path.index(ident) :] + [ident]
                self.add(f"derived '{ident}'", "cycle in derivations: " + " → ".join(cycle))
                return
            state[ident] = "visiting"
            for ref in self.derived[ident].value.refs():
                if not ref.previous and ref.id in self.derived:
                    visit(ref.id, [*path, ident])
            state[ident] = "done"
            order.append(ident)

        before = len(self.problems)
        for ident in self.derived:
            visit(ident, [])
        return tuple(order) if len(self.problems) == before else ()

    # checks ------------------------------------------------------------------------------------

    def _rule_check(self, check: RuleCheck) -> None:
        name = f"check '{check.id}'"
        first = check.fields[0] if check.fields else None
        where = f"field '{first}'" if first in self.fields else ""
        label = f"{where}: {name}" if where else name
        for ident in check.fields:
            kind = self._kind(ident)
            if kind is None:
                self.add(name, f"fields lists unknown id '{ident}'")
            elif kind not in ANSWERED_KINDS:
                self.add(name, f"fields lists {kind} '{ident}'; only answered fields can be corrected")
        self._condition_refs(label, "", check.require, joiner=" ")
        self._message(
            label,
            check.severity,
            check.message,
            COMPARE_PLACEHOLDERS if isinstance(check.require, Compare) else frozenset(),
        )

    def _outlier_check(self, check: OutlierCheck) -> None:
        where = f"check '{check.id}'"
        for ident in check.applies_to or ():
            kind = self._kind(ident)
            if kind is None:
                self.add(where, f"applies_to lists unknown id '{ident}'")
            elif kind not in ("count", "derived"):
                self.add(where, f"applies_to lists '{ident}', a {kind}; only counts can be outliers")
        if check.min_history > check.window:
            self.add(where, f"min_history ({check.min_history}) is larger than window ({check.window})")
        self._message(where, check.severity, check.message, OUTLIER_PLACEHOLDERS, ids_allowed=False)

    def _message(
        self,
        where: str,
        severity: str,
        message: str | None,
        extra: frozenset[str],
        ids_allowed: bool = True,
    ) -> None:
        if message is None or not message.strip():
            self.add(where, f"a {severity} check needs a message (in Vietnamese, naming the numbers)")
            return
        stripped = PLACEHOLDER.sub("", message)
        if "{" in stripped or "}" in stripped:
            self.add(where, "message has an unmatched '{' or '}'")
        for name in PLACEHOLDER.findall(message):
            if name in extra:
                continue
            ident = name.removeprefix("previous.")
            if not ids_allowed or self._kind(ident) is None:
                allowed = ", ".join(sorted(extra)) if not ids_allowed else "an id, previous.<id>"
                self.add(where, f"message refers to unknown id '{name}' (use {allowed})")

    # references --------------------------------------------------------------------------------

    def _kind(self, ident: str) -> str | None:
        if ident in self.fields:
            return self.fields[ident].kind
        if ident in self.derived:
            return "derived"
        if ident in self.rates:
            return "rate"
        return None

    def _fields_behind(self, ident: str, seen: frozenset[str] = frozenset()) -> set[str]:
        if ident in self.fields:
            return {ident}
        if ident in self.derived and ident not in seen:
            return {
                source
                for ref in self.derived[ident].value.refs()
                if not ref.previous
                for source in self._fields_behind(ref.id, seen | {ident})
            }
        return set()

    def _numeric_refs(
        self, where: str, part: str, node: ExpressionNode | Compare, joiner: str = ": "
    ) -> None:
        prefix = f"{part} " if part else ""
        counted = {id(rows.table) for rows in walk(node) if isinstance(rows, Rows)}
        for rows in walk(node):
            if isinstance(rows, Rows):
                self._rows(where, prefix, rows, joiner)
        for ref in node.refs():
            kind = self._kind(ref.id)
            if kind is None:
                self._unknown(where, prefix, ref, joiner)
            elif id(ref) in counted:
                continue
            elif kind not in NUMERIC_KINDS and kind != "derived":
                self.problems.append(
                    f"{where}{joiner}{prefix}computes with '{ref.written}', a {kind}; only numbers "
                    "and derived figures can be added or compared (count a table's rows with 'rows')"
                )

    def _rows(self, where: str, prefix: str, rows: Rows, joiner: str) -> None:
        table = self.fields.get(rows.table.id)
        if table is None:
            return  # named as unknown with the other references
        column = next((c for c in table.columns if c.id == rows.column), None)
        if table.kind != "table" or not table.columns:
            problem = f"rows reads '{table.id}', which is not a table of rows the commune adds"
        elif column is None or column.kind != "choice":
            problem = f"rows: '{rows.column}' is not a choice column of table '{table.id}'"
        elif column.option(rows.option) is None:
            problem = f"rows: column '{rows.column}' of '{table.id}' has no option '{rows.option}'"
        else:
            return
        self.problems.append(f"{where}{joiner}{prefix}{problem}")

    def _condition_refs(self, where: str, part: str, node: ConditionNode, joiner: str = ": ") -> None:
        if isinstance(node, Compare):
            self._numeric_refs(where, part, node, joiner)
        elif isinstance(node, All | AnyOf):
            for arg in node.args:
                self._condition_refs(where, part, arg, joiner)
        elif isinstance(node, Not):
            self._condition_refs(where, part, node.arg, joiner)
        elif isinstance(node, Blank):
            field = self.fields.get(node.ref.id)
            if field is None or not field.optional:
                self.problems.append(f"{where}{joiner}{part} blank: '{node.ref.written}' is not an optional field")
        elif isinstance(node, Answered):
            kind = self._kind(node.ref.id)
            if kind is None:
                self._unknown(where, f"{part} " if part else "", node.ref, joiner)
            elif kind == "rate":
                self.problems.append(f"{where}{joiner}{part} answered: '{node.ref.written}' is a rate")

    def _unknown(self, where: str, prefix: str, ref: Ref, joiner: str) -> None:
        self.problems.append(f"{where}{joiner}{prefix}refers to unknown id '{ref.written}'")


# --- checking one field's declaration, whatever its kind --------------------------------------

_APPLIES: dict[str, frozenset[str]] = {
    "several_messages": frozenset({"text"}),
    "default": frozenset({"text"}),
    "unit": frozenset({"decimal", "percent", "target"}),
    "decimals": frozenset({"decimal", "percent", "target"}),
    "options": frozenset({"choice"}),
    "other": frozenset({"choice"}),
    "target": frozenset({"target"}),
    "texts": frozenset({"target"}),
    "rows": frozenset({"table"}),
    "columns": frozenset({"table"}),
    "max_rows": frozenset({"table"}),
    "optional": frozenset({"count"}),
}
_COLUMN_KINDS = frozenset({"text", "choice", "count", "decimal", "percent"})


def _own_problems(field: Field) -> list[str]:
    """What is wrong with a field's declaration by itself (its references are checked apart)."""
    problems: list[str] = []
    add = problems.append
    if not field.label.strip():
        add("label is empty")
    if field.kind == "count":
        if field.max_length is not None:
            add("max_length applies to text fields only (use min/max for counts)")
        if field.offer_previous:
            add("offer_previous applies to text fields only (use default_from_previous)")
        if field.minimum < 0:
            add(f"min ({field.minimum}) must not be negative")
        if field.maximum > COUNT_MAX:
            add(f"max ({field.maximum}) is above the limit for counts ({COUNT_MAX})")
        if field.minimum > field.maximum:
            add(f"min ({field.minimum}) is greater than max ({field.maximum})")
    elif field.kind == "text":
        if field.min is not None or field.max is not None:
            add("min/max apply to count fields only (use max_length for texts)")
        top = LONG_TEXT_MAX_LENGTH if field.several_messages else TEXT_MAX_LENGTH
        if not 1 <= field.text_limit <= top:
            extra = "" if field.several_messages else " (more with several_messages: true)"
            add(f"max_length ({field.text_limit}) must be between 1 and {top}{extra}")
    else:
        if field.max_length is not None:
            add(f"max_length applies to text fields only, not to a {field.kind}")
        if field.offer_previous:
            add(f"offer_previous applies to text fields only, not to a {field.kind}")
        problems.extend(_kind_problems(field))
    for name, kinds in _APPLIES.items():
        if field.kind not in kinds and name in field.model_fields_set:
            add(f"{name} applies to {' and '.join(sorted(kinds))} fields only, not to a {field.kind}")
    return problems


def _kind_problems(field: Field) -> list[str]:
    problems: list[str] = []
    add = problems.append
    if field.kind in ("decimal", "percent", "target"):
        low, high = field.number_bounds
        if field.kind == "percent" and (low < 0 or high > PERCENT_MAX):
            add(f"a percentage lies between 0 and {PERCENT_MAX} (min {low}, max {high})")
        if low > high:
            add(f"min ({low}) is greater than max ({high})")
    if field.kind == "choice":
        if not field.options:
            add("a choice needs options (id and label of each answer)")
        owner: dict[str, str] = {}
        for option in field.options:
            if not FIELD_ID.match(option.id):
                add(f"option '{option.id}': id must be lower-case letters, digits and '_'")
            if not option.label.strip():
                add(f"option '{option.id}': label is empty")
            for word in (option.id, option.label, *option.aliases):
                key = _words(word)
                if key and owner.setdefault(key, option.id) != option.id:
                    add(f"option '{option.id}': '{word}' also names option '{owner[key]}'")
    if field.kind == "target":
        if field.target is None:
            add("a target field needs target (e.g. '≥ 98')")
        for text in field.texts:
            if not _words(text):
                add("texts: a declared text is empty")
    if field.kind == "table":
        problems.extend(_table_problems(field))
    return problems


def _table_problems(field: Field) -> list[str]:
    problems: list[str] = []
    add = problems.append
    if bool(field.rows) == bool(field.columns):
        add("a table declares either rows (answered one by one) or columns (rows the commune adds)")
    if field.rows and field.max_rows is not None:
        add("max_rows applies to tables of columns (rows the commune adds)")
    for what, parts in (("row", field.rows), ("column", field.columns)):
        seen: set[str] = set()
        for part in parts:
            where = f"{what} '{part.id}'"
            if not FIELD_ID.match(part.id):
                add(f"{where}: id must be lower-case letters, digits and '_', starting with a letter")
            if part.id in seen:
                add(f"{where}: duplicate id")
            seen.add(part.id)
            if part.kind == "table":
                add(f"{where}: a table cannot hold a table")
            elif what == "column" and part.kind not in _COLUMN_KINDS:
                add(f"{where}: a column is one of {', '.join(sorted(_COLUMN_KINDS))}, not a {part.kind}")
            if part.ask_if is not None or part.default_from_previous or part.section:
                add(f"{where}: ask_if, default_from_previous and section apply to the table, not its {what}s")
            problems.extend(f"{where}: {problem}" for problem in _own_problems(part))
    return problems


# --- loading ---------------------------------------------------------------------------------


BasesLoader: TypeAlias = Callable[[], Mapping[str, Mapping[str, Any]]]  # the forms a variant may extend


def load_form(path: str | Path) -> Form:
    """Read and check one form file; any problem raises :class:`FormError` naming file and field.
    A variant (``extends``) finds the form it extends among the form files of its folder."""
    path = Path(path)
    source = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise FormError(source, [f"cannot be read ({error.strerror or error})"]) from None
    return parse_form(text, source, bases=lambda: form_mappings(path.parent, skip=path))


def parse_form(
    text: str, source: str = "<form>", bases: Mapping[str, Mapping[str, Any]] | BasesLoader | None = None
) -> Form:
    """Check a form given as YAML text; ``source`` names it in error messages. A variant
    (``extends``) is resolved against ``bases`` (form mappings by id, or a function giving them)."""
    data = _mapping(text, source)
    return _validate(data, source, bases)


def _mapping(text: str, source: str) -> dict[str, Any]:
    try:
        data = load_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise FormError(source, [f"not valid YAML{where}: {problem}"]) from None
    if not isinstance(data, dict):
        raise FormError(source, ["a form file must be a mapping with id, title, fields, …"])
    return data


def _validate(
    data: Mapping[str, Any], source: str, bases: Mapping[str, Mapping[str, Any]] | BasesLoader | None
) -> Form:
    removed: set[str] = set()
    if extends_of(data) is not None:
        found = bases() if callable(bases) else (bases or {})
        try:
            data, removed = resolve_variant(data, found)
        except VariantError as error:
            raise FormError(source, error.problems) from None
    try:
        return Form.model_validate(data)
    except ValidationError as error:
        raise FormError(source, explain_removed(_explain(error, data), removed)) from None


def form_mappings(directory: str | Path, skip: Path | None = None) -> dict[str, dict[str, Any]]:
    """The form files of a folder as mappings by id (files that cannot be read are left out: the
    form that needs them says which id it misses)."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted([*Path(directory).glob("*.yaml"), *Path(directory).glob("*.yml")]):
        if skip is not None and path.resolve() == skip.resolve():
            continue
        try:
            data = _mapping(path.read_text(encoding="utf-8"), path.name)
        except (OSError, FormError):
            continue
        if isinstance(data.get("id"), str):
            found.setdefault(data["id"], data)
    return found


FormFile: TypeAlias = tuple[Path, str, dict[str, Any]]  # a form file: its path, its text, its mapping


def read_folder(directory: str | Path) -> list[FormFile]:
    """Each ``*.yaml``/``*.yml`` file of a folder read once, in name order; a file that cannot be
    read or is not a YAML mapping raises :class:`FormError` naming it."""
    files: list[FormFile] = []
    for path in sorted([*Path(directory).glob("*.yaml"), *Path(directory).glob("*.yml")]):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise FormError(path.name, [f"cannot be read ({error.strerror or error})"]) from None
        files.append((path, text, _mapping(text, path.name)))
    return files


def bases_of(files: Sequence[FormFile]) -> dict[str, dict[str, Any]]:
    """The forms a variant among ``files`` may extend, by id."""
    return {data["id"]: data for _, _, data in files if isinstance(data.get("id"), str)}


def form_of_file(file: FormFile, bases: Mapping[str, Mapping[str, Any]]) -> Form:
    """The form of a file :func:`read_folder` read (a variant resolved against ``bases``)."""
    path, _, data = file
    return _validate(data, path.name, bases)


def load_forms(directory: str | Path) -> dict[str, Form]:
    """Every ``*.yaml``/``*.yml`` form in a directory, by form id (duplicate ids are an error);
    variants resolved against the forms they extend."""
    forms: dict[str, Form] = {}
    origin: dict[str, str] = {}
    files = read_folder(directory)
    mappings = bases_of(files)
    for path, _, data in files:
        form = _validate(data, path.name, mappings)
        if form.id in forms:
            raise FormError(path.name, [f"form id '{form.id}' is already used by {origin[form.id]}"])
        forms[form.id] = form
        origin[form.id] = path.name
    return forms


def variants_of(forms: Mapping[str, Form], form_id: str) -> list[Form]:
    """The variants of a form among ``forms``, by id."""
    return sorted((form for form in forms.values() if form.variant_of == form_id), key=lambda form: form.id)


# --- turning pydantic errors into 'where: what' lines ----------------------------------------

_SECTIONS = {
    "fields": "field",
    "derived": "derived",
    "rates": "rate",
    "checks": "check",
    "sections": "section",
}
_TAGS = {"rule", "outlier", "const", "ref", "sum", "sub", "max", "min"}


def _explain(error: ValidationError, data: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    for item in error.errors():
        context_error = (item.get("ctx") or {}).get("error")
        if isinstance(context_error, _Problems):
            problems.extend(context_error.problems)
            continue
        where, rest = _where(item["loc"], data)
        if isinstance(context_error, ExpressionError):
            what = context_error.problem
            rest = [*rest, context_error.at] if context_error.at else rest
        elif item["type"] == "extra_forbidden":
            what = f"unknown key '{rest[-1] if rest else '?'}'"
            rest = rest[:-1]
        elif item["type"] == "union_tag_invalid":
            context = item.get("ctx") or {}
            what = f"unknown kind {context.get('tag')!r} (expected {context.get('expected_tags', '')})"
        elif item["type"] == "missing":
            what = f"'{rest[-1] if rest else '?'}' is required"
            rest = rest[:-1]
        else:
            what = str(item["msg"]).removeprefix("Value error, ")
        path = ".".join(rest)
        line = f"{path}: {what}" if path else what
        problems.append(f"{where}: {line}" if where else line)
    return list(dict.fromkeys(problems))


def _where(loc: tuple[int | str, ...], data: Mapping[str, Any]) -> tuple[str, list[str]]:
    parts = list(loc)
    if len(parts) >= 2 and parts[0] in _SECTIONS and isinstance(parts[1], int):
        items = data.get(str(parts[0]))
        raw = items[parts[1]] if isinstance(items, list) and parts[1] < len(items) else None
        ident = raw.get("id") if isinstance(raw, Mapping) else None
        name = _SECTIONS[str(parts[0])]
        where = f"{name} '{ident}'" if ident else f"{name} #{parts[1] + 1}"
        rest = [str(part) for part in parts[2:] if part not in _TAGS]
        return where, rest
    if parts and parts[0] == "period":
        return "period", [str(part) for part in parts[1:]]
    return "", [str(part) for part in parts]

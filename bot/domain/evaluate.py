"""Deriving, checking and suggesting values of a report against its form.

- :func:`compute` gives the :class:`Values` of a report (derived figures and rates known as soon as
  their inputs are);
- :func:`evaluate_checks` gives the checks that fire, in Vietnamese with formatted numbers; a check
  fires only once all of its inputs are known (three-valued evaluation);
- :func:`defaults` suggests answers from last period; :func:`explain_derived` shows a sum.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from statistics import median
from typing import Literal

from pydantic import BaseModel, ConfigDict

from bot.chat.catalogue import say
from bot.domain.decimals import format_decimal
from bot.domain.expressions import Compare, Const, ExpressionNode, First, Sub, Sum
from bot.domain.formatting import format_typed
from bot.domain.forms import Form, OutlierCheck, RuleCheck
from bot.domain.numbers import format_count, format_percent
from bot.domain.values import Answer, Answers, Value, Values, compute

__all__ = [
    "CheckResult",
    "Values",
    "compute",
    "defaults",
    "evaluate_checks",
    "explain_derived",
    "skipped_checks",
    "format_value",
]

UNKNOWN = "?"
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class CheckResult(BaseModel):
    """A check that fired. ``fields`` are the answers to offer for correction."""

    model_config = ConfigDict(frozen=True)

    check_id: str
    severity: Literal["hard", "soft"]
    message: str
    fields: tuple[str, ...]
    subject: str | None = None  # the figure a per-figure check (outlier) is about

    @property
    def key(self) -> str:
        """Unique within one evaluation: the check id, with the subject for per-figure checks
        ("outlier:received_online_full"); use it to store the reporter's explanation."""
        return self.check_id if self.subject is None else f"{self.check_id}:{self.subject}"

    @property
    def is_hard(self) -> bool:
        return self.severity == "hard"


# --- formatting ------------------------------------------------------------------------------


def format_value(form: Form, values: Values, ident: str) -> str:
    """A value as printed: counts "1.794", rates "66,64%" or "—", texts as given, "?" if unknown."""
    if not values.known(ident):
        return UNKNOWN
    kind = form.kind_of(ident)
    value = values.get(ident)
    if kind == "rate":
        return format_percent(value if isinstance(value, Decimal) else None)
    if kind not in ("count", "text", "derived", None):
        return format_typed(form.field(ident), value)
    return _format_plain(value)


def _format_plain(value: Value | float) -> str:
    if value is None:
        return UNKNOWN
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return format_count(value)
    if not isinstance(value, Decimal | float):
        return UNKNOWN
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return format_count(int(number))
    whole, _, fraction = f"{number.normalize():f}".partition(".")
    return f"{format_count(int(whole))},{fraction}"


def _fill(template: str, resolve: Mapping[str, str]) -> str:
    text = _PLACEHOLDER.sub(lambda match: resolve.get(match[1], UNKNOWN), template)
    return " ".join(text.split())


def _message_values(form: Form, values: Values, template: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in _PLACEHOLDER.findall(template):
        if name.startswith("previous."):
            found[name] = (
                format_value(form, values.previous, name.removeprefix("previous."))
                if values.previous is not None
                else UNKNOWN
            )
        elif form.kind_of(name) is not None:
            found[name] = format_value(form, values, name)
    return found


# --- derived figures -------------------------------------------------------------------------


def explain_derived(form: Form, derived_id: str, values: Values) -> str:
    """The arithmetic behind a derived figure: "1.794 + 887 + 11 + 0 = 2.692" ("?" for unknowns)."""
    expression = form.derived_figure(derived_id).value
    total = format_value(form, values, derived_id)
    terms = _terms(expression, values)
    if terms is None:
        return total
    return f"{terms} = {total}"


def explain_rate(form: Form, rate_id: str, values: Values) -> str:
    """A rate with its fraction: "1.203/1.210 = 99,42%" (just "—" when the denominator is 0)."""
    rate = form.rate(rate_id)
    total = format_value(form, values, rate_id)
    numerator, denominator = rate.numerator.number(values), rate.denominator.number(values)
    if not isinstance(numerator, int | Decimal) or not isinstance(denominator, int | Decimal) or denominator == 0:
        return total
    return f"{_number(numerator)}/{_number(denominator)} = {total}"


def _number(value: int | Decimal) -> str:
    """A count "1.203", a decimal as officials write it "120,5" (the rates over money)."""
    return format_count(value) if isinstance(value, int) else format_decimal(value)


def _terms(expression: ExpressionNode, values: Values) -> str | None:
    if isinstance(expression, First):
        return _terms(expression.known_arg(values) or expression.args[0], values)
    if isinstance(expression, Sum):
        return " + ".join(_term(arg, values) for arg in expression.args)
    if isinstance(expression, Sub):
        return f"{_term(expression.args[0], values)} − {_term(expression.args[1], values)}"
    return None


def _term(expression: ExpressionNode, values: Values) -> str:
    if isinstance(expression, Const):
        return format_count(expression.value)
    value = expression.evaluate(values)
    return UNKNOWN if value is None else format_count(value)


# --- checks ----------------------------------------------------------------------------------


def evaluate_checks(
    form: Form,
    answers: Mapping[str, object],
    previous: Mapping[str, object] | Values | None = None,
    history: Sequence[Mapping[str, object] | Values] | None = None,
    touching: str | None = None,
    *,
    values: Values | None = None,
    severity: Literal["hard", "soft"] | None = None,
) -> list[CheckResult]:
    """The checks that fire, hard ones first, each in form order.

    ``previous`` is last period's answers (for ``previous.*``), ``history`` the commune's last
    periods' answers, newest first (for outliers; ``previous`` is used when it is not given; either
    may be given already computed, as :class:`Values`, to save computing them again), and
    ``touching`` restricts to the checks that read that field, directly or through a derived
    figure — so that checks fire as answers come in. ``values``: those of ``answers`` with
    ``previous``, when the caller has them computed already; ``severity``: only the checks of
    that severity (the others are not evaluated)."""
    if values is None:
        values = compute(form, answers, previous)
    past = list(history) if history is not None else ([previous] if previous is not None else [])
    results: list[CheckResult] = []
    for check in form.checks:
        if touching is not None and touching not in form.check_inputs(check.id):
            continue
        if severity is not None and check.severity != severity:
            continue
        if isinstance(check, RuleCheck):
            result = _rule(form, check, values)
            if result is not None:
                results.append(result)
        else:
            results.extend(_outliers(form, check, values, past, touching))
    return sorted(results, key=lambda result: 0 if result.is_hard else 1)


def _rule(form: Form, check: RuleCheck, values: Values) -> CheckResult | None:
    if check.require.evaluate(values) is not False:
        return None
    template = check.message or ""
    resolve = _message_values(form, values, template)
    if isinstance(check.require, Compare):
        left, right = check.require.sides(values)
        resolve["left"] = _format_plain(left)
        resolve["right"] = _format_plain(right)
    fields = check.fields or _in_form_order(form, form.check_inputs(check.id))
    return CheckResult(
        check_id=check.id,
        severity=check.severity,
        message=_fill(template, resolve),
        fields=fields,
    )


def _outliers(
    form: Form,
    check: OutlierCheck,
    values: Values,
    history: Sequence[Mapping[str, object] | Values],
    touching: str | None,
) -> list[CheckResult]:
    targets = (
        check.applies_to if check.applies_to is not None else tuple(field.id for field in form.count_fields)
    )
    if touching is not None:
        targets = tuple(ident for ident in targets if touching in form.inputs(ident))
    if not targets:
        return []
    window = [past if isinstance(past, Values) else compute(form, past) for past in history[: check.window]]
    results = []
    highs: dict[str, tuple[int, Decimal]] = {}  # each high figure: its value and its usual (the median)
    for ident in targets:
        value = values.count(ident)
        if value is None:
            continue
        if value <= check.minimum:  # (tested first: it needs no median)
            continue
        usual = [past.count(ident) for past in window]
        known = [number for number in usual if number is not None]
        if len(known) < check.min_history:
            continue
        middle = Decimal(str(median(known)))
        if not value > check.factor * middle:
            continue
        resolve = {
            "label": form.label_of(ident),
            "short_label": form.label_of(ident, short=True),
            "value": format_count(value),
            "median": _format_plain(middle),
            "factor": _format_plain(check.factor),
            "minimum": format_count(check.minimum),
            "periods": str(len(known)),
        }
        highs[ident] = (value, middle)
        fields = _in_form_order(form, form.expand([ident]))
        results.append(
            CheckResult(
                check_id=check.id,
                severity=check.severity,
                message=_fill(check.message or "", resolve),
                fields=fields,
                subject=ident,
            )
        )
    return _together(form, check, results, highs)


def _together(form: Form, check: OutlierCheck, results: list[CheckResult],
              highs: Mapping[str, tuple[int, Decimal]]) -> list[CheckResult]:
    """Figures that are all high by a similar factor agree with each other (a busy week, not a slip):
    they make one question naming them, keyed as the first of them would be alone (so a reason given
    for that figure, in a report stored or imported before, still answers it); the others stay one
    question each. "Similar": within ``check.together`` times the middle factor of the high figures,
    either way."""
    if len(results) < 2:
        return results
    ratios = {ident: Decimal(value) / max(usual, Decimal(1)) for ident, (value, usual) in highs.items()}
    middle = Decimal(str(median(ratios.values())))
    spread = check.together
    group = [r for r in results if r.subject is not None and middle / spread <= ratios[r.subject] <= middle * spread]
    if len(group) < 2:
        return results
    named = [r.subject for r in group if r.subject is not None]
    items = "; ".join(say("reporting_entry.outlier_item", label=form.label_of(ident, short=True),
                          value=format_count(highs[ident][0]), median=_format_plain(highs[ident][1]))
                      for ident in named)
    combined = CheckResult(
        check_id=check.id, severity=check.severity,
        message=say("reporting_entry.outlier_together", count=len(named), factor=_format_plain(round(middle)), items=items),
        fields=_in_form_order(form, form.expand(named)), subject=named[0],
    )
    rest = [r for r in results if r not in group]
    return [combined, *rest]


def skipped_checks(form: Form, values: Values) -> list[tuple[str, tuple[str, ...]]]:
    """The rule checks not made because a figure they need was answered blank (``blanks.button``):
    (check id, the blank fields it reads, in form order), in form order."""
    blank = frozenset(ident for ident in values.blanks if ident in form.fields_by_id)
    if not blank:
        return []
    skipped = []
    for check in form.checks:
        if isinstance(check, RuleCheck) and check.require.evaluate(values) is None:
            missing = frozenset(_blank_causes(form, values, [ref.id for ref in check.require.refs() if not ref.previous]))
            if missing:
                skipped.append((check.id, _in_form_order(form, missing)))
    return skipped


def _blank_causes(form: Form, values: Values, idents: list[str]) -> set[str]:
    """The blank fields that leave these ids unknown (a derived figure known another way, as the
    online total when the split is blank, does not look further)."""
    found: set[str] = set()
    stack, seen = list(idents), set()
    while stack:
        ident = stack.pop()
        if ident in seen or values.known(ident):
            continue
        seen.add(ident)
        if ident in form.fields_by_id:
            if values.is_blank(ident):
                found.add(ident)
        elif form.kind_of(ident) == "derived":
            stack.extend(ref.id for ref in form.derived_figure(ident).value.refs() if not ref.previous)
    return found


def _in_form_order(form: Form, idents: frozenset[str]) -> tuple[str, ...]:
    return tuple(field.id for field in form.fields if field.id in idents)


# --- suggestions -----------------------------------------------------------------------------


def defaults(form: Form, previous: Answers | Values | None) -> dict[str, Answer]:
    """Suggested answers from last period: a count's ``default_from_previous`` (carried_over ←
    last period's pending) and a text's previous answer when it is ``offer_previous``."""
    if previous is None:
        return {}
    before = previous if isinstance(previous, Values) else compute(form, previous)
    suggested: dict[str, Answer] = {}
    for field in form.fields:
        source = field.default_from_previous or (field.id if field.offer_previous else None)
        if source is None:
            continue
        value = before.get(source)
        if field.kind == "count" and isinstance(value, int):
            suggested[field.id] = value
        elif field.kind == "text" and isinstance(value, str) and value.strip():
            suggested[field.id] = value
    return suggested

"""The parts of a field declaration beyond counts and texts: the options of a choice and the
target of an indicator, with its comparator (written in a form file as ``"≥ 98"``)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict

from bot.domain.decimals import format_decimal

FieldKind = Literal["count", "text", "decimal", "percent", "choice", "target", "table"]
NUMERIC_KINDS = frozenset({"count", "decimal", "percent", "target"})  # usable in expressions
ANSWERED_KINDS = frozenset({"count", "text", "decimal", "percent", "choice", "target", "table"})
Comparator = Literal["ge", "le", "eq"]

SYMBOLS: dict[str, str] = {"ge": "≥", "le": "≤", "eq": "="}
_WRITTEN = {"≥": "ge", ">=": "ge", "≤": "le", "<=": "le", "=": "eq", "==": "eq"}
_TARGET = re.compile(r"^\s*(≥|>=|≤|<=|==|=)?\s*(-?\d+(?:[.,]\d+)?)\s*%?\s*$")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Option(_Model):
    """One answer of a choice: ``id`` is stored, ``label`` shown and printed; ``aliases`` are
    other words officials type for it (compared without diacritics)."""

    id: str
    label: str
    aliases: tuple[str, ...] = ()


def _target_shape(raw: Any) -> Any:
    """ "≥ 98", ">= 98", "90" (≥ by default), 90, {ge: 98} → {op, value}."""
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not a target (write e.g. '≥ 98')")
    if isinstance(raw, int | float | Decimal):
        return {"op": "ge", "value": Decimal(str(raw))}
    if isinstance(raw, str):
        match = _TARGET.match(raw)
        if match is None:
            raise ValueError(f"{raw!r} is not a target (write e.g. '≥ 98', '≤ 5' or '= 100')")
        try:
            value = Decimal(match[2].replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            raise ValueError(f"{raw!r} is not a target") from None
        return {"op": _WRITTEN.get(match[1] or "≥", "ge"), "value": value}
    if isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in SYMBOLS:
        ((op, value),) = raw.items()
        return {"op": op, "value": _target_shape(value)["value"]}
    return raw


class Target(_Model):
    """What an indicator must reach: ``op`` (ge ≥, le ≤, eq =) and ``value``."""

    op: Comparator
    value: Decimal

    def met(self, result: Decimal | int) -> bool:
        if self.op == "ge":
            return result >= self.value
        if self.op == "le":
            return result <= self.value
        return result == self.value

    def describe(self) -> str:
        """ "≥ 98", "≤ 5", "= 100" (Vietnamese decimals: "≥ 99,5")."""
        return f"{SYMBOLS[self.op]} {format_decimal(self.value)}"


TargetField = Annotated[Target, BeforeValidator(_target_shape)]
"""A pydantic field type: accepts the form-file shape ("≥ 98"), holds the :class:`Target`."""

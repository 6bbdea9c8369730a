"""A small, safe vocabulary for the arithmetic and conditions written in form files.

Nothing here evaluates strings as code. In a form file:

- an *expression* is an int literal (``0``), a reference (``received_new``; ``previous.pending``
  for last period's value) or a one-key mapping ``sum: [exprs]``, ``sub: [a, b]``,
  ``max: [exprs]``, ``min: [exprs]``, ``rows: [table, column, option]`` (how many rows of a
  table have that option in that choice column), ``first: [exprs]`` (the first one known: the
  online dossiers as their split, else as the total answered when the split is blank);
- a *condition* is a one-key mapping ``eq|ne|lt|le|gt|ge: [a, b]``, ``all: [conditions]``,
  ``any: [conditions]``, ``not: condition``, ``answered: id`` or ``blank: id`` (the field was
  answered ``blanks.button``; never unknown).

They are parsed at load time (:func:`parse_expression`, :func:`parse_condition`) into pydantic
models discriminated by ``op``. Evaluation is three-valued: a value that is not known yet makes the
result unknown (``None``), so a check only fires once all of its inputs are answered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal, Protocol, TypeAlias, TypeVar, runtime_checkable

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError

PREVIOUS_PREFIX = "previous."
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

EXPRESSION_OPERATORS = ("sum", "sub", "max", "min", "rows", "first")
COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")
CONDITION_OPERATORS = (*COMPARISONS, "all", "any", "not", "answered", "blank")

_SYMBOLS = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥"}
Number: TypeAlias = int | Decimal  # decimals come from decimal, percentage and target fields
_COMPARE: dict[str, Callable[[Number, Number], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
}


class ExpressionError(ValueError):
    """A malformed expression or condition; the message says what and where (``at``)."""

    def __init__(self, message: str, at: str = "") -> None:
        self.problem = message
        self.at = at
        super().__init__(f"{at}: {message}" if at else message)


class Scope(Protocol):
    """Where references are looked up: the value, or None while it is not known."""

    def lookup(self, ref: Ref) -> object: ...


@runtime_checkable
class BlankScope(Protocol):
    """A scope that also knows the answers given as blank (``blanks.button``)."""

    def is_blank(self, ident: str) -> bool: ...


class _Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def refs(self) -> tuple[Ref, ...]:
        """Every reference read, in order, repeats included."""
        raise NotImplementedError

    def references(self) -> tuple[str, ...]:
        """The ids read, as written (``"pending"``, ``"previous.pending"``), first use first."""
        return tuple(dict.fromkeys(ref.written for ref in self.refs()))


# --- expressions -----------------------------------------------------------------------------


class Const(_Node):
    op: Literal["const"] = "const"
    value: int

    def evaluate(self, scope: Scope) -> int | None:
        return self.value

    def number(self, scope: Scope) -> Number | None:
        return self.value

    def refs(self) -> tuple[Ref, ...]:
        return ()

    def describe(self) -> str:
        return str(self.value)


class Ref(_Node):
    """A reference to a field, derived figure or rate; ``previous`` for last period's value."""

    op: Literal["ref"] = "ref"
    id: str
    previous: bool = False

    @property
    def written(self) -> str:
        return f"{PREVIOUS_PREFIX}{self.id}" if self.previous else self.id

    def evaluate(self, scope: Scope) -> int | None:
        value = scope.lookup(self)
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        return value

    def number(self, scope: Scope) -> Number | None:
        """The value when it is a number, whole or decimal (``evaluate`` reads whole ones only)."""
        value = scope.lookup(self)
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            return None
        return value

    def refs(self) -> tuple[Ref, ...]:
        return (self,)

    def describe(self) -> str:
        return self.written


class _Nary(_Node):
    args: tuple[Expression, ...] = Field(min_length=1)

    def _values(self, scope: Scope) -> list[int] | None:
        values: list[int] = []
        for arg in self.args:  # (the first unknown decides: evaluating has no side effects)
            value = arg.evaluate(scope)
            if value is None:
                return None
            values.append(value)
        return values

    def _numbers(self, scope: Scope) -> list[Number] | None:
        values: list[Number] = []
        for arg in self.args:
            value = arg.number(scope)
            if value is None:
                return None
            values.append(value)
        return values

    def refs(self) -> tuple[Ref, ...]:
        return tuple(ref for arg in self.args for ref in arg.refs())


class Sum(_Nary):
    op: Literal["sum"] = "sum"

    def evaluate(self, scope: Scope) -> int | None:
        values = self._values(scope)
        return None if values is None else sum(values)

    def number(self, scope: Scope) -> Number | None:
        values = self._numbers(scope)
        return None if values is None else sum(values, start=0)

    def describe(self) -> str:
        return "(" + " + ".join(arg.describe() for arg in self.args) + ")"


class Sub(_Nary):
    op: Literal["sub"] = "sub"
    args: tuple[Expression, ...] = Field(min_length=2, max_length=2)

    def evaluate(self, scope: Scope) -> int | None:
        values = self._values(scope)
        return None if values is None else values[0] - values[1]

    def number(self, scope: Scope) -> Number | None:
        values = self._numbers(scope)
        return None if values is None else values[0] - values[1]

    def describe(self) -> str:
        return f"({self.args[0].describe()} − {self.args[1].describe()})"


class Max(_Nary):
    op: Literal["max"] = "max"

    def evaluate(self, scope: Scope) -> int | None:
        values = self._values(scope)
        return None if values is None else max(values)

    def number(self, scope: Scope) -> Number | None:
        values = self._numbers(scope)
        return None if values is None else max(values)

    def describe(self) -> str:
        return "max(" + ", ".join(arg.describe() for arg in self.args) + ")"


class Min(_Nary):
    op: Literal["min"] = "min"

    def evaluate(self, scope: Scope) -> int | None:
        values = self._values(scope)
        return None if values is None else min(values)

    def number(self, scope: Scope) -> Number | None:
        values = self._numbers(scope)
        return None if values is None else min(values)

    def describe(self) -> str:
        return "min(" + ", ".join(arg.describe() for arg in self.args) + ")"


class First(_Nary):
    """The first argument whose value is known (``first: [{sum: [a, b]}, total]``)."""

    op: Literal["first"] = "first"

    def evaluate(self, scope: Scope) -> int | None:
        return next((value for arg in self.args if (value := arg.evaluate(scope)) is not None), None)

    def number(self, scope: Scope) -> Number | None:
        return next((value for arg in self.args if (value := arg.number(scope)) is not None), None)

    def known_arg(self, scope: Scope) -> Expression | None:
        """The argument that gives the value (None while none is known)."""
        return next((arg for arg in self.args if arg.number(scope) is not None), None)

    def describe(self) -> str:
        return "first(" + ", ".join(arg.describe() for arg in self.args) + ")"


class Rows(_Node):
    """How many rows of a table (rows the commune adds) hold ``option`` in the choice ``column``:
    ``rows: [tasks, status, done]``; unknown while the table is not answered."""

    op: Literal["rows"] = "rows"
    table: Ref
    column: str
    option: str

    def evaluate(self, scope: Scope) -> int | None:
        value = scope.lookup(self.table)
        if not isinstance(value, list | tuple):
            return None
        return sum(1 for row in value if isinstance(row, Mapping) and row.get(self.column) == self.option)

    def number(self, scope: Scope) -> Number | None:
        return self.evaluate(scope)

    def refs(self) -> tuple[Ref, ...]:
        return (self.table,)

    def describe(self) -> str:
        return f"rows({self.table.written}, {self.column} = {self.option})"


# --- conditions ------------------------------------------------------------------------------


class Compare(_Node):
    op: Literal["eq", "ne", "lt", "le", "gt", "ge"]
    args: tuple[Expression, Expression]

    def evaluate(self, scope: Scope) -> bool | None:
        left, right = (arg.number(scope) for arg in self.args)
        if left is None or right is None:
            return None
        return _COMPARE[self.op](left, right)

    def sides(self, scope: Scope) -> tuple[Number | None, Number | None]:
        """The values of the two sides (for messages that name them)."""
        return self.args[0].number(scope), self.args[1].number(scope)

    def refs(self) -> tuple[Ref, ...]:
        return tuple(ref for arg in self.args for ref in arg.refs())

    def describe(self) -> str:
        return f"{self.args[0].describe()} {_SYMBOLS[self.op]} {self.args[1].describe()}"


class All(_Node):
    op: Literal["all"] = "all"
    args: tuple[Condition, ...] = Field(min_length=1)

    def evaluate(self, scope: Scope) -> bool | None:
        results = [arg.evaluate(scope) for arg in self.args]
        if any(result is False for result in results):
            return False
        return None if any(result is None for result in results) else True

    def refs(self) -> tuple[Ref, ...]:
        return tuple(ref for arg in self.args for ref in arg.refs())

    def describe(self) -> str:
        return "(" + " and ".join(arg.describe() for arg in self.args) + ")"


class AnyOf(_Node):
    op: Literal["any"] = "any"
    args: tuple[Condition, ...] = Field(min_length=1)

    def evaluate(self, scope: Scope) -> bool | None:
        results = [arg.evaluate(scope) for arg in self.args]
        if any(result is True for result in results):
            return True
        return None if any(result is None for result in results) else False

    def refs(self) -> tuple[Ref, ...]:
        return tuple(ref for arg in self.args for ref in arg.refs())

    def describe(self) -> str:
        return "(" + " or ".join(arg.describe() for arg in self.args) + ")"


class Not(_Node):
    op: Literal["not"] = "not"
    arg: Condition

    def evaluate(self, scope: Scope) -> bool | None:
        result = self.arg.evaluate(scope)
        return None if result is None else not result

    def refs(self) -> tuple[Ref, ...]:
        return self.arg.refs()

    def describe(self) -> str:
        return f"not {self.arg.describe()}"


class Answered(_Node):
    """True once the referenced value is known (any kind, texts included); never unknown."""

    op: Literal["answered"] = "answered"
    ref: Ref

    def evaluate(self, scope: Scope) -> bool | None:
        return scope.lookup(self.ref) is not None

    def refs(self) -> tuple[Ref, ...]:
        return (self.ref,)

    def describe(self) -> str:
        return f"answered({self.ref.written})"


class Blank(_Node):
    """True when the field was answered blank (``blanks.button``), else False (a field not
    answered yet is not blank: a question asked only after a blank is not counted before it)."""

    op: Literal["blank"] = "blank"
    ref: Ref

    def evaluate(self, scope: Scope) -> bool | None:
        if scope.lookup(self.ref) is not None:
            return False
        return not self.ref.previous and isinstance(scope, BlankScope) and scope.is_blank(self.ref.id)

    def refs(self) -> tuple[Ref, ...]:
        return (self.ref,)

    def describe(self) -> str:
        return f"blank({self.ref.written})"


Expression: TypeAlias = Annotated[Const | Ref | Sum | Sub | Max | Min | First | Rows, Field(discriminator="op")]
Condition: TypeAlias = Annotated[Compare | All | AnyOf | Not | Answered | Blank, Field(discriminator="op")]
ExpressionNode: TypeAlias = Const | Ref | Sum | Sub | Max | Min | First | Rows
ConditionNode: TypeAlias = Compare | All | AnyOf | Not | Answered | Blank

for _model in (Sum, Sub, Max, Min, First, _Nary, Compare, All, AnyOf, Not):
    _model.model_rebuild()


# --- parsing the form-file shape -------------------------------------------------------------


def parse_reference(raw: str, at: str = "") -> Ref:
    """``"pending"`` → Ref(id="pending"); ``"previous.pending"`` → Ref(id="pending", previous=True)."""
    text = raw.strip()
    previous = text.startswith(PREVIOUS_PREFIX)
    ident = text[len(PREVIOUS_PREFIX) :] if previous else text
    if not ID_PATTERN.match(ident):
        raise ExpressionError(
            f"{raw!r} is not a valid reference (expected an id like 'received_new' or 'previous.pending')",
            at,
        )
    return Ref(id=ident, previous=previous)


def _one_key(raw: Mapping[Any, Any], allowed: tuple[str, ...], what: str, at: str) -> tuple[str, Any]:
    if len(raw) != 1:
        keys = ", ".join(str(key) for key in raw) or "nothing"
        raise ExpressionError(f"{what} must be a mapping with exactly one operator, got {keys}", at)
    ((key, value),) = raw.items()
    if key not in allowed:
        raise ExpressionError(
            f"unknown operator {key!r} in {what} (expected one of {', '.join(allowed)})", at
        )
    return str(key), value


def _list_of(value: Any, op: str, at: str, exactly: int | None = None) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise ExpressionError(f"'{op}' needs a non-empty list", at)
    if exactly is not None and len(value) != exactly:
        raise ExpressionError(f"'{op}' needs exactly {exactly} items, got {len(value)}", at)
    return value


def parse_expression(raw: Any, at: str = "") -> ExpressionNode:
    """Parse the form-file shape of an expression (already-parsed nodes pass through)."""
    if isinstance(raw, Const | Ref | Sum | Sub | Max | Min | First | Rows):
        return raw
    if isinstance(raw, bool):
        raise ExpressionError(f"{raw!r} is not a number or a reference", at)
    if isinstance(raw, int):
        return Const(value=raw)
    if isinstance(raw, str):
        return parse_reference(raw, at)
    if isinstance(raw, Mapping):
        if "op" in raw:  # the tagged (serialised) shape
            return _TAGGED_EXPRESSION(raw, at)
        op, value = _one_key(raw, EXPRESSION_OPERATORS, "an expression", at)
        items = _list_of(value, op, at, exactly={"sub": 2, "rows": 3}.get(op))
        here = f"{at}.{op}" if at else op
        if op == "rows":
            if not all(isinstance(item, str) and ID_PATTERN.match(item) for item in items):
                raise ExpressionError("'rows' needs three ids: [table, column, option]", at)
            return Rows(table=parse_reference(items[0], here), column=items[1], option=items[2])
        args = tuple(parse_expression(item, f"{here}[{i}]") for i, item in enumerate(items))
        kinds: dict[str, type[Sum | Sub | Max | Min | First]] = {
            "sum": Sum, "sub": Sub, "max": Max, "min": Min, "first": First}
        return kinds[op](args=args)
    raise ExpressionError(
        f"{raw!r} is not an expression (expected a whole number, an id or one of "
        f"{', '.join(EXPRESSION_OPERATORS)})",
        at,
    )


def parse_condition(raw: Any, at: str = "") -> ConditionNode:
    """Parse the form-file shape of a condition (already-parsed nodes pass through)."""
    if isinstance(raw, Compare | All | AnyOf | Not | Answered | Blank):
        return raw
    if not isinstance(raw, Mapping):
        raise ExpressionError(
            f"{raw!r} is not a condition (expected a mapping with one of {', '.join(CONDITION_OPERATORS)})",
            at,
        )
    if "op" in raw:
        return _TAGGED_CONDITION(raw, at)
    op, value = _one_key(raw, CONDITION_OPERATORS, "a condition", at)
    here = f"{at}.{op}" if at else op
    if op in COMPARISONS:
        items = _list_of(value, op, at, exactly=2)
        left, right = (parse_expression(item, f"{here}[{i}]") for i, item in enumerate(items))
        return Compare(op=op, args=(left, right))
    if op in ("all", "any"):
        items = _list_of(value, op, at)
        conditions = tuple(parse_condition(item, f"{here}[{i}]") for i, item in enumerate(items))
        return All(args=conditions) if op == "all" else AnyOf(args=conditions)
    if op == "not":
        return Not(arg=parse_condition(value, here))
    if not isinstance(value, str):
        raise ExpressionError(f"'{op}' needs an id, got {value!r}", at)
    if op == "blank":
        return Blank(ref=parse_reference(value, here))
    return Answered(ref=parse_reference(value, here))


_Parsed = TypeVar("_Parsed")  # the node type a tagged parser returns


def _tagged(adapter: TypeAdapter[_Parsed]) -> Callable[[Mapping[str, Any], str], _Parsed]:
    def parse(raw: Mapping[str, Any], at: str) -> _Parsed:
        try:
            return adapter.validate_python(raw)
        except ValidationError as error:
            raise ExpressionError(str(error.errors()[0]["msg"]), at) from None

    return parse


_TAGGED_EXPRESSION = _tagged(TypeAdapter[ExpressionNode](Expression))
_TAGGED_CONDITION = _tagged(TypeAdapter[ConditionNode](Condition))


def _expression_before(raw: Any) -> Any:
    return parse_expression(raw)


def _condition_before(raw: Any) -> Any:
    return parse_condition(raw)


ExpressionField: TypeAlias = Annotated[Expression, BeforeValidator(_expression_before)]
"""A pydantic field type: accepts the form-file shape, holds the parsed expression."""
ConditionField: TypeAlias = Annotated[Condition, BeforeValidator(_condition_before)]
"""A pydantic field type: accepts the form-file shape, holds the parsed condition."""


# --- helpers ---------------------------------------------------------------------------------


def walk(node: ExpressionNode | ConditionNode) -> Iterator[ExpressionNode | ConditionNode]:
    """The node and every node under it, parents first."""
    yield node
    if isinstance(node, _Nary | Compare | All | AnyOf):
        for arg in node.args:
            yield from walk(arg)
    elif isinstance(node, Not):
        yield from walk(node.arg)


def references(node: ExpressionNode | ConditionNode) -> tuple[str, ...]:
    """The ids a node reads, as written (``"pending"``, ``"previous.pending"``), first use first."""
    return node.references()


class MappingScope:
    """A scope over two plain mappings: this period's values and last period's."""

    def __init__(
        self,
        current: Mapping[str, int | str | None],
        previous: Mapping[str, int | str | None] | None = None,
    ) -> None:
        self.current = current
        self.previous = previous or {}

    def lookup(self, ref: Ref) -> int | str | None:
        source = self.previous if ref.previous else self.current
        return source.get(ref.id)

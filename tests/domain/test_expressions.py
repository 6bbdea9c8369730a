"""The expression and condition vocabulary: parsing, three-valued evaluation, references."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.expressions import (
    All,
    Answered,
    AnyOf,
    Compare,
    Const,
    ExpressionError,
    MappingScope,
    Not,
    Ref,
    Sum,
    parse_condition,
    parse_expression,
    references,
)


def scope(**values: int | str) -> MappingScope:
    return MappingScope(values)


def test_parse_literals_references_and_operators() -> None:
    assert parse_expression(3) == Const(value=3)
    assert parse_expression("received_new") == Ref(id="received_new")
    assert parse_expression("previous.pending") == Ref(id="pending", previous=True)
    total = parse_expression({"sum": ["a", "b", 2]})
    assert isinstance(total, Sum)
    assert total.evaluate(scope(a=1, b=4)) == 7
    assert parse_expression({"sub": ["a", "b"]}).evaluate(scope(a=10, b=4)) == 6
    assert parse_expression({"max": ["a", "b", 0]}).evaluate(scope(a=-3, b=-4)) == 0
    assert parse_expression({"min": ["a", {"sum": ["a", "b"]}]}).evaluate(scope(a=5, b=-1)) == 4


@pytest.mark.parametrize(
    ("raw", "values", "expected"),
    [
        ({"eq": ["a", "b"]}, {"a": 1, "b": 1}, True),
        ({"ne": ["a", "b"]}, {"a": 1, "b": 1}, False),
        ({"lt": ["a", 2]}, {"a": 1}, True),
        ({"le": ["a", 1]}, {"a": 1}, True),
        ({"gt": ["a", 1]}, {"a": 1}, False),
        ({"ge": ["a", 1]}, {"a": 1}, True),
        ({"all": [{"gt": ["a", 0]}, {"lt": ["a", 5]}]}, {"a": 3}, True),
        ({"any": [{"gt": ["a", 5]}, {"lt": ["a", 0]}]}, {"a": 3}, False),
        ({"not": {"eq": ["a", 3]}}, {"a": 3}, False),
        ({"answered": "t"}, {"t": "Không"}, True),
        ({"answered": "t"}, {}, False),
    ],
)
def test_conditions(raw: dict[str, Any], values: dict[str, int | str], expected: bool) -> None:
    assert parse_condition(raw).evaluate(MappingScope(values)) is expected


def test_unknown_values_make_unknown_results() -> None:
    overdue = parse_condition({"gt": [{"sum": ["resolved_late", "pending_overdue"]}, 0]})
    assert overdue.evaluate(scope()) is None
    assert overdue.evaluate(scope(resolved_late=2)) is None
    assert overdue.evaluate(scope(resolved_late=0, pending_overdue=0)) is False
    assert overdue.evaluate(scope(resolved_late=0, pending_overdue=1)) is True
    assert parse_expression({"max": ["a", "b"]}).evaluate(scope(a=1)) is None
    assert parse_condition({"not": {"eq": ["a", 1]}}).evaluate(scope()) is None


def test_kleene_logic() -> None:
    unknown = {"eq": ["x", 1]}
    true = {"eq": [1, 1]}
    false = {"eq": [1, 2]}
    empty = scope()
    assert parse_condition({"all": [unknown, false]}).evaluate(empty) is False
    assert parse_condition({"all": [unknown, true]}).evaluate(empty) is None
    assert parse_condition({"any": [unknown, true]}).evaluate(empty) is True
    assert parse_condition({"any": [unknown, false]}).evaluate(empty) is None


def test_previous_values_come_from_the_previous_scope() -> None:
    continuity = parse_condition({"eq": ["carried_over", "previous.pending"]})
    assert continuity.evaluate(MappingScope({"carried_over": 483}, {"pending": 483})) is True
    assert continuity.evaluate(MappingScope({"carried_over": 53}, {"pending": 483})) is False
    assert continuity.evaluate(MappingScope({"carried_over": 53})) is None


def test_texts_are_not_numbers() -> None:
    assert parse_expression("a").evaluate(scope(a="12")) is None
    assert parse_expression("a").evaluate(MappingScope({"a": True})) is None  # type: ignore[dict-item]


def test_references_in_first_use_order() -> None:
    condition = parse_condition(
        {"all": [{"eq": ["carried_over", "previous.pending"]}, {"gt": [{"sum": ["b", "carried_over"]}, 0]}]}
    )
    assert condition.references() == ("carried_over", "previous.pending", "b")
    assert references(condition) == condition.references()
    assert parse_expression(7).references() == ()
    assert parse_condition({"answered": "previous.legal"}).references() == ("previous.legal",)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"greater": [1, 2]}, "unknown operator 'greater'"),
        ({"sum": [1, 2]}, "unknown operator 'sum' in a condition"),
        ({"gt": [1]}, "exactly 2 items"),
        ({"gt": [1, 2, 3]}, "exactly 2 items"),
        ({"gt": [1, "Bad-Id"]}, "gt[1]: 'Bad-Id' is not a valid reference"),
        ({"gt": [{"pow": [1, 2]}, 1]}, "unknown operator 'pow' in an expression"),
        ({"gt": [True, 1]}, "True is not a number"),
        ({"gt": [1.5, 1]}, "1.5 is not an expression"),
        ({"all": []}, "non-empty list"),
        ({"all": "x"}, "non-empty list"),
        ({"gt": [1, 2], "lt": [1, 2]}, "exactly one operator"),
        ({}, "exactly one operator"),
        ({"not": 3}, "not: 3 is not a condition"),
        ({"answered": 3}, "'answered' needs an id"),
        ("a", "is not a condition"),
        ({"gt": [{"sub": ["a"]}, 0]}, "'sub' needs exactly 2 items"),
        ({"any": [{"eq": [1, 1]}, {"eq": ["previous.", 1]}]}, "any[1].eq[0]"),
    ],
)
def test_malformed_conditions_are_load_errors(raw: Any, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse_condition(raw)
    assert message in str(caught.value)


def test_nodes_round_trip_through_their_tagged_form() -> None:
    raw = {
        "all": [
            {"gt": [{"sum": ["a", {"sub": ["b", 1]}]}, "previous.c"]},
            {"not": {"answered": "t"}},
            {"any": [{"le": [{"max": ["a", "b"]}, {"min": [3, "b"]}]}]},
        ]
    }
    condition = parse_condition(raw)
    assert isinstance(condition, All)
    assert isinstance(condition.args[1], Not)
    assert isinstance(condition.args[1].arg, Answered)
    assert isinstance(condition.args[2], AnyOf)
    assert parse_condition(condition.model_dump()) == condition
    assert isinstance(condition.args[0], Compare)
    assert (
        condition.describe() == "((a + (b − 1)) > previous.c and not answered(t) and (max(a, b) ≤ min(3, b)))"
    )


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8))
def test_sum_matches_python(numbers: list[int]) -> None:
    names = [f"v{i}" for i in range(len(numbers))]
    expression = parse_expression({"sum": names})
    assert expression.evaluate(MappingScope(dict(zip(names, numbers, strict=True)))) == sum(numbers)

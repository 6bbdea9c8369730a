"""A rollup target may read a row of a table the form declares («targets.satisfaction»: the
monthly report's appendix) and take that row's own target; answers stored as decimal text
("97.25", as the chat stores a decimal) count as numbers, declared texts («Không phát sinh») not."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.domain.forms import load_form
from bot.domain.rollup_figures import number
from bot.domain.rollup_spec import RollupFigure, RollupSpec, RollupSpecError, problems_of, rollup_of
from bot.settings import PROJECT_ROOT

MONTHLY = PROJECT_ROOT / "templates" / "forms" / "nq57-monthly.yaml"


def test_stored_decimal_answers_are_numbers_and_texts_are_not() -> None:
    assert number("97.25") == Decimal("97.25") and number("100") == Decimal(100) and number(99.67) == Decimal("99.67")
    assert number("Không phát sinh") is None and number("") is None and number(True) is None


def test_a_target_row_takes_its_own_target() -> None:
    form = load_form(MONTHLY)
    spec = rollup_of(form)
    satisfaction = spec.figure("target_satisfaction")
    records = spec.figure("target_records")
    assert satisfaction is not None and satisfaction.comparison == ("ge", Decimal(98))  # target: "≥ 98"
    assert records is not None and records.comparison == ("ge", Decimal(100))


def test_a_target_on_a_row_the_form_lacks_is_refused() -> None:
    form = load_form(MONTHLY)
    spec = RollupSpec(figures=(RollupFigure(id="x", how="target", of="targets.no_such_row"),
                               RollupFigure(id="y", how="target", of="targets.satisfaction", target={"ge": 90})))
    assert problems_of(form, spec) == [
        "figures.x: no figure 'targets.no_such_row'",
        "figures.x: a target needs one comparator and a number, e.g. target: {ge: 98}"]
    with pytest.raises(ValueError):
        RollupFigure(id="z", how="target", of="meetings", target={"ge": 1, "le": 2})
    assert RollupSpecError("f", ["p"]).problems == ["p"]

"""High figures that agree with each other are one question (issue 16, item 2), measured over the
demo's realistic weeks (bot/demo/figures.py, as `demo --simulate` draws them): every commune of Thái
Nguyên, several seeds, four weeks of history then the week reported."""

from __future__ import annotations

import random
from typing import Any

import pytest

from bot.administering.units import official_units
from bot.demo.figures import COUNT_FIELDS, opening_backlog, pending_of, profile_for, rng_for, week_answers
from bot.domain.evaluate import CheckResult, evaluate_checks
from bot.domain.forms import Form

SEEDS = range(4)
HISTORY_WEEKS = 4
COMMUNES = [u for u in official_units("19") if u.kind == "commune"]


def weeks(seed: int) -> list[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """(commune code, the week reported, its earlier weeks newest first), as the simulation seeds them."""
    found = []
    for unit in COMMUNES:
        profile = profile_for(unit, seed)
        carried, history = opening_backlog(profile), []
        for week in range(HISTORY_WEEKS + 1):
            answers = week_answers(profile, carried, rng_for(seed, "history", unit.code, week))
            history.append(answers)
            carried = pending_of(answers)
        found.append((unit.code, history[-1], history[-2::-1]))
    return found


def outliers(form: Form, answers: dict[str, Any], history: list[dict[str, Any]]) -> list[CheckResult]:
    return [c for c in evaluate_checks(form, answers, history[0], history) if c.check_id == "outlier"]


def test_realistic_weeks_meet_an_outlier_question_in_at_most_one_commune_in_ten(weekly: Form) -> None:
    asked = total = 0
    for seed in SEEDS:
        for _, answers, history in weeks(seed):
            total += 1
            asked += bool(outliers(weekly, answers, history))
    assert total == len(COMMUNES) * len(SEEDS)
    assert asked / total <= 0.1, f"{asked} of {total} communes asked about an outlier nobody caused"


@pytest.mark.parametrize("seed", SEEDS)
def test_a_busy_week_whose_figures_scale_together_is_one_question(weekly: Form, seed: int) -> None:
    rng = random.Random(seed)
    for code, answers, history in weeks(seed):
        factor = rng.uniform(5, 150)  # from a busy week to the 2,700 dossiers of issue 16
        busy = {k: (round(v * factor) if k in COUNT_FIELDS and k != "carried_over" else v) for k, v in answers.items()}
        found = outliers(weekly, busy, history)
        assert len(found) == 1, (code, round(factor), [c.key for c in found])
        # keyed as its first figure alone would be: a reason given for that figure still answers it
        assert found[0].key == f"outlier:{found[0].fields[0]}" and len(found[0].fields) >= 2


def test_a_slip_in_a_busy_week_stays_its_own_question(weekly: Form) -> None:
    code, answers, history = weeks(0)[0]
    busy = {k: (v * 40 if k in COUNT_FIELDS and k != "carried_over" else v) for k, v in answers.items()}
    busy["received_online_full"] = busy["received_online_full"] * 10 + 4  # an extra digit, on top of the busy week
    found = outliers(weekly, busy, history)
    assert len(found) == 2
    together, alone = sorted(found, key=lambda c: len(c.fields), reverse=True)
    assert alone.key == "outlier:received_online_full" and alone.fields == ("received_online_full",)
    assert "received_online_full" not in together.fields and len(together.fields) >= 2


def test_a_slip_in_a_usual_week_is_asked_alone(weekly: Form) -> None:
    code, answers, history = weeks(0)[0]
    slipped = {**answers, "received_online_full": answers["received_online_full"] * 10 + 4}
    assert [c.key for c in outliers(weekly, slipped, history)] == ["outlier:received_online_full"]

"""Derived figures, rates and checks, against hand-computed values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bot.domain.evaluate import (
    CheckResult,
    compute,
    defaults,
    evaluate_checks,
    explain_derived,
    format_value,
)
from bot.domain.forms import Form

CHANNELS = {
    "received_online_full": 1794,
    "received_online_partial": 887,
    "received_in_person": 11,
    "received_postal": 0,
}


def fired(results: list[CheckResult]) -> list[str]:
    return [result.key for result in results]


# --- derivations and rates -------------------------------------------------------------------


def test_example_report_derivations(weekly: Form, phuoc_giang: dict[str, Any]) -> None:
    values = compute(weekly, phuoc_giang)
    assert values.get("received_new") == 49
    assert values.get("received_total") == 102  # 53 + 49
    assert values.get("resolved") == 53
    assert values.get("pending") == 483
    assert values.get("digitization_rate") == Decimal("100.00")
    assert values.get("on_time_rate") == Decimal("100.00")
    assert explain_derived(weekly, "received_total", values) == "53 + 49 = 102"
    assert explain_derived(weekly, "resolved", values) == "53 + 0 + 0 = 53"


def test_channel_shares_and_rates(weekly: Form) -> None:
    values = compute(weekly, CHANNELS)
    assert values.get("received_new") == 2692
    assert explain_derived(weekly, "received_new", values) == "1.794 + 887 + 11 + 0 = 2.692"
    assert format_value(weekly, values, "share_online_full") == "66,64%"  # 1794/2692 = 66.6419…
    assert format_value(weekly, values, "share_online_partial") == "32,95%"  # 32.9494…
    assert format_value(weekly, values, "share_in_person") == "0,41%"  # 0.4086…
    assert format_value(weekly, values, "share_postal") == "0,00%"
    assert format_value(weekly, values, "online_rate") == "99,59%"  # 2681/2692 = 99.5913…
    assert not values.known("full_online_rate")  # the same rate as share_online_full: listed once
    assert format_value(weekly, values, "received_new") == "2.692"


def test_on_time_and_e_result_rates(weekly: Form) -> None:
    values = compute(
        weekly, {"resolved_early": 53, "resolved_on_time": 120, "resolved_late": 2, "e_results": 170}
    )
    assert values.get("resolved") == 175
    assert format_value(weekly, values, "on_time_rate") == "98,86%"  # 173/175 = 98.857…
    assert format_value(weekly, values, "e_result_rate") == "97,14%"  # 170/175 = 97.142…


def test_three_valued_unknowns(weekly: Form) -> None:
    values = compute(weekly, {"received_online_full": 5, "received_online_partial": 1})
    assert values.get("received_new") is None
    assert not values.known("received_new")
    assert not values.known("online_rate")
    assert format_value(weekly, values, "received_new") == "?"
    assert explain_derived(weekly, "received_new", values) == "5 + 1 + ? + ? = ?"
    assert evaluate_checks(weekly, {"digitized": 10}) == []  # received_new not known yet


def test_zero_denominator_is_known_and_a_dash(weekly: Form) -> None:
    values = compute(weekly, dict.fromkeys(CHANNELS, 0) | {"digitized": 0})
    assert values.known("digitization_rate")
    assert values.get("digitization_rate") is None
    assert format_value(weekly, values, "digitization_rate") == "—"
    assert format_value(weekly, values, "online_rate") == "—"


def test_bad_and_foreign_answers_are_ignored(weekly: Form) -> None:
    values = compute(weekly, {"carried_over": "53", "withdrawn": True, "legal": 3, "nonsense": 1})
    assert values.answers == {}


def test_previous_may_give_a_derived_figure_directly(weekly: Form) -> None:
    assert defaults(weekly, {"pending": 483}) == {"carried_over": 483}
    values = compute(weekly, {"carried_over": 483}, {"pending": 483})
    assert values.previous is not None and values.previous.get("pending") == 483


# --- hard checks -----------------------------------------------------------------------------


def test_digitized_cannot_exceed_received_new(weekly: Form) -> None:
    answers = {**CHANNELS, "digitized": 2693}
    results = evaluate_checks(weekly, answers)
    assert fired(results) == ["digitized_le_received_new"]
    (result,) = results
    assert result.severity == "hard" and result.is_hard
    assert result.message == (
        "Số hồ sơ số hóa (2.693) không thể lớn hơn tổng số tiếp nhận mới (2.692). Anh/Chị vui lòng nhập lại."
    )
    assert result.fields == ("digitized",)
    assert evaluate_checks(weekly, {**CHANNELS, "digitized": 2692}) == []


def test_e_results_cannot_exceed_resolved(weekly: Form) -> None:
    answers = {"resolved_early": 1000, "resolved_on_time": 10, "resolved_late": 0, "e_results": 1011}
    (result,) = evaluate_checks(weekly, answers)
    assert result.check_id == "e_results_le_resolved"
    assert "(1.011)" in result.message and "(1.010)" in result.message


def test_touching_restricts_to_checks_reading_the_field(weekly: Form, phuoc_giang: dict[str, Any]) -> None:
    answers = {**phuoc_giang, "digitized": 60}
    assert fired(evaluate_checks(weekly, answers)) == ["digitized_le_received_new", "balance"]
    assert fired(evaluate_checks(weekly, answers, touching="digitized")) == ["digitized_le_received_new"]
    # lowering a channel afterwards breaks the rule too: received_new reads it
    assert "digitized_le_received_new" in fired(evaluate_checks(weekly, answers, touching="received_postal"))
    assert fired(evaluate_checks(weekly, answers, touching="withdrawn")) == ["balance"]
    assert fired(evaluate_checks(weekly, answers, touching="legal")) == []


# --- soft checks -----------------------------------------------------------------------------


def test_example_report_breaks_the_balance(weekly: Form, phuoc_giang: dict[str, Any]) -> None:
    results = evaluate_checks(weekly, phuoc_giang)
    assert fired(results) == ["balance"]
    (balance,) = results
    assert balance.severity == "soft"
    assert "tổng số hồ sơ phải giải quyết là 102" in balance.message
    assert "(kỳ trước chuyển sang 53 + tiếp nhận mới 49)" in balance.message
    assert "đã giải quyết 53 + đang giải quyết 483 + rút 1 = 537" in balance.message
    assert balance.fields[0] == "carried_over" and "withdrawn" in balance.fields
    assert "  " not in balance.message and "\n" not in balance.message


def test_balanced_report_passes(weekly: Form, phuoc_giang: dict[str, Any]) -> None:
    balanced = {**phuoc_giang, "pending_in_time": 48}  # 102 = 53 + 48 + 1
    assert evaluate_checks(weekly, balanced) == []


def test_continuity_with_the_previous_period(weekly: Form, phuoc_giang: dict[str, Any]) -> None:
    balanced = {**phuoc_giang, "pending_in_time": 48}
    previous = {**phuoc_giang, "pending_in_time": 50, "pending_overdue": 2}  # pending 52
    (result,) = evaluate_checks(weekly, balanced, previous=previous)
    assert result.check_id == "continuity"
    assert result.message.startswith(
        "Số hồ sơ kỳ trước chuyển sang (53) khác số hồ sơ đang giải quyết cuối kỳ trước (52)."
    )
    assert result.fields == ("carried_over",)
    assert evaluate_checks(weekly, balanced, previous={"pending": 53}) == []
    assert evaluate_checks(weekly, balanced, previous=None) == []  # nothing to compare with


def test_continuity_fires_as_soon_as_carried_over_is_given(weekly: Form) -> None:
    results = evaluate_checks(
        weekly, {"carried_over": 1483}, previous={"pending": 483}, touching="carried_over"
    )
    assert fired(results) == ["continuity"]


def _history(*values: int) -> list[dict[str, int]]:
    return [{"received_online_full": value} for value in values]


def test_outlier_far_above_the_usual(weekly: Form) -> None:
    answers = {"received_online_full": 1794}
    results = evaluate_checks(weekly, answers, history=_history(179, 160, 181, 170))
    assert fired(results) == ["outlier:received_online_full"]
    (result,) = results
    assert result.subject == "received_online_full"
    assert result.fields == ("received_online_full",)
    assert "1.794" in result.message
    assert "trung vị 174,5 trong 4 kỳ gần nhất" in result.message
    assert "Tiếp nhận mới: trực tuyến toàn trình" in result.message


@pytest.mark.parametrize(
    ("value", "history", "fires"),
    [
        (537, (179, 160, 181), False),  # 537 ≤ 3 × 179
        (538, (179, 160, 181), True),  # 538 > 3 × 179 = 537, and > 20
        (20, (0, 1, 2), False),  # far above, but not above 20
        (21, (0, 0, 0), True),
        (900, (100, 200), False),  # too little history (3 periods needed)
        (900, (None, 100, None, 120, None), False),  # only two known values
    ],
)
def test_outlier_thresholds(weekly: Form, value: int, history: tuple[int | None, ...], fires: bool) -> None:
    past = [{} if number is None else {"received_online_full": number} for number in history]
    results = evaluate_checks(weekly, {"received_online_full": value}, history=past)
    assert bool(results) is fires


def test_outlier_window_uses_recent_periods_only(weekly: Form) -> None:
    recent = [30] * 8
    old = [1] * 20
    assert evaluate_checks(weekly, {"received_online_full": 80}, history=_history(*recent, *old)) == []


def test_outlier_with_touching(weekly: Form) -> None:
    answers = {"received_online_full": 1794, "received_in_person": 900}
    history = [{"received_online_full": 170, "received_in_person": 10} for _ in range(4)]
    assert fired(evaluate_checks(weekly, answers, history=history)) == [
        "outlier:received_online_full",
        "outlier:received_in_person",
    ]
    assert fired(evaluate_checks(weekly, answers, history=history, touching="received_in_person")) == [
        "outlier:received_in_person"
    ]


def test_hard_checks_come_first(weekly: Form, phuoc_giang: dict[str, Any]) -> None:
    results = evaluate_checks(weekly, {**phuoc_giang, "e_results": 60})
    assert [result.severity for result in results] == ["hard", "soft"]


# --- defaults --------------------------------------------------------------------------------


def test_defaults_from_previous_period(weekly: Form, phuoc_giang: dict[str, Any]) -> None:
    previous = {**phuoc_giang, "difficulties": "  "}
    suggested = defaults(weekly, previous)
    assert suggested["carried_over"] == 483  # last period's pending
    assert suggested["legal"] == phuoc_giang["legal"]
    assert suggested["proposals"] == phuoc_giang["proposals"]
    assert "difficulties" not in suggested  # blank: nothing to offer
    assert "overdue_reasons" not in suggested  # not offered "như kỳ trước"
    assert "withdrawn" not in suggested
    assert defaults(weekly, None) == {}


def test_only_the_checks_of_one_severity(weekly: Form, phuoc_giang: dict[str, Any]) -> None:
    answers = {**phuoc_giang, "e_results": 60, "received_online_full": 1794}
    history = [{**phuoc_giang, "received_online_full": 170} for _ in range(4)]
    every = evaluate_checks(weekly, answers, history=history)
    assert {result.severity for result in every} == {"hard", "soft"}
    for severity in ("hard", "soft"):
        assert evaluate_checks(weekly, answers, history=history, severity=severity) == [
            result for result in every if result.severity == severity
        ]

"""Which questions are asked, in which order, given the answers so far."""

from __future__ import annotations

from bot.domain.forms import Form

from .conftest import COUNT_IDS


def ids(fields: list) -> list[str]:  # type: ignore[type-arg]
    return [field.id for field in fields]


def test_first_question_is_carried_over(weekly: Form) -> None:
    assert weekly.next_question({}) == weekly.field("carried_over")


def test_questions_go_in_form_order(weekly: Form) -> None:
    answers: dict[str, int | str] = {}
    asked = []
    for index, field_id in enumerate(COUNT_IDS):
        question = weekly.next_question(answers)
        assert question is not None
        assert question.id == field_id
        asked.append(question.id)
        answers[field_id] = 0 if index else 5
    assert weekly.next_question(answers).id == "legal"  # type: ignore[union-attr]


def test_overdue_reasons_asked_only_when_something_is_overdue(weekly: Form, phuoc_giang: dict) -> None:  # type: ignore[type-arg]
    counts = {key: phuoc_giang[key] for key in COUNT_IDS}
    assert "overdue_reasons" not in ids(weekly.questions(counts))
    assert weekly.applies("overdue_reasons", counts) is False

    late = {**counts, "resolved_late": 2}
    assert "overdue_reasons" in ids(weekly.questions(late))
    assert weekly.next_question(late).id == "overdue_reasons"  # type: ignore[union-attr]

    overdue = {**counts, "pending_overdue": 1}
    assert weekly.applies("overdue_reasons", overdue) is True


def test_undecided_condition_keeps_the_question(weekly: Form) -> None:
    partial = {"resolved_late": 0}
    assert weekly.applies("overdue_reasons", partial) is None
    assert "overdue_reasons" in ids(weekly.questions(partial))


def test_complete_form(weekly: Form, phuoc_giang: dict) -> None:  # type: ignore[type-arg]
    assert weekly.next_question(phuoc_giang) is None
    assert weekly.is_complete(phuoc_giang)
    missing_text = {key: value for key, value in phuoc_giang.items() if key != "proposals"}
    assert weekly.next_question(missing_text).id == "proposals"  # type: ignore[union-attr]


def test_unanswered_earlier_field_comes_first(weekly: Form, phuoc_giang: dict) -> None:  # type: ignore[type-arg]
    answers = {key: value for key, value in phuoc_giang.items() if key != "received_postal"}
    assert weekly.next_question(answers).id == "received_postal"  # type: ignore[union-attr]


def test_answers_that_no_longer_apply_are_dropped(weekly: Form, phuoc_giang: dict) -> None:  # type: ignore[type-arg]
    answers = {**phuoc_giang, "resolved_late": 2, "overdue_reasons": "Chờ xác minh nguồn gốc đất."}
    assert weekly.relevant_answers(answers)["overdue_reasons"] == "Chờ xác minh nguồn gốc đất."
    corrected = {**answers, "resolved_late": 0}
    kept = weekly.relevant_answers(corrected)
    assert "overdue_reasons" not in kept
    assert kept["carried_over"] == 53
    assert "not_a_field" not in weekly.relevant_answers({**corrected, "not_a_field": 1})

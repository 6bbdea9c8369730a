"""The forms the calendar runs and the default form, as /baocao, the supervisors' commands and the
calendar all take them from bot.domain.scheduled."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.clock import VN_TZ
from bot.domain.forms import load_forms
from bot.domain.scheduled import calendar_form_ids, default_form_id, scheduled_forms

FORMS = load_forms(Path(__file__).resolve().parents[2] / "templates" / "forms")
APRIL_1 = datetime(2026, 4, 1, 9, tzinfo=VN_TZ)  # the monthly deadline (24 March) before the weekly one (2 April)


def test_the_default_first_or_the_nearer_deadline_first() -> None:
    assert [form.id for form in scheduled_forms(FORMS)] == ["tthc-weekly", "nq57-monthly"]
    assert [form.id for form in scheduled_forms(FORMS, APRIL_1)] == ["nq57-monthly", "tthc-weekly"]


def test_the_default_form_takes_part_even_unscheduled_but_the_calendar_runs_it_not() -> None:
    forms = {**FORMS, "tthc-weekly": FORMS["tthc-weekly"].model_copy(update={"scheduled": False})}
    assert [form.id for form in scheduled_forms(forms)] == ["tthc-weekly", "nq57-monthly"]
    assert calendar_form_ids(forms) == ["nq57-monthly"]
    assert calendar_form_ids(FORMS) == ["nq57-monthly", "tthc-weekly"]


def test_the_default_form_is_the_weekly_report_else_the_first() -> None:
    assert default_form_id(FORMS) == "tthc-weekly"
    assert default_form_id(["nq57-monthly", "b-form"]) == "b-form"

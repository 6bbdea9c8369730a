"""The monthly Resolution 57 form: it loads with the example's outline and the field ids scripts
use, and its rates and checks fire on the example's own figures (Phú Thịnh, April 2026)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bot.domain.answers import parse_answer, parse_table
from bot.domain.evaluate import evaluate_checks, format_value
from bot.domain.forms import Form, load_form, load_forms
from bot.domain.periods import PeriodKey, period_for

from .conftest import FORMS_DIR
from .nq57_example import ANSWERS

SCRIPT_IDS = [
    "tasks_assigned", "tasks_done", "tasks_done_on_time", "tasks_done_late", "tasks_in_progress", "tasks_overdue",
    "meetings", "feedback_received", "feedback_resolved", "procedures_total", "procedures_online_full",
    "procedures_online_partial", "procedures_in_person", "dossiers_received", "dossiers_resolved",
    "dossiers_online", "dossiers_online_full", "digitized", "digitized_of", "e_results", "e_results_of",
    "data_reuse_pct", "budget_needed", "budget_allocated", "budget_disbursed", "tasks", "targets",
]
ASSESSMENT = ["situation", "strengths", "shortcomings", "difficulties", "causes", "solutions"]
AREAS = ["institutions", "human_resources", "finance", "dx_infrastructure", "dx_data", "dx_procedures",
         "digital_society", "security", "science", "cooperation", "waste"]


@pytest.fixture(scope="module")
def monthly() -> Form:
    return load_form(Path(FORMS_DIR) / "nq57-monthly.yaml")


def test_the_monthly_form_sits_beside_the_weekly_one_and_the_calendar_runs_both() -> None:
    forms = load_forms(FORMS_DIR)
    own = sorted(ident for ident, form in forms.items() if not form.is_variant)  # the weekly's variants aside
    assert own == ["nq57-monthly", "tthc-weekly"]
    assert forms["nq57-monthly"].period.kind == "monthly"
    assert forms["nq57-monthly"].scheduled is True and forms["tthc-weekly"].scheduled is True


def test_monthly_periods_are_keyed_by_month(monthly: Form) -> None:
    info = period_for(monthly.period, "2026-04")
    assert info.key == PeriodKey.month(2026, 4) and str(info.key) == "2026-04"
    # figures from 01/01 to the end of the 23rd of the month reported
    assert (info.starts_on.isoformat(), info.ends_on.isoformat()) == ("2026-01-01", "2026-04-23")
    assert info.form_id == "nq57-monthly"


def test_the_form_keeps_the_ids_scripts_use_and_the_examples_outline(monthly: Form) -> None:
    ids = [field.id for field in monthly.fields]
    assert set(SCRIPT_IDS) <= set(ids)
    for area in AREAS:
        assert [f"{area}_{item}" for item in ASSESSMENT] == [i for i in ids if i.startswith(f"{area}_")
                                                              and i.split(f"{area}_", 1)[1] in ASSESSMENT]
    assert [section.id for section in monthly.sections][:2] == ["direction", "institutions"]
    assert monthly.field("budget_allocated").kind == "decimal"
    assert monthly.field("budget_allocated").unit == "triệu đồng"
    assert monthly.field("data_reuse_pct").kind == "percent"
    assert monthly.field("proposals_government").default == "Không có kiến nghị, đề xuất"
    targets = monthly.field("targets")
    assert len(targets.rows) == 15 and targets.rows[13].target is not None
    assert targets.rows[13].target.describe() == "≥ 98"
    assert [c.id for c in monthly.field("tasks").columns] == ["name", "status", "note"]


def test_long_texts_declare_their_limit(monthly: Form) -> None:
    situation = monthly.field("dx_procedures_situation")
    assert situation.several_messages and situation.text_limit == 20_000
    assert parse_answer(situation, "x" * 20_000) == "x" * 20_000


def test_the_examples_rates(monthly: Form) -> None:
    values = monthly.values(ANSWERS)
    assert values.get("dossiers_online_full_rate") == Decimal("84.03")
    assert format_value(monthly, values, "dossiers_online_full_rate") == "84,03%"
    assert format_value(monthly, values, "tasks_done_rate") == "50,00%"
    assert format_value(monthly, values, "dossiers_online_rate") == "100,00%"
    assert format_value(monthly, values, "digitization_rate") == "99,93%"  # 1.410/1.411
    assert format_value(monthly, values, "e_result_rate") == "95,01%"  # 1.409/1.483: its own denominator
    assert format_value(monthly, values, "budget_disbursement_rate") == "0,00%"
    assert format_value(monthly, values, "feedback_resolved_rate") == "—"  # 0 of 0
    assert format_value(monthly, values, "budget_allocated") == "556 triệu đồng"
    assert format_value(monthly, values, "data_reuse_pct") == "97,25%"


def test_the_examples_tasks_table_disagrees_with_its_counts(monthly: Form) -> None:
    values = monthly.values(ANSWERS)
    assert values.get("tasks_table_done") == 7
    fired = evaluate_checks(monthly, ANSWERS)
    assert [result.check_id for result in fired] == ["tasks_table_matches"]
    message = fired[0].message
    assert "Phụ lục nhiệm vụ ghi 7 nhiệm vụ «Đã hoàn thành»" in message and "ghi 6" in message
    assert fired[0].fields == ("tasks", "tasks_done") and fired[0].severity == "soft"


def test_the_table_check_waits_for_the_table(monthly: Form) -> None:
    answers = {key: value for key, value in ANSWERS.items() if key != "tasks"}
    assert evaluate_checks(monthly, answers) == []
    matching = {**ANSWERS, "tasks_done": 7, "tasks_done_on_time": 7, "tasks_in_progress": 5}
    assert evaluate_checks(monthly, matching) == []


@pytest.mark.parametrize(
    ("change", "check_id", "severity"),
    [
        ({"tasks_in_progress": 5}, "tasks_balance", "soft"),
        ({"tasks_done_on_time": 5}, "tasks_done_split", "soft"),
        ({"feedback_resolved": 1}, "feedback_resolved_le_received", "hard"),
        ({"dossiers_online": 1500}, "dossiers_online_le_received", "hard"),
        ({"dossiers_online_full": 1485, "dossiers_online": 1484}, "dossiers_online_full_le_online", "hard"),
        ({"digitized": 1412}, "digitized_le_base", "hard"),
        ({"e_results": 1484}, "e_results_le_base", "hard"),
        ({"budget_disbursed": "556.5"}, "budget_disbursed_le_allocated", "hard"),
        ({"procedures_in_person": 1}, "procedures_balance", "soft"),
    ],
)
def test_each_check_fires_on_its_own_figures(monthly: Form, change: dict[str, object], check_id: str,
                                             severity: str) -> None:
    answers = {**{key: value for key, value in ANSWERS.items() if key != "tasks"}, **change}
    fired = {result.check_id: result for result in evaluate_checks(monthly, answers)}
    assert check_id in fired, fired
    assert fired[check_id].severity == severity


def test_money_is_named_in_vietnamese_decimals(monthly: Form) -> None:
    fired = evaluate_checks(monthly, {**ANSWERS, "budget_disbursed": "1234.5", "budget_allocated": "556"})
    message = next(r.message for r in fired if r.check_id == "budget_disbursed_le_allocated")
    assert "(1.234,5 triệu đồng)" in message and "(556 triệu đồng)" in message


def test_the_tasks_appendix_typed_as_officials_write_it(monthly: Form) -> None:
    text = ("1. Số hóa ít nhất 01 di tích | Chưa thực hiện | Nhiệm vụ Chủ tịch UBND xã giao\n"
            "2. Chợ 4.0 | da hoan thanh | tinh giao\n"
            "3. Kiểm tra qua môi trường số | Đang triển khai thực hiện | xã giao\n"
            "4. Phòng họp không giấy | Đang nghiên cứu điều kiện triển khai")
    rows = parse_table(monthly.field("tasks"), text)
    assert rows == [
        {"name": "Số hóa ít nhất 01 di tích", "status": "not_started", "note": "chairman"},
        {"name": "Chợ 4.0", "status": "done", "note": "province"},
        {"name": "Kiểm tra qua môi trường số", "status": "in_progress", "note": "chairman"},
        {"name": "Phòng họp không giấy", "status": "Đang nghiên cứu điều kiện triển khai"},
    ]
    values = monthly.values({"tasks": rows})
    assert values.get("tasks_table_done") == 1
    assert format_value(monthly, values, "tasks").splitlines()[1] == "2. Chợ 4.0 — Đã hoàn thành — Nhiệm vụ tỉnh giao"


def test_the_targets_appendix_reads_numbers_and_the_declared_text(monthly: Form) -> None:
    table = monthly.field("targets")
    found = parse_table(table, "1: 72,5\n9: Không phát sinh thủ tục hành chính thuộc diện “phi tiếp xúc”\n14. 100")
    assert found == {"coverage_5g": "72.5",
                     "contactless": "Không phát sinh thủ tục hành chính thuộc diện “phi tiếp xúc”",
                     "satisfaction": "100"}
    shown = format_value(monthly, monthly.values({"targets": found}), "targets").splitlines()
    assert shown[0] == "1. Tỷ lệ phủ sóng 5G trên dân số: 72,5% (mục tiêu ≥ 90%: chưa đạt)"
    assert shown[1].endswith("«phi tiếp xúc» (mục tiêu ≥ 80%)".replace("«", "“").replace("»", "”"))
    assert shown[2].endswith(": 100% (mục tiêu ≥ 98%: đạt)")

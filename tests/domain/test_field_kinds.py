"""The kinds of field beyond counts and texts, each read from what officials type, refused with a
Vietnamese reason, computed with and printed: decimals with a unit, percentages, choices,
targets with a comparator and tables."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.answers import AnswerError, parse_answer, parse_row, parse_table
from bot.domain.decimals import canonical, format_decimal, format_with_unit, from_canonical, parse_decimal
from bot.domain.evaluate import evaluate_checks, format_value
from bot.domain.forms import Form, FormError, parse_form

FORM = """
id: kinds
title: Các loại trường
fields:
  - {id: allocated, label: Kinh phí đã phân bổ, kind: decimal, unit: triệu đồng, max: 1000000}
  - {id: disbursed, label: Kinh phí đã giải ngân, kind: decimal, unit: triệu đồng, decimals: 1}
  - {id: reuse, label: Tỷ lệ tái sử dụng dữ liệu, kind: percent}
  - id: status
    label: Kết quả
    kind: choice
    options:
      - {id: done, label: Đã hoàn thành, aliases: [xong]}
      - {id: in_progress, label: Đang triển khai}
      - {id: not_started, label: Chưa thực hiện}
  - id: remark
    label: Ghi chú
    kind: choice
    other: true
    options: [{id: province, label: Nhiệm vụ tỉnh giao, aliases: [tỉnh giao]}]
  - {id: satisfaction, label: Tỷ lệ hài lòng, kind: target, unit: "%", target: "≥ 98", texts: [Không phát sinh]}
  - {id: waiting, label: Số ngày chờ, kind: target, target: "≤ 5"}
  - id: targets
    label: Chỉ tiêu
    kind: table
    rows:
      - {id: coverage, label: Phủ sóng 5G, kind: target, unit: "%", target: 90, texts: [Không phát sinh]}
      - {id: payment, label: Thanh toán trực tuyến, kind: target, unit: "%", target: "= 100"}
  - id: tasks
    label: Nhiệm vụ
    kind: table
    max_rows: 3
    columns:
      - {id: name, label: Tên nhiệm vụ, kind: text, max_length: 200}
      - id: status
        label: Kết quả
        kind: choice
        other: true
        options: [{id: done, label: Đã hoàn thành}, {id: not_started, label: Chưa thực hiện}]
derived:
  - {id: tasks_done, label: Nhiệm vụ đã hoàn thành, value: {rows: [tasks, status, done]}}
  - {id: spent_twice, label: Gấp đôi, value: {sum: [disbursed, disbursed]}}
rates:
  - {id: disbursement_rate, label: Tỷ lệ giải ngân, numerator: disbursed, denominator: allocated}
checks:
  - id: disbursed_le_allocated
    severity: hard
    require: {le: [disbursed, allocated]}
    message: Kinh phí đã giải ngân ({disbursed}) không thể lớn hơn kinh phí đã phân bổ ({allocated}).
"""


@pytest.fixture(scope="module")
def form() -> Form:
    return parse_form(FORM, "kinds.yaml")


def refused(form: Form, ident: str, text: str) -> str:
    with pytest.raises(AnswerError) as caught:
        parse_answer(form.field(ident), text)
    return caught.value.reason


# --- decimals ------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), [
    ("1.234,5", "1234.5"), ("1234,5", "1234.5"), ("1 234,5", "1234.5"), ("0,556", "0.556"), ("556", "556"),
    ("1.234", "1234"), ("120,50 triệu đồng", "120.5"), ("556 trieu dong", "556"), ("+3", "3"), ("12,000", "12"),
])
def test_decimals_read_the_vietnamese_way(form: Form, typed: str, stored: str) -> None:
    assert parse_answer(form.field("allocated"), typed) == stored


@pytest.mark.parametrize(("typed", "reason"), [
    ("1.5", "phần thập phân viết sau dấu phẩy"),
    ("1234.56", "phần thập phân viết sau dấu phẩy"),
    ("mười", "«mười» không phải là một số"),
    ("", "vui lòng nhập một số, ví dụ: 1.234,5"),
    ("-5", "phải từ 0 trở lên"),
    ("1,2345", "tối đa 3 chữ số sau dấu phẩy"),
    ("2.000.000", "Số 2.000.000 vượt quá giới hạn 1.000.000"),
])
def test_bad_decimals_get_a_reason(form: Form, typed: str, reason: str) -> None:
    assert reason in refused(form, "allocated", typed)


def test_a_fields_decimals_bound_what_is_typed(form: Form) -> None:
    assert parse_answer(form.field("disbursed"), "12,5") == "12.5"
    assert "tối đa 1 chữ số" in refused(form, "disbursed", "12,55")


@given(st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False))
def test_a_printed_decimal_reads_back_as_itself(value: Decimal) -> None:
    printed = format_decimal(value)
    assert parse_decimal(printed, decimals=3, maximum=None) == value
    assert from_canonical(canonical(value)) == value
    assert "." not in printed.partition(",")[2]  # "." groups thousands only; "," comes before the decimals


@given(st.text(max_size=20))
def test_any_text_is_a_decimal_or_refused_with_a_reason(text: str) -> None:
    try:
        value = parse_decimal(text, maximum=None)
    except ValueError as error:
        assert getattr(error, "reason", "")
    else:
        assert value >= 0


def test_decimals_print_with_their_unit() -> None:
    assert format_with_unit(Decimal("1234.5"), "triệu đồng") == "1.234,5 triệu đồng"
    assert format_with_unit(Decimal("84.03"), "%") == "84,03%"
    assert format_decimal(Decimal("99.93"), 1) == "99,9" and format_decimal(Decimal("95.004"), 2) == "95"


# --- percentages ---------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["84,03", "84,03 %", "84,03%", "84,03 phần trăm"])
def test_percentages_with_or_without_the_sign(form: Form, typed: str) -> None:
    assert parse_answer(form.field("reuse"), typed) == "84.03"


@pytest.mark.parametrize(("typed", "reason"), [
    ("101", "Số 101 vượt quá giới hạn 100"), ("-1", "từ 0 trở lên"), ("84,035", "tối đa 2 chữ số"),
    ("84.03", "phần thập phân viết sau dấu phẩy. Anh/Chị vui lòng nhập lại, ví dụ: 84,03."),
])
def test_percentages_stay_between_0_and_100(form: Form, typed: str, reason: str) -> None:
    assert reason in refused(form, "reuse", typed)


# --- choices -------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), [
    ("1", "done"), ("2.", "in_progress"), ("Đã hoàn thành", "done"), ("da hoan thanh", "done"),
    ("DA HOAN THANH", "done"), ("xong", "done"), ("chua thuc", "not_started"), ("dang trien khai", "in_progress"),
])
def test_a_choice_by_number_or_label_without_diacritics(form: Form, typed: str, stored: str) -> None:
    assert parse_answer(form.field("status"), typed) == stored


def test_a_choice_refuses_what_is_not_an_option(form: Form) -> None:
    assert refused(form, "status", "4") == ("Chỉ có 3 lựa chọn: 1. Đã hoàn thành; 2. Đang triển khai; "
                                            "3. Chưa thực hiện. Anh/Chị vui lòng gõ số thứ tự hoặc tên.")
    assert refused(form, "status", "tạm dừng").startswith("«tạm dừng» không phải là một lựa chọn")
    assert "chọn một trong: 1. Đã hoàn thành" in refused(form, "status", "  ")


def test_a_choice_with_other_takes_any_text(form: Form) -> None:
    assert parse_answer(form.field("remark"), "tinh giao") == "province"
    assert parse_answer(form.field("remark"), "Ban Chỉ đạo giao") == "Ban Chỉ đạo giao"
    values = form.values({"remark": "Ban Chỉ đạo giao", "status": "done"})
    assert format_value(form, values, "status") == "Đã hoàn thành"
    assert format_value(form, values, "remark") == "Ban Chỉ đạo giao"


# --- targets -------------------------------------------------------------------------------


def test_a_target_takes_a_number_or_a_declared_text(form: Form) -> None:
    field = form.field("satisfaction")
    assert parse_answer(field, "99,67") == "99.67"
    assert parse_answer(field, "không phát sinh trong kỳ") == "không phát sinh trong kỳ"
    assert refused(form, "satisfaction", "chưa có") == (
        "«chưa có» không phải là một số. Anh/Chị vui lòng nhập bằng chữ số, ví dụ: 84,03. "
        "Nếu không có số liệu, Anh/Chị nhập «Không phát sinh».")
    assert "vượt quá giới hạn 100" in refused(form, "satisfaction", "120")


def test_a_target_is_met_or_missed_by_its_comparator(form: Form) -> None:
    values = form.values({"satisfaction": "97.5", "waiting": "3"})
    assert format_value(form, values, "satisfaction") == "97,5% (mục tiêu ≥ 98%: chưa đạt)"
    assert format_value(form, values, "waiting") == "3 (mục tiêu ≤ 5: đạt)"
    text = form.values({"satisfaction": "Không phát sinh"})
    assert format_value(form, text, "satisfaction") == "Không phát sinh (mục tiêu ≥ 98%)"


@pytest.mark.parametrize(("written", "op", "value"), [
    ("≥ 98", "ge", "98"), (">= 98", "ge", "98"), ("≤ 5", "le", "5"), ("<=5", "le", "5"), ("= 100", "eq", "100"),
    ("99,5", "ge", "99.5"), (90, "ge", "90"), ({"le": 3}, "le", "3"),
])
def test_targets_are_written_as_officials_write_them(written: Any, op: str, value: str) -> None:
    form = parse_form(f"id: t\ntitle: T\nfields:\n  - {{id: x, label: X, kind: target, target: {written!r}}}\n"
                      if not isinstance(written, dict) else
                      "id: t\ntitle: T\nfields:\n  - {id: x, label: X, kind: target, target: {le: 3}}\n")
    target = form.field("x").target
    assert target is not None and (target.op, target.value) == (op, Decimal(value))


def test_a_target_that_is_not_one_is_a_form_problem() -> None:
    with pytest.raises(FormError, match="'khoảng 98' is not a target"):
        parse_form("id: t\ntitle: T\nfields:\n  - {id: x, label: X, kind: target, target: khoảng 98}\n", "t.yaml")


# --- tables --------------------------------------------------------------------------------


def test_declared_rows_are_answered_one_by_one_or_by_number(form: Form) -> None:
    table = form.field("targets")
    assert parse_row(table, "coverage", "72,5") == "72.5"
    assert parse_table(table, "1: 72,5\n2. 99,67") == {"coverage": "72.5", "payment": "99.67"}
    with pytest.raises(AnswerError, match=r"^Dòng 1: Anh/Chị vui lòng bắt đầu dòng bằng số thứ tự chỉ tiêu \(từ 1 đến 2\)"):
        parse_table(table, "3: 50")
    with pytest.raises(AnswerError, match="^Dòng 2: Số 150 vượt quá giới hạn 100"):
        parse_table(table, "1: 72,5\n2: 150")


def test_rows_the_commune_adds(form: Form) -> None:
    table = form.field("tasks")
    rows = parse_table(table, "- Chợ 4.0 | đã hoàn thành\n2) Số hóa di tích; Chưa thực hiện\nBản đồ số")
    assert rows == [{"name": "Chợ 4.0", "status": "done"}, {"name": "Số hóa di tích", "status": "not_started"},
                    {"name": "Bản đồ số"}]
    values = form.values({"tasks": rows})
    assert values.get("tasks_done") == 1
    assert format_value(form, values, "tasks") == "1. Chợ 4.0 — Đã hoàn thành\n2. Số hóa di tích — Chưa thực hiện\n3. Bản đồ số"


def test_a_line_with_bars_is_cut_at_the_bars_only(form: Form) -> None:
    """Task names hold semicolons ("(1) …; (2) …", as in the real April report): a line that
    separates its columns with «|», as the question asks, keeps them in its cells."""
    rows = parse_table(form.field("tasks"), "Rà soát đường truyền; trang bị máy tính | Đã hoàn thành")
    assert rows == [{"name": "Rà soát đường truyền; trang bị máy tính", "status": "done"}]


@pytest.mark.parametrize(("typed", "reason"), [
    ("", "Anh/Chị vui lòng nhập mỗi dòng một mục của bảng."),
    ("a | b | c", "Dòng 1: Dòng có nhiều hơn 2 cột."),
    ("Chợ 4.0 | xong\n | Đã hoàn thành", "Dòng 2: thiếu «Tên nhiệm vụ»."),
    ("a\nb\nc\nd", "Bảng có 4 dòng, nhiều hơn giới hạn 3 dòng."),
    ("x" * 201, "Dòng 1: Nội dung dài 201 ký tự, vượt quá giới hạn 200 ký tự."),
])
def test_a_bad_table_line_is_named(form: Form, typed: str, reason: str) -> None:
    with pytest.raises(AnswerError) as caught:
        parse_table(form.field("tasks"), typed)
    assert caught.value.reason.startswith(reason)


def test_a_table_is_not_read_as_one_answer(form: Form) -> None:
    with pytest.raises(TypeError, match="parse_table"):
        parse_answer(form.field("tasks"), "x")


# --- computing with the kinds ---------------------------------------------------------------


def test_decimals_sum_rate_and_compare(form: Form) -> None:
    values = form.values({"allocated": "556", "disbursed": "120.5"})
    assert values.get("spent_twice") == Decimal("241.0")
    assert format_value(form, values, "disbursement_rate") == "21,67%"
    assert format_value(form, values, "allocated") == "556 triệu đồng"
    assert evaluate_checks(form, {"allocated": "556", "disbursed": "120.5"}) == []
    [broken] = evaluate_checks(form, {"allocated": "556", "disbursed": "556.5"})
    assert broken.message == ("Kinh phí đã giải ngân (556,5 triệu đồng) không thể lớn hơn kinh phí đã phân bổ "
                              "(556 triệu đồng).")
    assert broken.fields == ("allocated", "disbursed")


def test_stored_values_that_cannot_be_read_stay_unknown(form: Form) -> None:
    values = form.values({"allocated": "nhiều", "reuse": True, "status": "paused", "tasks": "x", "targets": [1]})
    for ident in ("allocated", "reuse", "status", "tasks", "targets", "tasks_done", "disbursement_rate"):
        assert not values.known(ident), ident
    assert format_value(form, values, "allocated") == "?"


# --- declaring the kinds --------------------------------------------------------------------


def _problems(fields: str, extra: str = "") -> str:
    with pytest.raises(FormError) as caught:
        parse_form(f"id: t\ntitle: T\nfields:\n{fields}{extra}", "t.yaml")
    return str(caught.value)


@pytest.mark.parametrize(("fields", "expected"), [
    ("  - {id: a, label: A, kind: choice}\n", "field 'a': a choice needs options"),
    ("  - {id: a, label: A, kind: choice, options: [{id: x, label: Có}, {id: y, label: co}]}\n",
     "option 'y': 'co' also names option 'x'"),
    ("  - {id: a, label: A, kind: percent, max: 150}\n", "a percentage lies between 0 and 100"),
    ("  - {id: a, label: A, kind: decimal, min: 5, max: 1}\n", "min (5) is greater than max (1)"),
    ("  - {id: a, label: A, kind: count, unit: đồng}\n", "unit applies to decimal and percent and target fields only"),
    ("  - {id: a, label: A, kind: text, options: [{id: x, label: X}]}\n", "options applies to choice fields only"),
    ("  - {id: a, label: A, kind: target}\n", "a target field needs target"),
    ("  - {id: a, label: A, kind: table}\n", "a table declares either rows"),
    ("  - {id: a, label: A, kind: table, rows: [{id: r, label: R, kind: table, columns: [{id: c, label: C, kind: text}]}]}\n",
     "row 'r': a table cannot hold a table"),
    ("  - {id: a, label: A, kind: table, columns: [{id: c, label: C, kind: target, target: 5}]}\n",
     "column 'c': a column is one of choice, count, decimal, percent, text"),
    ("  - {id: a, label: A, kind: text, max_length: 20000}\n",
     "max_length (20000) must be between 1 and 3500 (more with several_messages: true)"),
    ("  - {id: a, label: A, kind: text, max_length: 60000, several_messages: true}\n",
     "max_length (60000) must be between 1 and 50000"),
])
def test_a_bad_declaration_is_named(fields: str, expected: str) -> None:
    assert expected in _problems(fields)


def test_tables_are_counted_only_through_rows() -> None:
    fields = ("  - {id: a, label: A, kind: table, columns: [{id: c, label: C, kind: text}]}\n"
              "  - {id: n, label: N, kind: count}\n")
    summed = _problems(fields, "derived:\n  - {id: d, label: D, value: {sum: [a, n]}}\n")
    assert "computes with 'a', a table" in summed
    counted = _problems(fields, "derived:\n  - {id: d, label: D, value: {rows: [a, c, done]}}\n")
    assert "rows: 'c' is not a choice column of table 'a'" in counted


def test_a_long_text_declares_its_limit() -> None:
    form = parse_form("id: t\ntitle: T\nfields:\n"
                      "  - {id: a, label: A, kind: text, max_length: 20000, several_messages: true}\n")
    assert form.field("a").text_limit == 20_000 and parse_answer(form.field("a"), "x" * 20_000)
    with pytest.raises(AnswerError, match="20.001 ký tự, vượt quá giới hạn 20.000 ký tự"):
        parse_answer(form.field("a"), "x" * 20_001)


# --- answers from a JSON file ---------------------------------------------------------------


def test_json_answers_of_each_kind(form: Form) -> None:
    from bot.domain.answers import parse_json_answer

    assert parse_json_answer(form.field("allocated"), 556) == "556"
    assert parse_json_answer(form.field("allocated"), 0.556) == "0.556"
    assert parse_json_answer(form.field("allocated"), "1.234,5") == "1234.5"
    assert parse_json_answer(form.field("status"), "in_progress") == "in_progress"
    assert parse_json_answer(form.field("status"), 1) == "done"
    assert parse_json_answer(form.field("satisfaction"), "Không phát sinh") == "Không phát sinh"
    assert parse_json_answer(form.field("targets"), {"coverage": 72.5, "payment": "99,67"}) == {
        "coverage": "72.5", "payment": "99.67"}
    assert parse_json_answer(form.field("tasks"), [{"name": "Chợ 4.0", "status": "done"}, {"name": "Bản đồ số",
                                                                                           "status": ""}]) == [
        {"name": "Chợ 4.0", "status": "done"}, {"name": "Bản đồ số"}]


@pytest.mark.parametrize(("ident", "raw", "reason"), [
    ("reuse", 101, "Số 101 vượt quá giới hạn 100"),
    ("reuse", 84.035, "tối đa 2 chữ số sau dấu phẩy"),
    ("allocated", True, "«Kinh phí đã phân bổ»: Anh/Chị vui lòng ghi giá trị là một số hoặc một đoạn chữ."),
    ("status", "paused", "«paused» không phải là một lựa chọn"),
    ("targets", [1], "«Chỉ tiêu»: Anh/Chị vui lòng ghi bảng dạng {mã chỉ tiêu: kết quả}."),
    ("targets", {"speed": 1}, "«Chỉ tiêu» không có mục «speed»."),
    ("tasks", {"name": "x"}, "«Nhiệm vụ»: Anh/Chị vui lòng ghi bảng là danh sách các dòng"),
    ("tasks", [{"name": "a"}] * 4, "Bảng có 4 dòng, nhiều hơn giới hạn 3 dòng."),
])
def test_bad_json_answers_get_a_reason(form: Form, ident: str, raw: object, reason: str) -> None:
    from bot.domain.answers import parse_json_answer

    with pytest.raises(AnswerError) as caught:
        parse_json_answer(form.field(ident), raw)
    assert reason in caught.value.reason


def test_the_examples_appendices_read_from_json() -> None:
    from bot.domain.answers import parse_json_answer
    from bot.domain.forms import load_form

    from .conftest import FORMS_DIR
    from .nq57_example import TASKS

    monthly = load_form(FORMS_DIR / "nq57-monthly.yaml")
    stored = parse_json_answer(monthly.field("tasks"), TASKS)
    assert stored == TASKS
    assert monthly.values({"tasks": stored}).get("tasks_table_done") == 7

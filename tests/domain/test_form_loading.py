"""Loading form files: the real weekly form, and every kind of broken file giving one clear error."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.domain.forms import Form, FormError, OutlierCheck, RuleCheck, load_form, load_forms, parse_form
from bot.domain.text import fold

from .conftest import DOMAIN_IDS, FORMS_DIR, TEXT_IDS

# --- the real form ---------------------------------------------------------------------------


def test_weekly_form_has_the_domain_fields_in_order(weekly: Form) -> None:
    assert weekly.id == "tthc-weekly"
    assert weekly.title
    # the online total is asked only when the split is blank (issue 15, item 3)
    assert [field.id for field in weekly.fields if field.id != "received_online"] == DOMAIN_IDS
    assert [field.id for field in weekly.text_fields] == TEXT_IDS
    assert len(weekly.count_fields) == 14
    assert {f.id for f in weekly.fields if f.optional} == {
        "received_online_full", "received_online_partial", "received_online", "digitized", "e_results"}


def test_weekly_fields_speak_vietnamese(weekly: Form) -> None:
    for field in weekly.fields:
        assert fold(field.label) != field.label.lower(), f"{field.id}: label without diacritics"
        assert field.short_label
        assert "VD:" in field.help, field.id
        if field.kind == "count":
            assert field.help.startswith("Anh/Chị vui lòng") or "Anh/Chị vui lòng" in field.help
            assert (field.minimum, field.maximum) == (0, 1_000_000)
        else:
            assert field.text_limit <= 3500
        assert field.aliases, field.id
        assert field.section is not None


def test_weekly_form_labels_follow_the_domain(weekly: Form) -> None:
    assert weekly.field("carried_over").label == "Hồ sơ kỳ trước chuyển sang"
    assert weekly.field("received_postal").label == "Tiếp nhận mới: qua dịch vụ bưu chính công ích"
    assert weekly.field("e_results").label == "Kết quả giải quyết cấp bản điện tử"
    assert weekly.field("legal").label == "Về pháp lý (văn bản ban hành trong kỳ)"


def test_weekly_aliases_cover_the_officials_keywords(weekly: Form) -> None:
    expected = {
        "toàn trình": "received_online_full",
        "một phần": "received_online_partial",
        "trực tiếp": "received_in_person",
        "bưu chính": "received_postal",
        "trước hạn": "resolved_early",
        "đúng hạn": "resolved_on_time",
        "quá hạn": "resolved_late",
        "kỳ trước": "carried_over",
        "số hóa": "digitized",
        "rút": "withdrawn",
    }
    for keyword, field_id in expected.items():
        assert keyword in weekly.field(field_id).aliases, (keyword, field_id)
        field = weekly.match_label(f"{keyword}: 12")
        assert field is not None and field.id == field_id


def test_label_matching_prefers_the_longest_alias(weekly: Form) -> None:
    def match(text: str) -> str | None:
        field = weekly.match_label(text)
        return field.id if field else None

    assert match("Dang giai quyet qua han: 3") == "pending_overdue"
    assert match("đã giải quyết quá hạn 2") == "resolved_late"
    assert match("Nguyên nhân quá hạn: chờ xác minh") == "overdue_reasons"
    assert match("Tiếp nhận mới: trực tuyến toàn trình: 1.794") == "received_online_full"
    assert match("thời tiết đẹp") is None


def test_weekly_derivations_rates_and_checks(weekly: Form) -> None:
    assert [item.id for item in weekly.derived] == ["received_new", "received_total", "resolved", "pending"]
    assert weekly.derived_order.index("received_new") < weekly.derived_order.index("received_total")
    assert {rate.id for rate in weekly.rates} >= {
        "share_online_full",
        "share_online_partial",
        "share_in_person",
        "share_postal",
        "online_rate",
        "on_time_rate",
        "digitization_rate",
        "e_result_rate",
    }
    assert "full_online_rate" not in {rate.id for rate in weekly.rates}  # share_online_full, listed once
    severities = {check.id: check.severity for check in weekly.checks}
    assert severities == {
        "digitized_le_received_new": "hard",
        "e_results_le_resolved": "hard",
        "balance": "soft",
        "continuity": "soft",
        "outlier": "soft",
    }
    outlier = weekly.check("outlier")
    assert isinstance(outlier, OutlierCheck)
    assert (outlier.factor, outlier.minimum) == (3, 20)
    balance = weekly.check("balance")
    assert isinstance(balance, RuleCheck)
    assert balance.require.references() == ("received_total", "resolved", "pending", "withdrawn")
    assert weekly.check_inputs("digitized_le_received_new") == {
        "digitized",
        "received_online_full",
        "received_online_partial",
        "received_online",  # the online total, when the split is blank
        "received_in_person",
        "received_postal",
    }


def test_weekly_period_block(weekly: Form) -> None:
    period = weekly.period
    assert period.kind == "weekly"
    assert period.form_id == "tthc-weekly"
    assert (period.opens.weekday, period.opens.time) == ("monday", time(8, 0))
    assert (period.deadline.weekday, period.deadline.time) == ("thursday", time(15, 0))
    assert [(r.working_days_before, r.time) for r in period.reminders] == [(1, time(9)), (0, time(9))]
    assert (period.quiet_hours.allowed_from, period.quiet_hours.allowed_until) == (time(7), time(21))
    assert period.quiet_hours.allows(time(20, 59)) and not period.quiet_hours.allows(time(21, 0))


def test_load_forms_reads_the_directory(weekly: Form) -> None:
    forms = load_forms(FORMS_DIR)
    assert forms["tthc-weekly"] == weekly


def test_sections_for_the_review_screen(weekly: Form) -> None:
    groups = weekly.sections_with_fields()
    assert [section.id for section, _ in groups if section] == [
        "intake",
        "handling",
        "digital",
        "situation",
        "issues",
    ]
    assert sum(len(fields) for _, fields in groups) == len(weekly.fields)


def test_lookups_of_unknown_ids_say_so(weekly: Form) -> None:
    with pytest.raises(KeyError, match="no field 'nope'"):
        weekly.field("nope")
    assert weekly.kind_of("pending") == "derived"
    assert weekly.kind_of("online_rate") == "rate"
    assert weekly.kind_of("legal") == "text"
    assert weekly.kind_of("nope") is None


# --- broken forms ----------------------------------------------------------------------------

MINI: dict[str, Any] = {
    "id": "mini",
    "title": "Báo cáo thử",
    "sections": [{"id": "main", "label": "Chính"}],
    "fields": [
        {
            "id": "received",
            "label": "Tiếp nhận",
            "kind": "count",
            "section": "main",
            "aliases": ["tiếp nhận"],
        },
        {"id": "digitized", "label": "Số hóa", "kind": "count", "aliases": ["số hóa"]},
        {"id": "late", "label": "Quá hạn", "kind": "count"},
        {
            "id": "reasons",
            "label": "Nguyên nhân",
            "kind": "text",
            "max_length": 500,
            "ask_if": {"gt": ["late", 0]},
        },
    ],
    "derived": [{"id": "total", "label": "Tổng", "value": {"sum": ["received", "late"]}}],
    "rates": [
        {
            "id": "digitization_rate",
            "label": "Tỷ lệ số hóa",
            "numerator": "digitized",
            "denominator": "received",
        }
    ],
    "checks": [
        {
            "id": "digitized_le_received",
            "severity": "hard",
            "require": {"le": ["digitized", "received"]},
            "fields": ["digitized"],
            "message": "Số hóa ({digitized}) không thể lớn hơn tiếp nhận ({received}).",
        },
        {
            "id": "continuity",
            "severity": "soft",
            "require": {"eq": ["received", "previous.total"]},
            "message": "{left} ≠ {right} ({previous.total})",
        },
    ],
}


def write(tmp_path: Path, data: dict[str, Any], name: str = "mini.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def broken(tmp_path: Path, change: Callable[[dict[str, Any]], None]) -> str:
    data = copy.deepcopy(MINI)
    change(data)
    with pytest.raises(FormError) as caught:
        load_form(write(tmp_path, data))
    return str(caught.value)


def test_the_mini_form_is_valid(tmp_path: Path) -> None:
    form = load_form(write(tmp_path, MINI))
    assert form.id == "mini"
    assert form.period.kind == "weekly"  # the default period


def test_unknown_reference_in_a_check_names_file_field_and_check(tmp_path: Path) -> None:
    weekly = yaml.safe_load((FORMS_DIR / "tthc-weekly.yaml").read_text(encoding="utf-8"))
    weekly["checks"][0]["require"] = {"le": ["digitized", "received_neww"]}
    with pytest.raises(FormError) as caught:
        load_form(write(tmp_path, weekly, "tthc-weekly.yaml"))
    assert str(caught.value) == (
        "tthc-weekly.yaml: field 'digitized': check 'digitized_le_received_new' refers to unknown id 'received_neww'"
    )


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def _delete(path: list[Any]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return change


def _append(section: str, item: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    return lambda data: data.setdefault(section, []).append(item)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            _append("fields", {"id": "late", "label": "Lại", "kind": "count"}),
            "mini.yaml: field 'late': duplicate id (already used by field 'late')",
            id="duplicate-field",
        ),
        pytest.param(
            _append("derived", {"id": "received", "label": "X", "value": 1}),
            "mini.yaml: derived 'received': duplicate id (already used by field 'received')",
            id="duplicate-across-kinds",
        ),
        pytest.param(
            _set(["fields", 3, "ask_if"], {"gt": ["lat", 0]}),
            "mini.yaml: field 'reasons': ask_if refers to unknown id 'lat'",
            id="unknown-ask-if-reference",
        ),
        pytest.param(
            _set(["fields", 3, "ask_if"], {"greater": ["late", 0]}),
            "mini.yaml: field 'reasons': ask_if: unknown operator 'greater' in a condition",
            id="unknown-operator",
        ),
        pytest.param(
            _set(["fields", 0, "ask_if"], {"gt": ["late", 0]}),
            "mini.yaml: field 'received': ask_if reads 'late', which is asked at or after this field",
            id="ask-if-on-a-later-field",
        ),
        pytest.param(
            lambda d: d["derived"].extend(
                [
                    {"id": "a", "label": "A", "value": {"sum": ["b", 1]}},
                    {"id": "b", "label": "B", "value": {"sum": ["a", "received"]}},
                ]
            ),
            "mini.yaml: derived 'a': cycle in derivations: a → b → a",
            id="cycle",
        ),
        pytest.param(
            _set(["derived", 0, "value"], {"sum": ["received", "reasons"]}),
            "mini.yaml: derived 'total': value computes with 'reasons', a text",
            id="text-in-a-sum",
        ),
        pytest.param(
            _set(["rates", 0, "denominator"], "recieved"),
            "mini.yaml: rate 'digitization_rate': denominator refers to unknown id 'recieved'",
            id="rate-unknown-id",
        ),
        pytest.param(
            lambda d: d["fields"][0].update({"min": 10, "max": 5}),
            "mini.yaml: field 'received': min (10) is greater than max (5)",
            id="min-above-max",
        ),
        pytest.param(
            _set(["fields", 0, "max"], 2_000_000),
            "mini.yaml: field 'received': max (2000000) is above the limit for counts (1000000)",
            id="max-above-limit",
        ),
        pytest.param(
            _set(["fields", 0, "min"], -1),
            "mini.yaml: field 'received': min (-1) must not be negative",
            id="negative-min",
        ),
        pytest.param(
            _set(["fields", 0, "max_length"], 10),
            "mini.yaml: field 'received': max_length applies to text fields only",
            id="max-length-on-count",
        ),
        pytest.param(
            _set(["fields", 3, "max"], 10),
            "mini.yaml: field 'reasons': min/max apply to count fields only",
            id="max-on-text",
        ),
        pytest.param(
            _set(["fields", 3, "max_length"], 100_000),
            "mini.yaml: field 'reasons': max_length (100000) must be between 1 and 3500",
            id="text-too-long",
        ),
        pytest.param(
            _set(["fields", 0, "offer_previous"], True),
            "mini.yaml: field 'received': offer_previous applies to text fields only",
            id="offer-previous-on-count",
        ),
        pytest.param(
            _delete(["checks", 1, "message"]),
            "mini.yaml: check 'continuity': a soft check needs a message",
            id="soft-check-without-message",
        ),
        pytest.param(
            _set(["checks", 1, "message"], "Khác {previous.totl}"),
            "mini.yaml: check 'continuity': message refers to unknown id 'previous.totl'",
            id="message-placeholder",
        ),
        pytest.param(
            _set(["checks", 0, "message"], "Số hóa {digitized"),
            "mini.yaml: field 'digitized': check 'digitized_le_received': message has an unmatched '{' or '}'",
            id="message-brace",
        ),
        pytest.param(
            _set(["checks", 0, "fields"], ["total"]),
            "mini.yaml: check 'digitized_le_received': fields lists derived 'total'",
            id="check-fields-derived",
        ),
        pytest.param(
            _set(["checks", 1, "severity"], "warning"),
            "mini.yaml: check 'continuity': severity: Input should be 'hard' or 'soft'",
            id="bad-severity",
        ),
        pytest.param(
            _set(["checks", 1, "kind"], "magic"),
            "mini.yaml: check 'continuity': unknown kind 'magic' (expected 'rule', 'outlier')",
            id="unknown-check-kind",
        ),
        pytest.param(
            _append(
                "checks", {"id": "big", "kind": "outlier", "applies_to": ["reasons"], "message": "{value}"}
            ),
            "mini.yaml: check 'big': applies_to lists 'reasons', a text; only counts can be outliers",
            id="outlier-on-text",
        ),
        pytest.param(
            _append("checks", {"id": "big", "kind": "outlier", "message": "{digitized}"}),
            "mini.yaml: check 'big': message refers to unknown id 'digitized'",
            id="outlier-placeholder",
        ),
        pytest.param(
            _append(
                "checks", {"id": "continuity", "severity": "soft", "require": {"eq": [1, 1]}, "message": "x"}
            ),
            "mini.yaml: check 'continuity': id is used more than once",
            id="duplicate-check",
        ),
        pytest.param(
            _set(["fields", 0, "lable"], "Tiếp nhận"),
            "mini.yaml: field 'received': unknown key 'lable'",
            id="typo-in-a-key",
        ),
        pytest.param(
            _delete(["fields", 1, "label"]),
            "mini.yaml: field 'digitized': 'label' is required",
            id="missing-label",
        ),
        pytest.param(
            _set(["fields", 1, "kind"], "number"),
            "mini.yaml: field 'digitized': kind: Input should be 'count', 'text', 'decimal', 'percent', 'choice', 'target' or 'table'",
            id="bad-kind",
        ),
        pytest.param(
            _set(["fields", 1, "aliases"], ["Tiếp nhận"]),
            "mini.yaml: field 'digitized': alias 'Tiếp nhận' is also an alias of field 'received'",
            id="alias-collision",
        ),
        pytest.param(
            _set(["fields", 1, "section"], "other"),
            "mini.yaml: field 'digitized': section 'other' is not declared under sections",
            id="unknown-section",
        ),
        pytest.param(
            _set(["fields", 1, "default_from_previous"], "totl"),
            "mini.yaml: field 'digitized': default_from_previous refers to unknown id 'totl'",
            id="default-from-unknown",
        ),
        pytest.param(
            _set(["fields", 1, "default_from_previous"], "reasons"),
            "mini.yaml: field 'digitized': default_from_previous: 'reasons' is a text, not a count",
            id="default-from-text",
        ),
        pytest.param(
            _set(["fields", 1, "id"], "Digitized"),
            "mini.yaml: field 'Digitized': id must be lower-case letters",
            id="bad-id",
        ),
        pytest.param(
            _set(["period"], {"deadline": {"weekday": "thursday", "time": 900}}),
            "mini.yaml: period: deadline.time: write times in quotes as 'HH:MM'",
            id="unquoted-time",
        ),
        pytest.param(
            _set(["period"], {"kind": "monthly", "deadline": {"weekday": "thursday", "time": "15:00"}}),
            "mini.yaml: period: deadline: a monthly period sets 'day'",
            id="monthly-with-weekday",
        ),
        pytest.param(
            _set(["period"], {"deadline": {"weekday": "monday", "time": "07:00"}}),
            "mini.yaml: period: deadline must come after opens",
            id="deadline-before-opening",
        ),
        pytest.param(
            _set(["period"], {"quiet_hours": {"allowed_from": "22:00", "allowed_until": "07:00"}}),
            "mini.yaml: period: quiet_hours: allowed_from must be before allowed_until",
            id="quiet-hours",
        ),
        pytest.param(
            _set(["period"], {"holiday_country": "XX"}),
            "mini.yaml: period: the holidays package does not know the country 'XX'",
            id="holiday-country",
        ),
        pytest.param(
            _set(["period"], {"timezone": "Asia/Hanoi_City"}),
            "mini.yaml: period: unknown time zone 'Asia/Hanoi_City'",
            id="bad-timezone",
        ),
        pytest.param(
            _set(["fields"], []),
            "mini.yaml: fields: a form needs at least one field",
            id="no-fields",
        ),
    ],
)
def test_broken_forms_give_one_clear_error(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    message = broken(tmp_path, change)
    assert expected in message, message
    assert message.startswith("mini.yaml: ")


def test_every_problem_is_listed(tmp_path: Path) -> None:
    data = copy.deepcopy(MINI)
    data["fields"][0]["max"] = -5
    data["checks"][1]["message"] = ""
    with pytest.raises(FormError) as caught:
        load_form(write(tmp_path, data))
    assert caught.value.problems == (
        "mini.yaml: field 'received': min (0) is greater than max (-5)",
        "mini.yaml: check 'continuity': a soft check needs a message (in Vietnamese, naming the numbers)",
    )
    assert str(caught.value) == "\n".join(caught.value.problems)


def test_yaml_syntax_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: bad\nfields: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(FormError, match=r"^bad\.yaml: not valid YAML at line \d+"):
        load_form(path)


def test_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(FormError, match=r"^list\.yaml: a form file must be a mapping"):
        load_form(write_text(tmp_path / "list.yaml", "- a\n- b\n"))


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FormError, match=r"^nowhere\.yaml: cannot be read"):
        load_form(tmp_path / "nowhere.yaml")


def test_duplicate_form_ids_across_files(tmp_path: Path) -> None:
    write(tmp_path, MINI, "a.yaml")
    write(tmp_path, MINI, "b.yml")
    with pytest.raises(FormError, match=r"^b\.yml: form id 'mini' is already used by a\.yaml"):
        load_forms(tmp_path)


def test_parse_form_from_text() -> None:
    form = parse_form(yaml.safe_dump(MINI, allow_unicode=True), "inline")
    assert form.field("reasons").text_limit == 500


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path

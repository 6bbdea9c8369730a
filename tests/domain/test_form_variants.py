"""Form variants (issue 15, item 1): a form file that extends another — sections and fields added,
removed, renamed, changed and reordered, its own .docx — resolved when loaded, and every mistake
named with its line by `forms check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands.forms import forms_check, forms_list
from bot.domain.form_versions import read_form_files
from bot.domain.forms import FormError, load_form, load_forms, parse_form, variants_of
from bot.settings import Settings

FORMS_DIR = Path(__file__).resolve().parents[2] / "templates" / "forms"
WEEKLY = (FORMS_DIR / "tthc-weekly.yaml").read_text(encoding="utf-8")


def variant(body: str) -> str:
    return "id: tthc-weekly-thu\nextends: tthc-weekly\n" + body


def resolve(body: str) -> object:
    return parse_form(variant(body), "thu.yaml", bases={"tthc-weekly": _weekly_mapping()})


def _weekly_mapping() -> dict[str, object]:
    import yaml

    data = yaml.safe_load(WEEKLY)
    assert isinstance(data, dict)
    return data


def test_the_shipped_variants_load_with_the_forms_and_follow_the_weekly_periods() -> None:
    forms = load_forms(FORMS_DIR)
    assert [form.id for form in variants_of(forms, "tthc-weekly")] == ["tthc-weekly-danh-gia", "tthc-weekly-theo-muc"]
    assessed, per_section = forms["tthc-weekly-danh-gia"], forms["tthc-weekly-theo-muc"]
    for form in (assessed, per_section):
        assert form.variant_of == "tthc-weekly" and form.schedule_id == "tthc-weekly"
        assert form.period.form_id == "tthc-weekly" and form.scheduled is False  # the weekly's periods carry it
    assert assessed.template == "bao-cao-tuan-danh-gia.docx"
    assert per_section.template == "bao-cao-tuan-theo-muc.docx"
    ids = [field.id for field in assessed.fields]
    assert "difficulties" not in ids and ids[-6:] == ["other_content", "achievement_causes", "strengths", "weaknesses",
                                                      "weakness_causes", "proposals"]
    assert assessed.field("proposals").label == "Đề xuất"
    assert [f.label for f in assessed.fields if f.section == "assessment"] == [
        "Nguyên nhân của kết quả đạt được, chưa đạt được", "Mặt tích cực", "Tồn tại, hạn chế", "Nguyên nhân"]
    assert assessed.field("proposals").section == "issues" and assessed.sections[-1].label == "Đề xuất"
    assert [s.id for s in assessed.sections] == ["intake", "handling", "digital", "situation", "assessment", "issues"]
    themed = [figure.id for figure in assessed.rollup.figures if figure.how == "themes"]  # type: ignore[union-attr]
    assert themed == ["weaknesses", "proposals"]
    ids = [field.id for field in per_section.fields]
    assert ids[:4] == ["procedures_total", "procedures_online_full", "procedures_online_partial", "procedures_reviewed"]
    assert {"digital_teams", "digital_team_members", "feedback_received", "feedback_resolved"} <= set(ids)
    assert ids.index("legal_issues") == ids.index("legal") + 1 and "difficulties" not in ids
    assert per_section.rate("procedure_online_rate").denominator.refs()[0].id == "procedures_total"
    assert per_section.check("procedures_online_le_total").severity == "hard"


def test_forms_list_names_each_variant_with_the_form_it_extends() -> None:
    listed = forms_list(Settings(_env_file=None, forms_dir=FORMS_DIR))  # type: ignore[call-arg]
    line = next(line for line in listed.splitlines() if line.startswith("tthc-weekly-theo-muc"))
    assert "biến thể của tthc-weekly" in line


def test_forms_check_takes_a_variant_and_names_a_bad_extends_with_its_line(tmp_path: Path) -> None:
    good = tmp_path / "tinh.yaml"
    good.write_text(variant("title: Mẫu của tỉnh\nfields:\n  remove: [withdrawn]\n"), encoding="utf-8")
    status, text = forms_check(good, FORMS_DIR)
    assert status == 1  # the balance check still reads withdrawn: told so
    assert "this variant removes 'withdrawn'" in text and "check 'balance'" in text
    bad = tmp_path / "sai.yaml"
    bad.write_text("# a province's outline\nid: tinh-sai\nextends: tthc-weekli\ntitle: Sai\n", encoding="utf-8")
    status, text = forms_check(bad, FORMS_DIR)
    assert status == 1
    assert f"{bad}:3: extends: unknown form 'tthc-weekli'" in text and "tthc-weekly" in text
    status, text = forms_check(FORMS_DIR / "tthc-weekly-danh-gia.yaml", FORMS_DIR)
    assert status == 0 and "biến thể của tthc-weekly" in text


def test_a_removed_field_left_in_a_check_or_the_rollup_fails_with_a_clear_message() -> None:
    with pytest.raises(FormError) as caught:
        resolve("title: T\nfields:\n  remove: [digitized]\n")
    text = str(caught.value)
    assert "refers to unknown id 'digitized'" in text and "this variant removes 'digitized'" in text
    # removing what refers to it too is a usable form
    form = resolve(
        "title: T\nfields:\n  remove: [digitized]\nrates:\n  remove: [digitization_rate]\n"
        "checks:\n  remove: [digitized_le_received_new]\n"
        "rollup:\n  figures:\n    remove: [digitized, digitization_rate]\n  ranking:\n    rates:\n"
        "      - {figure: on_time_rate, words: đúng hạn}\n"
        "  docx:\n    figures: [\"- Đã giải quyết {resolved} hồ sơ.\"]\n"
        "    columns: {received_new: received_new, resolved: resolved}\n"
    )
    assert "digitized" not in [f.id for f in form.fields]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("body", "problem"), [
    ("title: T\nfields:\n  remove: [nothing_here]\n", "fields: remove: unknown field 'nothing_here'"),
    ("title: T\nfields:\n  add:\n    - {id: legal, label: X, kind: text}\n", "field 'legal' is already in the form"),
    ("title: T\nfields:\n  add:\n    - {id: extra, label: X, kind: count, after: nowhere}\n",
     "placed by unknown id 'nowhere'"),
    ("title: T\nsections:\n  order: [intake]\n", "sections: order must list every section once (missing handling"),
    ("title: T\nfields:\n  swap: [legal]\n", "unknown patch key 'swap'"),
    ("title: T\nextends: tthc-weekly-thu\n", "extends itself"),
])
def test_a_bad_patch_is_named(body: str, problem: str) -> None:
    with pytest.raises(FormError) as caught:
        if "extends: tthc-weekly-thu" in body:
            parse_form("id: tthc-weekly-thu\n" + body, "thu.yaml", bases={"tthc-weekly": _weekly_mapping()})
        else:
            resolve(body)
    assert problem in str(caught.value)


def test_rename_change_and_order_apply() -> None:
    form = resolve(
        "title: T\nfields:\n  rename: {proposals: Đề xuất}\n  change: {legal: {short_label: Văn bản}}\n"
        "sections:\n  order: [issues, situation, digital, handling, intake]\n"
    )
    assert form.field("proposals").label == "Đề xuất"  # type: ignore[attr-defined]
    assert form.field("legal").short_label == "Văn bản"  # type: ignore[attr-defined]
    assert [s.id for s in form.sections][0] == "issues"  # type: ignore[attr-defined]


def test_a_variant_file_loads_alone_from_its_folder_and_its_stored_text_reads_back_alone() -> None:
    form = load_form(FORMS_DIR / "tthc-weekly-theo-muc.yaml")
    assert form.variant_of == "tthc-weekly"
    texts = {found.id: text for found, text in read_form_files(FORMS_DIR)}
    again = parse_form(texts["tthc-weekly-theo-muc"], "stored")  # no bases: the stored text is resolved
    assert [f.id for f in again.fields] == [f.id for f in form.fields] and again.variant_of == "tthc-weekly"


def test_a_variant_follows_the_calendar_its_base_has_now() -> None:
    from bot.reporting.variants import variant_form

    forms = load_forms(FORMS_DIR)
    weekly = forms["tthc-weekly"]
    moved = weekly.period.model_copy(update={"deadline": weekly.period.deadline.model_copy(update={"weekday": "friday"})})
    forms["tthc-weekly"] = weekly.model_copy(update={"period": moved})  # as /lich changes it
    chosen = variant_form(forms, "tthc-weekly-danh-gia")
    assert chosen.id == "tthc-weekly-danh-gia" and chosen.period.deadline.weekday == "friday"
    assert [f.id for f in chosen.fields] == [f.id for f in forms["tthc-weekly-danh-gia"].fields]
    assert chosen.field("strengths").label == "Mặt tích cực"  # its lookups still work
    assert variant_form(forms, "nq57-monthly") is forms["tthc-weekly"]  # not a variant of the weekly form
    assert variant_form(forms, None) is forms["tthc-weekly"]

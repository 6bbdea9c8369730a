"""Honest blanks in the report (issue 15, item 3): a figure answered «Không có số liệu» (JSON null
or "-" in an answers file) is not printed as 0: its sentence says "chưa có số liệu", a rate with a
blank part is "—", and the online dossiers answered as a total are printed as such."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.commands.render import coerce_answers
from bot.documents.render import sample_answers
from bot.domain.forms import Form
from tests.render.docx_helpers import full_text


def _blank_week() -> dict[str, Any]:
    answers: dict[str, Any] = dict(sample_answers())
    answers.update(received_online_full=None, received_online_partial=None, received_online=43, digitized=None)
    return answers


def test_a_blank_is_not_printed_as_zero(render_doc: Callable[..., Any]) -> None:
    text = full_text(render_doc(_blank_week()))
    assert "toàn trình 0 hồ sơ" not in text and "chiếm 0,00%" not in text
    assert "- Hồ sơ tiếp nhận mới: trực tuyến 43 hồ sơ, chiếm 87,76% (chưa có số liệu toàn trình, một phần);" in text
    assert "- Hồ sơ được số hóa: chưa có số liệu; kết quả giải quyết cấp bản điện tử: 45 hồ sơ" in text
    assert "- Tỷ lệ hồ sơ tiếp nhận trực tuyến: 87,76%; tỷ lệ hồ sơ giải quyết" in text  # no full-online rate
    assert "tiếp nhận mới 49 hồ sơ" in text  # from the total: 43 + 5 + 1


def test_a_blank_total_leaves_its_sentences_honest(render_doc: Callable[..., Any],
                                                  make_context: Callable[..., dict[str, Any]]) -> None:
    answers = _blank_week()
    answers["received_online"] = None
    context = make_context(answers)
    assert context["blank"]["received_new"] and context["digitization_rate"] == "—"
    assert context["share_in_person"] == "—" and context["received_new"] == "chưa có số liệu"
    text = full_text(render_doc(answers))
    assert "- Tổng số hồ sơ tiếp nhận: chưa có số liệu (kỳ trước chuyển sang 53 hồ sơ" in text
    assert "Trong kỳ không tiếp nhận hồ sơ mới" not in text
    assert "trực tuyến chưa có số liệu; trực tiếp 5 hồ sơ, chiếm —" in text


def test_null_and_a_dash_in_an_answers_file_are_blanks(form: Form) -> None:
    answers, warnings = coerce_answers(form, {"digitized": None, "e_results": "-", "carried_over": None}, "a.json")
    assert answers == {"digitized": None, "e_results": None} and warnings == []  # a required count: unanswered


def test_a_report_without_blanks_is_as_before(make_context: Callable[..., dict[str, Any]]) -> None:
    context = make_context()
    assert not any(context["blank"].values())
    assert context["received_online_full"] == "31" and context["share_online_full"] == "63,27%"


def test_an_uploaded_template_is_checked_with_blanks_too(form: Form, template_bytes: bytes) -> None:
    """A template whose blank branch uses a variable the report does not have is refused at upload."""
    import pytest

    from bot.documents.render import TemplateError, check_contexts, validate_template
    from tests.render.docx_helpers import with_tag

    contexts = check_contexts(form)
    assert any(context["blank"]["digitized"] for context in contexts)
    broken = with_tag(template_bytes, "{% if blank.digitized %}{{ so_hoa_khong_co }}{% endif %}", "* {{ period_intro }}")
    with pytest.raises(TemplateError):
        validate_template(broken, contexts)

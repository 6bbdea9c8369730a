"""What the template language allows (issue 12, item 1): ranges and repeated texts a report needs,
not the huge ones that froze the bot; the upload check covers several periods and answer shapes;
`python -m bot render` stops a template that runs past the time limit."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.documents.render import (
    MAX_RANGE_ITEMS,
    TemplateError,
    check_contexts,
    render_report,
    sample_contexts,
    validate_template,
)
from bot.domain.forms import Form
from tests.render.conftest import TEMPLATE
from tests.render.docx_helpers import full_text, open_docx
from tests.render.docx_helpers import with_tag as tagged


def with_tag(tag: str, marker: str = "Trên đây là báo cáo") -> bytes:
    return tagged(TEMPLATE.read_bytes(), tag, marker)


@pytest.fixture(scope="module")
def samples(form: Form) -> list[dict[str, Any]]:
    return sample_contexts(form)


@pytest.mark.parametrize(("tag", "reason"), [
    ("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}", "range() quá lớn"),
    (f"{{% for i in range({MAX_RANGE_ITEMS + 1}) %}}{{% endfor %}}", "range() quá lớn"),
    ("{{ 'A' * 200000000 }}", "quá lớn"),
    ("{{ 200000000 * ['A'] }}", "quá lớn"),
    ("{{ 2 ** 99999999 }}", "lũy thừa"),
    ("{{ '%999999999d' % 1 }}", "quá lớn"),
])
def test_what_a_report_never_needs_is_refused_at_once(samples: list[dict[str, Any]], tag: str, reason: str) -> None:
    started = time.monotonic()
    with pytest.raises(TemplateError) as caught:
        validate_template(with_tag(tag), samples)
    assert reason in caught.value.reason
    assert time.monotonic() - started < 5  # refused before anything huge is built (it took 26 s and 1.5 GB)


def test_what_a_report_needs_still_renders(samples: list[dict[str, Any]]) -> None:
    tag = (f"{{% for i in range({MAX_RANGE_ITEMS}) %}}{{% endfor %}}[{{{{ '-' * 3 }}}}{{{{ 'a' ~ 'b' + 'c' }}}}"
           "{{ 2 ** 3 }}{{ '%05d' % 42 }}{{ 7 % 3 }}{{ (range(3)|list) * 2 }}]")
    data = with_tag(tag)
    validate_template(data, samples)
    assert "[---abc8000421[0, 1, 2, 0, 1, 2]]" in full_text(open_docx(render_report(data, samples[0])))


def test_the_upload_check_covers_several_periods_and_answer_shapes(form: Form) -> None:
    contexts = check_contexts(form)
    keys = {context["period_key"] for context in contexts}
    assert {"2025-W50", "2026-W01", "2026-W53", "2024-W27"} <= keys  # other weeks and other years
    assert any(context["explanations"] for context in contexts)  # with an explanation
    assert any(not context["has_overdue"] for context in contexts)  # a quiet week
    assert any(context["received_total"] == "0" and not context["legal"] for context in contexts)  # nothing answered
    branching = with_tag("{% if period_key != '2025-W50' %}{{ khong_co }}{% endif %}")
    validate_template(branching, sample_contexts(form))  # the sample week alone lets it through
    with pytest.raises(TemplateError):
        validate_template(branching, contexts)


def test_the_command_line_stops_a_template_past_the_time_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "baocao.db"))
    monkeypatch.setenv("RENDER_TIMEOUT_SECONDS", "2")
    hostile = tmp_path / "mau.docx"
    hostile.write_bytes(with_tag("{% for i in range(9999) %}{% for j in range(9999) %}{% for k in range(9999) %}"
                                 "{% endfor %}{% endfor %}{% endfor %}"))
    started = time.monotonic()
    answers = tmp_path / "answers.json"
    answers.write_text("{}", encoding="utf-8")
    code = main(["render", "--unit", "21370", "--period", "2025-W50", "--template", str(hostile),
                 "--answers", str(answers), "--out", str(tmp_path / "bc.docx")])
    assert code == 2 and time.monotonic() - started < 10
    assert "quá lâu (quá 2 giây)" in capsys.readouterr().err
    assert not (tmp_path / "bc.docx").exists()

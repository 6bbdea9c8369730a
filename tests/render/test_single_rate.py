"""The full-online rate is one figure (issue 16, item 6): the form lists ``share_online_full`` only,
and a template written before, which prints ``full_online_rate``, still renders it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.documents.render import render_report
from bot.domain.forms import Form
from tests.render.docx_helpers import full_text, open_docx, with_tag


def test_the_form_lists_the_full_online_rate_once(form: Form) -> None:
    labels = [rate.label for rate in form.rates]
    assert len(labels) == len(set(labels))
    full = [rate.id for rate in form.rates if rate.numerator.references() == ("received_online_full",)]
    assert full == ["share_online_full"]
    assert form.rollup is not None
    assert "full_online_rate" not in {item.id for item in form.rollup.figures}


def test_an_old_template_using_full_online_rate_still_renders(
    make_context: Callable[..., dict[str, Any]], template_bytes: bytes,
) -> None:
    old = with_tag(template_bytes, "[cũ: {{ full_online_rate }}] ", "* {{ period_intro }}")
    text = full_text(open_docx(render_report(old, make_context())))
    assert "[cũ: 63,27%] * Trong tuần" in text
    assert "(trực tuyến toàn trình: 63,27%)" in text

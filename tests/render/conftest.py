"""Fixtures for the report files: the real form, week 2025-W50, Xã Phước Giang, the shipped
template, and a helper that renders answers into an opened python-docx Document."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.documents.render import render_report, sample_answers
from bot.documents.report import ReportUnit, build_context
from bot.domain.forms import Form, load_form
from bot.domain.periods import PeriodInfo, period_for
from bot.domain.report_settings import ReportSettings, merge, province_defaults
from tests.render.docx_helpers import open_docx

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "templates" / "bao-cao-tuan.docx"
FORM_PATH = ROOT / "templates" / "forms" / "tthc-weekly.yaml"
UNIT = ReportUnit(code="21370", full_name="Xã Phước Giang", province_name="Tỉnh Quảng Ngãi")


@pytest.fixture(scope="session")
def form() -> Form:
    return load_form(FORM_PATH)


@pytest.fixture(scope="session")
def period(form: Form) -> PeriodInfo:
    return period_for(form.period, "2025-W50")


@pytest.fixture(scope="session")
def template_bytes() -> bytes:
    return TEMPLATE.read_bytes()


@pytest.fixture
def report_settings() -> ReportSettings:
    return merge(province_defaults("Tỉnh Quảng Ngãi"), {"signer_name": "Nguyễn Văn An"})


@pytest.fixture
def make_context(form: Form, period: PeriodInfo, report_settings: ReportSettings) -> Callable[..., dict[str, Any]]:
    def make(
        answers: Mapping[str, Any] | None = None,
        *,
        explanations: Mapping[str, str] | None = None,
        settings: ReportSettings | None = None,
        report_date: date = date(2025, 12, 15),
        **changes: Any,
    ) -> dict[str, Any]:
        base = dict(sample_answers() if answers is None else answers)
        base.update(changes)
        return build_context(
            form,
            base,
            unit=UNIT,
            period=period,
            settings=settings or report_settings,
            report_date=report_date,
            explanations=explanations,
        )

    return make


@pytest.fixture
def render_doc(make_context: Callable[..., dict[str, Any]], template_bytes: bytes) -> Callable[..., Any]:
    """Render answers (the sample week by default, ``**changes`` applied) and open the result."""

    def render(answers: Mapping[str, Any] | None = None, **kwargs: Any) -> Any:
        return open_docx(render_report(template_bytes, make_context(answers, **kwargs)))

    return render


@pytest.fixture(scope="session")
def sample_docx(form: Form, period: PeriodInfo) -> bytes:
    """The busy sample week (overdue dossiers, an explained soft-check break), rendered once."""
    from bot.documents.render import sample_contexts

    return render_report(TEMPLATE, sample_contexts(form, period=period)[0])

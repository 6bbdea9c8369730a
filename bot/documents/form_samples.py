"""The sample reports an uploaded template of any form is checked and previewed with.

A form of counts and texts (the weekly one) keeps the weekly samples of bot/documents/render.py.
A form with decimals, choices, targets or tables (the monthly one) is checked, for each of its
sample periods, with its sample answers (templates/samples/<form id>-*.json, e.g. the Phú Thịnh
April report) with every check it breaks explained, and with no answers at all, so that both the
filled and the empty branches of the template render; its preview is the sample report.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.chat.catalogue import say
from bot.documents.monthly import needs_form_context, report_context
from bot.documents.render import SAMPLE_PERIOD_KEYS, SAMPLE_UNIT, check_contexts, sample_context
from bot.domain.answers import parse_json_answer
from bot.domain.evaluate import evaluate_checks
from bot.domain.forms import Form
from bot.domain.periods import PeriodKey, period_for
from bot.settings import PROJECT_ROOT

SAMPLES_DIR = PROJECT_ROOT / "templates" / "samples"
REPORT_DATE = date(2026, 4, 24)


def sample_answers(form: Form) -> dict[str, object]:
    """The form's sample answers as stored (the first templates/samples/<form id>-*.json; none: {})."""
    found = sorted(SAMPLES_DIR.glob(f"{form.id}-*.json"))
    if not found:
        return {}
    raw: dict[str, Any] = json.loads(found[0].read_text(encoding="utf-8"))["answers"]
    return {key: parse_json_answer(form.field(key), value) for key, value in raw.items() if key in form.fields_by_id}


def _contexts(form: Form, key: str) -> list[dict[str, Any]]:
    period = period_for(form.period, PeriodKey.parse(key))
    common: dict[str, Any] = {"unit": SAMPLE_UNIT, "period": period, "report_date": REPORT_DATE}
    answers = sample_answers(form)
    checks = evaluate_checks(form, answers)
    explained = {check.key: say("template_forms.sample_reason") for check in checks if check.severity == "soft"}
    return [report_context(form, answers, explanations=explained, checks=checks, **common),
            report_context(form, {}, checks=[], **common)]


def form_check_contexts(form: Form) -> list[dict[str, Any]]:
    """Every case an uploaded template of ``form`` is checked with."""
    if not needs_form_context(form):
        return check_contexts(form)
    keys = SAMPLE_PERIOD_KEYS.get(form.period.kind, ())
    return [context for key in keys for context in _contexts(form, key)]


def form_preview_context(form: Form) -> dict[str, Any]:
    """The sample report an uploaded template of ``form`` is previewed with."""
    if not needs_form_context(form):
        return sample_context(form)
    keys = SAMPLE_PERIOD_KEYS.get(form.period.kind, ())
    return _contexts(form, keys[0])[0]

"""Imported once by the render workers' forkserver: renders the shipped weekly template with the
sample answers so that every worker forked from it starts with the template read and its Jinja
compiled (a worker replaced after a killed job renders the next report at full speed)."""

from __future__ import annotations

import logging

from bot.documents.render import default_template_path, render_report, sample_context
from bot.domain.forms import WEEKLY_FORM_ID, load_forms
from bot.settings import PROJECT_ROOT


def warm() -> None:
    templates = PROJECT_ROOT / "templates"
    try:
        form = load_forms(templates / "forms").get(WEEKLY_FORM_ID)
        render_report(default_template_path(templates, WEEKLY_FORM_ID), sample_context(form))
    except Exception:  # noqa: BLE001 - a cold worker is slower, not wrong
        logging.getLogger(__name__).debug("render warm-up skipped", exc_info=True)


warm()

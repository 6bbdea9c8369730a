"""The forms the calendar runs and the default form (the weekly report), in one place for the
calendar, /baocao and the supervisors' commands."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from bot.domain.forms import WEEKLY_FORM_ID, Form
from bot.domain.periods import current_open_period

DEFAULT_FORM = WEEKLY_FORM_ID


def default_form_id(forms: Iterable[str]) -> str:
    """The form shown, opened or changed when none is named: the weekly report (else the first)."""
    ids = sorted(forms)
    return DEFAULT_FORM if DEFAULT_FORM in ids else ids[0]


def calendar_form_ids(forms: Mapping[str, Form]) -> list[str]:
    """The forms the calendar runs (a form file with ``scheduled: false`` opens no period)."""
    return sorted(form_id for form_id, form in forms.items() if form.scheduled)


def scheduled_forms(forms: Mapping[str, Form], now: datetime | None = None) -> list[Form]:
    """The forms the calendar runs and the default form (always: /baocao has always opened it);
    the default first, or given ``now`` the nearer deadline of its current period first (the
    default first on a tie)."""
    default = default_form_id(forms)
    found = [form for form in forms.values() if form.scheduled or form.id == default]
    if now is None:
        return sorted(found, key=lambda form: (form.id != default, form.id))
    return sorted(found, key=lambda form: (current_open_period(form.period, now).deadline_at,
                                           form.id != default, form.id))

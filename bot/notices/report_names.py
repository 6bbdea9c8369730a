"""How a message names a report when several forms are open at once: the period, after the form's
``short_title`` when the form declares one ("tháng NQ57 tháng 4/2026"; the weekly form declares
none, so its period alone names it: "Tuần 50/2025"), with the days its figures count."""

from __future__ import annotations

from bot.domain.forms import Form
from bot.domain.numbers import format_date_range
from bot.domain.periods import PeriodKey
from storage.models import Period


def period_name(period: Period, form: Form | None) -> str:
    """ "Tuần 50/2025", "tháng NQ57 tháng 4/2026"."""
    short = PeriodKey.parse(period.key).short_label
    if form is None or not form.short_title:
        return short
    return f"{form.short_title} {short[:1].lower()}{short[1:]}"


def period_full_name(period: Period, form: Form | None) -> str:
    """ "Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025)", "tháng NQ57 tháng 4/2026 (từ ngày 01/1 đến
    23/4/2026)": the days as stored with the period (a cut-off day, figures from 01/01)."""
    return f"{period_name(period, form)} ({format_date_range(period.starts_on, period.ends_on)})"

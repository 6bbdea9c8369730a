"""The stored period a report is on: the row of a calendar's period (stored on first use), and the
period a commune reports on now."""

from __future__ import annotations

from datetime import datetime

from bot.domain.forms import Form
from bot.domain.periods import PeriodInfo, open_periods
from storage import Storage
from storage.models import Period


async def ensure_period(storage: Storage, info: PeriodInfo) -> Period:
    return await storage.periods.get(info.form_id, str(info.key)) or await storage.periods.upsert(
        info.form_id, str(info.key), info.starts_on, info.ends_on, info.opens_at, info.deadline_at,
        info.deadline_note,
    )


async def choose_period(storage: Storage, form: Form, unit_code: str, now: datetime) -> Period:
    """The period to report on now: the oldest open one this commune has not submitted yet
    (after a holiday two can be open at once), else the current one."""
    candidates = [await ensure_period(storage, info) for info in open_periods(form.period, now)]
    for period in candidates:
        if await storage.submissions.latest(period.id, unit_code) is None:
            return period
    return candidates[-1]

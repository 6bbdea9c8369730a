"""Which report a commune continues from: last period's answers, only when they are of the period
just before (one rule for the conversation, the .docx, the rollup and imports). A module of its own
so that importing it does not load document rendering."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain.periods import PeriodKey
from storage import Storage
from storage.models import Submission


async def last_period_answers(storage: Storage, key: PeriodKey, recent: Sequence[Submission]) -> dict[str, Any] | None:
    """Last period's answers (``recent``: the commune's latest submissions, newest first), only
    when they are of the period just before ``key``: after a missed week there is no last period
    to continue from — its pending is unknown — so neither "Như kỳ trước" nor the continuity
    check has anything to go on. The same rule for the conversation, the .docx and the rollup."""
    if not recent:
        return None
    last = await storage.periods.get_by_id(recent[0].period_id)
    return dict(recent[0].answers) if last is not None and continues(key, last.key) else None


def continues(key: PeriodKey, last_key: str) -> bool:
    """Whether a report for ``key`` continues from the one of period ``last_key`` (see
    ``last_period_answers``)."""
    return last_key == str(key.previous())

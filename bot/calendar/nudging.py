"""«Nhắc các xã chưa nộp» under a supervisor's notice: the communes of the province still missing
are reminded (once an hour at most, out of quiet hours), and the supervisor is told what was done."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from bot.chat.access import Identity
from bot.chat.actions import NudgeMissing
from bot.chat.catalogue import say
from bot.chat.replies import Message, Reply, TapAnswer
from bot.notices.plan import format_moment
from bot.notices.reminders import NudgeResult
from bot.notices.report_names import period_full_name
from bot.supervising.reach import Line, fit, unreachable_lines
from storage import Storage

if TYPE_CHECKING:
    from bot.domain.forms import Form

Nudge = Callable[[int, str], Awaitable[NudgeResult | None]]


async def nudge_missing(storage: Storage, identity: Identity, action: NudgeMissing, nudge: Nudge, *,
                        now: datetime, nudge_minutes: int, forms: Mapping[str, Form] | None = None) -> list[Reply]:
    """Remind the province's missing communes (``nudge`` records the notices); refused outside the
    supervisor's provinces, stale when the period is gone. ``forms`` name the period's report."""
    if not identity.can_supervise(action.province):
        return [TapAnswer(say("common.not_allowed"), alert=True)]
    result = await nudge(action.period_id, action.province)
    period = await storage.periods.get_by_id(action.period_id)
    if result is None or period is None:
        return [TapAnswer(say("common.stale_button"), alert=True)]
    label = period_full_name(period, (forms or {}).get(period.form_id))
    lines: list[str] = []
    if result.units:
        later = say("calendar.nudge_later", at=format_moment(result.due_at)) if result.due_at > now else ""
        lines.append(say("calendar.nudge_sent", people=result.people, units=len(result.units), period=label,
                         later=later))
    if result.already:
        lines.append(say("calendar.nudge_already", count=len(result.already), minutes=nudge_minutes))
    if not lines and not result.unreachable:
        lines.append(say("calendar.nudge_all_in", period=label))
    reasons: list[tuple[Line, Sequence[str]]] = []
    if result.unreachable:  # who it could not reach, and why (one line per reason, within one message)
        found = await storage.missing.for_period(period.id, action.province)
        reasons = unreachable_lines(found.only(result.unreachable), result.due_at.date())
        lines.append(say("calendar.nudge_unreachable", count=len(result.unreachable)))
    return [TapAnswer(say("calendar.nudge_noted")),
            Message(fit("\n".join(lines), reasons, say("supervising_ux.contact") if reasons else ""))]

"""/lich: the admin sees the calendar of a form (the coming periods, their moments) and, when an
admin of no particular province, changes it; the change and its audit row are one transaction
(bot.scheduler.ReminderScheduler.change_calendar)."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.chat.access import Identity
from bot.chat.catalogue import say
from bot.chat.replies import Message, Reply
from bot.domain.scheduled import default_form_id
from bot.notices.plan import CalendarInputError, describe_plan, format_moment, parse_change, plan
from storage import Storage
from storage.models import Role

if TYPE_CHECKING:
    from bot.domain.forms import Form
    from bot.domain.periods import PeriodSpec

WEEKS_SHOWN = 4


class CalendarChanger(Protocol):
    """Who stores and applies a change of the calendar (None: back to the form file)."""

    def __call__(self, form_id: str, change: dict[str, Any] | None, *, by: int | None) -> Awaitable[PeriodSpec]: ...


def may_change_calendar(identity: Identity) -> bool:
    """The calendar is every province's: only an admin of no particular province changes it."""
    return identity.configured_admin or any(m.role == Role.ADMIN and m.unit_code is None for m in identity.memberships)


async def calendar(storage: Storage, forms: Mapping[str, Form], identity: Identity, args: Sequence[str],
                   change_calendar: CalendarChanger, *, now: datetime) -> list[Reply]:
    """/lich [form] [change…]: the calendar, after the change when one is given."""
    if not identity.is_admin:
        return [Message(say("common.not_allowed"))]
    words = list(args)
    form_id = default_form_id(forms)
    if words and words[0] in forms:
        form_id, words = words[0], words[1:]
    heading = ""
    if words:
        if not may_change_calendar(identity):
            return [Message(say("calendar.shared_calendar"))]
        try:
            change = parse_change(forms[form_id].period, words)
            await change_calendar(form_id, change, by=identity.actor)
        except CalendarInputError as exc:
            return [Message(f"{exc}\n\n{say('calendar.calendar_help')}")]
        heading = say("calendar.changed") if change is not None else say("calendar.reset")
    return [Message(await _calendar_text(storage, forms[form_id], heading, now))]


async def _calendar_text(storage: Storage, form: Form, heading: str, now: datetime) -> str:
    spec = form.period
    planned = plan(spec, now, WEEKS_SHOWN)
    override = await storage.calendar.override(form.id)
    source = say("calendar.from_file")
    if override is not None:
        source = say("calendar.overridden", at=format_moment(override.updated_at))
    title = say("calendar.title", form=form.title)
    parts = [p for p in (heading, describe_plan(spec, planned, title=title), source, say("calendar.calendar_help")) if p]
    return "\n\n".join(parts)

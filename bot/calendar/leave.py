"""/nghiphep: a reporter pauses their own notices for some days (the other officials of the
commune still get them); the leave and its audit row are one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.calendar.days import leave_text, parse_day
from bot.chat.access import Identity
from bot.chat.catalogue import say
from bot.chat.replies import Message, Reply
from bot.chat.strangers import stranger_help
from bot.domain.arguments import is_keyword
from bot.notices.plan import CalendarInputError
from bot.notices.reminders import reachable_on
from bot.notices.wording import unit_names
from storage import Storage

MAX_LEAVE_DAYS = 366


async def leave(storage: Storage, identity: Identity, args: Sequence[str], *, now: datetime) -> list[Reply]:
    """/nghiphep (what is set, how to), /nghiphep huy, /nghiphep <from> [<to>]."""
    person = identity.person
    if person is None or not identity.memberships:
        return [Message(stranger_help(identity))]
    today = now.date()
    if not args:
        parts = [say("calendar.leave_help")]
        if person.reminders_paused_from or person.reminders_paused_to:
            when = leave_text(person.reminders_paused_from, person.reminders_paused_to)
            parts.insert(0, say("calendar.leave_current", when=when))
        return [Message("\n\n".join(parts))]
    if is_keyword(args[0], "keywords.cancel_leave"):
        async with storage.db.transaction():
            await storage.people.set_pause(person.id, None, None)
            await storage.audit.log("leave.clear", now, actor=identity.actor, subject=f"person:{person.id}")
        return [Message(say("calendar.leave_cleared"))]
    try:
        start = parse_day(args[0], today)
        end = parse_day(args[1], today, after=start) if len(args) > 1 else start
    except CalendarInputError as exc:
        return [Message(f"{exc}\n\n{say('calendar.leave_help')}")]
    if end < start:
        return [Message(say("calendar.leave_end_before_start"))]
    if end < today:
        return [Message(say("calendar.leave_past"))]
    if (end - start).days >= MAX_LEAVE_DAYS:
        return [Message(say("calendar.leave_too_long"))]
    async with storage.db.transaction():
        await storage.people.set_pause(person.id, start, end)
        await storage.audit.log("leave.set", now, actor=identity.actor, subject=f"person:{person.id}",
                                detail={"from": start.isoformat(), "to": end.isoformat()})
    lines = [say("calendar.leave_set", when=leave_text(start, end))]
    alone = []
    for code in identity.communes:
        others = [p for p in await storage.people.reporters_of(code) if p.id != person.id]
        if not any(reachable_on(p, start) for p in others):
            alone.append(code)
    if alone:
        units = await storage.units.get_many(alone)
        lines.append(say("calendar.leave_alone", names=", ".join(unit_names(units, alone))))
    lines.append(say("calendar.leave_how_to_clear"))
    return [Message("\n".join(lines))]

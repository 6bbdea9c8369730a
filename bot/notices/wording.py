"""The wording of each notice, from the catalogue (group ``notices``), with its choices as typed
actions (bot.chat.actions): what a messenger shows, not how it is sent. Texts stay under
``MAX_TEXT`` UTF-16 units (Telegram's limit is 4096): long lists end with "… và N khác"."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from pydantic import JsonValue

from bot.chat.actions import Approve, NudgeMissing, OpenReport, ShowCommune
from bot.chat.catalogue import say
from bot.chat.replies import Choice, Message
from bot.domain.message_length import utf16_len
from bot.domain.numbers import format_count
from bot.notices.plan import DEADLINE, OPENING, REMINDER, format_moment
from bot.notices.report_names import period_full_name, period_name
from storage.models import Period, Unit

if TYPE_CHECKING:
    from bot.domain.forms import Form

MAX_TEXT = 3800  # UTF-16 units: under Telegram's 4096, with room for the last line
MAX_SHOWN = 80  # characters of one answer shown in a resubmission's changes
MAX_REASON = 300  # characters of the return's reason


def unit_names(units: Mapping[str, Unit], codes: Iterable[str]) -> list[str]:
    """The units' full names (``units`` from ``storage.units.get_many``), a code where none is known."""
    return [units[c].full_name if c in units else c for c in codes]


def _fit(lines: Sequence[str], room: int, more_key: str) -> str:
    """Bulleted lines within ``room`` UTF-16 units, the rest counted on a last line."""
    shown: list[str] = []
    for index, line in enumerate(lines):
        room -= utf16_len(line) + 3
        if room < 0:
            shown.append(say(more_key, count=len(lines) - index))
            break
        shown.append(f"• {line}")
    return "\n".join(shown)


def _between(head: str, lines: Sequence[str], tail: str, more_key: str, room: int = MAX_TEXT) -> str:
    return head + _fit(lines, room - utf16_len(head) - utf16_len(tail), more_key) + tail


def _open_choice(period: Period) -> tuple[tuple[Choice, ...], ...]:
    return ((Choice(say("notices.open_button"), OpenReport(period_id=period.id)),),)


def to_reporter(kind: str, period: Period, units: Mapping[str, Unit], codes: Sequence[str],
                form: Form | None = None) -> Message:
    """An opening, a reminder, the deadline or a supervisor's nudge to a commune's official, with
    «Nhập báo cáo»; ``form`` (the period's) names the report when it declares a short title."""
    who = ", ".join(unit_names(units, codes))
    deadline = format_moment(period.deadline_at)
    note = say("notices.deadline_note", note=period.deadline_note) if period.deadline_note else ""
    short = period_name(period, form)
    if kind == OPENING:
        text = say("notices.opening", period=period_full_name(period, form), who=who, deadline=deadline, note=note)
    elif kind == REMINDER:
        text = say("notices.reminder", period=period_full_name(period, form), who=who, deadline=deadline, note=note)
    elif kind == DEADLINE:
        text = say("notices.deadline", period=short, who=who, deadline=deadline)
    else:  # NUDGE
        text = say("notices.nudge", period=short, who=who, deadline=deadline)
    return Message(text, _open_choice(period))


def escalation(period: Period, where: str, total: int, missing: Sequence[tuple[str, bool]],
               province_code: str, form: Form | None = None) -> Message:
    """The supervisors' list at the deadline: the communes still missing (``missing``: name, and
    whether anyone there can be reached), with «Nhắc các xã chưa nộp»; or thanks when none is."""
    short = period_name(period, form)
    deadline = format_moment(period.deadline_at)
    if not missing:
        return Message(say("notices.escalation_all_in", period=short, deadline=deadline, total=total, where=where))
    lines = [name if reachable else say("notices.escalation_unreachable", unit=name) for name, reachable in missing]
    head = say("notices.escalation_head", period=short, deadline=deadline, where=where, missing=len(missing),
               total=total)
    text = _between(head, lines, say("notices.escalation_tail"), "notices.more_units")
    choice = Choice(say("notices.nudge_button"), NudgeMissing(period_id=period.id, province=province_code))
    return Message(text, ((choice,),))


def unreachable(period: Period, names: Sequence[str], form: Form | None = None) -> Message:
    """To the supervisors: communes where nobody gets the notices (on leave, or the bot blocked)."""
    head = say("notices.unreachable_head", period=period_full_name(period, form))
    return Message(_between(head, names, say("notices.unreachable_tail"), "notices.more_units"))


def blocked(name: str | None, names: Sequence[str]) -> Message:
    """To the supervisors: an official blocked the bot."""
    where = say("notices.blocked_where", units=", ".join(names)) if names else ""
    return Message(say("notices.blocked", name=name or say("notices.blocked_someone"), where=where))


def shown(value: JsonValue, kind: str) -> str:
    """A value of the report as the supervisor reads it: counts as the project writes them."""
    if value is None or value == "":
        return say("notices.empty")
    if kind == "count" and isinstance(value, int) and not isinstance(value, bool):
        return format_count(value)
    text = " ".join(str(value).split())
    text = text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 1] + "…"
    return f"«{text}»" if kind == "text" else text


def changed_line(label: str, old: JsonValue, new: JsonValue, kind: str) -> str:
    """One changed item: "label: old → new"."""
    return say("notices.change_line", label=label, old=shown(old, kind), new=shown(new, kind))


def resubmitted(unit: Unit, period: Period, version: int, *, to_returner: bool, returner: str | None,
                reason: str | None, changes: Sequence[str], explained: bool, submission_id: int,
                form: Form | None = None) -> Message:
    """A returned report came back: to whoever returned it (``to_returner``) or another
    supervisor (``returner``: who returned it, if known), what changed, with «Xem báo cáo» and «Duyệt»."""
    reason = " ".join((reason or "").split()).rstrip(" .;,")
    reason = reason if len(reason) <= MAX_REASON else reason[:MAX_REASON - 1] + "…"
    head = say("notices.resubmitted_head", unit=unit.full_name, period=_lower_first(period_name(period, form)),
               version=version, by=say("notices.by_you") if to_returner else returner or say("notices.by_province"),
               reason=say("notices.resubmitted_reason", reason=reason) if reason else "")
    tail = say("notices.resubmitted_tail")
    if changes:
        body = say("notices.resubmitted_changes") + _fit(
            changes, MAX_TEXT - utf16_len(head) - utf16_len(tail) - 30, "notices.more_items")
    elif explained:
        body = say("notices.resubmitted_explanations")
    else:
        body = say("notices.resubmitted_unchanged")
    choices = ((Choice(say("notices.view_button"), ShowCommune(code=unit.code, period_id=period.id)),),  # that period
               (Choice(say("notices.approve_button"), Approve(submission_id=submission_id)),))
    return Message(head + body + tail, choices)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]

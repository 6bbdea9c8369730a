"""What the long-text steps show (bot/reporting/long_text.py): the length so far with the
``long_texts`` buttons write_more, finish and clear, a part refused with the characters still free, a section kept as last
period's, and the review's lines on what changed since last period."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.chat.actions import ClearText, FinishText, KeepSection, Pause, WriteMore
from bot.chat.catalogue import say
from bot.chat.replies import Choice
from bot.domain.forms import Field, Form
from bot.domain.message_length import cut
from bot.domain.numbers import format_count
from bot.reporting.asking import replaced_line
from bot.reporting.long_text import changed_sections, offers_section, section_texts
from bot.reporting.steps import PartKept, PartRefused, SectionKept, TextChanged, Writing

Rows = list[list[Choice]]
LongStep = PartKept | PartRefused | Writing | SectionKept | TextChanged
REPLACED_SHOWN = 100  # characters of a colleague's text shown when a new one replaced it


def step_text(step: LongStep) -> str:
    if isinstance(step, SectionKept):
        return say("long_texts.section_kept", count=len(step.fields), section=step.section.label,
                   labels=", ".join(f.button_label for f in step.fields))
    label = step.field.button_label
    if isinstance(step, TextChanged):
        at = step.by.answered_at
        return say("reporting_colleagues.text_changed", label=label, length=format_count(step.length),
                   who=step.by.answered_by_name or say("reporting.another_official"), time=f"{at:%H:%M}",
                   day=f"{at:%d/%m}")
    if isinstance(step, PartRefused):
        if not step.length:
            return say("long_texts.refused_first", part=format_count(step.part), label=label,
                       limit=format_count(step.limit))
        if not step.room:
            return say("long_texts.refused_full", label=label, limit=format_count(step.limit),
                       part=format_count(step.part))
        return say("long_texts.refused_part", part=format_count(step.part), label=label,
                   room=format_count(step.room), limit=format_count(step.limit), length=format_count(step.length))
    what = "long_texts.part_kept" if isinstance(step, PartKept) else "long_texts.writing"
    text = say(what, label=label, length=format_count(step.length), limit=format_count(step.limit),
               remaining=format_count(step.remaining))
    if isinstance(step, PartKept) and step.replaced is not None:
        text += "\n" + replaced_line(step.replaced, cut(str(step.replaced.value), REPLACED_SHOWN))
    return text


def step_choices(draft_id: int, step: LongStep) -> Rows:
    """Under a part kept or refused: ``long_texts.write_more``, ``finish``, ``clear`` (nothing to finish or
    clear when nothing is stored yet: the question is asked again below)."""
    if isinstance(step, SectionKept | TextChanged) or (isinstance(step, PartRefused) and not step.length):
        return []
    ident = step.field.id
    return [[Choice(say("long_texts.write_more"), WriteMore(draft_id, ident)),
             Choice(say("long_texts.finish"), FinishText(draft_id, ident))],
            [Choice(say("long_texts.clear"), ClearText(draft_id, ident)), Choice(say("reporting.pause"),
                                                                                 Pause(draft_id))]]


def ask_hint(field: Field) -> str:
    """Under a several-messages question: it may be sent in parts, up to its limit."""
    return say("long_texts.several_hint", limit=format_count(field.text_limit)) if field.several_messages else ""


def ask_choices(form: Form, draft_id: int, field: Field, current: Any, suggested: Mapping[str, Any],
                asked: list[Field]) -> Rows:
    """``long_texts.write_more`` on a long text stored already (going on with it), and ``keep_section``
    on the first question of a section whose texts last period's report gives."""
    rows: Rows = []
    if field.several_messages and isinstance(current, str):
        rows.append([Choice(say("long_texts.write_more"), WriteMore(draft_id, field.id))])
    if field.section is not None and offers_section(form, field, suggested, asked):
        count = len(section_texts(form, field.section, suggested, {f.id for f in asked}))
        rows.append([Choice(say("long_texts.keep_section", count=count), KeepSection(draft_id, field.section))])
    return rows


def review_lines(form: Form, answers: Mapping[str, Any], previous: Mapping[str, Any] | None,
                 asked: set[str]) -> list[str]:
    """"Đã thay đổi so với kỳ trước: 1, 5.1.1" and "Giữ nguyên như kỳ trước: …"."""
    changed, kept = changed_sections(form, answers, previous, asked)
    # numbers joined with ", " as the example writes them; labels ("Khó khăn, kiến nghị") with "; "
    joiner = ", " if all(name[:1].isdigit() or name.isupper() for name in changed + kept) else "; "
    lines = []
    if changed:
        lines.append(say("long_texts.review_changed", sections=joiner.join(changed)))
    if kept:
        lines.append(say("long_texts.review_kept", sections=joiner.join(kept)))
    return lines

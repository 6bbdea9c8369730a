"""Long texts in chat: a ``several_messages`` field written over several messages, and a whole
section kept as last period's in one tap.

Each part is appended to the draft's answer as it arrives (a restart never loses one), joined to
the part before with a newline: Telegram cuts a long paste into messages of 4,096 units, and the
cut must lose nothing. The cursor's LONG mode says a text is being written; ``long_texts.finish`` finishes it
(its checks, then the next question), ``long_texts.clear`` clears it. A part that would pass the field's
limit is refused whole, and what is stored stays as it was.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot.chat.catalogue import say
from bot.domain.forms import Field, Form, Section
from bot.reporting.modes import ANSWER
from bot.reporting.steps import PartKept, PartRefused, Refused, SectionKept, Stale, Step, TextChanged, Writing
from bot.reporting.text_room import JOINER, remaining

if TYPE_CHECKING:
    from bot.reporting.session import ReportSession
    from storage.models import AnswerRecord

LONG = "long"  # cursor mode: a several-messages text is being written (its field is the cursor's)
_NUMBER = re.compile(r"^((?:[IVX]+|\d+(?:\.\d+)*)\.)\s")


def clean_part(text: str) -> str:
    """A part as stored: NFC, trailing blanks of each line and blank lines at both ends dropped."""
    lines = [line.rstrip() for line in unicodedata.normalize("NFC", text).replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n").strip()


def joined(stored: str | None, part: str) -> str:
    return f"{stored}{JOINER}{part}" if stored else part


# --- the session's long texts ------------------------------------------------------------------


async def first_part(session: ReportSession, target: Field, text: str) -> list[Step]:
    """A message for a several-messages question: it starts the text (replacing an answer
    stored before), and the cursor waits for more."""
    return await _store_part(session, target, clean_part(text), None)


async def next_part(session: ReportSession, target: Field, text: str) -> list[Step]:
    """A message while the text is being written: appended, if it fits, and if no colleague of the
    commune rewrote the text meanwhile (then it is not glued to theirs unseen: the person is told)."""
    stored = session.answers.get(target.id)
    if not isinstance(stored, str):
        return await _store_part(session, target, clean_part(text), None)
    changed = await _changed_by_other(session, target.id)
    if changed is not None:
        return [TextChanged(target, changed, len(stored)), await _waiting(session, target)]
    return await _store_part(session, target, clean_part(text), stored)


async def _changed_by_other(session: ReportSession, field_id: str) -> AnswerRecord | None:
    """Another official's answer to ``field_id`` stored after this person's cursor last moved."""
    record = (await session.storage.drafts.answers(session.draft.id)).get(field_id)
    moved = session.cursor_moved
    if record is None or record.answered_by in (None, session.person.id) or moved is None:
        return None
    return record if record.answered_at > moved else None


async def _store_part(session: ReportSession, target: Field, part: str, stored: str | None) -> list[Step]:

    length = len(stored or "")
    if not part:
        refused: list[Step] = [Refused(target, say("answers.empty_text"))]
        return [*refused, await _waiting(session, target)] if stored else [*refused, session.ask(target)]
    room = remaining(length, target.text_limit)
    if len(part) > room:
        step = PartRefused(target, len(part), room, length, target.text_limit)
        if stored is None:
            return [step, session.ask(target)]
        return [step]
    value = joined(stored, part)
    replaced = await session.store_text(target.id, value)
    await session.set_cursor(LONG, target.id)
    other = replaced is not None and replaced.answered_by not in (None, session.person.id) and stored is None
    return [PartKept(target, len(value), target.text_limit, replaced=replaced if other else None)]


async def _waiting(session: ReportSession, target: Field) -> Writing:
    await session.set_cursor(LONG, target.id)
    stored = session.answers.get(target.id)
    return Writing(target, len(stored) if isinstance(stored, str) else 0, target.text_limit)


async def writing(session: ReportSession, field_id: str) -> list[Step]:
    """``long_texts.write_more`` (or coming back): the text so far, waiting for the next part; also from the
    question itself when it has a text already (going on with the one stored, not replacing it)."""
    target = _writing_field(session, field_id, from_question=True)
    if target is None or (session.mode != LONG and not isinstance(session.answers.get(field_id), str)):
        return await _stale(session)
    return [await _waiting(session, target)]


async def finish(session: ReportSession, field_id: str) -> list[Step]:
    """``long_texts.finish``: the text is the answer; its checks, then the next question."""
    target = _writing_field(session, field_id)
    stored = session.answers.get(field_id)
    if target is None or not isinstance(stored, str):
        return await _stale(session)
    return await session.set_value(field_id, stored)


async def clear(session: ReportSession, field_id: str) -> list[Step]:
    """``long_texts.clear``: the text is cleared and the question asked again."""
    target = _writing_field(session, field_id)
    if target is None:
        return await _stale(session)
    await session.clear_text(field_id)
    await session.set_cursor(ANSWER, field_id)
    return [session.ask(target)]


def _writing_field(session: ReportSession, field_id: str, *, from_question: bool = False) -> Field | None:
    modes = (LONG, ANSWER) if from_question else (LONG,)
    if session.mode not in modes or session.cursor_field != field_id or session.submitted:
        return None
    target = session.field_or_none(field_id)
    return target if target is not None and target.several_messages else None


async def _stale(session: ReportSession) -> list[Step]:

    return [Stale(), await session.resume()]


# --- a whole section as last period's -------------------------------------------------------------


def section_texts(form: Form, section_id: str | None, suggested: Mapping[str, Any],
                  asked: set[str]) -> list[Field]:
    """The texts of a section that last period's report gives (a text declared as last period's)."""
    if section_id is None:
        return []
    return [f for f in form.fields if f.section == section_id and f.kind == "text" and f.offer_previous
            and f.id in asked and isinstance(suggested.get(f.id), str)]


def offers_section(form: Form, target: Field, suggested: Mapping[str, Any], asked: list[Field]) -> bool:
    """Whether ``long_texts.keep_section`` is offered with ``target``: it is the first question of its
    section, and last period gives two texts of that section or more (one has its own button)."""
    if target.section is None:
        return False
    first = next((f for f in asked if f.section == target.section), None)
    if first is None or first.id != target.id:
        return False
    return len(section_texts(form, target.section, suggested, {f.id for f in asked})) >= 2


async def keep_section(session: ReportSession, section_id: str) -> list[Step]:
    """Every text of the section as last period's, then the next question still open."""
    target = session.field_or_none(session.cursor_field or "")
    asked = session.questions()
    if (session.mode != ANSWER or target is None or target.section != section_id
            or not offers_section(session.form, target, session.suggestions, asked)):
        return await _stale(session)
    fields = section_texts(session.form, section_id, session.suggestions, {f.id for f in asked})
    await session.store_texts({f.id: session.suggestions[f.id] for f in fields})
    section = next(s for s in session.form.sections if s.id == section_id)
    return [SectionKept(section, tuple(fields)), await session.advance()]


# --- the review: what changed since last period --------------------------------------------------


def section_name(section: Section) -> str:
    """"5.1.1" for "5.1.1. Về hạ tầng số dùng chung", "II" for "II. Nhận xét …"; the label when
    it is not numbered."""
    match = _NUMBER.match(section.label)
    return match[1].rstrip(".") if match else section.label


def _same(left: object, right: object) -> bool:
    def norm(value: object) -> str:
        return " ".join(unicodedata.normalize("NFC", str(value or "")).split())

    return norm(left) == norm(right)


def changed_sections(form: Form, answers: Mapping[str, Any], previous: Mapping[str, Any] | None,
                     asked: set[str]) -> tuple[list[str], list[str]]:
    """(changed, kept): the sections whose texts differ from last period's, and those whose texts
    are all as they were; only sections with texts answered both times, in form order."""
    if not previous:
        return [], []
    changed: list[str] = []
    kept: list[str] = []
    for section in form.sections:
        texts = [f for f in form.fields if f.section == section.id and f.kind == "text" and f.id in asked
                 and answers.get(f.id) is not None]
        if not texts or all(previous.get(f.id) is None for f in texts):
            continue
        if all(_same(answers.get(f.id), previous.get(f.id)) for f in texts):
            kept.append(section_name(section))
        else:
            changed.append(section_name(section))
    return changed, kept

"""The steps of the reporting conversation: what the session asks the journey to show next (a
question, an answer refused or saved, a soft check, the review …), whatever the messenger."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.evaluate import CheckResult
from bot.domain.forms import Field, Section
from bot.domain.values import Values
from bot.reporting.text_room import remaining
from storage.models import AnswerRecord, Submission

# -- a long text written over several messages (bot/reporting/long_text.py) --------------------


@dataclass(frozen=True)
class TextStands:
    """The text as it stands: ``length`` characters of at most ``limit``."""

    field: Field
    length: int
    limit: int

    @property
    def remaining(self) -> int:
        return remaining(self.length, self.limit)


@dataclass(frozen=True)
class PartKept(TextStands):
    """A part stored: the text is now ``length`` characters of at most ``limit``; ``replaced`` is
    another official's text this first part started over."""

    replaced: AnswerRecord | None = None


@dataclass(frozen=True)
class TextChanged:
    """A part not added: another official rewrote the text (``by``: their answer, now ``length``
    characters) after this person last wrote to it. Sent again, the part is added after it."""

    field: Field
    by: AnswerRecord
    length: int


@dataclass(frozen=True)
class PartRefused:
    """A part refused: it is ``part`` characters long and only ``room`` more fit; the stored
    text (``length`` characters) is kept as it was."""

    field: Field
    part: int
    room: int
    length: int
    limit: int


@dataclass(frozen=True)
class Writing(TextStands):
    """The text being written, shown again (``long_texts.write_more``, or coming back to it)."""


@dataclass(frozen=True)
class SectionKept:
    """``long_texts.keep_section``: ``fields`` of ``section`` given last period's texts."""

    section: Section
    fields: tuple[Field, ...]


# -- the questions and answers -------------------------------------------------------------


@dataclass(frozen=True)
class Ask:
    """Ask one question. ``current`` is the answer already stored (when going back or editing)."""

    field: Field
    position: int
    total: int
    current: Any = None
    suggestion: Any = None  # count default or last period's answer (``reporting.as_before``)
    can_go_back: bool = False
    row: Field | None = None  # the declared row of a table asked now (its own question)
    row_position: int = 0
    whole: Any = None  # a declared table's answers as they stand, when one of its rows is asked


@dataclass(frozen=True)
class RowsAdded:
    """Rows added to a table the commune fills (one message, one or several lines)."""

    table: Field
    added: int
    total: int


@dataclass(frozen=True)
class RowDropped:
    """The last row of a table removed (``row``: it, as stored; None when there was none)."""

    table: Field
    row: Mapping[str, Any] | None
    total: int


@dataclass(frozen=True)
class Refused:
    """An answer that cannot be stored, with the reason (a hard check or a parse error)."""

    field: Field
    reason: str


@dataclass(frozen=True)
class Saved:
    """An answer stored; ``derived`` lines to show ("Tổng tiếp nhận mới: 1.794 + … = 2.692");
    ``replaced`` is another official's answer this one replaced."""

    field: Field
    value: Any
    derived: tuple[str, ...] = ()
    replaced: AnswerRecord | None = None


@dataclass(frozen=True)
class SoftBreak:
    """A soft check fired; ``same_reason``: the reason last given in this report for another check,
    offered again (``reporting_entry.same_reason``)."""

    check: CheckResult
    same_reason: str | None = None


@dataclass(frozen=True)
class AskReason:
    check: CheckResult
    refused_length: int | None = None  # the length of a reason just refused as too long or too short


@dataclass(frozen=True)
class Warnings:
    """Every soft check still open, asked together before the review: fix one, or keep them all."""

    checks: tuple[CheckResult, ...]


@dataclass(frozen=True)
class AskReasonAll:
    """One reason for every open soft check (``reporting_entry.keep_all``)."""

    checks: tuple[CheckResult, ...]
    refused_length: int | None = None


@dataclass(frozen=True)
class ReasonsKept:
    """One reason stored for ``count`` soft checks."""

    count: int


@dataclass(frozen=True)
class Review:
    values: Values
    answers: Mapping[str, Any]
    breaks: tuple[CheckResult, ...]
    explanations: Mapping[str, str]
    submitted: Submission | None
    unexplained: tuple[CheckResult, ...] = ()
    hard: tuple[CheckResult, ...] = ()


@dataclass(frozen=True)
class Submitted:
    submission: Submission
    deadline_passed: bool


@dataclass(frozen=True)
class Paused:
    answered: int
    total: int


@dataclass(frozen=True)
class BulkFilled:
    filled: tuple[str, ...]
    refused: tuple[tuple[str, str], ...]  # (field label or line, reason)
    unmatched: tuple[str, ...]


@dataclass(frozen=True)
class WarningOpen:
    """A text typed while a soft check waits for ``reporting.fix`` or ``reporting.keep_with_reason`` that is not a figure for the
    answer the check asks about: nothing was stored, and the warning is shown again."""

    text: str
    target: Field | None
    several: bool = False  # the list of open warnings waits (``reporting_entry.fix_item`` or ``keep_all``)


@dataclass(frozen=True)
class Stale:
    """A button from an earlier question: nothing changed."""


@dataclass(frozen=True)
class Early:
    """A typed answer Telegram received before the current question was shown: the official could
    not have seen that question yet, so nothing was stored. ``repeats`` is the question whose
    stored answer it repeats (the same message sent twice on a slow connection)."""

    text: str
    repeats: Field | None = None


Step = (Ask | Refused | Saved | SoftBreak | AskReason | Review | Submitted | Paused | BulkFilled | Stale | Early
        | WarningOpen | Warnings | AskReasonAll | ReasonsKept | PartKept | PartRefused | Writing | SectionKept
        | RowsAdded | RowDropped | TextChanged)

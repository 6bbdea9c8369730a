"""Every action behind a choice — a button on Telegram, a numbered option on Zalo — as a typed
dataclass, and the one place where actions are written to and read from their compact strings.

Each action declares its layout: literal parts and ``{field}`` slots (``{field?}``: optional, may be
empty or absent; ``{field*}``, last: optional, left out with its colon when empty, so that strings
sent before it was added stay as they were). A slot of an ``int`` field takes ASCII digits only; a ``str`` slot a short word.

    encode(ChooseCommune(code="01894")) == "rc:01894"
    decode("rc:01894") == ChooseCommune(code="01894")

Telegram carries the string as callback data (at most 64 bytes, checked on encoding). A forged,
stale or malformed string decodes to None, never to a half-filled action. The layouts are those
the bot has always sent, so buttons already in chats and notices stored before keep working."""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Callable
from typing import Annotated, Any, ClassVar, TypeVar

MAX_BYTES = 64  # Telegram's limit on callback data
_SLOT = re.compile(r"\{(\w+)([?*]?)\}")
_KINDS = {int: r"[0-9]{1,15}", str: r"[0-9A-Za-z_.\-]{1,28}"}  # so that every action fits 64 bytes
# A soft check's key: "balance", or "outlier:received_online_partial" for a per-figure check. It may
# hold a colon, so it is a layout's last slot; 44 characters keep "r:<15 digits>:f:<key>" in 64 bytes.
CheckKey = Annotated[str, r"[0-9A-Za-z_.\-:]{1,44}"]
# A form's field (or section) id: lower-case letters, digits and "_" (bot/domain/forms.py FIELD_ID), up
# to 40 characters ("dx_infrastructure_shortcomings" is 30); "r:<15 digits>:lx:<id>" stays in 64 bytes.
FieldId = Annotated[str, r"[a-z][a-z0-9_]{0,39}"]
# A form's id ("nq57-monthly"), a scope (a province's code or "all") and a unit's code, narrower
# than a word so that an action carrying a form still fits 64 bytes.
FormId = Annotated[str, r"[a-z][a-z0-9_\-]{0,19}"]
Scope = Annotated[str, r"[0-9A-Za-z]{1,8}"]
Code = Annotated[str, r"[0-9A-Za-z_.\-]{1,20}"]


class ActionError(ValueError):
    """An action that cannot be written: a value outside its slot's alphabet, or over 64 bytes."""


@dataclasses.dataclass(frozen=True)
class Action:
    """Base of every action; ``@layout(…)`` gives each subclass its string."""

    layout: ClassVar[str] = ""


_PATTERNS: list[tuple[re.Pattern[str], type[Action]]] = []
A = TypeVar("A", bound=type[Action])


_HINTS: dict[type, dict[str, Any]] = {}  # each class's field hints, evaluated once, not at every encoding
_ALPHABETS: dict[tuple[type, str], str] = {}


def _hint(cls: type[Action], name: str) -> Any:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls, include_extras=True)
    return _HINTS[cls][name]


def _bare(hint: Any) -> Any:
    """``X | None`` → ``X`` (an ``Annotated`` kept); anything else as it is."""
    if typing.get_origin(hint) is Annotated:
        return hint
    args = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    return args[0] if len(args) == 1 else hint


def _kind(cls: type[Action], name: str) -> type:
    hint = _bare(_hint(cls, name))
    if typing.get_origin(hint) is Annotated:
        hint = typing.get_args(hint)[0]
    return hint  # type: ignore[no-any-return]  # a bare int or str


def _alphabet(cls: type[Action], name: str) -> str:
    """The regex of a slot: its field's own (``Annotated[str, regex]``), else its kind's."""
    if (cls, name) not in _ALPHABETS:
        hint = _bare(_hint(cls, name))
        _ALPHABETS[cls, name] = (next(str(extra) for extra in hint.__metadata__ if isinstance(extra, str))
                                 if typing.get_origin(hint) is Annotated else _KINDS[_kind(cls, name)])
    return _ALPHABETS[cls, name]


def layout(text: str) -> Callable[[A], A]:
    """Register an action class under its layout, e.g. ``"sv:a:{submission_id}"``."""

    def register(cls: A) -> A:
        names = {f.name for f in dataclasses.fields(cls)}
        regex, position = "", 0
        for slot in _SLOT.finditer(text):
            name, optional = slot[1], bool(slot[2])
            if name not in names:
                raise ActionError(f"{cls.__name__}: no field {name!r} for the layout {text!r}")
            literal = re.escape(text[position:slot.start()])
            group = f"(?P<{name}>{_alphabet(cls, name)})"
            if optional and literal.endswith(":"):
                regex += f"(?:{literal}{group}?)?"
            else:
                regex += literal + (group + "?" if optional else group)
            position = slot.end()
        regex += re.escape(text[position:])
        for pattern, other in _PATTERNS:
            if pattern.pattern == regex:
                raise ActionError(f"{cls.__name__} and {other.__name__} share the layout {text!r}")
        cls.layout = text
        _PATTERNS.append((re.compile(regex), cls))
        return cls

    return register


def encode(action: Action) -> str:
    """The action as its string; an optional field that is None leaves its slot empty."""

    def fill(slot: re.Match[str]) -> str:
        value = getattr(action, slot[1])
        text = "" if value is None else str(value)
        if text and not re.fullmatch(_alphabet(type(action), slot[1]), text):
            raise ActionError(f"{type(action).__name__}.{slot[1]} = {text!r} does not fit its slot")
        if not text and not slot[2]:
            raise ActionError(f"{type(action).__name__}.{slot[1]} is required")
        return text

    data = _SLOT.sub(fill, action.layout)
    last = list(_SLOT.finditer(action.layout))[-1:]
    if last and last[0][2] == "*" and last[0].end() == len(action.layout) and getattr(action, last[0][1]) is None:
        data = data.removesuffix(":")
    size = len(data.encode("utf-8"))
    if size > MAX_BYTES:
        raise ActionError(f"{type(action).__name__} is {size} bytes, over {MAX_BYTES}: {data!r}")
    return data


def decode(data: object) -> Action | None:
    """The action a string names, or None when it is unknown, forged or malformed."""
    if not isinstance(data, str) or len(data) > MAX_BYTES:
        return None
    for pattern, cls in _PATTERNS:
        found = pattern.fullmatch(data)
        if found is None:
            continue
        values: dict[str, Any] = {}
        for name, text in found.groupdict().items():
            values[name] = None if not text else int(text) if _kind(cls, name) is int else text
        try:
            return cls(**values)
        except TypeError:  # a required field left empty
            return None
    return None


class Matcher:
    """A predicate for a channel's dispatcher: does this data decode to one of ``classes``?
    ``pattern`` says, as a regular expression, how such data begins (the literal start of each
    layout), for whoever lists what a dispatcher takes."""

    def __init__(self, classes: tuple[type[Action], ...]) -> None:
        self.classes = classes
        starts = dict.fromkeys("^" + re.escape(cls.layout.split("{", 1)[0]) for cls in classes)
        self.pattern = "|".join(starts)

    def __call__(self, data: object) -> bool:
        return isinstance(decode(data), self.classes)

    def __repr__(self) -> str:
        return f"matches({', '.join(cls.__name__ for cls in self.classes)})"


def matches(*classes: type[Action]) -> Matcher:
    """A predicate for a channel's dispatcher: does this data decode to one of ``classes``?"""
    return Matcher(classes)


# --- reporting (the official's questions, review and submission) ---------------------------------


@layout("rc:{code}")
@dataclasses.dataclass(frozen=True)
class ChooseCommune(Action):
    """An official of several communes picks the one to report for."""

    code: str


@layout("rp:{period_id}:{code}")
@dataclasses.dataclass(frozen=True)
class ChooseReport(Action):
    """/baocao with several reports open for the commune (weekly, monthly …): the one to enter now,
    as its period (whose form it is)."""

    period_id: int
    code: str


@layout("r:{draft_id}:s:{field}")
@dataclasses.dataclass(frozen=True)
class UseSuggestion(Action):
    """Take the suggestion for this question: last period's answer, or the form's default."""

    draft_id: int
    field: FieldId


@layout("r:{draft_id}:z:{field}")
@dataclasses.dataclass(frozen=True)
class AnswerZero(Action):
    draft_id: int
    field: FieldId


@layout("r:{draft_id}:n:{field}")
@dataclasses.dataclass(frozen=True)
class AnswerNone(Action):
    """Answer a text question with "none" (the catalogue's reporting.none_answer)."""

    draft_id: int
    field: FieldId


@layout("r:{draft_id}:o:{field}")
@dataclasses.dataclass(frozen=True)
class AnswerBlank(Action):
    """Answer an optional count with the blank (catalogue ``blanks.button``): no figure, not 0."""

    draft_id: int
    field: str


@layout("r:{draft_id}:k:{field}")
@dataclasses.dataclass(frozen=True)
class KeepAnswer(Action):
    """Keep the answer already stored for this question."""

    draft_id: int
    field: FieldId


@layout("r:{draft_id}:o:{item}:{number}")
@dataclasses.dataclass(frozen=True)
class ChooseOption(Action):
    """Answer the choice asked now with its option ``number`` (1-based); ``item`` is the field, or
    the row of a table asked row by row (checked against the draft's cursor, never trusted)."""

    draft_id: int
    item: str
    number: int


@layout("r:{draft_id}:x:{item}:{number}")
@dataclasses.dataclass(frozen=True)
class ChooseText(Action):
    """Answer the target asked now with its declared text ``number`` (1-based, in the form's order)."""

    draft_id: int
    item: str
    number: int


@layout("r:{draft_id}:y:{field}")
@dataclasses.dataclass(frozen=True)
class FinishTable(Action):
    """«Xong»: the table asked now is complete; go on to the next question."""

    draft_id: int
    field: str


@layout("r:{draft_id}:l:{field}")
@dataclasses.dataclass(frozen=True)
class DropLastRow(Action):
    """Remove the last row added to the table asked now."""

    draft_id: int
    field: str


@layout("r:{draft_id}:b")
@dataclasses.dataclass(frozen=True)
class GoBack(Action):
    draft_id: int


@layout("r:{draft_id}:p")
@dataclasses.dataclass(frozen=True)
class Pause(Action):
    draft_id: int


@layout("r:{draft_id}:c")
@dataclasses.dataclass(frozen=True)
class Resume(Action):
    draft_id: int


@layout("r:{draft_id}:f:{check}")
@dataclasses.dataclass(frozen=True)
class FixBreak(Action):
    """Go back to fix the figures a soft check questions."""

    draft_id: int
    check: CheckKey


@layout("r:{draft_id}:g:{check}")
@dataclasses.dataclass(frozen=True)
class KeepBreak(Action):
    """Keep the figures a soft check questions, and give the reason."""

    draft_id: int
    check: CheckKey


@layout("r:{draft_id}:q:{check}")
@dataclasses.dataclass(frozen=True)
class KeepSameReason(Action):
    """Keep the figures a soft check questions, with the reason last given for another one."""

    draft_id: int
    check: CheckKey


@layout("r:{draft_id}:a")
@dataclasses.dataclass(frozen=True)
class KeepAllBreaks(Action):
    """Keep the figures every open soft check questions, with one reason for them all."""

    draft_id: int


@layout("r:{draft_id}:e:{field}")
@dataclasses.dataclass(frozen=True)
class EditItem(Action):
    draft_id: int
    field: FieldId


@layout("r:{draft_id}:m")
@dataclasses.dataclass(frozen=True)
class ChooseItem(Action):
    """The list of items to change (from the review, or to correct a submitted report)."""

    draft_id: int


@layout("r:{draft_id}:u")
@dataclasses.dataclass(frozen=True)
class Submit(Action):
    draft_id: int


@layout("r:{draft_id}:v")
@dataclasses.dataclass(frozen=True)
class ShowReview(Action):
    draft_id: int


@layout("r:{draft_id}:d")
@dataclasses.dataclass(frozen=True)
class ShowDetails(Action):
    """The review with every answer in full (the review itself fits one phone screen)."""

    draft_id: int


@layout("r:{draft_id}:w")
@dataclasses.dataclass(frozen=True)
class DraftFile(Action):
    """The .docx of the report being entered."""

    draft_id: int


@layout("r:{draft_id}:lt:{field}")
@dataclasses.dataclass(frozen=True)
class WriteMore(Action):
    """Go on writing a long text (``long_texts.write_more``): the next message is appended."""

    draft_id: int
    field: FieldId


@layout("r:{draft_id}:lx:{field}")
@dataclasses.dataclass(frozen=True)
class FinishText(Action):
    """«Xong»: the long text written so far is the answer; on to the next question."""

    draft_id: int
    field: FieldId


@layout("r:{draft_id}:ly:{field}")
@dataclasses.dataclass(frozen=True)
class ClearText(Action):
    """Clear the long text written so far and start again (``long_texts.clear``)."""

    draft_id: int
    field: FieldId


@layout("r:{draft_id}:ls:{section}")
@dataclasses.dataclass(frozen=True)
class KeepSection(Action):
    """The ``long_texts.keep_section`` button: every text of the section as last period's."""

    draft_id: int
    section: FieldId


@layout("rf:{period_id}:{code}")
@dataclasses.dataclass(frozen=True)
class PastReportFile(Action):
    """/baocaocu: the .docx of an earlier period."""

    period_id: int
    code: str


@layout("rl:{form}")
@dataclasses.dataclass(frozen=True)
class EarlierReports(Action):
    """/baocaocu's choice of the report when several forms are scheduled: that form's periods."""

    form: FormId


# --- notices -------------------------------------------------------------------------------


@layout("open:{period_id}")
@dataclasses.dataclass(frozen=True)
class OpenReport(Action):
    """Open the report, from the choice under an opening or a reminder."""

    period_id: int


@layout("nudge:{period_id}:{province}")
@dataclasses.dataclass(frozen=True)
class NudgeMissing(Action):
    """Remind the communes of a province still missing (under the supervisors' list)."""

    period_id: int
    province: str


# --- supervising ---------------------------------------------------------------------------


@layout("sv:t:{scope}:{period?}:{form*}")
@dataclasses.dataclass(frozen=True)
class ShowRollup(Action):
    """The rollup of a province (or ``all``: the country by province) for a period (None: the
    default) of a form (None: the only one scheduled, else asked)."""

    scope: Scope
    period: str | None = None
    form: FormId | None = None


@layout("sv:c:{province}:{form*}")
@dataclasses.dataclass(frozen=True)
class ShowMissing(Action):
    province: str
    form: FormId | None = None


@layout("sv:x:{code}:{period_id?}:{form*}")
@dataclasses.dataclass(frozen=True)
class ShowCommune(Action):
    code: Code
    period_id: int | None = None
    form: FormId | None = None


@layout("sv:k:{code}:{form*}")
@dataclasses.dataclass(frozen=True)
class PickCommune(Action):
    """A commune picked from /xa's list of those matching: its card, as ``ShowCommune`` without a
    period (with one form scheduled the string ends with the commune's code, as /xa's list always did)."""

    code: str
    form: FormId | None = None


@layout("sv:a:{submission_id}")
@dataclasses.dataclass(frozen=True)
class Approve(Action):
    submission_id: int


@layout("sv:r:{submission_id}")
@dataclasses.dataclass(frozen=True)
class ReturnReport(Action):
    submission_id: int


@layout("sv:w:{submission_id}")
@dataclasses.dataclass(frozen=True)
class SubmissionFile(Action):
    submission_id: int


@layout("sv:e:{code}:{form*}")
@dataclasses.dataclass(frozen=True)
class EnterOnBehalf(Action):
    code: str
    form: FormId | None = None


@layout("sv:s:{code}:{period_id}")
@dataclasses.dataclass(frozen=True)
class SubmitOnBehalf(Action):
    code: str
    period_id: int


@layout("sv:f:{submission_id}")
@dataclasses.dataclass(frozen=True)
class CorrectReturned(Action):
    """The reporter's choice to correct a returned report."""

    submission_id: int


@layout("sv:n:{submission_id}")
@dataclasses.dataclass(frozen=True)
class CancelReturn(Action):
    """«Hủy» under the question asking why a report is returned: it is not returned."""

    submission_id: int


# --- administering -------------------------------------------------------------------------


@layout("mi:{role}:{code}")
@dataclasses.dataclass(frozen=True)
class Invite(Action):
    """/moi: an invitation for a unit; ``role`` is the role's first letter (r, s)."""

    role: str
    code: str


@layout("nd:r:{membership_id}")
@dataclasses.dataclass(frozen=True)
class AskRevoke(Action):
    membership_id: int


@layout("nd:y:{membership_id}")
@dataclasses.dataclass(frozen=True)
class ConfirmRevoke(Action):
    membership_id: int


@layout("nd:n:{membership_id}")
@dataclasses.dataclass(frozen=True)
class CancelRevoke(Action):
    membership_id: int


@layout("tp:y:{template_id}")
@dataclasses.dataclass(frozen=True)
class UseTemplate(Action):
    template_id: int


@layout("tp:n:{template_id}")
@dataclasses.dataclass(frozen=True)
class DropTemplate(Action):
    template_id: int


@layout("tp:f:{template_id}:{form}")
@dataclasses.dataclass(frozen=True)
class TemplateFor(Action):
    """The report an uploaded template is for, chosen when several forms are scheduled."""

    template_id: int
    form: FormId

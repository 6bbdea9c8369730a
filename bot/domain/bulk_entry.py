"""One-message entry: officials who copy figures from the procedures system send them at once,
as "label: number" lines (labels matched without diacritics, common abbreviations accepted) or
as all counts in form order, one per line; texts come as "label: text" lines naming the text's
field ("Nguyên nhân quá hạn: Chờ ý kiến cơ quan thuế."), kept whole (a ";" inside stays)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.chat.catalogue import say
from bot.domain.answers import AnswerError, parse_answer
from bot.domain.forms import Field, Form
from bot.domain.numbers import CountBounds, CountParseError, parse_count
from bot.domain.values import Answer

_SPLIT = re.compile(r"[\n;]+")
_BULLETS = " \t-•*+"
_LONGEST_COUNT_LINE = 200  # "label: number" is short; a longer line is a text (and never backtracked over)
_TRAILING_NUMBER = re.compile(r"^(?P<label>.*?)[\s:=\-–]*(?P<number>-?\d[\d. \u00a0]*(?:,\d+)?)\s*(?:hồ sơ|hs)?\.?$",
                              re.IGNORECASE)


@dataclass
class BulkEntry:
    values: dict[str, Answer] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (line, Vietnamese reason)
    unmatched: tuple[str, ...] = ()


def _lines(text: str, form: Form | None = None) -> list[str]:
    """The message's lines; a line that is not a text's "label: text" is split at ";" too."""
    found: list[str] = []
    for line in text.split("\n"):
        line = line.strip(_BULLETS)
        if not line:
            continue
        if form is not None and _text_line(form, line) is not None:
            found.append(line)
            continue
        found.extend(part.strip(_BULLETS) for part in _SPLIT.split(line) if part.strip(_BULLETS))
    return found


def _number_line(line: str) -> re.Match[str] | None:
    return _TRAILING_NUMBER.match(line) if len(line) <= _LONGEST_COUNT_LINE else None


def _count_line(form: Form, line: str) -> tuple[Field, str] | None:
    """A "label: number" line naming a count: the count and the number as typed."""
    match = _number_line(line)
    if match is None or not match.group("label").strip():
        return None
    target = form.match_label(match.group("label"))
    if target is None or target.kind != "count":
        return None
    return target, match.group("number").strip()


def _text_line(form: Form, line: str) -> tuple[Field, str] | None:
    """A "label: text" line whose label (before a colon) is exactly a text field's label, short
    label or alias: the field and what follows the colon."""
    for at in (i for i, ch in enumerate(line) if ch == ":"):
        target = form.named_exactly(line[:at])
        if target is not None and target.kind == "text":
            return target, line[at + 1:].strip()
    return None


def looks_like_bulk_entry(form: Form, text: str, *, strict: bool = False) -> bool:
    """Several answers in one message: two or more lines, each a number or naming a field.
    ``strict`` (a text question is open, to which any text is an answer): every line must be one,
    and one of them must name a count or a text other than by a bare number."""
    lines = _lines(text, form)
    if len(lines) < 2:
        return False
    hits = labelled = 0
    for line in lines:
        match = _number_line(line)
        if _text_line(form, line) is not None or _count_line(form, line) is not None:
            hits += 1
            labelled += 1
        elif match and (not match.group("label").strip() or form.match_label(match.group("label"))):
            hits += 1
    if strict:
        return hits == len(lines) and labelled > 0
    return hits >= 2


def parse_bulk_entry(form: Form, text: str) -> BulkEntry:
    lines = _lines(text, form)
    # (a count asked only when the figures before it are blank, the online total, is not filled by bare numbers)
    counts = tuple(f for f in form.count_fields if not (f.optional and f.ask_if is not None))
    entry = BulkEntry()
    bare: list[str] = []
    for line in lines:
        try:
            parse_count(line)
            bare.append(line)
        except CountParseError:
            pass
    if bare and len(bare) == len(lines):
        if len(bare) != len(counts):
            entry.errors.append((say("bulk_entry.numbers", count=len(bare)),
                                 say("bulk_entry.wrong_count", expected=len(counts))))
            return entry
        for field_obj, line in zip(counts, bare, strict=True):
            _put(entry, field_obj.id, field_obj.label, line, field_obj.bounds)
        return entry
    unmatched: list[str] = []
    for line in lines:
        count = _count_line(form, line)
        if count is not None:
            _put(entry, count[0].id, line, count[1], count[0].bounds)
            continue
        typed = _text_line(form, line)
        if typed is not None:
            _put_text(entry, typed[0], line, typed[1])
            continue
        unmatched.append(line)
    entry.unmatched = tuple(unmatched)
    return entry


def _put(entry: BulkEntry, field_id: str, where: str, number: str, bounds: CountBounds) -> None:
    try:
        entry.values[field_id] = parse_count(number, bounds)
    except CountParseError as exc:
        entry.errors.append((where, exc.reason))


def _put_text(entry: BulkEntry, target: Field, where: str, text: str) -> None:
    try:
        entry.values[target.id] = parse_answer(target, text)
    except AnswerError as exc:
        entry.errors.append((target.short_label or target.label, exc.reason))

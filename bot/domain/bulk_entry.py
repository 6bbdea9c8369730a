"""One-message entry: officials who copy figures from the procedures system send them at once,
as "label: number" lines (labels matched without diacritics, common abbreviations accepted) or
as all counts in form order, one per line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.chat.catalogue import say
from bot.domain.forms import Form
from bot.domain.numbers import CountBounds, CountParseError, parse_count

_SPLIT = re.compile(r"[\n;]+")
_TRAILING_NUMBER = re.compile(r"^(?P<label>.*?)[\s:=\-–]*(?P<number>-?\d[\d. \u00a0]*(?:,\d+)?)\s*(?:hồ sơ|hs)?\.?$",
                              re.IGNORECASE)


@dataclass
class BulkEntry:
    values: dict[str, int] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (line, Vietnamese reason)
    unmatched: tuple[str, ...] = ()


def _lines(text: str) -> list[str]:
    return [line.strip(" \t-•*+") for line in _SPLIT.split(text) if line.strip(" \t-•*+")]


def looks_like_bulk_entry(form: Form, text: str) -> bool:
    """Several figures in one message: two or more lines, each a number or naming a field."""
    lines = _lines(text)
    if len(lines) < 2:
        return False
    hits = 0
    for line in lines:
        match = _TRAILING_NUMBER.match(line)
        if match and (not match.group("label").strip() or form.match_label(match.group("label"))):
            hits += 1
    return hits >= 2


def parse_bulk_entry(form: Form, text: str) -> BulkEntry:
    lines = _lines(text)
    counts = form.count_fields
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
        match = _TRAILING_NUMBER.match(line)
        target = form.match_label(match.group("label")) if match else None
        if match is None or target is None or target.kind != "count":
            unmatched.append(line)
            continue
        _put(entry, target.id, line, match.group("number").strip(), target.bounds)
    entry.unmatched = tuple(unmatched)
    return entry


def _put(entry: BulkEntry, field_id: str, where: str, number: str, bounds: CountBounds) -> None:
    try:
        entry.values[field_id] = parse_count(number, bounds)
    except CountParseError as exc:
        entry.errors.append((where, exc.reason))

"""Sorting the communes' free-text difficulties and proposals into themes (equipment, funding,
staffing, officials' and citizens' digital skills, software faults, network and power, …) by a
taxonomy of phrases kept in ``templates/themes.yaml``, editable without code.

A theme's keywords name it; its weak keywords (symptoms such as "không đăng nhập được") name it only
when no theme's keywords match; its exclusions keep a sentence out. Phrases are matched as
bot.domain.phrases says: word by word, without diacritics where the official typed none, with
groups ("{officials}"), gaps within a clause ("phần mềm … treo") and abbreviations (TTHC, DVC).
Each text is cut into sentences (lines, ";", ". ") so a quote names exactly what was said; a sentence
may fall under several themes; a sentence under none goes to the "other" theme, and one saying
nothing was raised ("Không có khó khăn") or only that things work ("hoạt động ổn định") goes nowhere.
tests/rollup/themes_labelled.yaml measures the taxonomy. Nothing here knows about Telegram or storage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.domain.phrases import (
    PhraseError,
    PhraseSet,
    compile_phrase,
    marked_words,
    prepare,
    says_nothing,
)
from bot.domain.text import fold
from bot.domain.yaml_files import load_yaml

THEMES_FILE = "themes.yaml"
QUOTE_LIMIT = 200

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_SENTENCES = re.compile(r"\n+|;\s*|(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ0-9\-–•+])")
_BULLET = re.compile(r"^\s*[-–—+•*]\s*")
_CLAUSES = re.compile(r"[,:()]")
_DENIAL = ("khong co ", "khong bi ", "khong xay ra ", "chua xay ra ")


class ThemeError(ValueError):
    """A theme file that cannot be used; the message names the file and what is wrong."""


@lru_cache(maxsize=16384)
def words(text: str) -> str:
    """Folded words separated by single spaces: "Máy  scan, mạng!" → "may scan mang" (cached:
    communes repeat their texts from week to week, "Không" most of all)."""
    return " ".join(_NON_WORD.split(fold(text))).strip()


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _phrases(value: tuple[str, ...]) -> tuple[str, ...]:
    for phrase in value:
        if not words(str(phrase).replace("{n}", "0")):
            raise ValueError(f"keyword {phrase!r} has no letters or digits")
    return tuple(str(phrase) for phrase in value)


class Theme(_Model):
    """A theme: its ``keywords`` name it; its ``weak`` keywords name it only when no theme's keywords
    match the sentence (a symptom: "không đăng nhập được" is a software fault unless the network is
    named); its ``exclude`` phrases keep a sentence out of it."""

    id: str
    label: str
    keywords: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("id must be lower-case letters, digits and '_', starting with a letter")
        return value

    @field_validator("label")
    @classmethod
    def _label(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("label is empty")
        return value.strip()

    @field_validator("keywords", "weak", "exclude")
    @classmethod
    def _keywords(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _phrases(value)


class Working(_Model):
    """A sentence saying only that things work ("hoạt động ổn định") raises nothing, unless it also
    has one of ``unless`` (a fault, a lack, a request)."""

    phrases: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()

    @field_validator("phrases", "unless")
    @classmethod
    def _keywords(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _phrases(value)


class Taxonomy(_Model):
    """The themes in the order they are printed, and the theme of what matches none; the groups
    and abbreviations their phrases use."""

    themes: tuple[Theme, ...] = Field(min_length=1)
    other: Theme = Theme(id="other", label="Khác")
    groups: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    abbreviations: dict[str, str] = Field(default_factory=dict)
    working: Working = Working()

    def __hash__(self) -> int:  # frozen, but dicts are not hashable: hash what identifies it
        return hash((self.themes, self.other, tuple(self.groups.items()), tuple(self.abbreviations.items()),
                     self.working))

    @field_validator("abbreviations")
    @classmethod
    def _abbreviations(cls, value: dict[str, str]) -> dict[str, str]:
        spelt = {}
        for short, full in value.items():
            key = marked_words(str(short))
            if not key or " " in key:
                raise ValueError(f"abbreviation {short!r} must be one word")
            if not marked_words(str(full)):
                raise ValueError(f"abbreviation {short!r} has no letters or digits")
            spelt[key] = marked_words(str(full))
        return spelt

    @model_validator(mode="after")
    def _unique(self) -> Taxonomy:
        seen: set[str] = set()
        for theme in (*self.themes, self.other):
            if theme.id in seen:
                raise ValueError(f"theme id '{theme.id}' is used more than once")
            seen.add(theme.id)
        for theme in self.themes:
            if not theme.keywords and not theme.weak:
                raise ValueError(f"theme '{theme.id}' has no keywords")
        try:
            _compiled(self)
        except PhraseError as error:
            raise ValueError(str(error)) from None
        return self

    def theme(self, theme_id: str) -> Theme:
        for theme in (*self.themes, self.other):
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)

    def match(self, text: str) -> list[str]:
        """The ids of the themes one sentence falls under (in taxonomy order); [] for none, and for a
        sentence that raises nothing."""
        return list(_compiled(self).match(text) or ())


@dataclass(frozen=True)
class _Rules:
    theme_id: str
    keywords: PhraseSet
    weak: PhraseSet
    exclude: PhraseSet


@dataclass(frozen=True, eq=False)  # one per taxonomy (cached), hashed by identity for _match's cache
class _Compiled:
    abbreviations: Mapping[str, str]
    rules: tuple[_Rules, ...]
    working: PhraseSet
    unless: PhraseSet

    def match(self, sentence: str) -> tuple[str, ...] | None:
        return _match(self, sentence)

    def themes(self, sentence: str) -> list[str] | None:
        """The themes of one sentence, [] for none; None when it raises nothing ("Không có khó khăn",
        "hệ thống hoạt động ổn định"). Clauses that raise nothing are left out first."""
        if says_nothing(sentence):
            return None
        clauses = [c for c in _CLAUSES.split(sentence) if c.strip() and not says_nothing(c)]
        text = prepare(", ".join(clauses), self.abbreviations)
        if self._working(clauses):
            return None
        strong = [r.theme_id for r in self.rules if r.keywords.any_found(text) and not r.exclude.any_found(text)]
        if strong:
            return strong
        return [r.theme_id for r in self.rules if r.weak.any_found(text) and not r.exclude.any_found(text)]

    def _working(self, clauses: list[str]) -> bool:
        """Only says things work: "ổn định, không có vùng lõm sóng" (a clause denying a fault is no
        fault), not "hoạt động không ổn định" nor "ổn định; đề nghị nâng cấp"."""
        affirmed = prepare(", ".join(c for c in clauses if not words(c).startswith(_DENIAL)), self.abbreviations)
        return self.working.any_found(affirmed) and not self.unless.any_found(affirmed)


@lru_cache(maxsize=16384)
def _match(compiled: _Compiled, sentence: str) -> tuple[str, ...] | None:
    """Cached: communes repeat their sentences from week to week."""
    themes = compiled.themes(sentence)
    return None if themes is None else tuple(themes)


@lru_cache(maxsize=8)
def _compiled(taxonomy: Taxonomy) -> _Compiled:
    groups, short = taxonomy.groups, taxonomy.abbreviations

    def phrases(texts: tuple[str, ...], where: str) -> PhraseSet:
        compiled = []
        for text in texts:
            try:
                compiled.append(compile_phrase(text, groups, short))
            except PhraseError as error:
                raise PhraseError(f"{where}, {text!r}: {error}") from None
        return PhraseSet(compiled)

    return _Compiled(
        short,
        tuple(_Rules(t.id, *(phrases(p, f"theme '{t.id}'") for p in (t.keywords, t.weak, t.exclude)))
              for t in taxonomy.themes),
        phrases(taxonomy.working.phrases, "working"), phrases(taxonomy.working.unless, "working"),
    )


def parse_taxonomy(text: str, source: str = THEMES_FILE) -> Taxonomy:
    try:
        data = load_yaml(text)
    except yaml.YAMLError as error:
        raise ThemeError(f"{source}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ThemeError(f"{source}: expected a mapping with 'themes' (a list of id, label, keywords)")
    try:
        return Taxonomy.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            where = ".".join(str(part) for part in item["loc"])
            message = str(item["msg"]).removeprefix("Value error, ")
            problems.append(f"{where}: {message}" if where else message)
        raise ThemeError(f"{source}: " + "; ".join(problems)) from None


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int) -> Taxonomy:
    return parse_taxonomy(Path(path).read_text(encoding="utf-8"), Path(path).name)


def load_taxonomy(path: str | Path) -> Taxonomy:
    """The taxonomy in a file (``templates/themes.yaml``), read again only when the file changes.
    A directory means its themes.yaml."""
    path = Path(path)
    if path.is_dir():
        path = path / THEMES_FILE
    try:
        stat = path.stat()
    except OSError as error:
        raise ThemeError(f"{path.name}: cannot be read ({error.strerror or error})") from None
    return _load(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


# --- sorting texts -------------------------------------------------------------------------------


def is_nothing(text: str | None) -> bool:
    """ "Không", "Không có.", "" — nothing was raised."""
    return text is None or says_nothing(text)


def sentences(text: str) -> list[str]:
    """The sentences of an official's text: lines, parts separated by ";", sentences ending in
    "." before a capital; bullets and blanks dropped; "Không có" parts dropped."""
    parts = []
    for raw in _SENTENCES.split(text or ""):
        part = _BULLET.sub("", raw).strip().rstrip(";").strip()
        if part and not is_nothing(part):
            parts.append(part)
    return parts


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Quote:
    unit_code: str
    unit_name: str
    field_id: str  # "difficulties" | "proposals" | …
    text: str


@dataclass
class ThemeCount:
    theme: Theme
    units: list[str] = field(default_factory=list)  # unit codes, first-seen order
    quotes: list[Quote] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set, repr=False)

    @property
    def unit_count(self) -> int:
        return len(self.units)


@dataclass(frozen=True)
class ThemeSource:
    """One commune's texts to sort: field id → text."""

    unit_code: str
    unit_name: str
    texts: Sequence[tuple[str, str]]


def classify(taxonomy: Taxonomy, sources: Iterable[ThemeSource]) -> list[ThemeCount]:
    """Every theme that was raised (the taxonomy's order, "other" last), with the communes that
    raised it and their sentences quoted. A commune counts once per theme."""
    compiled = _compiled(taxonomy)
    counts = {theme.id: ThemeCount(theme) for theme in (*taxonomy.themes, taxonomy.other)}
    for source in sources:
        for field_id, text in source.texts:
            for sentence in sentences(text):
                themes = compiled.match(sentence)
                if themes is None:
                    continue
                matched = themes or (taxonomy.other.id,)
                for theme_id in matched:
                    count = counts[theme_id]
                    if source.unit_code not in count._seen:
                        count._seen.add(source.unit_code)
                        count.units.append(source.unit_code)
                    count.quotes.append(Quote(source.unit_code, source.unit_name, field_id, quote(sentence)))
    return [count for count in counts.values() if count.units]

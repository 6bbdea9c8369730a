"""Phrases looked for in officials' free text, word by word and without regard to case.

A phrase is words ("máy scan"), optionally with:
- ``{name}``: any phrase of a named group ("thiếu {officials}" with officials = cán bộ, công chức…);
  ``{n}`` is any number ("chỉ có {n} công chức" finds "chỉ có 02 công chức");
- ``…`` (or ``...``): any words between, within one clause ("phần mềm … treo" finds "phần mềm một cửa
  bị treo", not "máy tính hay treo, mở nhiều phần mềm");
- `` + ``: both sides anywhere in the sentence, in any order ("kỹ năng số + {officials}").

A word typed with diacritics must have the phrase's ("sắp xếp" is not "sập", "yêu cầu" not "yếu"); a
word typed without them matches whatever its letters spell ("sap" may be "sập"), and a phrase word
written without them matches any diacritics. Texts and phrases go through the same abbreviations
("TTHC" is "thủ tục hành chính"), so either form of a phrase finds either form in a text. Clauses
end at , ; : ( ) . ! ? Nothing here knows about themes, Telegram or storage.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.domain.text import fold

NUMBER = "n"
_BREAK = re.compile(r"[,;:()\[\].!?]+")
_NON_WORD = re.compile(r"[^a-z0-9,]+")
_NON_WORD_MARKED = re.compile(r"[^\w,]+|_")
_GAP = re.compile(r"\s*(?:…|\.\.\.)\s*")
_GROUP = re.compile(r"^\{([a-z_]+)\}$")
_TOKEN = re.compile(r"\{[a-z_]+\}|[^\s{}]+")


class PhraseError(ValueError):
    """A phrase that cannot be used: an unknown group, or nothing to look for."""


@lru_cache(maxsize=16384)
def _folded_tokens(text: str) -> tuple[str, ...]:
    """Folded words, with "," for every clause break: "Máy scan, mạng!" → (may, scan, ",", mang, ",")."""
    marked = _BREAK.sub(" , ", fold(text))
    return tuple(_NON_WORD.sub(" ", marked).split())


def _letters() -> dict[str, str]:
    """Each plain letter → a character class of it with any diacritics: "a" → "[aàáảãạăằ…]"."""
    variants: dict[str, set[str]] = {}
    for code in range(0x61, 0x1EFA):
        char = chr(code)
        if char.islower() and len(plain := fold(char)) == 1 and plain.isascii() and plain.isalpha():
            variants.setdefault(plain, set()).add(char)
    return {plain: "[" + "".join(sorted(chars)) + "]" for plain, chars in variants.items()}


_LETTERS = _letters()


_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
_TONE = "[" + "".join(sorted(_TONES)) + "]*"


@lru_cache(maxsize=65536)
def _canonical(word: str) -> str:
    """A word with its tone mark moved to its end, so both placements are one word: "hòa" and
    "hoà", "khóa" and "khoá", "thủy" and "thuỷ"."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = "".join(char for char in decomposed if char in _TONES)
    return unicodedata.normalize("NFC", "".join(char for char in decomposed if char not in _TONES)) + tones


@lru_cache(maxsize=16384)
def _marked_tokens(text: str) -> tuple[str, ...]:
    """Lower-case words keeping their diacritics (tone marks last), with "," for every clause break."""
    marked = _BREAK.sub(" , ", unicodedata.normalize("NFC", text).lower())
    return tuple(_canonical(token) for token in _NON_WORD_MARKED.sub(" ", marked).split())


def marked_words(text: str) -> str:
    """Lower-case words keeping their diacritics, one space between: "Thủ tục, HC" → "thủ tục hc"."""
    return " ".join(token for token in _marked_tokens(text) if token != ",")


def normal(text: str, abbreviations: Mapping[str, str]) -> str:
    """The form phrases are looked for in: lower-case words with their diacritics, abbreviations
    spelt out, clause breaks as ",", one space between tokens and at both ends:
    "TTHC lỗi, mạng" → " thủ tục hành chính lỗi , mạng "."""
    tokens: list[str] = []
    for token in _marked_tokens(text):
        spelt = abbreviations.get(token)
        tokens.extend(_marked_tokens(spelt) if spelt else (token,))
    return f" {' '.join(tokens)} "


def _token_pattern(token: str) -> str:
    """A phrase's word: with diacritics, itself or its plain letters ("sập" finds "sập", "sap", not
    "sắp"); without, its letters with any diacritics ("may" finds "máy", "mây")."""
    plain = fold(token)
    if plain != token:
        return f"(?:{re.escape(token)}|{re.escape(plain)})"
    return "".join(_LETTERS.get(char, re.escape(char)) for char in plain) + _TONE


@dataclass(frozen=True)
class Prepared:
    """A sentence ready for phrases: its normal form, and its words without diacritics (a phrase
    whose words are not all among them cannot be found, which spares most regular expressions)."""

    normalised: str
    plain: frozenset[str]


@lru_cache(maxsize=65536)
def _plain(word: str) -> str:
    return fold(word)


def prepare(text: str, abbreviations: Mapping[str, str]) -> Prepared:
    normalised = normal(text, abbreviations)
    return Prepared(normalised, frozenset(map(_plain, normalised.split())))


@dataclass(frozen=True)
class Phrase:
    """One compiled phrase: every pattern must be found (the parts of "a + b"); ``needs`` are the
    words without diacritics it cannot be found without."""

    source: str
    patterns: tuple[re.Pattern[str], ...]
    needs: frozenset[str]

    def found(self, text: Prepared) -> bool:
        return self.needs <= text.plain and all(pattern.search(text.normalised) for pattern in self.patterns)


class PhraseSet:
    """Phrases looked for together: is any of them in a sentence? Each is filed under one word it
    needs, so a sentence tries only the phrases filed under its own words."""

    def __init__(self, phrases: Sequence[Phrase]) -> None:
        self.phrases = tuple(phrases)
        self._filed: dict[str, list[Phrase]] = {}
        self._always: list[Phrase] = []
        for phrase in self.phrases:
            if phrase.needs:
                self._filed.setdefault(max(sorted(phrase.needs), key=len), []).append(phrase)
            else:
                self._always.append(phrase)

    def any_found(self, text: Prepared) -> bool:
        for word in self._filed.keys() & text.plain:
            for phrase in self._filed[word]:
                if phrase.found(text):
                    return True
        return any(phrase.found(text) for phrase in self._always)


def _words_of(text: str, abbreviations: Mapping[str, str]) -> str:
    """A phrase's words as a pattern: each word as _token_pattern, one space between."""
    words = normal(text, abbreviations).replace(" , ", " ").split()
    return " ".join(_token_pattern(word) for word in words)


def _segment(text: str, groups: Mapping[str, Sequence[str]], abbreviations: Mapping[str, str],
             needs: set[str]) -> str:
    parts = []
    for token in _TOKEN.findall(text):
        group = _GROUP.match(token)
        if group is None:
            words = _words_of(token, abbreviations)
            if words:
                parts.append(words)
                needs.update(fold(word) for word in normal(token, abbreviations).split())
            continue
        name = group.group(1)
        if name == NUMBER:
            parts.append("[0-9]+")
        elif name in groups:
            choices = sorted({_words_of(choice, abbreviations) for choice in groups[name]} - {""}, key=len, reverse=True)
            parts.append("(?:" + "|".join(choices) + ")")
        else:
            raise PhraseError(f"unknown group {{{name}}}")
    if not parts:
        raise PhraseError("has no letters or digits")
    return "(?<= )" + " ".join(parts) + "(?= )"


def compile_phrase(text: str, groups: Mapping[str, Sequence[str]], abbreviations: Mapping[str, str]) -> Phrase:
    """The phrase ``text`` ready to look for; PhraseError says why it cannot be."""
    patterns = []
    needs: set[str] = set()
    for part in str(text).split(" + "):
        segments = [_segment(segment, groups, abbreviations, needs) for segment in _GAP.split(part.strip())]
        patterns.append(re.compile("[^,]*".join(segments)))
    return Phrase(str(text), tuple(patterns), frozenset(needs) - {","})


# --- nothing raised ------------------------------------------------------------------------------

# "Không có khó khăn, vướng mắc", "Trong tuần không phát sinh đề xuất", "Như kỳ trước": a text made
# only of these words, saying "không"/"chưa" or "như kỳ trước", raises nothing.
_SAYING_NOTHING = ("khong", "chua", "ko", "k", "kg", "khg", "nhu ky truoc", "nhu tuan truoc")
_FILLER = (
    "co", "phat sinh", "gi", "lon", "nao", "them", "moi", "dang ke", "dac biet", "can", "bao cao", "xin",
    "kho khan", "vuong mac", "kien nghi", "de xuat", "y kien", "noi dung", "van de",
    "trong tuan", "trong ky", "tuan nay", "ky nay", "den nay", "hien nay", "hien tai", "co ban", "nhin chung",
    "ve", "gi them", "nhu", "va",
)
_NOTHING_PHRASES = sorted((tuple(p.split()) for p in _SAYING_NOTHING + _FILLER), key=len, reverse=True)
_SAYING = frozenset(tuple(p.split()) for p in _SAYING_NOTHING)


@lru_cache(maxsize=16384)
def says_nothing(text: str) -> bool:
    """ "Không", "Không có khó khăn, vướng mắc.", "Trong tuần chưa phát sinh đề xuất", "" — nothing raised.
    A lack is not nothing: "Không có máy scan" raises something."""
    tokens = [token for token in _folded_tokens(text) if token != ","]
    said = False
    at = 0
    while at < len(tokens):
        phrase = next((p for p in _NOTHING_PHRASES if tuple(tokens[at:at + len(p)]) == p), None)
        if phrase is None:
            return False
        said = said or phrase in _SAYING
        at += len(phrase)
    return said or not tokens

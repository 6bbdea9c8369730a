"""Text helpers for Vietnamese: matching without diacritics, slugs for file names, document
numbers kept whole on one line."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse spaces: "Phước  Giang" → "phuoc giang"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()


def slug(text: str) -> str:
    """A file-name-safe form: "Xã Phước Giang" → "xa-phuoc-giang"."""
    return _NON_SLUG.sub("-", fold(text)).strip("-")


# A document number ("02-KH/BCĐTW", "30/2020/NĐ-CP", "57-NQ/TW"): its hyphens must not break a line.
_DOCUMENT_NUMBER = re.compile(r"\b\w*\d\w*(?:[-/]\w+)+|\b\w+(?:/\w+)*-\w+(?:/\w+)+")
NON_BREAKING_HYPHEN = "\u2011"


def keep_numbers_whole(text: str) -> str:
    """The hyphens of document numbers in ``text`` made non-breaking (U+2011), so that
    "02-KH/BCĐTW" never breaks across lines at its hyphen; other hyphens are left alone. The one
    place this is done: the reports' settings and answers, the rollup's title, and the templates'
    own wording (templates/src/docx_authoring.py)."""
    return _DOCUMENT_NUMBER.sub(lambda match: match[0].replace("-", NON_BREAKING_HYPHEN), text)

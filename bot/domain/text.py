"""Text helpers for Vietnamese: matching without diacritics, slugs for file names."""

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

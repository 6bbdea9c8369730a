"""An official's text as the paragraphs of a report: every line one paragraph, and the sub-items a
line runs on with ("… như sau: a) …; b) …", "… năm 2026. 2.1. …", "…: - …; - …") each on its own,
as a report laid out by Nghị định 30/2020/NĐ-CP prints them (each a body paragraph: first-line
indent, justified). The text is cleaned first (bot/documents/report.py ``clean_text``)."""

from __future__ import annotations

import re

# A sub-item opening after the end of a sentence or a clause: "a)", "đ)", "2.1.", "2.1.3.", "-",
# "+", "•", or "2." before a capital letter. Inside a sentence ("điểm a) khoản 2", "từ 10 - 15")
# nothing is cut: the marker must follow ". ", "; " or ": "; "tỷ lệ: 98.5 %" and "ngày: 10.12.2025"
# are not items.
_INLINE_ITEM = re.compile(r"(?<=[.;:])\s+(?=(?:[a-zđ]\)|\d{1,2}(?:\.\d{1,2}){1,3}\.|[-+•–]|\d{1,2}\.)\s+(\w?))")
_NUMBERED = re.compile(r"\d+\.\s")


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a cleaned text (one line each, no blank ones), sub-items on their own."""
    found: list[str] = []
    for line in text.split("\n"):
        start = 0
        for cut in _INLINE_ITEM.finditer(line):
            if _NUMBERED.match(line, cut.end()) and not cut[1].isupper():
                continue  # "… 15. 2. hồ sơ": a number, not an item "2. Về hạ tầng"
            found.append(line[start:cut.start()])
            start = cut.end()
        found.append(line[start:])
    return [part.strip() for part in found if part.strip()]

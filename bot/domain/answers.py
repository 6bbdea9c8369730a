"""Reading one typed answer for one field of a form, with a Vietnamese reason when it is refused."""

from __future__ import annotations

import unicodedata

from bot.domain.forms import Field
from bot.domain.numbers import CountParseError, format_count, parse_count
from bot.domain.values import Answer


class AnswerError(ValueError):
    """An answer that cannot be taken; ``reason`` is a short Vietnamese sentence for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse_answer(field: Field, text: str) -> Answer:
    """A count within the field's bounds ("1.794" → 1794) or a trimmed text within its length."""
    if field.kind == "count":
        try:
            return parse_count(text, field.bounds)
        except CountParseError as error:
            raise AnswerError(error.reason) from None
    cleaned = unicodedata.normalize("NFC", text).strip()
    if not cleaned:
        raise AnswerError("Anh/Chị vui lòng nhập nội dung (nếu không có, xin nhập «Không»).")
    if len(cleaned) > field.text_limit:
        raise AnswerError(
            f"Nội dung dài {format_count(len(cleaned))} ký tự, vượt quá giới hạn "
            f"{format_count(field.text_limit)} ký tự. Anh/Chị vui lòng rút gọn."
        )
    return cleaned

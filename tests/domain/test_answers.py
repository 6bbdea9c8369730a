"""Reading one typed answer for a field of the weekly form."""

from __future__ import annotations

import pytest

from bot.domain.answers import AnswerError, parse_answer
from bot.domain.forms import Form


def test_counts_use_the_forgiving_parser(weekly: Form) -> None:
    field = weekly.field("received_online_full")
    assert parse_answer(field, "1.794 hồ sơ") == 1794
    with pytest.raises(AnswerError, match="dấu phẩy"):
        parse_answer(field, "1,5")
    with pytest.raises(AnswerError, match="vượt quá giới hạn 1.000.000"):
        parse_answer(field, "2.000.000")


def test_texts_are_trimmed_and_limited(weekly: Form) -> None:
    field = weekly.field("difficulties")
    assert parse_answer(field, "  Mạng chập chờn.  ") == "Mạng chập chờn."
    with pytest.raises(AnswerError, match="nhập «Không»"):
        parse_answer(field, "   ")
    with pytest.raises(AnswerError, match="3.501 ký tự, vượt quá giới hạn 3.500 ký tự"):
        parse_answer(field, "x" * 3501)

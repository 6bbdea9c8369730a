"""Pieces of the reporting screens that must hold whatever the answers: message splitting under
Telegram's limit and callback data under 64 bytes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.chat.actions import (
    Action,
    AnswerNone,
    AnswerZero,
    EditItem,
    FixBreak,
    KeepAnswer,
    KeepBreak,
    UseSuggestion,
    decode,
    encode,
)
from bot.domain.forms import load_form
from bot.domain.message_length import split_message
from bot.settings import PROJECT_ROOT

FORM = load_form(PROJECT_ROOT / "templates" / "forms" / "tthc-weekly.yaml")


@given(st.lists(st.text(min_size=0, max_size=900), min_size=1, max_size=40))
def test_split_keeps_every_character_under_the_limit(lines: list[str]) -> None:
    text = "\n".join(lines)
    parts = split_message(text, limit=1000)
    assert all(len(part) <= 1000 for part in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


def test_a_short_message_is_one_part() -> None:
    assert split_message("Xin chào") == ["Xin chào"]


def test_callback_data_fits_for_every_field_and_check() -> None:
    checks = [c.id for c in FORM.checks] + [f"outlier:{f.id}" for f in FORM.fields]  # per-figure checks
    actions: list[Action] = [cls(9_999_999, f.id) for f in FORM.fields
               for cls in (UseSuggestion, AnswerZero, AnswerNone, KeepAnswer, EditItem)]
    actions += [cls(9_999_999, key) for key in checks for cls in (FixBreak, KeepBreak)]
    for action in actions:
        data = encode(action)
        assert len(data.encode()) <= 64 and decode(data) == action

"""Choices as typed options (bot/chat/options.py): their keys, the lines shown, and what a typed
text picks — a key, or the option's words without diacritics; never a bare number while a question
awaits a typed value."""

from __future__ import annotations

from bot.chat.actions import AnswerZero, GoBack, Pause, ShowReview, Submit, UseSuggestion, decode
from bot.chat.options import number_choices, options_text, pick, words
from bot.chat.replies import Choice
from storage.chat_options import Offer

QUESTION = [[Choice("Như kỳ trước (42)", UseSuggestion(7, "carried_over"))], [Choice("0", AnswerZero(7, "carried_over"))],
            [Choice("« Quay lại", GoBack(7)), Choice("Tạm dừng", Pause(7))]]
REVIEW = [[Choice("✔ Gửi báo cáo", Submit(7))], [Choice("Xem chi tiết", ShowReview(7))], [Choice("« Quay lại", GoBack(7))]]


def test_menus_are_numbered_and_back_is_zero() -> None:
    options = number_choices(REVIEW, typed=False)
    assert [(o.key, o.label) for o in options] == [("1", "✔ Gửi báo cáo"), ("2", "Xem chi tiết"), ("0", "« Quay lại")]
    assert decode(options[0].action) == Submit(7)
    text = options_text(options, typed=False)
    assert text.splitlines()[1:] == ["1 = ✔ Gửi báo cáo", "2 = Xem chi tiết", "0 = « Quay lại"]
    # a second message of the same turn goes on counting
    assert [o.key for o in number_choices(REVIEW, typed=False, taken=2)] == ["3", "4", "0"]


def test_a_question_keys_its_options_by_letters() -> None:
    options = number_choices(QUESTION, typed=True)
    assert [o.key for o in options] == ["a", "b", "c", "d"]
    assert "a = Như kỳ trước (42)" in options_text(options, typed=True)


def test_a_typed_key_or_the_words_pick_an_option() -> None:
    menu = Offer(tuple(number_choices(REVIEW, typed=False)), typed=False)
    assert decode(pick("1", menu).action) == Submit(7)  # type: ignore[union-attr]
    assert decode(pick(" 2. ", menu).action) == ShowReview(7)  # type: ignore[union-attr]
    assert decode(pick("0", menu).action) == GoBack(7)  # type: ignore[union-attr]
    assert decode(pick("gui bao cao", menu).action) == Submit(7)  # type: ignore[union-attr]
    assert decode(pick("Gửi Báo Cáo!", menu).action) == Submit(7)  # type: ignore[union-attr]
    assert pick("9", menu) is None and pick("gửi", menu) is None and pick("", menu) is None
    assert pick("1", Offer((), typed=False)) is None


def test_a_number_answers_a_question_never_picks_its_option() -> None:
    question = Offer(tuple(number_choices(QUESTION, typed=True)), typed=True)
    for typed in ("0", "1", "2", "42"):
        assert pick(typed, question) is None
    assert decode(pick("A", question).action) == UseSuggestion(7, "carried_over")  # type: ignore[union-attr]
    assert decode(pick("như kỳ trước", question).action) == UseSuggestion(7, "carried_over")  # type: ignore[union-attr]
    assert decode(pick("tam dung", question).action) == Pause(7)  # type: ignore[union-attr]


def test_words_are_compared_without_diacritics_symbols_or_what_is_in_parentheses() -> None:
    assert words("✔ Gửi báo cáo") == "gui bao cao"
    assert words("Như kỳ trước (42)") == "nhu ky truoc"
    assert words("Đã rút: 0") == "da rut 0"


def test_two_options_with_the_same_words_are_not_guessed() -> None:
    rows = [[Choice("Xã Phúc Lộc", Submit(1))], [Choice("Xa Phuc Loc", Submit(2))]]
    assert pick("xa phuc loc", Offer(tuple(number_choices(rows, typed=False)), typed=False)) is None

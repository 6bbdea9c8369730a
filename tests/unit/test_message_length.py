"""Text measured as Telegram measures it (UTF-16 code units): splitting a long text into messages
and shortening a value, whatever characters it holds — emoji with skin tones, "𝔸", Vietnamese
letters with their marks, line breaks anywhere."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain.message_length import MAX_TEXT, cut, message_parts, split_message, utf16_len

ASTRAL = "𝔸👍🏽😀🇻🇳"
CHARS = st.sampled_from(list("ab ế\n.") + ["𝔸", "👍", "\U0001f3fd", "\u200d", "😀", "\u0301"])
TEXTS = st.lists(CHARS, max_size=600).map("".join) | st.text(max_size=400)


def test_utf16_counts_two_units_beyond_the_basic_plane() -> None:
    assert utf16_len("Xã Phúc Lộc") == len("Xã Phúc Lộc")
    assert utf16_len("𝔸") == 2 and utf16_len("👍🏽") == 4 and utf16_len("🇻🇳") == 4


@given(TEXTS, st.integers(min_value=2, max_value=120))
@example("😀" * 3000, MAX_TEXT)
@example("a\n" + "𝔸" * 2100, MAX_TEXT)
def test_every_piece_fits_and_the_pieces_make_the_text(text: str, limit: int) -> None:
    pieces = split_message(text, limit)
    assert all(utf16_len(piece) <= limit for piece in pieces)
    assert "".join(pieces) == text
    assert all(piece for piece in pieces) or pieces == [""]
    for piece in pieces:  # never half of a surrogate pair: each piece encodes on its own
        piece.encode("utf-16-le")


def test_a_review_of_3910_characters_with_emoji_is_split_by_units() -> None:
    """The attack: 3,910 characters, 6,204 UTF-16 units; one message was refused by Telegram."""
    text = "\n".join(["• Khó khăn: " + "😀" * 190] * 12 + ["x" * 1400])
    assert len(text) < MAX_TEXT < utf16_len(text)
    parts = message_parts(text)
    assert len(parts) >= 2 and all(utf16_len(p) <= MAX_TEXT for p in parts)


def test_pieces_are_cut_at_line_ends_when_a_line_end_fits() -> None:
    lines = [f"Dòng {i} 👍🏽" for i in range(400)]
    parts = split_message("\n".join(lines), 500)
    assert all(p.endswith("\n") for p in parts[:-1])
    assert [line for part in parts for line in part.splitlines()] == lines


def test_an_emoji_with_its_skin_tone_is_not_torn_apart() -> None:
    parts = split_message("👍🏽" * 10, 7)
    assert all(utf16_len(p) <= 7 for p in parts) and all(p == "👍🏽" for p in parts)


def test_message_parts_drops_blank_pieces() -> None:
    parts = message_parts("a" + "\n" * 30 + "b" * 20, 10)
    assert all(p.strip() for p in parts) and "".join(parts).replace("\n", "") == "a" + "b" * 20


@given(TEXTS, st.integers(min_value=1, max_value=80))
def test_cut_fits_and_keeps_the_beginning(text: str, limit: int) -> None:
    shown = cut(text, limit)
    assert utf16_len(shown) <= limit
    if utf16_len(text) <= limit:
        assert shown == text
    else:
        assert shown.endswith("…") and text.startswith(shown[:-1].rstrip())


def test_cut_counts_units() -> None:
    assert cut("𝔸" * 10, 7) == "𝔸𝔸𝔸…"
    assert cut(ASTRAL, 100) == ASTRAL

"""parse_mode handling as Telegram does it: entities with UTF-16 offsets, trimming, parse errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sandbox.errors import ApiError
from sandbox.formatting import command_entities, format_text, utf16_len


def test_html_entities_and_nesting() -> None:
    text, entities = format_text(
        '<b>Đậm <i>nghiêng</i></b> <tg-spoiler>ẩn</tg-spoiler> <pre><code class="language-python">x=1</code></pre>',
        "HTML",
    )
    assert text == "Đậm nghiêng ẩn x=1"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 11},
        {"type": "italic", "offset": 4, "length": 7},
        {"type": "spoiler", "offset": 12, "length": 2},
        {"type": "pre", "offset": 15, "length": 3, "language": "python"},
    ]


def test_utf16_offsets_after_emoji() -> None:
    text, entities = format_text("😀 <b>x</b>", "HTML")
    assert text == "😀 x" and entities == [{"type": "bold", "offset": 3, "length": 1}]
    assert command_entities("👍👍 /start") == [{"type": "bot_command", "offset": 5, "length": 6}]
    assert command_entities("a/b /ok") == [{"type": "bot_command", "offset": 4, "length": 3}]


def test_text_is_trimmed_like_telegram() -> None:
    text, entities = format_text("\n  <b>Tiêu đề</b>\n\n", "HTML")
    assert text == "Tiêu đề" and entities == [{"type": "bold", "offset": 0, "length": 7}]


def test_markdown_v2() -> None:
    text, entities = format_text(
        "*Tổng:* 1\\.794 [xem](https://x.org/a\\)b) __gạch__ ||ẩn|| `1.5`", "MarkdownV2"
    )
    assert text == "Tổng: 1.794 xem gạch ẩn 1.5"
    assert [e["type"] for e in entities] == ["bold", "text_link", "underline", "spoiler", "code"]
    assert entities[1]["url"] == "https://x.org/a)b"
    quote_text, quote = format_text(">trích\n>dẫn\nhết", "MarkdownV2")
    assert quote_text == "trích\ndẫn\nhết" and quote == [{"type": "blockquote", "offset": 0, "length": 9}]


@pytest.mark.parametrize(
    ("mode", "text", "error"),
    [
        ("HTML", "<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("HTML", "a < b", 'Unsupported start tag "" at byte offset 2'),
        ("HTML", "<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("HTML", "x</b>", "Unexpected end tag at byte offset 1"),
        ("HTML", '<span class="x">a</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("MarkdownV2", "Hạn: 15-12", "Character '-' is reserved"),
        ("MarkdownV2", "[x](http://a", "Can't find end of a URL at byte offset 4"),
        ("MarkdownV2", "_a", "Can't find end of Italic entity at byte offset 0"),
        ("Markdown", "*a", "Can't find end of the entity starting at byte offset 0"),
        ("Markdown", "ĐƯỢC *a", "Can't find end of the entity starting at byte offset 9"),
    ],
)
def test_parse_errors(mode: str, text: str, error: str) -> None:
    with pytest.raises(ApiError) as err:
        format_text(text, mode)
    assert err.value.status == 400 and error in err.value.description


def test_unknown_parse_mode() -> None:
    with pytest.raises(ApiError):
        format_text("x", "RTF")


@given(st.text(max_size=60))
def test_escaped_markdown_v2_always_parses_back_to_the_text(raw: str) -> None:
    escaped = "".join("\\" + ch if ch in "_*[]()~`>#+-=|{}.!\\" else ch for ch in raw)
    text, entities = format_text(escaped, "MarkdownV2")
    assert text == raw.strip() and entities == []


@given(st.text(max_size=60))
def test_escaped_html_always_parses_back_to_the_text(raw: str) -> None:
    escaped = raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text, _ = format_text(escaped, "HTML")
    assert text == raw.strip() and utf16_len(text) >= len(text)

"""Message text as Telegram treats it: parse_mode markup turned into entities, UTF-16 offsets, trimming.

Modelled on how Telegram parses (tdlib's parse_html / parse_markdown / parse_markdown_v2), so the
mistakes that make Telegram answer "can't parse entities" are refused here too: an unsupported
HTML tag such as <br>, an unclosed <b>, a bare "." or "-" in MarkdownV2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import ApiError, bad_request

_COMMAND = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")
_HTML_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_MDV2_RESERVED = "_*[]()~`>#+-=|{}.!"


def utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


@dataclass
class _Entity:
    type: str
    start: int  # index into the plain text (Python str index)
    end: int
    extra: dict[str, Any] = field(default_factory=dict)


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _to_api(plain: str, entities: list[_Entity]) -> list[dict[str, Any]]:
    out = []
    for e in sorted(entities, key=lambda e: (e.start, -e.end)):
        if e.end <= e.start:
            continue
        offset = utf16_len(plain[: e.start])
        length = utf16_len(plain[e.start : e.end])
        out.append({"type": e.type, "offset": offset, "length": length, **e.extra})
    return out


def _trim(plain: str, entities: list[_Entity]) -> tuple[str, list[_Entity]]:
    lead = len(plain) - len(plain.lstrip())
    stripped = plain.strip()
    out = []
    for e in entities:
        start = max(e.start - lead, 0)
        end = min(e.end - lead, len(stripped))
        if end > start:
            out.append(_Entity(e.type, start, end, e.extra))
    return stripped, out


def format_text(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """The text a user sees and its entities, as Telegram would store them; ApiError 400 when unparsable."""
    mode = (parse_mode or "").lower()
    found: list[_Entity]
    if entities is not None or not mode:
        plain, found = text, []
    elif mode == "html":
        plain, found = _parse_html(text)
    elif mode == "markdownv2":
        plain, found = _parse_markdown_v2(text)
    elif mode == "markdown":
        plain, found = _parse_markdown(text)
    else:
        raise bad_request(f"unsupported parse_mode {parse_mode}")
    plain, found = _trim(plain, found)
    if entities is not None:
        return plain, entities
    return plain, _to_api(plain, found)


def command_entities(text: str) -> list[dict[str, Any]]:
    """The bot_command entities Telegram attaches to a user's message ("/start abc")."""
    return [
        {"type": "bot_command", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for m in _COMMAND.finditer(text)
    ]


# ---------------------------------------------------------------- HTML


def _html_unescape(text: str) -> str:
    return _HTML_ENTITY.sub(_html_entity, text)


def _html_entity(m: re.Match[str]) -> str:
    name = m.group(1)
    if name.startswith("#x"):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    return {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}[name]


@dataclass
class _OpenTag:
    name: str
    start: int
    attrs: dict[str, str]


def _parse_html(text: str) -> tuple[str, list[_Entity]]:
    out: list[str] = []
    stack: list[_OpenTag] = []
    entities: list[_Entity] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "&":
            m = _HTML_ENTITY.match(text, i)
            if m:
                out.append(_html_entity(m))
                i = m.end()
                continue
        if c != "<":
            out.append(c)
            i += 1
            continue
        begin = i
        if text.startswith("</", i):
            j = text.find(">", i)
            if j < 0:
                raise _parse_error(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
            name = text[i + 2 : j].strip().lower()
            if not stack:
                raise _parse_error(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
            top = stack.pop()
            if name != top.name:
                raise _parse_error(
                    f'Unmatched end tag at byte offset {_byte_offset(text, begin)}, expected "</{top.name}>", found "</{name}>"'
                )
            _close_html_tag(top, len(out), stack, entities)
            i = j + 1
            continue
        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        name = text[i + 1 : j].lower()
        if name not in _HTML_TAGS:
            raise _parse_error(f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, begin)}')
        attrs, j = _html_attributes(text, j, name, begin)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise _parse_error(
                f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, begin)}'
            )
        stack.append(_OpenTag(name, len(out), attrs))
        i = j
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    return "".join(out), entities


def _html_attributes(text: str, j: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    attrs: dict[str, str] = {}
    n = len(text)
    while True:
        while j < n and text[j].isspace():
            j += 1
        if j >= n:
            raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        if text[j] == ">":
            return attrs, j + 1
        k = j
        while k < n and (text[k].isalnum() or text[k] in "-_"):
            k += 1
        if k == j:
            raise _parse_error(
                f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(text, begin)}'
            )
        attr = text[j:k].lower()
        j = k
        while j < n and text[j].isspace():
            j += 1
        if j < n and text[j] == "=":
            j += 1
            while j < n and text[j].isspace():
                j += 1
            if j < n and text[j] in "\"'":
                quote = text[j]
                end = text.find(quote, j + 1)
                if end < 0:
                    raise _parse_error(
                        f"Unclosed end of attribute value at byte offset {_byte_offset(text, j)}"
                    )
                value = text[j + 1 : end]
                j = end + 1
            else:
                k = j
                while k < n and not text[k].isspace() and text[k] != ">":
                    k += 1
                value, j = text[j:k], k
            attrs[attr] = _html_unescape(value)
        else:
            attrs[attr] = ""


def _close_html_tag(tag: _OpenTag, end: int, stack: list[_OpenTag], entities: list[_Entity]) -> None:
    kind = _HTML_TAGS[tag.name]
    extra: dict[str, Any] = {}
    if kind == "text_link":
        href = tag.attrs.get("href")
        if not href:
            return
        extra["url"] = href
    elif kind == "custom_emoji":
        if "emoji-id" not in tag.attrs:
            return
        extra["custom_emoji_id"] = tag.attrs["emoji-id"]
    elif kind == "blockquote" and "expandable" in tag.attrs:
        kind = "expandable_blockquote"
    elif kind == "code" and stack and stack[-1].name == "pre":
        language = tag.attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].attrs["language"] = language.removeprefix("language-")
            return
    elif kind == "pre" and tag.attrs.get("language"):
        extra["language"] = tag.attrs["language"]
    entities.append(_Entity(kind, tag.start, end, extra))


# ---------------------------------------------------------------- MarkdownV2


@dataclass
class _OpenMd:
    type: str
    start: int
    byte_offset: int
    language: str | None = None


_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "text_link": "TextUrl",
    "code": "Code",
    "pre": "Pre",
    "custom_emoji": "CustomEmoji",
}


def _ends_entity(kind: str, text: str, i: int) -> bool:
    c = text[i]
    nxt = text[i + 1 : i + 2]
    if kind == "bold":
        return c == "*"
    if kind == "italic":
        return c == "_" and nxt != "_"
    if kind == "underline":
        return c == "_" and nxt == "_"
    if kind == "strikethrough":
        return c == "~"
    if kind == "spoiler":
        return c == "|" and nxt == "|"
    if kind == "code":
        return c == "`"
    if kind == "pre":
        return text.startswith("```", i)
    return c == "]"  # text_link, custom_emoji


def _parse_markdown_v2(text: str) -> tuple[str, list[_Entity]]:
    out: list[str] = []
    stack: list[_OpenMd] = []
    entities: list[_Entity] = []
    quote_start: int | None = None
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        in_code = bool(stack) and stack[-1].type in {"code", "pre"}
        if not in_code and (i == 0 or text[i - 1] == "\n"):
            if c == ">":
                if quote_start is None:
                    quote_start = len(out)
                i += 1
                continue
            if quote_start is not None:
                entities.append(_Entity("blockquote", quote_start, len(out) - 1))
                quote_start = None
        if c == "\\" and i + 1 < n and 0 < ord(text[i + 1]) <= 126:
            out.append(text[i + 1])
            i += 2
            continue
        reserved = "`" if in_code else _MDV2_RESERVED
        if c not in reserved:
            out.append(c)
            i += 1
            continue
        if stack and _ends_entity(stack[-1].type, text, i):
            top = stack.pop()
            extra: dict[str, Any] = {}
            if top.type in {"underline", "spoiler"}:
                i += 1
            elif top.type == "pre":
                i += 2
                if top.language:
                    extra["language"] = top.language
            elif top.type in {"text_link", "custom_emoji"}:
                target, i = _markdown_link_target(text, i, "".join(out[top.start :]))
                if top.type == "custom_emoji":
                    extra["custom_emoji_id"] = target.removeprefix("tg://emoji?id=")
                else:
                    extra["url"] = target
            entities.append(_Entity(top.type, top.start, len(out), extra))
            i += 1
            continue
        begin = i
        nxt = text[i + 1 : i + 2]
        language = None
        if c == "_":
            kind = "italic"
            if nxt == "_":
                kind, i = "underline", i + 1
        elif c == "*":
            kind = "bold"
        elif c == "~":
            kind = "strikethrough"
        elif c == "|" and nxt == "|":
            kind, i = "spoiler", i + 1
        elif c == "[":
            kind = "text_link"
        elif c == "!" and nxt == "[":
            kind, i = "custom_emoji", i + 1
        elif c == "`" and text.startswith("```", i):
            kind = "pre"
            i += 3
            k = i
            while k < n and not text[k].isspace() and text[k] != "`":
                k += 1
            if k > i and k < n and text[k] != "`":
                language, i = text[i:k], k
            if i < n and text[i] in "\r\n":
                i += 2 if i + 1 < n and text[i + 1] in "\r\n" and text[i + 1] != text[i] else 1
            i -= 1
        elif c == "`":
            kind = "code"
        else:
            raise _parse_error(f"Character '{c}' is reserved and must be escaped with the preceding '\\'")
        stack.append(_OpenMd(kind, len(out), _byte_offset(text, begin), language))
        i += 1
    if stack:
        top = stack[-1]
        raise _parse_error(
            f"Can't find end of {_MDV2_NAMES[top.type]} entity at byte offset {top.byte_offset}"
        )
    if quote_start is not None:
        entities.append(_Entity("blockquote", quote_start, len(out)))
    return "".join(out), entities


def _markdown_link_target(text: str, i: int, label: str) -> tuple[str, int]:
    """At the "]" closing a link's label: read "(url)"; returns the url and the index of ")"."""
    if text[i + 1 : i + 2] != "(":
        return label, i
    i += 2
    begin = i
    url: list[str] = []
    while i < len(text) and text[i] != ")":
        if text[i] == "\\" and i + 1 < len(text) and 0 < ord(text[i + 1]) <= 126:
            url.append(text[i + 1])
            i += 2
            continue
        url.append(text[i])
        i += 1
    if i >= len(text):
        raise _parse_error(f"Can't find end of a URL at byte offset {_byte_offset(text, begin)}")
    return "".join(url), i


# ---------------------------------------------------------------- legacy Markdown


def _parse_markdown(text: str) -> tuple[str, list[_Entity]]:
    out: list[str] = []
    entities: list[_Entity] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            i += 2
            continue
        if c not in "_*`[":
            out.append(c)
            i += 1
            continue
        begin = i
        end_char = "]" if c == "[" else c
        is_pre = False
        language = None
        i += 1
        if c == "`" and text.startswith("``", i):
            i += 2
            is_pre = True
            k = i
            while k < n and not text[k].isspace() and text[k] != "`":
                k += 1
            if k > i and k < n and text[k] != "`":
                language, i = text[i:k], k
            if i < n and text[i] in "\r\n":
                i += 1
        start = len(out)
        while i < n and (text[i] != end_char or (is_pre and not text.startswith("```", i))):
            out.append(text[i])
            i += 1
        if i >= n:
            raise _parse_error(
                f"Can't find end of the entity starting at byte offset {_byte_offset(text, begin)}"
            )
        extra: dict[str, Any] = {}
        kind = {"_": "italic", "*": "bold", "[": "text_link", "`": "pre" if is_pre else "code"}[c]
        if kind == "text_link":
            url, i = _markdown_link_target(text, i, "".join(out[start:]))
            extra["url"] = url
        if kind == "pre" and language:
            extra["language"] = language
        if is_pre:
            i += 2
        entities.append(_Entity(kind, start, len(out), extra))
        i += 1
    return "".join(out), entities

"""Who issues and signs the provincial rollup, set from chat: ``/caidat tonghop [mã tỉnh] [mục nội dung]``.

A supervisor sets it for their own province, an admin for the provinces in their scope (naming the
province when there are several: ``/caidat tonghop 19 nguoiky …``). The values are kept under the
province's unit settings, ``extra["rollup"]`` (read by ``bot.supervising.rollup_service.rollup_settings``),
and every later /tonghop .docx prints them; ``/caidat tonghop <mục> xoa`` goes back to the default.
Each change and its audit row are one transaction."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.chat.access import Identity
from bot.chat.catalogue import say
from bot.chat.replies import Message, Reply
from bot.documents.rollup_docx import RollupSettings, resolved_for_scope
from bot.domain.arguments import is_keyword, keywords, parse_id
from bot.domain.message_length import cut
from bot.domain.text import fold
from bot.supervising.rollup_service import SETTINGS_KEY, rollup_settings
from storage import Storage
from storage.codec import JsonInput
from storage.models import Unit, UnitKind

SHOWN_LIMIT = 1000  # a stored value is shown up to this many units: one stored too long never breaks a reply


class ValueRefused(ValueError):
    """A value that cannot be printed as typed; the message (Vietnamese) says why."""


@dataclass(frozen=True)
class Key:
    field: str  # RollupSettings' field
    label: str  # catalogue keys
    example: str
    parse: Callable[[str], JsonInput]
    hint: str = ""


def _line(limit: int) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = " ".join(raw.split())
        if len(value) > limit:
            raise ValueRefused(say("rollup_setup.too_long", length=len(value), limit=limit))
        if not any(ch.isalpha() for ch in value):
            raise ValueRefused(say("rollup_setup.needs_letters"))
        return value
    return parse


def _lines(separators: str, most: int, limit: int) -> Callable[[str], list[str]]:
    def parse(raw: str) -> list[str]:
        parts = re.split(separators, raw)
        lines = [" ".join(part.split()).strip(" -–;.") for part in parts]
        lines = [line for line in lines if line]
        if not lines:
            raise ValueRefused(say("rollup_setup.needs_a_line"))
        if len(lines) > most:
            raise ValueRefused(say("rollup_setup.too_many_lines", count=len(lines), most=most))
        for line in lines:
            if len(line) > limit:
                raise ValueRefused(say("rollup_setup.line_too_long", start=line[:40], length=len(line), limit=limit))
        return lines
    return parse


def _recipient(raw: str) -> str:
    value = _line(200)(raw)
    return re.sub(r"^kính gửi\s*:?\s*", "", value, flags=re.IGNORECASE).strip() or value


def _directive(raw: str) -> str:
    """The clause the rollup's first sentence starts with: "Thực hiện Công văn số …"."""
    value = _line(400)(raw).rstrip(" .,;")
    if fold(value).startswith(tuple(fold(word) for word in keywords("supervising_words.directive_documents"))):
        value = say("rollup_setup.directive_clause", directive=value)
    return value


def _number_suffix(raw: str) -> str:
    value = re.sub(r"^số\s*:?\s*", "", " ".join(raw.split()), flags=re.IGNORECASE).replace(" ", "")
    if not value.startswith("/"):
        value = "/" + value
    if not re.fullmatch(r"/[^\W_][\w.&-]{0,28}", value):
        raise ValueRefused(say("rollup_setup.bad_number_suffix"))
    return value


KEYS: dict[str, Key] = {
    "nguoiky": Key("signer_name", "rollup_setup.label_nguoiky", "rollup_setup.example_nguoiky", _line(80)),
    "chucdanh": Key("signer_titles", "rollup_setup.label_chucdanh", "rollup_setup.example_chucdanh",
                    _lines(r"\||\n| / ", 3, 60), "rollup_setup.hint_chucdanh"),
    "kinhgui": Key("recipient", "rollup_setup.label_kinhgui", "rollup_setup.example_kinhgui", _recipient),
    "congvan": Key("directive", "rollup_setup.label_congvan", "rollup_setup.example_congvan", _directive,
                   "rollup_setup.hint_congvan"),
    "noinhan": Key("distribution", "rollup_setup.label_noinhan", "rollup_setup.example_noinhan",
                   _lines(r"[;\n]", 12, 150), "rollup_setup.hint_noinhan"),
    "coquan": Key("issuer_name", "rollup_setup.label_coquan", "rollup_setup.example_coquan", _line(120),
                  "rollup_setup.hint_coquan"),
    "chuquan": Key("issuer_parent", "rollup_setup.label_chuquan", "rollup_setup.example_chuquan", _line(120)),
    "tentrongvanban": Key("issuer_in_text", "rollup_setup.label_tentrongvanban",
                          "rollup_setup.example_tentrongvanban", _line(120)),
    "diadanh": Key("place_name", "rollup_setup.label_diadanh", "rollup_setup.example_diadanh", _line(50),
                   "rollup_setup.hint_diadanh"),
    "sohieu": Key("number_suffix", "rollup_setup.label_sohieu", "rollup_setup.example_sohieu", _number_suffix),
}


def usage(several: bool) -> str:
    """How to change each item; with ``several`` provinces, how to name one."""
    lines = [say("rollup_setup.usage_head"), say("rollup_setup.usage_clear")]
    for key, spec in KEYS.items():
        label, example = say(spec.label).lower(), say(spec.example)
        lines.append(say("rollup_setup.usage_line_hint", key=key, label=label, hint=say(spec.hint), example=example)
                     if spec.hint else say("rollup_setup.usage_line", key=key, label=label, example=example))
    if several:
        lines.append(say("rollup_setup.usage_several"))
    return "\n".join(lines)


def _take(text: str) -> tuple[str, str]:
    """The first word of ``text`` and the rest (line breaks inside the rest are kept)."""
    parts = text.strip().split(maxsplit=1)
    return (parts[0], parts[1]) if len(parts) == 2 else ((parts[0], "") if parts else ("", ""))


def rollup_args(arguments: str) -> str | None:
    """What follows «tonghop» (or «tổng hợp») in /caidat's ``arguments``; None for /caidat's other forms."""
    first, rest = _take(arguments)
    if fold(first) == "tonghop":
        return rest
    second, rest = _take(rest)
    if fold(first) == "tong" and fold(second) == "hop":
        return rest
    return None


def _several(identity: Identity) -> bool:
    allowed = identity.visible_provinces
    return allowed is None or len(allowed) > 1


async def _province(storage: Storage, identity: Identity, text: str) -> tuple[Unit | None, str, str]:
    """The province whose rollup is set, the rest of the text, and why not when None."""
    word, rest = _take(text)
    if is_keyword(word, "keywords.province") and rest:  # as in /caidat's own province keyword
        word, rest = _take(rest)
    if parse_id(word) is not None:
        unit = await storage.units.get(word.zfill(2))
        if unit is None or unit.kind != UnitKind.PROVINCE:
            return None, rest, say("rollup_setup.no_province", code=word)
        if not identity.can_see(unit.code):
            return None, rest, say("rollup_setup.out_of_scope", code=unit.code)
        return unit, rest, ""
    allowed = identity.visible_provinces
    if allowed is not None and len(allowed) == 1:
        unit = await storage.units.get(allowed[0])
        if unit is not None:
            return unit, text, ""
    provinces = [p for p in await storage.units.list_provinces() if allowed is None or p.code in allowed]
    why = say("rollup_setup.name_the_province")
    if provinces:
        listing = "\n".join(say("rollup_setup.province_line", code=p.code, name=p.full_name) for p in provinces)
        why += "\n\n" + say("rollup_setup.provinces_in_scope", listing=listing)
    return None, text, why


def _cut(value: str) -> str:
    return cut(value, SHOWN_LIMIT)


def describe(province: Unit, settings: RollupSettings, heading: str | None = None) -> str:
    """The settings as the next rollup of the province prints them, which of them are defaults."""
    resolved = resolved_for_scope(province.full_name, settings)

    def mark(field: str) -> str:
        return "" if getattr(settings, field) else say("rollup_setup.default_mark")

    in_text_mark = (say("rollup_setup.issuer_mark") if settings.issuer_name and not settings.issuer_in_text
                    else mark("issuer_in_text"))
    lines = [
        heading or say("rollup_setup.heading", province=province.full_name),
        say("rollup_setup.shown_signer",
            value=_cut(resolved["signer_name"]) or say("rollup_setup.signer_unset")),
        say("rollup_setup.shown_titles", value=_cut(" / ".join(resolved["signer_titles"])),
            mark=mark("signer_titles")),
        say("rollup_setup.shown_recipient", value=_cut(resolved["recipient"]), mark=mark("recipient")),
        say("rollup_setup.shown_directive",
            value=_cut(resolved["directive"]) or say("rollup_setup.directive_unset")),
        say("rollup_setup.shown_distribution", mark=mark("distribution"),
            lines="\n".join(f"   {_cut(line)}" for line in resolved["distribution_lines"])),
        say("rollup_setup.shown_issuer", value=_cut(resolved["issuer_name"]), mark=mark("issuer_name")),
        say("rollup_setup.shown_parent", value=_cut(resolved["issuer_parent"]), mark=mark("issuer_parent")),
        say("rollup_setup.shown_in_text", value=_cut(resolved["issuer_in_text"]), mark=in_text_mark),
        say("rollup_setup.shown_place", value=_cut(resolved["place_name"]), mark=mark("place_name")),
        say("rollup_setup.shown_number", value=_cut(resolved["number_suffix"]), mark=mark("number_suffix")),
    ]
    return "\n".join(lines)


async def configure(storage: Storage, identity: Identity, text: str, *, now: datetime) -> list[Reply]:
    """``/caidat tonghop`` with ``text`` what follows «tonghop»: the settings shown, or one changed
    (or cleared back to its default) with its audit row in one transaction."""
    if not (identity.is_admin or identity.provinces):
        return [Message(say("common.not_allowed"))]
    province, rest, why = await _province(storage, identity, text)
    if province is None:
        return [Message(why)]
    word, raw = _take(rest)
    if not word:
        shown = describe(province, await rollup_settings(storage, province.code))
        return [Message(shown + "\n\n" + usage(_several(identity)))]
    key = fold(word)
    spec = KEYS.get(key)
    if spec is None:
        return [Message(say("rollup_setup.unknown_key", word=word, usage=usage(_several(identity))))]
    if not raw.strip():
        return [Message(say("rollup_setup.value_needed", key=key, example=say(spec.example)))]
    cleared = is_keyword(raw, "keywords.clear")
    value: JsonInput = None
    if not cleared:
        try:
            value = spec.parse(raw)
        except ValueRefused as exc:
            return [Message(say("rollup_setup.not_saved", label=say(spec.label), reason=str(exc), key=key,
                                example=say(spec.example)))]
    async with storage.db.transaction():
        await storage.unit_settings.update_extra(province.code, SETTINGS_KEY, {spec.field: value},
                                                 identity.person.id if identity.person else None, now)
        await storage.audit.log("rollup_settings.update", now, actor=identity.actor, subject=province.code,
                                detail={"key": key, "cleared": cleared})
    settings = await rollup_settings(storage, province.code)
    if cleared:
        head = say("rollup_setup.cleared", label=say(spec.label), province=province.full_name)
    else:
        joiner = " / " if spec.field == "signer_titles" else "; "
        shown = joiner.join(value) if isinstance(value, list) else str(value)
        head = say("rollup_setup.saved", label=say(spec.label), province=province.full_name, value=shown)
    return [Message(head + "\n\n" + describe(province, settings, say("rollup_setup.next_heading")))]

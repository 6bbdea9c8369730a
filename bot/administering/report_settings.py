"""What a commune's report prints (``/caidat``): who signs, to whom, the directive, «Nơi nhận» and
the place — read and changed by the commune's reporter, or by an admin for a commune or a
province's defaults (``/caidat <mã xã> …``, ``/caidat tinh <mã> …``) within their provinces.

Every value has a length limit (as a messenger counts it), refused at entry with nothing stored; a
value stored too long before the limits is shown cut. Each change and its audit row are one
transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.chat.access import Identity
from bot.chat.catalogue import say
from bot.chat.replies import Message, Reply
from bot.domain.arguments import is_keyword, parse_id
from bot.domain.message_length import cut, utf16_len
from bot.domain.numbers import format_count
from bot.reporting.files import effective_settings, report_unit, settings_layers
from storage import Storage
from storage.models import Unit, UnitKind

SHOWN_LIMIT = 1000  # a stored value without a limit of its own (a province's defaults) is shown up to this


@dataclass(frozen=True)
class Key:
    field: str  # the setting (ReportSettings' field; the signer's two lines are stored apart)
    label: str  # catalogue keys
    example: str
    limit: int  # the longest value taken, in characters as a messenger counts them (UTF-16 units)


KEYS: dict[str, Key] = {
    "nguoiky": Key("signer_name", "report_setup.label_nguoiky", "report_setup.example_nguoiky", 100),
    "chucdanh": Key("signer_titles", "report_setup.label_chucdanh", "report_setup.example_chucdanh", 200),
    "kinhgui": Key("recipient", "report_setup.label_kinhgui", "report_setup.example_kinhgui", 300),
    "congvan": Key("directive", "report_setup.label_congvan", "report_setup.example_congvan", 1000),
    "noinhan": Key("distribution", "report_setup.label_noinhan", "report_setup.example_noinhan", 1000),
    "diadanh": Key("place_name", "report_setup.label_diadanh", "report_setup.example_diadanh", 100),
}
LIMITS = {spec.field: spec.limit for spec in KEYS.values()}


def usage() -> str:
    """One line per setting: how to change it, with an example."""
    return "\n".join(say("report_setup.usage_line", key=key, label=say(spec.label).lower(), example=say(spec.example))
                     for key, spec in KEYS.items())


async def _target(storage: Storage, identity: Identity, args: list[str]) -> tuple[Unit | None, list[str], str]:
    """The unit whose settings are read or changed, the remaining arguments, and why not if None.
    A reporter: their commune. An admin: a province's code after the province keyword (its
    defaults), or a commune's code."""
    scope = identity.admin_provinces  # None: every province
    if identity.is_admin and args and is_keyword(args[0], "keywords.province") and len(args) > 1:
        unit = await storage.units.get(args[1].zfill(2))
        if unit is None or unit.kind != UnitKind.PROVINCE:
            return None, args, say("report_setup.no_province", code=args[1])
        if scope is not None and unit.code not in scope:
            return None, args, say("common.not_allowed")
        return unit, args[2:], ""
    if identity.is_admin and args and parse_id(args[0]) is not None and args[0] not in identity.communes:
        unit = await storage.units.get(args[0])
        if unit is None:
            return None, args, say("report_setup.no_unit", code=args[0])
        if scope is not None and unit.province_code not in scope:
            return None, args, say("common.not_allowed")
        return unit, args[1:], ""
    communes = identity.communes
    if args and parse_id(args[0]) is not None and args[0] in communes:
        return await storage.units.get(args[0]), args[1:], ""
    if communes:
        return await storage.units.get(communes[0]), args, ""
    if identity.is_admin:
        return None, args, say("report_setup.admin_help", usage=usage())
    return None, args, say("common.not_allowed")


def _parse_value(field_name: str, raw: str) -> object:
    if field_name == "signer_titles":
        return [part.strip() for part in raw.split("|") if part.strip()]
    if field_name == "distribution":
        return [part.strip() for part in raw.replace("\n", ";").split(";") if part.strip()]
    return raw.strip()


def _storage_shape(field_name: str, value: object) -> dict[str, object]:
    """Storage keeps the signer's two lines as signer_authority / signer_title."""
    if field_name == "signer_titles":
        lines = list(value) if isinstance(value, list) else [str(value)]
        if len(lines) == 1:
            return {"signer_authority": None, "signer_title": lines[0]}
        return {"signer_authority": lines[0], "signer_title": " ".join(lines[1:])}
    return {field_name: value}


def _shown(field_name: str, value: str) -> str:
    """A stored value as a reply shows it: cut at its limit, so that one stored before the limits
    existed (or written around them) never makes the reply too long for a messenger."""
    return cut(value, LIMITS.get(field_name, SHOWN_LIMIT))


async def current(storage: Storage, unit: Unit) -> str:
    """A commune's settings as its report prints them, or a province's defaults for its communes."""
    if unit.kind == UnitKind.COMMUNE:
        who = await report_unit(storage, unit)
        layers = await settings_layers(storage, unit.code, unit.province_code)
        resolved = effective_settings(who, layers).resolve(who.full_name, who.province_name)
        return "\n".join([
            say("report_setup.commune_head", unit=unit.full_name),
            say("report_setup.signer",
                value=_shown("signer_name", resolved.signer_name) or say("report_setup.not_set")),
            say("report_setup.titles", value=_shown("signer_titles", " / ".join(resolved.signer_titles))),
            say("report_setup.recipient", value=_shown("recipient", resolved.recipient)),
            say("report_setup.directive", value=_shown("directive", resolved.directive)),
            say("report_setup.distribution", value=_shown("distribution", "; ".join(resolved.distribution))),
            say("report_setup.place", value=_shown("place_name", resolved.place_name)),
        ])
    stored = await storage.unit_settings.get(unit.code)
    shown = stored.settings.model_dump(exclude_none=True, exclude_defaults=True, exclude={"extra"}) if stored else {}
    body = "\n".join(say("report_setup.province_setting", name=name, value=_shown(name, str(value)))
                     for name, value in shown.items())
    return say("report_setup.province_current", unit=unit.full_name,
               settings=body or say("report_setup.province_defaults_unset"), code=unit.code)


async def configure(storage: Storage, identity: Identity, args: Sequence[str], *, now: datetime) -> list[Reply]:
    """/caidat [province keyword and code | commune code] [key value]: the settings shown, or one
    changed."""
    unit, rest, why = await _target(storage, identity, list(args))
    if unit is None:
        return [Message(why)]
    if not rest:
        return [Message(say("report_setup.current_and_usage", current=await current(storage, unit), usage=usage()))]
    key = rest[0].lower()
    spec = KEYS.get(key)
    if spec is None or len(rest) < 2:
        return [Message(say("report_setup.which_key", usage=usage()))]
    label = say(spec.label)
    raw = " ".join(rest[1:]).strip()
    if utf16_len(raw) > spec.limit:
        refusal = say("arguments.too_long", what=f"«{label}»", length=format_count(utf16_len(raw)),
                      limit=format_count(spec.limit))
        return [Message(refusal + "\n" + say("report_setup.example_line", key=key, example=say(spec.example)))]
    changes = _storage_shape(spec.field, _parse_value(spec.field, raw))
    async with storage.db.transaction():
        await storage.unit_settings.update(unit.code, changes, identity.person.id if identity.person else None, now)
        await storage.audit.log("settings.update", now, actor=identity.actor, subject=unit.code,
                                detail={"key": key})
    return [Message(say("report_setup.saved", label=label, unit=unit.full_name, current=await current(storage, unit)))]

"""What a commune's report prints (``/caidat``): who signs, to whom, the directive, «Nơi nhận» and
the place, the title, how the period is written — read and changed by the commune's reporter, or by
an admin for a commune or a province's defaults (``/caidat <mã xã> …``, ``/caidat tinh <mã> …``)
within their provinces. Only an admin chooses the form variant (``mau``: the province's outline).

Every value has a length limit (as a messenger counts it), refused at entry with nothing stored; a
value stored too long before the limits is shown cut. Each change and its audit row are one
transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from bot.chat.access import Identity
from bot.chat.catalogue import say
from bot.chat.replies import Message, Reply
from bot.domain.arguments import is_keyword, parse_id
from bot.domain.forms import WEEKLY_FORM_ID, Form, variants_of
from bot.domain.message_length import cut, utf16_len
from bot.domain.numbers import format_count
from bot.domain.report_settings import NO_RECIPIENT, ReportSettings, signing_titles
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
    "tieude": Key("title", "form_variants.label_tieude", "form_variants.example_tieude", 300),
    "kybaocao": Key("period_wording", "form_variants.label_kybaocao", "form_variants.example_kybaocao", 20),
    "kyten": Key("signing", "form_variants.label_kyten", "form_variants.example_kyten", 10),
    "mau": Key("form_variant", "form_variants.label_mau", "form_variants.example_mau", 60),
}
WORDING_LABELS = {"week": "form_variants.wording_week", "as_of": "form_variants.wording_as_of",
                  "quarter": "form_variants.wording_quarter"}
# Settings the storage keeps under ``extra`` (the report settings of schema v2 have no column of them).
EXTRA_FIELDS = frozenset({"title", "period_wording", "form_variant"})

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
    if field_name == "recipient" and ReportSettings(recipient=raw).recipient == NO_RECIPIENT:
        return NO_RECIPIENT  # a word of keywords.no_recipient: no recipient line
    if field_name == "period_wording":  # tuan, tinhden («tính đến»), quy — or week, as_of, quarter
        try:
            return ReportSettings(period_wording=raw).period_wording
        except ValidationError:
            return None
    if field_name == "signing":
        return signing_titles(raw)
    if field_name == "signer_titles":
        return [part.strip() for part in raw.split("|") if part.strip()]
    if field_name == "distribution":
        return [part.strip() for part in raw.replace("\n", ";").split(";") if part.strip()]
    return raw.strip()


def _storage_shape(field_name: str, value: object) -> dict[str, object]:
    """Storage keeps the signer's two lines as signer_authority / signer_title."""
    if field_name in ("signer_titles", "signing"):
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
            say("report_setup.recipient",
                value=_shown("recipient", resolved.recipient) or say("form_variants.no_recipient")),
            say("report_setup.directive", value=_shown("directive", resolved.directive)),
            say("report_setup.distribution", value=_shown("distribution", "; ".join(resolved.distribution))),
            say("report_setup.place", value=_shown("place_name", resolved.place_name)),
            say("form_variants.shown_title", value=_shown("title", resolved.title) or say("form_variants.title_default")),
            say("form_variants.shown_wording", value=say(WORDING_LABELS[resolved.period_wording])),
            say("form_variants.shown_variant", value=resolved.form_variant or WEEKLY_FORM_ID),
        ])
    stored = await storage.unit_settings.get(unit.code)
    shown = stored.settings.model_dump(exclude_none=True, exclude_defaults=True, exclude={"extra"}) if stored else {}
    if stored is not None:  # the settings kept under extra (title, period wording, variant)
        shown.update({name: value for name, value in stored.settings.extra.items() if name in EXTRA_FIELDS})
    body = "\n".join(say("report_setup.province_setting", name=name, value=_shown(name, str(value)))
                     for name, value in shown.items())
    return say("report_setup.province_current", unit=unit.full_name,
               settings=body or say("report_setup.province_defaults_unset"), code=unit.code)


async def configure(storage: Storage, identity: Identity, args: Sequence[str], *, now: datetime,
                    forms: Mapping[str, Form] | None = None) -> list[Reply]:
    """/caidat [province keyword and code | commune code] [key value]: the settings shown, or one
    changed (``forms``: the forms loaded, whose variants ``mau`` chooses from)."""
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
    clear = spec.field in EXTRA_FIELDS and is_keyword(raw, "keywords.clear")
    value = None if clear else _parse_value(spec.field, raw)
    why_not = _refusal(spec, key, raw, value, identity, forms, clear)
    if why_not is not None:
        return [Message(why_not)]
    async with storage.db.transaction():
        if spec.field in EXTRA_FIELDS:
            await _store_extra(storage, unit.code, spec.field, value, identity, now)
        else:
            changes = _storage_shape(spec.field, value)
            await storage.unit_settings.update(unit.code, changes, identity.person.id if identity.person else None,
                                               now)
        await storage.audit.log("settings.update", now, actor=identity.actor, subject=unit.code,
                                detail={"key": key})
    return [Message(say("report_setup.saved", label=label, unit=unit.full_name, current=await current(storage, unit)))]


def _refusal(spec: Key, key: str, raw: str, value: object, identity: Identity, forms: Mapping[str, Form] | None,
             clear: bool) -> str | None:
    """Why a value is not taken (None: it is)."""
    example = say("report_setup.example_line", key=key, example=say(spec.example))
    if spec.field == "form_variant":
        if not identity.is_admin:
            return say("form_variants.variant_admin_only")
        choices = [form.id for form in variants_of(forms or {}, WEEKLY_FORM_ID)]
        if not clear and raw not in choices and raw != WEEKLY_FORM_ID:
            return say("form_variants.unknown_variant", name=raw,
                       choices=", ".join([WEEKLY_FORM_ID, *choices])) + "\n" + example
    elif value is None and not clear:
        return say("form_variants.bad_value", label=say(spec.label)) + "\n" + example
    return None


async def _store_extra(storage: Storage, unit_code: str, field_name: str, value: object, identity: Identity,
                       now: datetime) -> None:
    """A setting kept under ``extra`` (None or the weekly form itself: removed, the default again)."""
    stored = await storage.unit_settings.get(unit_code)
    extra = dict(stored.settings.extra) if stored is not None else {}
    if value is None or value == WEEKLY_FORM_ID and field_name == "form_variant":
        extra.pop(field_name, None)
    else:
        extra[field_name] = str(value)
    await storage.unit_settings.update(unit_code, {"extra": extra}, identity.person.id if identity.person else None,
                                       now)

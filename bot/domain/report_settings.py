"""What a commune's report file says besides the figures: who signs it, whom it is sent to, which
directive it answers, the "Nơi nhận" list, the issuer lines and the place in the date line.

Each commune may override any of them; what it leaves unset comes from the province-wide defaults
(:func:`province_defaults`, then :func:`merge`). What stays unset after that is derived from the
unit itself when the report is built (:meth:`ReportSettings.resolve`): the place name is the
commune's name without "Xã"/"Phường", the issuer lines are "ỦY BAN NHÂN DÂN" and the commune's full
name in capitals. Nothing here knows about Telegram or storage; storage keeps the overrides as JSON.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from bot.chat.catalogue import say
from bot.domain.arguments import is_keyword

DEFAULT_SIGNER_TITLES = (say("report_document.signer_title_for"), say("report_document.signer_title"))
DEFAULT_NUMBER_SUFFIX = "/BC-UBND"
DEFAULT_ISSUER_AUTHORITY = say("report_document.issuer_authority")
DEFAULT_ARCHIVE_LINE = say("report_document.archive_line")

# The words a unit's full name begins with (matched, to write the name without them).
_DIVISION_PREFIXES = ("Đặc khu", "Thành phố", "Phường", "Tỉnh", "Xã")
# An archive line the commune wrote itself ("Lưu: VT, VP") begins with this word (matched).
_ARCHIVE_WORD = "lưu"
_KINH_GUI = re.compile(r"^\s*kính\s+gửi\s*:?\s*", re.IGNORECASE)
_LINE_MARK = re.compile(r"^\s*[-–—+•*]\s*")
_SPACES = re.compile(r"\s+")
# A recipient written as one of the words of ``keywords.no_recipient`` means no "Kính gửi" line.
NO_RECIPIENT = "-"
PeriodWording = Literal["week", "as_of", "quarter"]


def short_name(full_name: str) -> str:
    """"Xã Phước Giang" → "Phước Giang"; "Đặc khu Phú Quốc" → "Phú Quốc"; others unchanged."""
    text = _SPACES.sub(" ", full_name).strip()
    for prefix in _DIVISION_PREFIXES:
        if text.lower().startswith(prefix.lower() + " "):
            return text[len(prefix) + 1 :].strip()
    return text


def lower_division(full_name: str) -> str:
    """"Xã Phước Giang" → "xã Phước Giang", "Tỉnh Quảng Ngãi" → "tỉnh Quảng Ngãi" (as in running text)."""
    text = _SPACES.sub(" ", full_name).strip()
    for prefix in _DIVISION_PREFIXES:
        if text.lower().startswith(prefix.lower() + " "):
            return prefix.lower() + text[len(prefix) :]
    return text


class ReportSettings(BaseModel):
    """Settings printed in a report; ``None`` (or an empty list) means "not set here".

    - ``signer_titles``: the lines above the signature, e.g. ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"] or
      ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]; printed in capitals.
    - ``signer_name``: the signer's full name; empty leaves the space blank for a hand-written name.
    - ``recipient``: "Sở Khoa học và Công nghệ tỉnh …" (a leading "Kính gửi:" is dropped: the
      template writes it).
    - ``directive``: the opening "Thực hiện Công văn số … về việc …" (without the closing
      "…báo cáo như sau:", which the template adds).
    - ``distribution``: the "Nơi nhận" lines without the dash and the final ";"/"."; the archive
      line "Lưu: VT, …" comes last (added when missing).
    - ``place_name``: the place in the header date line.
    - ``issuer_lines``: the issuer block, top left, e.g. ["ỦY BAN NHÂN DÂN", "XÃ PHƯỚC GIANG"].
    - ``number_suffix``: what follows the blank number, "/BC-UBND".
    - ``title``: the line under "BÁO CÁO" (None: the template's own, "Kết quả giải quyết …").
    - ``period_wording``: how the period is written: ``week`` "(tuần 39/2025, từ ngày … đến
      ngày …)", ``as_of`` "(tính đến hết ngày 15/10/2025)" (the report's data cut-off: the
      period's last day) or ``quarter`` "Quý III/2025".
    - ``form_variant``: the form variant (its id) the commune answers, e.g. "tthc-weekly-danh-gia".
    - ``signing`` (input only): "TM" or "KT" sets ``signer_titles`` to "TM. ỦY BAN NHÂN DÂN /
      CHỦ TỊCH" or "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH".

    A ``recipient`` of "-" or "không" (NO_RECIPIENT) prints no "Kính gửi" line.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    signer_titles: list[str] | None = None
    signer_name: str | None = None
    recipient: str | None = None
    directive: str | None = None
    distribution: list[str] | None = None
    place_name: str | None = None
    issuer_lines: list[str] | None = None
    number_suffix: str | None = None
    title: str | None = None
    period_wording: PeriodWording | None = None
    form_variant: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _signing(cls, data: object) -> object:
        """``signing: TM`` or ``KT`` (any case, with or without the dot) → its two title lines."""
        if isinstance(data, Mapping) and data.get("signing") not in (None, ""):
            lines = signing_titles(str(data["signing"]))
            if lines is None:
                raise ValueError(f"signing must be TM or KT, not {data['signing']!r}")
            data = {key: value for key, value in data.items() if key != "signing"}
            data["signer_titles"] = lines
        return data

    @model_validator(mode="before")
    @classmethod
    def _split_signer(cls, data: object) -> object:
        """Accept what storage keeps: the pair ``signer_authority`` "KT. CHỦ TỊCH" and
        ``signer_title`` "PHÓ CHỦ TỊCH" as ``signer_titles``, and fields kept under ``extra``."""
        if isinstance(data, Mapping) and isinstance(data.get("extra"), Mapping):
            known = {k: v for k, v in data["extra"].items() if k in cls.model_fields and data.get(k) in (None, [], "")}
            data = {**data, **known}
        if isinstance(data, Mapping) and not data.get("signer_titles"):
            pair = [data.get("signer_authority"), data.get("signer_title")]
            lines = [line for line in pair if isinstance(line, str) and line.strip()]
            if lines:
                data = {**data, "signer_titles": lines}
        return data

    @field_validator("signer_name", "place_name", "number_suffix", "title", "form_variant", mode="before")
    @classmethod
    def _strip(cls, value: object) -> object:
        if isinstance(value, str):
            return _SPACES.sub(" ", value).strip()
        return value

    @field_validator("recipient", mode="before")
    @classmethod
    def _recipient(cls, value: object) -> object:
        if isinstance(value, str):
            stripped = _SPACES.sub(" ", value).strip()
            if stripped and is_keyword(stripped.rstrip(" ."), "keywords.no_recipient"):
                return NO_RECIPIENT
            value = _KINH_GUI.sub("", stripped).rstrip(" .;,")
            return value or None
        return value

    @field_validator("period_wording", mode="before")
    @classmethod
    def _wording(cls, value: object) -> object:
        if isinstance(value, str):
            word = " ".join(value.split())
            return next((wording for wording, key in _WORDING_KEYWORDS.items() if is_keyword(word, key)),
                        word or None)
        return value

    @field_validator("directive", mode="before")
    @classmethod
    def _directive(cls, value: object) -> object:
        if isinstance(value, str):
            value = _SPACES.sub(" ", value).strip().rstrip(" .;,:")
            return value or None
        return value

    @field_validator("signer_titles", "issuer_lines", mode="before")
    @classmethod
    def _lines_upper(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.replace("/", "\n").splitlines()
        if isinstance(value, list | tuple):
            lines = [_SPACES.sub(" ", str(v)).strip().upper() for v in value]
            return [line for line in lines if line] or None
        return value

    @field_validator("distribution", mode="before")
    @classmethod
    def _distribution(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.splitlines()
        if isinstance(value, list | tuple):
            lines = []
            for item in value:
                line = _LINE_MARK.sub("", _SPACES.sub(" ", str(item)).strip()).rstrip(" ;.,")
                if line:
                    lines.append(line)
            return lines or None
        return value

    def overrides(self) -> dict[str, Any]:
        """The fields set here (neither None nor empty), as a plain dict: what storage keeps."""
        return {k: v for k, v in self.model_dump().items() if v not in (None, [], "")}

    def resolve(
        self, unit_full_name: str, province_full_name: str | None = None
    ) -> ResolvedReportSettings:
        """Every setting filled in: what is unset here is derived from the unit."""
        distribution = list(self.distribution or [])
        if not distribution or not distribution[-1].lower().startswith(_ARCHIVE_WORD):
            distribution.append(DEFAULT_ARCHIVE_LINE)
        recipient = self.recipient
        if recipient is None:
            recipient = default_recipient(province_full_name) if province_full_name else ""
        elif recipient == NO_RECIPIENT:
            recipient = ""
        return ResolvedReportSettings(
            signer_titles=list(self.signer_titles or DEFAULT_SIGNER_TITLES),
            signer_name=self.signer_name or "",
            recipient=recipient,
            directive=self.directive or "",
            distribution=distribution,
            place_name=self.place_name or short_name(unit_full_name),
            issuer_lines=list(
                self.issuer_lines or [DEFAULT_ISSUER_AUTHORITY, _SPACES.sub(" ", unit_full_name).strip().upper()]
            ),
            number_suffix=self.number_suffix or DEFAULT_NUMBER_SUFFIX,
            title=self.title or "",
            period_wording=self.period_wording or "week",
            form_variant=self.form_variant or "",
        )


class ResolvedReportSettings(BaseModel):
    """Every setting of one report, filled in (see :meth:`ReportSettings.resolve`)."""

    model_config = ConfigDict(frozen=True)

    signer_titles: list[str]
    signer_name: str
    recipient: str
    directive: str
    distribution: list[str]
    place_name: str
    issuer_lines: list[str]
    number_suffix: str
    title: str = ""  # empty: the template's own title
    period_wording: PeriodWording = "week"
    form_variant: str = ""  # empty: the form itself


# The words of each period wording, in the catalogue (the setting's value, or the words typed in chat).
_WORDING_KEYWORDS: dict[PeriodWording, str] = {
    "week": "keywords.wording_week", "as_of": "keywords.wording_as_of", "quarter": "keywords.wording_quarter",
}


def signing_titles(signing: str) -> list[str] | None:
    """"TM" → ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]; "KT" → ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]; else None."""
    word = signing.strip().rstrip(".")
    if is_keyword(word, "keywords.signing_tm"):
        return [say("form_variants.signing_tm_for"), say("form_variants.signing_tm_title")]
    if is_keyword(word, "keywords.signing_kt"):
        return list(DEFAULT_SIGNER_TITLES)
    return None


def default_recipient(province_full_name: str) -> str:
    """"Tỉnh Quảng Ngãi" → "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi"."""
    return say("report_document.recipient", province=lower_division(province_full_name))


def province_defaults(province_full_name: str) -> ReportSettings:
    """The defaults for every commune of a province, before an admin changes them."""
    recipient = default_recipient(province_full_name)
    return ReportSettings(
        signer_titles=list(DEFAULT_SIGNER_TITLES),
        recipient=recipient,
        directive=say("report_document.directive", recipient=recipient),
        distribution=[say("report_document.distribution_above"), say("report_document.distribution_party"),
                      say("report_document.distribution_chairs"), say("report_document.distribution_archive")],
        number_suffix=DEFAULT_NUMBER_SUFFIX,
    )


def merge(
    defaults: ReportSettings | Mapping[str, Any] | None,
    overrides: ReportSettings | Mapping[str, Any] | None,
) -> ReportSettings:
    """The defaults with every field the overrides set (not None, not empty) taking precedence.

    Either side may be a ReportSettings or a mapping of its fields (e.g. JSON from storage).
    """
    base = _coerce(defaults)
    top = _coerce(overrides)
    return base.model_copy(update=top.overrides())


def _coerce(value: ReportSettings | Mapping[str, Any] | None) -> ReportSettings:
    if value is None:
        return ReportSettings()
    if isinstance(value, ReportSettings):
        return value
    return ReportSettings.model_validate(dict(value))

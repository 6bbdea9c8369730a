"""The commune's report: everything the .docx template prints, pre-formatted (domain.md, "Writing
numbers and dates"), and the report's file name.

:func:`build_context` turns a form's answers into the template's variables. The template
(``templates/bao-cao-tuan.docx``, docxtpl) holds the wording; this module only formats values, so
officials can change sentences in Word without touching code. Nothing here knows about Telegram
or storage.

Template variables (all strings unless said otherwise; "—" for a rate whose denominator is 0):

unit and issuer
    ``unit_code`` "21370", ``unit_name`` "Phước Giang", ``unit_full_name`` "Xã Phước Giang",
    ``unit_full_name_lower`` "xã Phước Giang", ``province_name`` "Tỉnh Quảng Ngãi",
    ``authority_short`` "UBND xã Phước Giang", ``issuer_lines`` (list) ["ỦY BAN NHÂN DÂN",
    "XÃ PHƯỚC GIANG"], ``number_suffix`` "/BC-UBND", ``place_name`` "Phước Giang",
    ``header_date`` "Phước Giang, ngày 05 tháng 02 năm 2026", ``report_date`` "05/02/2026"
settings
    ``recipient`` "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi" (the template writes "Kính gửi:"),
    ``directive`` "Thực hiện Công văn số …" (may be empty), ``distribution_lines`` (list)
    ["- Như trên;", …, "- Lưu: VT, VHXH."], ``signer_titles`` (list) ["KT. CHỦ TỊCH",
    "PHÓ CHỦ TỊCH"], ``signer_name``
period
    ``period_key`` "2025-W50", ``period_noun`` "tuần" | "tháng", ``period_number`` "50",
    ``period_year`` "2025", ``period_label`` "Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025)",
    ``period_range`` "từ ngày 08/12 đến 14/12/2025", ``period_start`` "08/12/2025",
    ``period_end`` "14/12/2025", ``form_id``, ``form_title``
period as the settings word it (``period_wording``: week, as_of, quarter)
    ``period_heading`` the line under the title: "(tuần 50/2025, từ ngày 08/12 đến 14/12/2025)",
    "(tính đến hết ngày 14/12/2025)" or "Quý IV/2025"; ``period_phrase`` the same in running text:
    "tuần 50/2025", "tính đến hết ngày 14/12/2025", "Quý IV/2025"; ``period_closing`` in the closing
    sentence: "tuần từ ngày 08/12 đến 14/12/2025" (else as ``period_phrase``);
    ``period_intro`` the figures' lead-in: "Trong tuần (từ ngày 08/12 đến 14/12/2025)", "Tính đến
    hết ngày 14/12/2025", "Trong Quý IV/2025"; ``period_wording`` the setting itself
title
    ``report_title`` the line under "BÁO CÁO" (the setting ``title``, else the template's own
    wording passed through: empty)
figures
    every count field by its id ("1.794"): ``carried_over``, ``received_online_full``,
    ``received_online_partial``, ``received_in_person``, ``received_postal``, ``resolved_early``,
    ``resolved_on_time``, ``resolved_late``, ``pending_in_time``, ``pending_overdue``,
    ``withdrawn``, ``digitized``, ``e_results``; the derived ``received_new``,
    ``received_total``, ``resolved``, ``pending`` (and any other derived figure of the form)
rates
    ``online_rate``, ``on_time_rate``, ``digitization_rate``, ``e_result_rate``, the channel
    shares of the new dossiers ``share_online_full`` (the full-online rate), ``share_online_partial``,
    ``share_in_person``, ``share_postal`` ("66,64%"), and any other rate of the form by its id;
    ``full_online_rate`` is kept as another name of ``share_online_full`` (the form listed that
    rate twice; templates written before still use it)
texts
    every text field by its id (newlines become line breaks) and as ``<id>_lines`` (list, one
    paragraph per non-empty line and per sub-item a line runs on with, "…: a) …; b) …", see
    bot/domain/paragraphs.py): ``legal``, ``infrastructure``, ``resources``, ``difficulties``,
    ``proposals``, ``overdue_reasons``
conditions (booleans)
    ``has_received_new``, ``has_resolved``, ``has_resolved_late``, ``has_pending_overdue``,
    ``has_overdue`` (late or overdue dossiers), ``has_overdue_reasons``, ``has_withdrawn``,
    ``has_explanations``
blanks
    ``blank`` (dict, every figure's id → bool): True for the figures answered ``blanks.button`` and
    those computed from them (``{% if blank.digitized %}``); such a figure prints "chưa có số liệu", a rate with a
    blank part "—"; ``received_online`` is the online total answered when the split is blank
explanations of soft-check breaks
    ``explanations`` (list of {``check_id``, ``message``, ``reason``}); ``message`` is the
    check's own sentence naming the numbers
raw values
    ``raw`` (dict): the unformatted ints and rates (Decimal or None) by id, for new templates
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from bot.chat.catalogue import say
from bot.domain.numbers import (
    format_count,
    format_date,
    format_date_range,
    format_header_date,
    format_percent,
)
from bot.domain.paragraphs import paragraphs
from bot.domain.report_settings import ReportSettings, ResolvedReportSettings, lower_division, short_name
from bot.domain.text import fold, keep_numbers_whole, slug
from bot.domain.values import compute

if TYPE_CHECKING:
    from bot.domain.forms import Form

DEFAULT_FORM = Path(__file__).resolve().parents[2] / "templates" / "forms" / "tthc-weekly.yaml"


@cache
def default_form() -> Form:
    """The weekly form shipped in templates/forms, for previews made without one."""
    from bot.domain.forms import load_form

    return load_form(DEFAULT_FORM)


# Characters XML 1.0 cannot hold, plus those docxtpl turns into breaks (\a paragraph, \f page).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_BLANKS = re.compile(r"[ \t\u00a0]+")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_PROMPTS = ("anh/chi", "anh chi", "vui long", "xin vui long", "de nghi anh", "ban vui long")
_NOTHING = {"khong", "khong co", "khong co gi", "khong co y kien", "khong co kien nghi", "khong co kho khan"}
_WEEK_KEY = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH_KEY = re.compile(r"^(\d{4})-(\d{2})$")
# Template variables renamed or merged, by their old name: uploaded templates still use them.
RENAMED = {"full_online_rate": "share_online_full"}


class PeriodLike(Protocol):
    """What the report needs of a period (``bot.domain.periods.PeriodInfo`` has it)."""

    @property
    def starts_on(self) -> date: ...

    @property
    def ends_on(self) -> date: ...


class CheckLike(Protocol):
    """A check that fired (``bot.domain.evaluate.CheckResult``); ``key`` is used when present."""

    @property
    def check_id(self) -> str: ...  # read-only: CheckResult is frozen

    @property
    def message(self) -> str: ...


@dataclass(frozen=True)
class ReportUnit:
    """The commune a report is about (from the official list)."""

    code: str  # "21370"
    full_name: str  # "Xã Phước Giang"
    province_name: str = ""  # "Tỉnh Quảng Ngãi"
    name: str = ""  # "Phước Giang"; derived from full_name when empty

    @property
    def short_name(self) -> str:
        return self.name or short_name(self.full_name)

    @property
    def authority_short(self) -> str:
        """"UBND xã Phước Giang", "UBND phường Cửa Nam"."""
        return f"UBND {lower_division(self.full_name)}"


# --- file names ------------------------------------------------------------------------------


def report_filename(period_key: object, unit_full_name: str, version: int = 1) -> str:
    """"BC-tuan-2025-W50-xa-phuoc-giang.docx"; a month: "BC-thang-2025-12-xa-phuoc-giang.docx"; a
    second version of the report: "BC-tuan-2025-W50-xa-phuoc-giang-lan-2.docx"."""
    key = str(period_key).strip()
    if _WEEK_KEY.match(key):
        prefix = "BC-tuan"
    elif _MONTH_KEY.match(key):
        prefix = "BC-thang"
    else:
        prefix = "BC"
        key = slug(key)
    unit = slug(unit_full_name) or "don-vi"
    again = f"-lan-{version}" if version > 1 else ""
    return f"{prefix}-{key}-{unit}{again}.docx"


# --- texts -----------------------------------------------------------------------------------


def clean_text(value: object) -> str:
    """An official's text made safe to print: newlines normalised, control characters and runs of
    blanks removed, blank lines dropped, document numbers kept whole on one line
    (:func:`~bot.domain.text.keep_numbers_whole`); ``& < >`` are left as they are (the renderer escapes)."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = _CONTROL.sub("", text)
    lines = [_BLANKS.sub(" ", line).strip() for line in text.split("\n")]
    return keep_numbers_whole("\n".join(line for line in lines if line))


def distribution_lines(lines: Iterable[str]) -> list[str]:
    """["Như trên", "Lưu: VT, VHXH"] → ["- Như trên;", "- Lưu: VT, VHXH."]."""
    items = [line for line in lines if line]
    return [f"- {line}{'.' if index == len(items) - 1 else ';'}" for index, line in enumerate(items)]


# --- the context -----------------------------------------------------------------------------


def _as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _period_parts(period: PeriodLike, period_key: str | None) -> dict[str, str]:
    key = str(period_key if period_key is not None else getattr(period, "key", ""))
    kind = getattr(getattr(period, "key", None), "kind", None)
    if match := _WEEK_KEY.match(key):
        kind, year, number = "weekly", match[1], str(int(match[2]))
    elif match := _MONTH_KEY.match(key):
        kind, year, number = "monthly", match[1], str(int(match[2]))
    else:
        year, number = str(period.ends_on.year), ""
    noun = say("dates.month_noun") if kind == "monthly" else say("dates.week_noun")
    range_text = format_date_range(period.starts_on, period.ends_on)
    short = say("dates.month" if kind == "monthly" else "dates.week", number=number, year=year)
    label = f"{short} ({range_text})" if number else range_text
    return {
        "period_key": key,
        "period_noun": noun,
        "period_number": number,
        "period_year": year,
        "period_label": str(getattr(period, "label", "") or label),
        "period_range": range_text,
        "period_start": format_date(period.starts_on),
        "period_end": format_date(period.ends_on),
    }


ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")  # quarters, group numbers
def _period_wording(period: PeriodLike, parts: Mapping[str, str], wording: str) -> dict[str, str]:
    """The period as the settings word it: a week, "tính đến hết ngày …" or a quarter."""
    end = period.ends_on
    intro = say("form_variants.period_intro", noun=parts["period_noun"], range=parts["period_range"])
    if wording == "as_of":
        phrase = say("form_variants.period_as_of", date=format_date(end))
        heading, closing = f"({phrase})", phrase
        intro = phrase[:1].upper() + phrase[1:]
    elif wording == "quarter":
        phrase = say("form_variants.period_quarter", quarter=ROMAN[(end.month - 1) // 3], year=end.year)
        heading, closing = phrase, phrase
        intro = say("form_variants.period_intro_quarter", quarter=phrase)
    else:
        short = f"{parts['period_noun']} {parts['period_number']}/{parts['period_year']}"
        phrase = short if parts["period_number"] else parts["period_range"]
        heading = f"({short}, {parts['period_range']})" if parts["period_number"] else f"({phrase})"
        closing = f"{parts['period_noun']} {parts['period_range']}"
    return {"period_heading": heading, "period_phrase": phrase, "period_closing": closing, "period_intro": intro,
            "period_wording": wording}


def _setting_parts(resolved: ResolvedReportSettings) -> dict[str, Any]:
    """The settings as printed: document numbers kept whole on one line."""
    return {
        "report_title": keep_numbers_whole(resolved.title),
        "recipient": keep_numbers_whole(resolved.recipient),
        "directive": keep_numbers_whole(resolved.directive),
        "distribution_lines": [keep_numbers_whole(line) for line in distribution_lines(resolved.distribution)],
        "signer_titles": resolved.signer_titles,
        "signer_name": resolved.signer_name,
    }


def _fill(template: str, values: Mapping[str, str]) -> str:
    """Fills the "{name}" placeholders it knows and leaves the others as they were."""
    return _PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), template)


def _reason(value: object) -> str:
    """An explanation as stored: the reason itself, or a mapping holding it under "reason"."""
    if isinstance(value, Mapping):
        value = value.get("reason")
    return clean_text(value)


def _fallback_message(form: Form, key: str, formatted: Mapping[str, str]) -> str | None:
    """The check's message filled from the report's own figures, when the check does not fire
    now (e.g. an outlier, whose history is not at hand); None when it cannot be filled."""
    check_id, _, subject = key.partition(":")
    try:
        check = form.check(check_id)
    except KeyError:
        return None
    values = dict(formatted)
    if subject:
        try:
            values.update(
                label=form.label_of(subject), short_label=form.label_of(subject, short=True),
                value=formatted.get(subject, "?"),
            )
        except KeyError:
            return None
    message = " ".join(_fill(check.message or "", values).split())
    if _PLACEHOLDER.search(message):
        if subject:
            return say("report_document.outlier", label=values["label"], value=values["value"])
        return None
    return message


def _for_report(message: str) -> str:
    """A check's message without the sentences addressed to the reporter ("Anh/Chị vui lòng
    kiểm tra lại, …"): the report states the finding, not the prompt."""
    sentences = _SENTENCE_END.split(message)
    kept = [s for s in sentences if not fold(s).startswith(_PROMPTS)]
    return " ".join(kept).strip()


def _rule_holds(form: Form, key: str, values: Any) -> bool:
    """Whether the rule check ``key`` is known to hold for these values (False when unknown)."""
    try:
        check = form.check(key)
    except KeyError:
        return False
    require = getattr(check, "require", None)
    return require is not None and require.evaluate(values) is True


def _explanations(
    form: Form | None,
    explanations: Mapping[str, object] | None,
    checks: Sequence[CheckLike],
    formatted: Mapping[str, str],
    values: Any = None,
) -> list[dict[str, str]]:
    """The explanations of soft-check breaks, in the form's check order, each with the check's
    sentence naming the numbers (from ``checks`` when it fires, else filled from the figures).
    An explanation of a rule that the figures now satisfy (they were corrected after it was
    given) is left out."""
    if not explanations:
        return []
    fired: dict[str, str] = {}
    for check in checks:
        fired.setdefault(str(getattr(check, "key", check.check_id)), check.message)
        fired.setdefault(check.check_id, check.message)
    order = [check.id for check in form.checks] if form is not None else []

    def position(key: str) -> tuple[int, str]:
        base = key.partition(":")[0]
        return (order.index(base) if base in order else len(order), key)

    items = []
    for key in sorted(explanations, key=position):
        reason = _reason(explanations[key])
        if not reason:
            continue
        message = fired.get(key)
        if message is None and form is not None:
            if values is not None and _rule_holds(form, key, values):
                continue
            message = _fallback_message(form, key, formatted)
        message = _for_report(clean_text(message)) or say("report_document.check_failed")
        if message[-1] not in ".!?:;":
            message += "."
        items.append({"check_id": key, "message": message, "reason": reason})
    return items


def build_context(
    form: Form | None,
    answers: Mapping[str, object],
    *,
    unit: ReportUnit,
    period: PeriodLike,
    settings: ReportSettings | None = None,
    report_date: date,
    explanations: Mapping[str, object] | None = None,
    previous: Mapping[str, object] | None = None,
    checks: Sequence[CheckLike] | None = None,
    period_key: str | None = None,
) -> dict[str, Any]:
    """The template's variables for one commune's report (see the module docstring).

    ``answers`` are keyed by the form's field ids (ints for counts, strings for texts);
    ``explanations`` map a soft check's key (its id, or "outlier:<field id>") to the reason the
    official gave for keeping the figures; ``checks`` are the checks the answers break (their messages name the numbers; when
    not given they are evaluated here, if the form's evaluator is available). ``settings`` are the
    commune's settings merged with the province's defaults; what is still unset is derived from
    the unit.
    """
    resolved = (settings or ReportSettings()).resolve(unit.full_name, unit.province_name or None)

    form = form or default_form()
    # An unanswered count prints as 0; every derived figure and rate then comes from the form. A
    # blank (``blanks.button``: None given for an optional count) stays blank.
    filled: dict[str, int | str | None] = {}
    for field in form.fields:
        if field.kind == "count" and field.optional and field.id in answers and answers[field.id] is None:
            filled[field.id] = None
        elif field.kind == "count" and field.ask_if is not None and field.optional and field.id not in answers:
            continue  # asked only in some cases (the online total): not 0 when it was not asked
        elif field.kind == "count":
            filled[field.id] = _as_int(answers.get(field.id)) or 0
        elif isinstance(answers.get(field.id), str):
            filled[field.id] = str(answers.get(field.id))
    values = compute(form, filled, previous)
    raw: dict[str, Any] = {f.id: filled[f.id] for f in form.count_fields if f.id in filled}
    raw.update(values.derived)
    rates: dict[str, Decimal | None] = dict(values.rates)

    def count(ident: str) -> int:
        return int(raw.get(ident) or 0)

    raw.update(rates)

    context: dict[str, Any] = {}
    for ident, value in raw.items():
        if ident in rates:
            context[ident] = format_percent(value)
        elif isinstance(value, int):
            context[ident] = format_count(value)
    idents = [*(f.id for f in form.count_fields), *(d.id for d in form.derived), *(r.id for r in form.rates)]
    blank = {ident: ident in values.blanks for ident in idents}
    for ident in values.blanks:
        context[ident] = say("blanks.no_data")
    for old, new in RENAMED.items():
        if new in context and old not in context:
            context[old] = context[new]
            raw[old] = raw[new]

    texts: dict[str, object] = {field.id: answers.get(field.id) for field in form.text_fields}
    for ident, value in texts.items():
        text = clean_text(value)
        if ident != "overdue_reasons" and fold(text).rstrip(".") in _NOTHING:
            text = ""  # "Không": the template prints its own "Không có."
        context[ident] = text
        context[f"{ident}_lines"] = paragraphs(text)  # each line, and each sub-item it runs on

    if checks is None:
        checks = _evaluate_checks(form, answers, previous)
    formatted = dict(context)
    if previous:
        before = compute(form, previous)
        for ident, value in before.as_dict().items():
            if isinstance(value, int) and not isinstance(value, bool):
                formatted[f"previous.{ident}"] = format_count(value)
    items = _explanations(form, explanations, checks or [], formatted, values)

    has_overdue = count("resolved_late") + count("pending_overdue") > 0
    periods = _period_parts(period, period_key)
    periods.update(_period_wording(period, periods, resolved.period_wording))
    context.update(
        {
            "form_id": form.id,
            "form_title": form.title,
            "unit_code": unit.code,
            "unit_name": unit.short_name,
            "unit_full_name": unit.full_name,
            "unit_full_name_lower": lower_division(unit.full_name),
            "province_name": unit.province_name,
            "authority_short": unit.authority_short,
            "issuer_lines": resolved.issuer_lines,
            "number_suffix": resolved.number_suffix,
            "place_name": resolved.place_name,
            "header_date": format_header_date(resolved.place_name, report_date),
            "report_date": format_date(report_date),
            **_setting_parts(resolved),
            **periods,
            "has_received_new": count("received_new") > 0,
            "has_resolved": count("resolved") > 0,
            "has_resolved_late": count("resolved_late") > 0,
            "has_pending_overdue": count("pending_overdue") > 0,
            "has_overdue": has_overdue,
            "has_overdue_reasons": has_overdue and bool(context.get("overdue_reasons")),
            "has_withdrawn": count("withdrawn") > 0,
            "blank": blank,  # figures answered ``blanks.button`` (and those computed from them)
            "explanations": items,
            "has_explanations": bool(items),
            "raw": raw,
        }
    )
    return context


def _evaluate_checks(
    form: Form, answers: Mapping[str, object], previous: Mapping[str, object] | None
) -> list[Any]:
    """The checks the answers break, when the form's evaluator is available (else none)."""
    try:
        from bot.domain.evaluate import evaluate_checks
    except ImportError:  # pragma: no cover - the evaluator ships with the forms
        return []
    try:
        return list(evaluate_checks(form, answers, previous))
    except Exception:  # a report must still render when a check cannot be evaluated
        return []

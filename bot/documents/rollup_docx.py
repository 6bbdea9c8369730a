"""The province's rollup as a .docx in the official layout (Nghị định 30/2020/NĐ-CP), issued by the
Department of Science and Technology ("Số:      /BC-SKHCN"), from ``templates/bao-cao-tong-hop.docx``
(docxtpl; written by ``templates/src/make_bao_cao_tong_hop.py``, editable in Word).

:func:`build_docx_context` turns a :class:`~bot.domain.rollup.Rollup` into the template's variables,
all pre-formatted strings ("1.794", "66,64%", "—" for a rate without a denominator):

issuer and signature
    ``issuer_parent`` "UBND TỈNH THÁI NGUYÊN", ``issuer_name`` "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
    ``number_suffix`` "/BC-SKHCN", ``header_date`` "Thái Nguyên, ngày 18 tháng 12 năm 2025",
    ``recipient`` "Ủy ban nhân dân tỉnh Thái Nguyên", ``distribution_lines`` (list),
    ``signer_titles`` (list), ``signer_name``
title and text
    ``title_line``, ``period_line`` "Tuần 50/2025, từ ngày 08/12 đến 14/12/2025", ``intro``,
    ``closing``
1. completeness
    ``completeness_lines`` (list), ``missing_line`` (the communes that did not report)
2. figures
    ``figure_lines`` (list of sentences with the summed figures and the rates from the sums: the
    form file's ``rollup.docx.figures``), ``change_lines`` (list), ``previous_label``; the table:
    ``figures_heading`` (the part's heading, the form file's ``rollup.docx.heading``: the
    template's own if empty), ``table_caption``, ``col_unit``, ``col_when``, ``col_state``, ``heads`` (a figure column's
    heading by its key, the form file's ``rollup.docx.headings``: the template's own if absent), ``rows`` (list of {``stt``,
    ``name``, one key per column of the form file's ``rollup.docx.columns`` — the keys the
    template prints, see templates/forms/tthc-weekly.yaml —, ``when``, ``state``}), ``total``
    (the same keys, for the totals row), ``table_note``
3. anomalies
    ``anomaly_summary`` ("" when there is none), ``anomalies`` (list of {``unit``, ``label``,
    ``message``, ``explanation``}; empty in a national rollup, whose summary counts them by province)
4. difficulties and proposals
    ``themes`` (list of {``label``, ``count`` "12 đơn vị", ``quotes`` [{``unit``, ``text``}],
    ``more``}), ``raised`` (list of {``unit``, ``entries`` [{``label``, ``text``}]}), by commune;
    ``raised_note``, printed when ``raised`` is empty

A national rollup's table has one row per province (``col_when`` "Đã nộp", ``col_state`` "Bất
thường"); every commune is in the .xlsx.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from bot.chat.catalogue import say
from bot.documents.render import render_report
from bot.documents.report import distribution_lines
from bot.domain.forms import RuleCheck
from bot.domain.numbers import format_count, format_date_range, format_header_date, format_percent, rate
from bot.domain.report_settings import lower_division, short_name
from bot.domain.rollup import (
    ANOMALY_LABELS,
    APPROVAL_LABELS,
    STATE_LABELS,
    CommuneRow,
    Completeness,
    Rollup,
    count_text,
    format_moment,
    list_names,
    raised_texts,
    rate_text,
)
from bot.domain.rollup_figures import count_of, label_of
from bot.domain.rollup_figures import kind_of as figure_kind
from bot.domain.rollup_spec import DocxSpec
from bot.domain.text import fold, keep_numbers_whole
from bot.domain.themes import words
from bot.domain.values import compute

TEMPLATE_NAME = "bao-cao-tong-hop.docx"
QUOTES_PER_THEME = 5


@dataclass(frozen=True)
class RollupSettings:
    """Who issues and signs the rollup; what is empty is derived from the province."""

    issuer_parent: str | None = None
    issuer_name: str | None = None
    issuer_in_text: str | None = None  # the issuer as running text names it: "Sở Khoa học và Công nghệ"
    number_suffix: str | None = None
    place_name: str | None = None
    recipient: str | None = None
    directive: str | None = None
    distribution: Sequence[str] = field(default_factory=tuple)
    signer_titles: Sequence[str] = field(default_factory=tuple)
    signer_name: str = ""

    @classmethod
    def from_mapping(cls, data: Any) -> RollupSettings:
        """From stored JSON (unknown keys ignored; lists may be written as text, one per line)."""
        if not isinstance(data, dict):
            return cls()
        values: dict[str, Any] = {}
        for key in ("issuer_parent", "issuer_name", "issuer_in_text", "number_suffix", "place_name", "recipient", "directive",
                    "signer_name"):
            if isinstance(data.get(key), str) and data[key].strip():
                values[key] = " ".join(data[key].split())
        for key in ("distribution", "signer_titles"):
            raw = data.get(key)
            if isinstance(raw, str):
                raw = raw.splitlines()
            if isinstance(raw, list | tuple):
                lines = [" ".join(str(item).split()).strip(" -;.") for item in raw]
                values[key] = tuple(line for line in lines if line)
        return cls(**values)


def resolved_settings(rollup: Rollup, settings: RollupSettings | None = None) -> dict[str, Any]:
    """Every setting filled in for this rollup's scope (a province, or the whole country)."""
    return resolved_for_scope(None if rollup.national else rollup.scope_name, settings)


def resolved_for_scope(province: str | None, settings: RollupSettings | None = None) -> dict[str, Any]:
    """Every setting filled in for a province ("Tỉnh Thái Nguyên"), or the whole country (None):
    what a rollup of that scope prints, without building one (shown by /caidat tonghop)."""
    settings = settings or RollupSettings()
    if province is None:
        parent, name, suffix, place = "", say("rollup_issuer.ministry"), "/BC-BKHCN", say("rollup_issuer.capital")
        in_text = say("rollup_issuer.ministry_in_text")
        recipient = ""
        distribution = say("rollup_issuer.ministry_distribution").split("; ")
    else:  # "Tỉnh Thái Nguyên", "Thành phố Hà Nội"
        parent = say("rollup_issuer.province_parent", province=province.upper())
        name, suffix, place = say("rollup_issuer.department"), "/BC-SKHCN", short_name(province)
        in_text = say("rollup_issuer.department_in_text")
        recipient = say("rollup_issuer.province_recipient", province=lower_division(province))
        distribution = say("rollup_issuer.department_distribution").split("; ")
    chosen_distribution = list(settings.distribution) or distribution
    archive = say("rollup_issuer.archive")
    if not fold(chosen_distribution[-1]).startswith(fold(archive.split(":")[0])):
        chosen_distribution.append(archive)
    return {
        "issuer_parent": (settings.issuer_parent if settings.issuer_parent is not None else parent).upper(),
        "issuer_name": (settings.issuer_name or name).upper(),
        "issuer_in_text": settings.issuer_in_text or (in_text if not settings.issuer_name else settings.issuer_name),
        "number_suffix": settings.number_suffix or suffix,
        "place_name": settings.place_name or place,
        "recipient": settings.recipient if settings.recipient is not None else recipient,
        "directive": settings.directive or "",
        "distribution_lines": distribution_lines(chosen_distribution),
        "signer_titles": [line.upper() for line in (settings.signer_titles
                                                     or say("rollup_issuer.signer_titles").split(" | "))],
        "signer_name": settings.signer_name,
    }


# --- the figures in sentences ------------------------------------------------------------------


def figure_lines(rollup: Rollup) -> list[str]:
    """The summed figures in the form file's sentences (``rollup.docx.figures``), with the rates
    from the sums; a form without sentences: every derived figure and rate by its label."""
    t = rollup.totals
    if t.reported == 0:
        return []
    form, spec = rollup.form, rollup.spec
    named = t.texts(form)
    lines = [named.fill(sentence) for sentence in spec.docx.figures]
    balance = balance_line(rollup)
    if balance:
        lines.append(balance)
    covered = coverage_items(rollup)
    if covered:  # some communes answered ``blanks.button``: the sums cover only those that reported
        lines.append(say("blanks.coverage_line", items="; ".join(covered)))
    if not lines:
        lines += [say("rollup_docx.figure", label=d.label, value=named[d.id]) for d in form.derived]
        lines += [say("rollup_docx.figure", label=label_of(form, spec, x.id), value=format(named[x.id]))
                  for x in spec.figures if x.how not in ("sum", "themes")]
    lines.append(say("rollup_docx.figures_note", count=format_count(t.reported)))
    return lines


def coverage_items(rollup: Rollup) -> list[str]:
    """"Số hóa: 80/92 xã có số liệu" for every figure of the form some reporting communes left
    blank (``blanks.button``), in the form's order; none when no commune did."""
    t, form = rollup.totals, rollup.form
    idents = [*(f.id for f in form.count_fields), *(d.id for d in form.derived), *(r.id for r in form.rates)]
    return [f"{form.label_of(ident, short=True)}: {covered}"
            for ident in idents if (covered := t.coverage_text(form, ident)) is not None]


def balance_line(rollup: Rollup) -> str:
    """Whether the sums keep the form's balance (``rollup.docx.balance``), as every commune's
    figures must; when not, the communes whose own figures break it, with their explanations
    ("" for a form that declares none, or before anyone reported)."""
    declared = rollup.spec.docx.balance
    totals = rollup.totals
    if declared is None or totals.reported == 0:
        return ""
    check = rollup.form.check(declared.check)
    if not isinstance(check, RuleCheck):
        return ""
    named = totals.texts(rollup.form)
    if check.require.evaluate(compute(rollup.form, totals.counts)) is not False:
        return named.fill(declared.holds)
    units = []
    for row in rollup.rows:
        for item in row.anomalies:
            if item.key == declared.check:
                units.append(say("rollup_phone.unbalanced_unit", unit=row.unit.full_name,
                                 explanation=item.explanation) if item.explanation
                             else say("rollup_phone.unbalanced_unexplained", unit=row.unit.full_name))
    if not units:
        units.append(say("rollup_phone.unbalanced_none"))
    return string.Formatter().vformat(declared.broken, (), _With(named, {"units": "; ".join(units)}))


class _With(Mapping[str, Any]):
    """Named figures and a few words more, for a sentence of the form file."""

    def __init__(self, figures: Mapping[str, Any], extra: dict[str, str]) -> None:
        self._figures, self._extra = figures, extra

    def __getitem__(self, key: str) -> Any:
        return self._extra[key] if key in self._extra else self._figures[key]

    def __iter__(self) -> Iterator[str]:
        return iter([*self._extra, *self._figures])

    def __len__(self) -> int:
        return len(self._extra) + len(self._figures)


def change_lines(rollup: Rollup) -> list[str]:
    lines = []
    for change in rollup.changes():
        if change.is_rate:
            now, before = rate_text(change.current), rate_text(change.previous)  # type: ignore[arg-type]
        else:
            now, before = count_text(change.current), count_text(change.previous)  # type: ignore[arg-type]
        lines.append(say("rollup_docx.change", label=change.label, now=now, before=before, change=change.text()))
    return lines


def completeness_lines(rollup: Rollup) -> list[str]:
    done = rollup.completeness
    share = format_percent(rate(done.reported, done.total)) if done.total else "—"
    provinces = say("rollup_docx.of_provinces", count=format_count(len(rollup.groups))) if rollup.national else ""
    lines = [say("rollup_docx.completeness", provinces=provinces, total=format_count(done.total),
                 reported=format_count(done.reported), share=share, on_time=format_count(done.on_time),
                 late=done.late_text(), missing=format_count(done.missing))]
    if done.reported:
        on_behalf = (say("rollup_docx.approval_on_behalf", count=format_count(done.on_behalf)) if done.on_behalf
                     else ".")
        lines.append(say("rollup_docx.approval", approved=format_count(done.approved),
                         returned=format_count(done.returned), waiting=format_count(done.waiting), on_behalf=on_behalf))
    if rollup.previous_period is not None:
        lines.append(say("rollup_docx.previous", period=rollup.previous_period.short_label,
                         reported=format_count(rollup.previous_reported), total=format_count(done.total)))
    return lines


def missing_line(rollup: Rollup) -> str:
    missing = rollup.missing_rows
    if not missing:
        return ""
    if rollup.national:
        return say("rollup_docx.missing_national", count=format_count(len(missing)))
    names = list_names([row.unit.full_name for row in missing], 200)
    return say("rollup_docx.missing", count=format_count(len(missing)), names=names)


# --- the table ---------------------------------------------------------------------------------


def _rate_of(rates: dict[str, Decimal | None], ident: str) -> str:
    return rate_text(rates.get(ident)) if ident in rates else "—"


def _figures(rollup: Rollup, counts: dict[str, int] | None, rates: dict[str, Decimal | None], zero: bool = False
             ) -> dict[str, str]:
    """The table's columns (the form file's ``rollup.docx.columns``); ``counts`` None: "—" in each."""
    form, spec = rollup.form, rollup.spec
    cells = {}
    for key, ident in spec.docx.columns.items():
        if counts is None:
            cells[key] = "—"
        elif figure_kind(form, spec, ident) == "rate":
            cells[key] = _rate_of(rates, ident)
        else:
            cells[key] = count_text(count_of(spec, counts, ident, zero))
    return cells


def commune_table_row(rollup: Rollup, index: int, row: CommuneRow, tz: Any = None) -> dict[str, str]:
    state = STATE_LABELS[row.state]
    if row.report is not None:
        state += "\n" + APPROVAL_LABELS[row.report.status]
        figures = _figures(rollup, row.counts, row.rates)
        first = row.report.first_submitted_at or row.report.submitted_at
        when = format_moment(first, tz).rsplit("/", 1)[0] if first is not None else ""
    else:
        figures = _figures(rollup, None, {})
        when = ""
    return {"stt": str(index), "name": row.unit.full_name, **figures, "when": when, "state": state}


def _completeness_cell(done: Completeness) -> str:
    return f"{format_count(done.reported)}/{format_count(done.total)}"


def table_rows(rollup: Rollup, tz: Any = None) -> list[dict[str, str]]:
    if rollup.national:
        return [
            {"stt": str(i), "name": g.unit.full_name,
             **_figures(rollup, g.totals.counts if g.totals.reported else None, g.totals.rates, zero=True),
             "when": _completeness_cell(g.completeness), "state": format_count(g.anomalies)}
            for i, g in enumerate(rollup.groups, start=1)
        ]
    # the communes that reported; those that did not are named in one paragraph (missing_line)
    return [commune_table_row(rollup, i, row, tz) for i, row in enumerate(rollup.reported_rows, start=1)]


def total_row(rollup: Rollup) -> dict[str, str]:
    t = rollup.totals
    figures = _figures(rollup, t.counts if t.reported else None, t.rates, zero=True)
    return {**figures, "when": _completeness_cell(rollup.completeness),
            "state": format_count(rollup.anomaly_count()) if rollup.national else ""}


# --- the context -------------------------------------------------------------------------------


def _anomaly_summary(rollup: Rollup) -> str:
    kinds = [f"{ANOMALY_LABELS[kind].lower()}: {rollup.anomaly_count(kind)}"
             for kind in ANOMALY_LABELS if rollup.anomaly_count(kind)]
    return say("rollup_docx.anomalies", count=format_count(len(rollup.anomaly_rows)), kinds="; ".join(kinds))


def themes_context(rollup: Rollup) -> list[dict[str, Any]]:
    items = []
    for count in rollup.themes:
        same: dict[str, list[str]] = {}  # the same sentence from several communes is quoted once
        texts: dict[str, str] = {}
        for quote in count.quotes:
            key = words(quote.text)
            texts.setdefault(key, quote.text)
            if quote.unit_name not in same.setdefault(key, []):
                same[key].append(quote.unit_name)
        quotes = []
        for key, units in list(same.items())[:QUOTES_PER_THEME]:
            others = say("rollup_docx.and_others", count=format_count(len(units) - 1)) if len(units) > 1 else ""
            quotes.append({"unit": units[0] + others, "text": texts[key]})
        rest = len(same) - len(quotes)
        items.append({
            "label": count.theme.label,
            "count": say("rollup_docx.units", count=format_count(count.unit_count)),
            "quotes": quotes,
            "more": say("rollup_docx.more_quotes", count=format_count(rest)) if rest > 0 else "",
        })
    return items


def raised_context(rollup: Rollup) -> list[dict[str, Any]]:
    raised = []
    for row in rollup.rows:
        items = [{"label": label_of(rollup.form, rollup.spec, ident, short=True), "text": text}
                 for ident, text in raised_texts(rollup.form, row)]
        if items:
            raised.append({"unit": row.unit.full_name, "entries": items})
    return raised


def build_docx_context(
    rollup: Rollup, report_date: date, settings: RollupSettings | None = None, tz: Any = None
) -> dict[str, Any]:
    """The template's variables (see the module docstring)."""
    resolved = resolved_settings(rollup, settings)
    period = rollup.period
    period_words = period.short_label[0].lower() + period.short_label[1:]  # "tuần 50/2025"
    where = (say("rollup_docx.where_country") if rollup.national
             else say("rollup_docx.where_province", province=lower_division(rollup.scope_name)))
    issuer = resolved["issuer_in_text"]
    declared = rollup.spec.docx
    title = rollup.form.title
    directive = resolved["directive"] or declared.directive or say("rollup_figures.docx_directive", form=title)
    anomalies = [
        {"unit": row.unit.full_name, "label": item.label, "message": item.message, "explanation": item.explanation}
        for row in rollup.rows for item in row.anomalies
    ]
    summary = _anomaly_summary(rollup) if anomalies else ""
    raised = raised_context(rollup)
    raised_note = say("rollup_docx.nothing_raised")
    if rollup.national:  # thousands of communes: the counts by province here, the lists in the .xlsx
        if anomalies:
            kinds = [f"{ANOMALY_LABELS[kind].lower()}: {rollup.anomaly_count(kind)}"
                     for kind in ANOMALY_LABELS if rollup.anomaly_count(kind)]
            summary = say("rollup_docx.anomalies_national", count=format_count(len(rollup.anomaly_rows)),
                          kinds="; ".join(kinds))
        anomalies = []
        if raised:
            raised_note = say("rollup_docx.raised_national", count=format_count(len(raised)))
        raised = []
    addressee = resolved["recipient"] or say("rollup_docx.addressee")
    return {
        **resolved,
        "header_date": format_header_date(resolved["place_name"], report_date),
        "title_line": keep_numbers_whole(declared.title or say("rollup_figures.docx_title", form=title)),
        "period_line": f"{period.short_label}, {format_date_range(period.starts_on, period.ends_on)}",
        "intro": keep_numbers_whole(say("rollup_docx.intro", directive=directive, issuer=issuer, period=period_words,
                                        dates=format_date_range(period.starts_on, period.ends_on), where=where)),
        "completeness_lines": completeness_lines(rollup),
        "missing_line": missing_line(rollup),
        "figure_lines": figure_lines(rollup),
        "change_lines": change_lines(rollup),
        "previous_label": rollup.previous_period.short_label if rollup.previous_period else "",
        "table_caption": say("rollup_docx.caption_national") if rollup.national else say("rollup_docx.caption"),
        "col_unit": say("rollup_docx.col_province") if rollup.national else say("rollup_docx.col_commune"),
        "col_when": say("rollup_docx.col_reported") if rollup.national else say("rollup_docx.col_when"),
        "col_state": say("rollup_docx.col_anomalies") if rollup.national else say("rollup_docx.col_state"),
        "rows": table_rows(rollup, tz),
        "total": total_row(rollup),
        "table_note": declared.table_note or say("rollup_figures.docx_table_note"),
        "anomaly_summary": summary,
        "anomalies": anomalies,
        "themes": themes_context(rollup),
        "raised": raised,
        "raised_note": raised_note,
        **_declared_words(declared),
        "closing": say("rollup_figures.docx_closing", subject=declared.subject or say("rollup_docx.subject", form=title),
                       period=period_words, where=where, issuer=issuer, addressee=addressee),
    }


def _declared_words(declared: DocxSpec) -> dict[str, Any]:
    """The headings the form file gives (none: the template's own, the weekly report's)."""
    words: dict[str, Any] = {}
    if declared.headings:
        words["heads"] = dict(declared.headings)
    if declared.heading:
        words["figures_heading"] = declared.heading
    return words


def rollup_docx_filename(rollup: Rollup) -> str:
    from bot.domain.text import slug

    scope = "toan-quoc" if rollup.national else slug(rollup.scope_name)
    return f"BC-tong-hop-{rollup.period.key}-{scope}.docx"


def render_rollup_docx(
    rollup: Rollup,
    report_date: date,
    template: str | Path | bytes,
    settings: RollupSettings | None = None,
    tz: Any = None,
) -> bytes:
    return render_report(template, build_docx_context(rollup, report_date, settings, tz))

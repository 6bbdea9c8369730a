"""The rollup as an .xlsx a supervisor can filter (xlsxwriter): one row per commune with every
figure, rate, its status, when it was submitted and its approval; a frozen header, filters and
number formats; sheets for the totals, the missing communes, the difficulties and proposals (by
commune and by theme), the anomalies and, nationally, the provinces.

The sheet say("rollup_xlsx.sheet_communes") is also what ``python -m bot import`` reads back: its columns are named by the
form's labels (:func:`field_headers`), the commune by say("rollup_xlsx.unit_code") and the period by say("rollup_xlsx.period"), and
explanations of soft-check breaks by say("rollup_xlsx.explanations") ("<check>: <reason>" per line) — so an export
re-imports as it is, and a province's own spreadsheet with the same columns imports too.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import xlsxwriter

from bot.chat.catalogue import say
from bot.domain.forms import Form
from bot.domain.rollup import (
    APPROVAL_LABELS,
    STATE_LABELS,
    CommuneRow,
    Rollup,
    Totals,
    explanation_text,
    raised_texts,
)
from bot.domain.rollup_figures import count_of, label_of
from bot.domain.rollup_ranking import rank
from bot.domain.text import slug
from bot.domain.themes import ThemeCount

MAIN_SHEET = say("rollup_xlsx.sheet_communes")
UNIT_CODE = say("rollup_xlsx.unit_code")
UNIT_NAME = say("rollup_xlsx.unit_name")
PROVINCE = say("rollup_xlsx.province")
PERIOD = say("rollup_xlsx.period")
STATE = say("rollup_xlsx.state")
SUBMITTED_AT = say("rollup_xlsx.submitted_at")
VERSION = say("rollup_xlsx.version")
UPDATED_AT = say("rollup_xlsx.updated_at")
SUBMITTED_BY = say("rollup_xlsx.submitted_by")
ON_BEHALF = say("rollup_xlsx.on_behalf")
APPROVAL = say("rollup_xlsx.approval")
APPROVED_AT = say("rollup_xlsx.approved_at")
RETURN_REASON = say("rollup_xlsx.return_reason")
ANOMALY_COUNT = say("rollup_xlsx.anomaly_count")
ANOMALIES = say("rollup_xlsx.anomalies")
EXPLANATIONS = say("rollup_xlsx.explanations")

NUMBER = say("rollup_xlsx.number")

LEADING = [NUMBER, UNIT_CODE, UNIT_NAME, PROVINCE, PERIOD, STATE, SUBMITTED_AT, VERSION, UPDATED_AT, SUBMITTED_BY,
           ON_BEHALF, APPROVAL, APPROVED_AT, RETURN_REASON]


def field_headers(form: Form) -> dict[str, str]:
    """Column header → field id for every answered field (counts and texts): the field's label."""
    return {field.label: field.id for field in form.fields}


def computed_headers(form: Form) -> list[str]:
    """The headers of derived figures and rates: written, never imported."""
    return [d.label for d in form.derived] + [say("rollup_xlsx.percent_header", label=r.label) for r in form.rates]


def main_headers(form: Form) -> list[str]:
    counts = [f.label for f in form.count_fields]
    texts = [f.label for f in form.text_fields]
    return [*LEADING, *counts, *computed_headers(form), ANOMALY_COUNT, ANOMALIES, *texts, EXPLANATIONS]


def _naive(moment: datetime | None, tz: Any) -> datetime | None:
    if moment is None:
        return None
    if tz is not None:
        moment = moment.astimezone(tz)
    return moment.replace(tzinfo=None)


class _Book:
    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True, "strings_to_numbers": False,
                                                      "strings_to_formulas": False, "strings_to_urls": False})
        add = self.book.add_format
        self.header = add({"bold": True, "text_wrap": True, "valign": "vcenter", "align": "center",
                           "bg_color": "#DDEBF7", "border": 1, "font_name": "Times New Roman", "font_size": 11})
        self.text = add({"font_name": "Times New Roman", "font_size": 11, "valign": "top"})
        self.wrap = add({"font_name": "Times New Roman", "font_size": 11, "valign": "top", "text_wrap": True})
        self.count = add({"font_name": "Times New Roman", "font_size": 11, "num_format": "#,##0", "valign": "top"})
        self.percent = add({"font_name": "Times New Roman", "font_size": 11, "num_format": "0.00%", "valign": "top"})
        self.dash = add({"font_name": "Times New Roman", "font_size": 11, "align": "right", "valign": "top"})
        self.moment = add({"font_name": "Times New Roman", "font_size": 11, "num_format": "dd/mm/yyyy hh:mm",
                           "valign": "top"})
        self.title = add({"bold": True, "font_name": "Times New Roman", "font_size": 13})
        self.bold = add({"bold": True, "font_name": "Times New Roman", "font_size": 11})

    def sheet(self, name: str, headers: Sequence[str], widths: Sequence[float]) -> Any:
        sheet = self.book.add_worksheet(name)
        sheet.write_row(0, 0, list(headers), self.header)
        sheet.set_row(0, 45)
        for index, width in enumerate(widths):
            sheet.set_column(index, index, width)
        sheet.freeze_panes(1, 0)
        return sheet

    def finish(self, sheet: Any, rows: int, columns: int) -> None:
        sheet.autofilter(0, 0, max(rows, 1), columns - 1)

    def close(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()

    # cells
    def put_count(self, sheet: Any, r: int, c: int, value: int | None) -> None:
        if value is not None:
            sheet.write_number(r, c, value, self.count)

    def put_rate(self, sheet: Any, r: int, c: int, value: Decimal | None, known: bool = True) -> None:
        if value is None:
            if known:
                sheet.write_string(r, c, "—", self.dash)
        else:
            sheet.write_number(r, c, float(value) / 100, self.percent)

    def put_text(self, sheet: Any, r: int, c: int, value: str | None, wrap: bool = False) -> None:
        if value:
            sheet.write_string(r, c, value, self.wrap if wrap else self.text)

    def put_moment(self, sheet: Any, r: int, c: int, value: datetime | None) -> None:
        if value is not None:
            sheet.write_datetime(r, c, value, self.moment)


def _anomaly_lines(row: CommuneRow) -> str:
    return "\n".join(
        f"{item.label}: {item.message}" + (say("rollup_xlsx.explained", explanation=item.explanation) if item.explanation else "")
        for item in row.anomalies
    )


def _explanations(row: CommuneRow) -> str:
    if row.report is None:
        return ""
    lines = []
    for key, value in row.report.explanations.items():
        reason = explanation_text(value)
        if reason:
            lines.append(f"{key}: {reason}")
    return "\n".join(lines)


def _main_sheet(book: _Book, rollup: Rollup, tz: Any) -> None:
    form = rollup.form
    headers = main_headers(form)
    counts = [f.id for f in form.count_fields]
    derived = [d.id for d in form.derived]
    rates = [r.id for r in form.rates]
    texts = [f.id for f in form.text_fields]
    blanks = {f.id for f in form.count_fields if f.optional}
    widths = [5, 8, 24, 18, 10, 11, 16, 7, 16, 20, 8, 10, 16, 24] + [12] * (len(counts) + len(derived)) \
        + [11] * len(rates) + [8, 40] + [40] * len(texts) + [30]
    sheet = book.sheet(MAIN_SHEET, headers, widths)
    start_counts = len(LEADING)
    start_texts = start_counts + len(counts) + len(derived) + len(rates) + 2
    for r, row in enumerate(rollup.rows, start=1):
        report = row.report
        sheet.write_number(r, 0, r, book.count)
        sheet.write_string(r, 1, row.unit.code, book.text)
        sheet.write_string(r, 2, row.unit.full_name, book.text)
        book.put_text(sheet, r, 3, row.unit.province_name)
        sheet.write_string(r, 4, rollup.period.key, book.text)
        sheet.write_string(r, 5, STATE_LABELS[row.state], book.text)
        if report is not None:
            book.put_moment(sheet, r, 6, _naive(report.first_submitted_at or report.submitted_at, tz))
            sheet.write_number(r, 7, report.version, book.count)
            book.put_moment(sheet, r, 8, _naive(report.submitted_at, tz))
            book.put_text(sheet, r, 9, report.submitted_by)
            book.put_text(sheet, r, 10, say("rollup_xlsx.marked") if report.on_behalf else "")
            sheet.write_string(r, 11, APPROVAL_LABELS[report.status], book.text)
            if report.status != "submitted":
                book.put_moment(sheet, r, 12, _naive(report.status_at, tz))
            book.put_text(sheet, r, 13, report.status_reason if report.status == "returned" else "", wrap=True)
            c = start_counts
            for ident in counts + derived:
                if ident in report.answers and report.answers[ident] is None and ident in blanks:
                    sheet.write_string(r, c, "-", book.text)  # ``blanks.button``: read back as a blank
                else:
                    book.put_count(sheet, r, c, row.counts.get(ident))
                c += 1
            for ident in rates:
                book.put_rate(sheet, r, c, row.rates.get(ident), ident in row.rates)
                c += 1
            sheet.write_number(r, c, len(row.anomalies), book.count)
            book.put_text(sheet, r, c + 1, _anomaly_lines(row), wrap=True)
            for offset, ident in enumerate(texts):
                book.put_text(sheet, r, start_texts + offset, row.texts.get(ident), wrap=True)
            book.put_text(sheet, r, start_texts + len(texts), _explanations(row), wrap=True)
    book.finish(sheet, len(rollup.rows), len(headers))


def _totals_sheet(book: _Book, rollup: Rollup) -> None:
    form, spec = rollup.form, rollup.spec
    sheet = book.book.add_worksheet(say("rollup_xlsx.sheet_totals"))
    sheet.set_column(0, 0, 58)
    sheet.set_column(1, 3, 16)
    sheet.write_string(0, 0, say("rollup_xlsx.title", period=rollup.period.label, scope=rollup.scope_name), book.title)
    done = rollup.completeness
    facts = [(say("rollup_xlsx.total_communes"), done.total), (say("rollup_xlsx.reported"), done.reported), (say("rollup_xlsx.on_time"), done.on_time),
             (say("rollup_xlsx.late"), done.late), (say("rollup_xlsx.missing"), done.missing), (say("rollup_xlsx.approved"), done.approved),
             (say("rollup_xlsx.returned"), done.returned), (say("rollup_xlsx.waiting"), done.waiting), (say("rollup_xlsx.on_behalf"), done.on_behalf)]
    if done.untimed:  # imported without the moment sent: neither on time nor late
        facts.insert(4, (say("import_times.untimed_fact"), done.untimed))
    for r, (label, value) in enumerate(facts, start=2):
        sheet.write_string(r, 0, label, book.text)
        sheet.write_number(r, 1, value, book.count)
    top = len(facts) + 3
    previous = rollup.previous_totals
    label_previous = rollup.previous_period.short_label if rollup.previous_period else say("rollup_xlsx.previous")
    sheet.write_row(top, 0, [say("rollup_xlsx.figure_header"), rollup.period.short_label, label_previous,
                             say("rollup_xlsx.change")], book.header)
    totals = rollup.totals
    if totals.blanks:  # some communes answered ``blanks.button``: how many have each figure
        sheet.set_column(4, 4, 22)
        sheet.write_string(top, 4, say("blanks.coverage_header"), book.header)
    r = top + 1
    for ident in [f.id for f in form.count_fields] + [d.id for d in form.derived] + [
            x.id for x in spec.of("rate")]:
        covered = totals.coverage_text(form, ident)
        if covered is not None:
            sheet.write_string(r, 4, covered, book.text)
        r += 1
    r = top + 1
    for ident in [f.id for f in form.count_fields] + [d.id for d in form.derived]:
        sheet.write_string(r, 0, form.label_of(ident), book.text)
        now = rollup.totals.counts.get(ident) if rollup.totals.reported else None
        before = previous.counts.get(ident) if previous is not None else None
        book.put_count(sheet, r, 1, now)
        book.put_count(sheet, r, 2, before)
        if now is not None and before is not None:
            sheet.write_number(r, 3, now - before, book.count)
        r += 1
    for item in spec.of("rate"):
        sheet.write_string(r, 0, label_of(form, spec, item.id), book.text)
        now_rate = rollup.totals.rates.get(item.id)
        before_rate = previous.rates.get(item.id) if previous is not None else None
        book.put_rate(sheet, r, 1, now_rate, rollup.totals.reported > 0)
        book.put_rate(sheet, r, 2, before_rate, previous is not None)
        if now_rate is not None and before_rate is not None:
            sheet.write_number(r, 3, float(now_rate - before_rate) / 100, book.percent)
        r += 1
    named = rollup.totals.texts(form)
    for item in spec.figures:  # what is counted over the communes: targets met, spreads, statuses
        if item.how in ("target", "spread", "statuses"):
            sheet.write_string(r, 0, label_of(form, spec, item.id), book.text)
            sheet.write_string(r, 1, format(named[item.id]), book.wrap)
            r += 1


def _missing_sheet(book: _Book, rollup: Rollup) -> None:
    sheet = book.sheet(say("rollup_xlsx.missing"), [say("rollup_xlsx.number"), UNIT_CODE, UNIT_NAME, PROVINCE, say("rollup_xlsx.officials")], [5, 8, 26, 20, 50])
    rows = rollup.missing_rows
    for r, row in enumerate(rows, start=1):
        sheet.write_number(r, 0, r, book.count)
        sheet.write_string(r, 1, row.unit.code, book.text)
        sheet.write_string(r, 2, row.unit.full_name, book.text)
        book.put_text(sheet, r, 3, row.unit.province_name)
        book.put_text(sheet, r, 4, "; ".join(row.officials) or say("rollup_xlsx.no_officials"))
    book.finish(sheet, len(rows), 5)


def _texts_sheet(book: _Book, rollup: Rollup) -> None:
    sheet = book.sheet(say("rollup_xlsx.sheet_raised"), [say("rollup_xlsx.number"), UNIT_CODE, UNIT_NAME, PROVINCE, say("rollup_xlsx.kind"), say("rollup_xlsx.theme"), say("rollup_xlsx.content")],
                       [5, 8, 24, 18, 20, 30, 90])
    themes_of: dict[tuple[str, str], list[str]] = {}
    for count in rollup.themes:
        for quote in count.quotes:
            labels = themes_of.setdefault((quote.unit_code, quote.field_id), [])
            if count.theme.label not in labels:
                labels.append(count.theme.label)
    r = 0
    for row in rollup.rows:
        for ident, text in raised_texts(rollup.form, row):
            r += 1
            sheet.write_number(r, 0, r, book.count)
            sheet.write_string(r, 1, row.unit.code, book.text)
            sheet.write_string(r, 2, row.unit.full_name, book.text)
            book.put_text(sheet, r, 3, row.unit.province_name)
            sheet.write_string(r, 4, label_of(rollup.form, rollup.spec, ident, short=True), book.text)
            book.put_text(sheet, r, 5, "; ".join(themes_of.get((row.unit.code, ident), [])), wrap=True)
            sheet.write_string(r, 6, text, book.wrap)
    book.finish(sheet, r, 7)


def _themes_sheet(book: _Book, rollup: Rollup, themes: Sequence[ThemeCount]) -> None:
    sheet = book.sheet(say("rollup_xlsx.sheet_themes"), [say("rollup_xlsx.theme"), say("rollup_xlsx.theme_units"), UNIT_CODE, UNIT_NAME, say("rollup_xlsx.kind"), say("rollup_xlsx.quote")],
                       [30, 10, 8, 24, 20, 90])
    r = 0
    for count in themes:
        for quote in count.quotes:
            r += 1
            sheet.write_string(r, 0, count.theme.label, book.text)
            sheet.write_number(r, 1, count.unit_count, book.count)
            sheet.write_string(r, 2, quote.unit_code, book.text)
            sheet.write_string(r, 3, quote.unit_name, book.text)
            sheet.write_string(r, 4, label_of(rollup.form, rollup.spec, quote.field_id, short=True), book.text)
            sheet.write_string(r, 5, quote.text, book.wrap)
    book.finish(sheet, r, 6)


def _anomalies_sheet(book: _Book, rollup: Rollup) -> None:
    sheet = book.sheet(say("rollup_xlsx.anomalies"), [say("rollup_xlsx.number"), UNIT_CODE, UNIT_NAME, PROVINCE, say("rollup_xlsx.kind"), say("rollup_xlsx.check"), say("rollup_xlsx.content"),
                                      say("rollup_xlsx.commune_explanation")], [5, 8, 24, 18, 22, 24, 80, 50])
    r = 0
    for row in rollup.rows:
        for item in row.anomalies:
            r += 1
            sheet.write_number(r, 0, r, book.count)
            sheet.write_string(r, 1, row.unit.code, book.text)
            sheet.write_string(r, 2, row.unit.full_name, book.text)
            book.put_text(sheet, r, 3, row.unit.province_name)
            sheet.write_string(r, 4, item.label, book.text)
            sheet.write_string(r, 5, item.key, book.text)
            sheet.write_string(r, 6, item.message, book.wrap)
            book.put_text(sheet, r, 7, item.explanation, wrap=True)
    book.finish(sheet, r, 8)


def _provinces_sheet(book: _Book, rollup: Rollup) -> None:
    form, spec = rollup.form, rollup.spec
    counts = list(spec.xlsx.provinces)
    rates = [r.id for r in spec.of("rate")]
    headers = [say("rollup_xlsx.number"), say("rollup_xlsx.province_code"), PROVINCE, say("rollup_xlsx.communes"), say("rollup_xlsx.reported"), say("rollup_xlsx.on_time"), say("rollup_xlsx.late"), say("rollup_xlsx.missing"), say("rollup_xlsx.approved"),
               say("rollup_xlsx.returned"), say("rollup_xlsx.anomalies"), *[label_of(form, spec, i, short=True) for i in counts],
               *[say("rollup_xlsx.percent_header", label=label_of(form, spec, i)) for i in rates]]
    sheet = book.sheet(say("rollup_xlsx.sheet_provinces"), headers, [5, 8, 22] + [9] * 8 + [12] * len(counts) + [11] * len(rates))
    for r, group in enumerate(rollup.groups, start=1):
        done: Any = group.completeness
        totals: Totals = group.totals
        sheet.write_number(r, 0, r, book.count)
        sheet.write_string(r, 1, group.unit.code, book.text)
        sheet.write_string(r, 2, group.unit.full_name, book.text)
        for c, value in enumerate((done.total, done.reported, done.on_time, done.late, done.missing, done.approved,
                                   done.returned, group.anomalies), start=3):
            sheet.write_number(r, c, value, book.count)
        c = 11
        for ident in counts:
            book.put_count(sheet, r, c, count_of(spec, totals.counts, ident) if totals.reported else None)
            c += 1
        for ident in rates:
            book.put_rate(sheet, r, c, totals.rates.get(ident), totals.reported > 0)
            c += 1
    book.finish(sheet, len(rollup.groups), len(headers))


def _ranking_sheet(book: _Book, rollup: Rollup) -> None:
    """Every commune that reported, by its place on the form's ranked rates, each rate with its rank."""
    declared = rollup.spec.ranking.rates
    if not declared:
        return
    ranked = rank(rollup)
    headers = [say("rollup_phone.place"), UNIT_CODE, UNIT_NAME, PROVINCE, say("rollup_phone.score")]
    for rated in declared:
        headers += [say("rollup_xlsx.percent_header", label=label_of(rollup.form, rollup.spec, rated.figure)),
                    say("rollup_phone.rank_of", words=rated.words)]
    sheet = book.sheet(say("rollup_phone.sheet_ranking"), headers, [7, 8, 26, 20, 12] + [12, 9] * len(declared))
    sheet.write_string(len(ranked) + 2, 0, say("rollup_phone.ranking_note"), book.text)
    for r, item in enumerate(ranked, start=1):
        sheet.write_number(r, 0, item.place, book.count)
        sheet.write_string(r, 1, item.row.unit.code, book.text)
        sheet.write_string(r, 2, item.row.unit.full_name, book.text)
        book.put_text(sheet, r, 3, item.row.unit.province_name)
        book.put_rate(sheet, r, 4, item.score)
        for index, rated in enumerate(declared):
            book.put_rate(sheet, r, 5 + 2 * index, item.rates.get(rated.figure))
            book.put_count(sheet, r, 6 + 2 * index, item.ranks.get(rated.figure))
    book.finish(sheet, len(ranked), len(headers))


def _chart_sheet(book: _Book, chart: bytes) -> None:
    """The chart of every commune (or province), as a picture."""
    sheet = book.book.add_worksheet(say("rollup_phone.sheet_chart"))
    sheet.insert_image(0, 0, "chart.png", {"image_data": io.BytesIO(chart), "object_position": 3})


def render_rollup_xlsx(rollup: Rollup, tz: Any = None, chart: bytes | None = None) -> bytes:
    """The workbook's bytes. Datetimes are written in ``tz`` (the bot's zone) without a zone;
    ``chart`` (PNG), the chart of every commune, gets a sheet of its own."""
    book = _Book()
    _main_sheet(book, rollup, tz)
    _totals_sheet(book, rollup)
    _ranking_sheet(book, rollup)
    if chart:
        _chart_sheet(book, chart)
    if rollup.national:
        _provinces_sheet(book, rollup)
    _missing_sheet(book, rollup)
    _texts_sheet(book, rollup)
    _themes_sheet(book, rollup, rollup.themes)
    _anomalies_sheet(book, rollup)
    return book.close()


def rollup_xlsx_filename(rollup: Rollup) -> str:
    scope = "toan-quoc" if rollup.national else slug(rollup.scope_name)
    return f"BC-tong-hop-{rollup.period.key}-{scope}.xlsx"

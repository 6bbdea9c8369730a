"""Reports entered for communes by the province: from a file (``python -m bot import``) or typed by a
supervisor in chat (/nhapthay). Both go through :func:`check_answers` — the reporter's checks: every
count a whole number within bounds, every question that applies answered, no hard rule broken; soft
rules are reported, with the explanation when one is given — and :func:`enter_report`, which stores
a new version marked ``on_behalf`` only when something changed: importing the same file twice, or
sending the same figures again, changes nothing.

Files:

- JSON: a list of objects ``{"unit": "01894", "period": "2025-W50", "answers": {field id: value},
  "explanations": {check: reason}}`` (``explanations`` and ``submitted_at`` optional);
- .xlsx: the rollup's sheet "Theo xã" (one row per commune: "Mã xã", "Kỳ báo cáo", one column per
  field named by its label, "Giải trình", "Nộp lúc"), so an export re-imports; columns of derived
  figures, rates and status are ignored, and a province's own sheet with the same headers works
  too (headers matched without diacritics; a field's short label or id also names it).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from bot.domain.evaluate import CheckResult, evaluate_checks
from bot.domain.forms import Field, Form
from bot.domain.numbers import CountParseError, format_count, parse_count
from bot.domain.periods import PeriodKey, PeriodKeyError, period_for
from bot.domain.rollup import explanation_text
from bot.domain.rollup_xlsx import (
    EXPLANATIONS,
    MAIN_SHEET,
    PERIOD,
    SUBMITTED_AT,
    UNIT_CODE,
    UNIT_NAME,
    computed_headers,
)
from bot.domain.text import fold
from bot.report_files import last_period_answers
from storage import Storage
from storage.models import Period, Submission, SubmissionStatus, Unit, UnitKind

HISTORY_PERIODS = 8
Outcome = Literal["added", "unchanged", "error", "skipped"]


class ImportFileError(Exception):
    """A file that cannot be read at all (not one bad row); Vietnamese."""


@dataclass
class Row:
    """One report read from a file or a message, before checking."""

    where: str  # "dòng 3", "mục 2"
    unit: str = ""  # official code as written
    period: str = ""  # "2025-W50"
    answers: dict[str, Any] = field(default_factory=dict)  # field id → raw value
    explanations: dict[str, str] = field(default_factory=dict)
    submitted_at: datetime | None = None
    unit_name: str = ""


@dataclass
class Checked:
    answers: dict[str, int | str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # labels of questions not answered
    soft: list[CheckResult] = field(default_factory=list)
    unexplained: list[CheckResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.missing


@dataclass
class Result:
    where: str
    outcome: Outcome
    message: str
    unit: Unit | None = None
    period: Period | None = None
    submission: Submission | None = None
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        who = f"{self.unit.code} {self.unit.full_name}" if self.unit else "?"
        when = f" · {self.period.key}" if self.period else ""
        text = f"{self.where} · {who}{when}: {self.message}"
        for warning in self.warnings:
            text += f"\n    lưu ý: {warning}"
        return text


# --- values ------------------------------------------------------------------------------------


def count_value(value: Any, item: Field) -> int:
    """A count as a JSON or spreadsheet cell holds it: 53, 53.0 or "1.794" (also used by ``render``)."""
    if isinstance(value, bool):
        raise CountParseError("Giá trị đúng/sai không phải là số.")
    if isinstance(value, float):
        if not value.is_integer():
            raise CountParseError("Số hồ sơ phải là số nguyên.")
        value = int(value)
    return parse_count(str(value), item.bounds)


def check_answers(
    form: Form,
    raw: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    history: Sequence[Mapping[str, Any]],
    explanations: Mapping[str, str] | None = None,
) -> Checked:
    """The reporter's checks on a whole report (see the module docstring)."""
    checked = Checked()
    for ident, value in raw.items():
        kind = form.kind_of(ident)
        if kind not in ("count", "text"):
            checked.warnings.append(f"bỏ qua «{ident}»: biểu {form.id} không có trường này")
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        label = form.label_of(ident)
        if kind == "count":
            try:
                checked.answers[ident] = count_value(value, form.field(ident))
            except CountParseError as exc:
                checked.errors.append(f"«{label}»: {exc.reason}")
        else:
            text = unicodedata.normalize("NFC", str(value)).strip()
            limit = form.field(ident).text_limit
            if len(text) > limit:
                checked.errors.append(f"«{label}»: dài {format_count(len(text))} ký tự, quá giới hạn {limit}")
            else:
                checked.answers[ident] = text
    if checked.errors:
        return checked
    checked.answers = form.relevant_answers(checked.answers, previous)
    checked.missing = [item.short_label or item.label for item in form.questions(checked.answers, previous)
                       if checked.answers.get(item.id) is None]
    results = evaluate_checks(form, checked.answers, previous, list(history))
    for result in results:
        if result.is_hard:
            checked.errors.append(result.message)
        else:
            checked.soft.append(result)
            if not (explanations or {}).get(result.key):
                checked.unexplained.append(result)
    return checked


def describe_soft(checked: Checked, explanations: Mapping[str, str]) -> list[str]:
    lines = []
    for result in checked.soft:
        reason = explanations.get(result.key)
        lines.append(f"{result.message}" + (f" — giải trình: {reason}" if reason else " — chưa có giải trình"))
    return lines


# --- storing -----------------------------------------------------------------------------------


async def context_of(
    storage: Storage, form: Form, unit: Unit, period: Period
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Last period's answers and the recent history, as the reporter's journey reads them."""
    recent = await storage.submissions.recent_for_unit(unit.code, form.id, before=period.opens_at,
                                                       limit=HISTORY_PERIODS)
    recent = [s for s in recent if s.period_id != period.id]
    return await last_period_answers(storage, PeriodKey.parse(period.key), recent), [dict(s.answers) for s in recent]


def same_report(latest: Submission, answers: Mapping[str, Any], explanations: Mapping[str, str]) -> bool:
    """The same answers, and every explanation given is the one stored (explanations stored for
    checks that do not fire now are kept as they are)."""
    if dict(latest.answers) != dict(answers):
        return False
    stored = {key: explanation_text(value) for key, value in latest.explanations.items()}
    return all(stored.get(key) == explanation_text(value) for key, value in explanations.items())


async def enter_report(
    storage: Storage,
    form: Form,
    unit: Unit,
    period: Period,
    raw: Mapping[str, Any],
    explanations: Mapping[str, str],
    *,
    by: int | None,
    actor: int | None,
    now: datetime,
    submitted_at: datetime | None = None,
    where: str = "",
    require_explanations: bool = False,
) -> Result:
    """Check and store one report on behalf of a commune; a new version only when it differs from
    the commune's current one. An approved report is not overwritten."""
    previous, history = await context_of(storage, form, unit, period)
    explanations = {key: reason.strip() for key, reason in explanations.items() if reason and reason.strip()}
    checked = check_answers(form, raw, previous, history, explanations)
    result = Result(where, "error", "", unit=unit, period=period, warnings=list(checked.warnings))
    if checked.errors:
        result.message = "không lưu: " + "; ".join(checked.errors)
        return result
    if checked.missing:
        result.message = "không lưu: thiếu " + ", ".join(checked.missing)
        return result
    if require_explanations and checked.unexplained:
        result.message = "cần giải trình: " + " ".join(c.message for c in checked.unexplained)
        return result
    kept = {r.key: explanations[r.key] for r in checked.soft if r.key in explanations}
    result.warnings += describe_soft(checked, explanations)
    latest = await storage.submissions.latest(period.id, unit.code)
    if latest is not None and same_report(latest, checked.answers, kept):
        result.outcome, result.submission = "unchanged", latest
        result.message = f"không đổi (giống bản nộp lần {latest.version})"
        return result
    if latest is not None and latest.status == SubmissionStatus.APPROVED:
        result.message = (f"không lưu: báo cáo lần {latest.version} đã được duyệt; cần trả lại báo cáo trước khi "
                          "ghi bản mới")
        return result
    at = submitted_at or now
    async with storage.db.transaction():
        draft = await storage.drafts.get_or_create(period.id, unit.code, now)
        current = await storage.drafts.values(draft.id)
        changed = {k: v for k, v in checked.answers.items() if current.get(k) != v}
        if changed:
            await storage.drafts.set_answers(draft.id, changed, by, now)
        for ident in current:
            if ident not in checked.answers:
                await storage.drafts.clear_answer(draft.id, ident, by, now)
        for key, reason in kept.items():
            await storage.drafts.set_explanation(draft.id, key, reason, by, now)
        submission = await storage.submissions.add_version(
            period.id, unit.code, checked.answers, kept, by, at, late=at > period.deadline_at, on_behalf=True,
        )
        await storage.audit.log("report.on_behalf", now, actor=actor, subject=f"{unit.code}:{period.key}",
                                detail={"version": submission.version, "where": where or None})
    result.outcome, result.submission = "added", submission
    result.message = f"đã lưu bản nộp lần {submission.version} (nhập thay)"
    return result


async def period_of(storage: Storage, form: Form, key: str) -> Period:
    parsed = PeriodKey.parse(key)
    info = period_for(form.period, parsed)
    stored = await storage.periods.get(form.id, str(parsed))
    if stored is not None:
        return stored
    return await storage.periods.upsert(form.id, str(parsed), info.starts_on, info.ends_on, info.opens_at,
                                        info.deadline_at, info.deadline_note)


# --- reading files -----------------------------------------------------------------------------


def _header_key(text: str) -> str:
    return " ".join(fold(str(text)).replace(":", " ").replace(",", " ").split())


def header_map(form: Form, headers: Sequence[Any]) -> tuple[dict[int, str], dict[str, int]]:
    """(column → field id, special name → column) for a header row. A field is named by its
    label, short label or id (diacritics ignored); derived figures, rates and status columns are
    left out before any looser match, and no field takes two columns."""
    exact: dict[str, str] = {}
    for item in form.fields:
        for name in (item.label, item.short_label or "", item.id):
            if name:
                exact.setdefault(_header_key(name), item.id)
    special_names = {
        "unit": [UNIT_CODE, "Mã đơn vị", "Mã", "Mã xã, phường", "unit"],
        "name": [UNIT_NAME, "Tên xã", "Tên đơn vị", "Đơn vị"],
        "period": [PERIOD, "Kỳ", "period"],
        "explanations": [EXPLANATIONS, "explanations"],
        "submitted_at": [SUBMITTED_AT, "submitted_at"],
    }
    special_keys = {_header_key(name): special for special, names in special_names.items() for name in names}
    ignored = {_header_key(name) for name in computed_headers(form)}
    ignored |= {_header_key(d.label) for d in form.derived} | {_header_key(r.label) for r in form.rates}
    columns: dict[int, str] = {}
    specials: dict[str, int] = {}
    taken: set[str] = set()
    loose: list[tuple[int, str]] = []
    for index, header in enumerate(headers):
        if header is None or not str(header).strip():
            continue
        key = _header_key(str(header))
        if key in special_keys:
            specials.setdefault(special_keys[key], index)
        elif key in exact and exact[key] not in taken:
            columns[index] = exact[key]
            taken.add(exact[key])
        elif key not in ignored and "ty le" not in key:
            loose.append((index, str(header)))
    for index, header in loose:
        matched = form.match_label(header)
        if matched is not None and matched.id not in taken:
            columns[index] = matched.id
            taken.add(matched.id)
    return columns, specials


def parse_explanations(text: Any) -> dict[str, str]:
    """ "balance: lý do" per line → {"balance": "lý do"}; a line without a key explains every
    soft break ("*")."""
    found: dict[str, str] = {}
    for line in str(text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        key, sep, reason = line.partition(":")
        if sep and key.strip() and " " not in key.strip():
            found[key.strip()] = reason.strip()
        else:
            found["*"] = line
    return found


def _as_datetime(value: Any, tz: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, str) and value.strip():
        text = value.strip()
        for parse in (datetime.fromisoformat, lambda t: datetime.strptime(t, "%d/%m/%Y %H:%M")):
            try:
                moment = parse(text)
            except ValueError:
                continue
            return moment if moment.tzinfo else moment.replace(tzinfo=tz)
    return None


def _code(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip() if value is not None else ""
    return text.zfill(5) if text.isdigit() else text


def read_xlsx(path: Path, form: Form, tz: Any) -> list[Row]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        raise ImportFileError(f"Không đọc được tệp Excel {path}: {exc}") from None
    try:
        sheets = [book[MAIN_SHEET]] if MAIN_SHEET in book.sheetnames else list(book.worksheets)
        for sheet in sheets:
            rows = sheet.iter_rows(values_only=True)
            for number, header in enumerate(rows, start=1):
                if number > 10:
                    break
                columns, specials = header_map(form, list(header or ()))
                if ("unit" in specials or "name" in specials) and columns:
                    return list(_xlsx_rows(rows, number, columns, specials, tz))
        raise ImportFileError(
            f"Tệp {path.name}: không thấy dòng tiêu đề có cột «{UNIT_CODE}» và các cột số liệu (tên mục của biểu "
            f"{form.id}, như «{form.fields[0].label}»)."
        )
    finally:
        book.close()


def _xlsx_rows(
    rows: Any, header_line: int, columns: dict[int, str], specials: dict[str, int], tz: Any
) -> Iterator[Row]:
    for number, values in enumerate(rows, start=header_line + 1):
        values = list(values or ())

        def cell(index: int | None, values: list[Any] = values) -> Any:
            return values[index] if index is not None and index < len(values) else None

        if not any(v is not None and str(v).strip() for v in values):
            continue
        answers = {ident: cell(index) for index, ident in columns.items() if cell(index) is not None}
        yield Row(
            where=f"dòng {number}",
            unit=_code(cell(specials.get("unit"))),
            unit_name=str(cell(specials.get("name")) or "").strip(),
            period=str(cell(specials.get("period")) or "").strip(),
            answers=answers,
            explanations=parse_explanations(cell(specials.get("explanations"))),
            submitted_at=_as_datetime(cell(specials.get("submitted_at")), tz),
        )


def load_json_file(path: Path, error: type[Exception], what: str = "tệp") -> Any:
    """A JSON file's content; a file that cannot be read or is not JSON raises ``error`` with the
    reason in Vietnamese (``what``: how the file is named in it, "tệp số liệu" …)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"Không đọc được {what} {path}: {exc.strerror or exc}.") from None
    except json.JSONDecodeError as exc:
        raise error(f"Tệp {path} không phải JSON hợp lệ (dòng {exc.lineno}, cột {exc.colno}).") from None


def read_json(path: Path, tz: Any) -> list[Row]:
    data = load_json_file(path, ImportFileError)
    if isinstance(data, dict) and isinstance(data.get("reports"), list):
        data = data["reports"]
    if not isinstance(data, list):
        raise ImportFileError(f"Tệp {path} phải là một danh sách [{{\"unit\": …, \"period\": …, \"answers\": {{…}}}}].")
    rows = []
    for number, item in enumerate(data, start=1):
        where = f"mục {number}"
        if not isinstance(item, dict):
            rows.append(Row(where=where))
            continue
        answers = item.get("answers")
        explanations = item.get("explanations") or {}
        rows.append(Row(
            where=where,
            unit=_code(item.get("unit")),
            period=str(item.get("period") or "").strip(),
            answers=dict(answers) if isinstance(answers, dict) else {},
            explanations={str(k): explanation_text(v) for k, v in explanations.items()}
            if isinstance(explanations, dict) else {},
            submitted_at=_as_datetime(item.get("submitted_at"), tz),
        ))
    return rows


def read_rows(path: Path, form: Form, tz: Any) -> list[Row]:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return read_json(path, tz)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path, form, tz)
    raise ImportFileError(f"Tệp {path.name}: chỉ nhận .xlsx hoặc .json.")


# --- importing ---------------------------------------------------------------------------------


async def import_rows(
    storage: Storage,
    form: Form,
    rows: Sequence[Row],
    *,
    now: datetime,
    default_period: str | None = None,
    province: str | None = None,
    actor: int | None = None,
) -> list[Result]:
    """Check and store every row (each on its own: a bad row does not stop the others)."""
    results = []
    for row in rows:
        results.append(await import_row(storage, form, row, now=now, default_period=default_period,
                                        province=province, actor=actor))
    return results


async def _find_unit(storage: Storage, row: Row, province: str | None) -> Unit | None:
    if row.unit:
        unit = await storage.units.get(row.unit)
        return unit if unit is not None and unit.kind == UnitKind.COMMUNE else None
    if row.unit_name:
        found = await storage.units.search(row.unit_name, province_code=province, kind=UnitKind.COMMUNE, limit=2)
        exact = [u for u in found if fold(u.full_name) == fold(row.unit_name) or fold(u.name) == fold(row.unit_name)]
        return exact[0] if len(exact) == 1 else None
    return None


async def import_row(
    storage: Storage,
    form: Form,
    row: Row,
    *,
    now: datetime,
    default_period: str | None = None,
    province: str | None = None,
    actor: int | None = None,
) -> Result:
    unit = await _find_unit(storage, row, province)
    if unit is None:
        what = f"mã «{row.unit}»" if row.unit else f"tên «{row.unit_name}»" if row.unit_name else "không có mã xã"
        return Result(row.where, "error", f"không lưu: không tìm thấy xã, phường ({what})")
    if province is not None and unit.province_code != province:
        return Result(row.where, "error", f"không lưu: không thuộc tỉnh mã {province}", unit=unit)
    key = row.period or default_period
    if not key:
        return Result(row.where, "error", "không lưu: thiếu kỳ báo cáo (VD: 2025-W50)", unit=unit)
    try:
        period = await period_of(storage, form, key)
    except (PeriodKeyError, ValueError):
        return Result(row.where, "error", f"không lưu: kỳ «{key}» không hợp lệ (VD: 2025-W50)", unit=unit)
    if not any(value is not None and str(value).strip() for value in row.answers.values()):
        return Result(row.where, "skipped", "bỏ qua: không có số liệu (chưa nộp)", unit=unit, period=period)
    if row.submitted_at is not None and row.submitted_at > now + timedelta(minutes=5):
        return Result(row.where, "error", "không lưu: thời điểm nộp ở tương lai", unit=unit, period=period)
    explanations = dict(row.explanations)
    if "*" in explanations:
        general = explanations.pop("*")
        previous, history = await context_of(storage, form, unit, period)
        for result in check_answers(form, row.answers, previous, history).soft:
            explanations.setdefault(result.key, general)
    return await enter_report(
        storage, form, unit, period, row.answers, explanations, by=None, actor=actor, now=now,
        submitted_at=row.submitted_at, where=row.where,
    )


def summary(results: Sequence[Result]) -> str:
    counts = {outcome: sum(1 for r in results if r.outcome == outcome) for outcome in ("added", "unchanged",
                                                                                       "skipped", "error")}
    return (f"{len(results)} dòng: lưu mới {counts['added']}, không đổi {counts['unchanged']}, "
            f"bỏ qua {counts['skipped']}, lỗi {counts['error']}.")


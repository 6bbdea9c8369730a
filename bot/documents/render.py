"""Rendering a report template (.docx with docxtpl / Jinja tags) into a report file, and checking a
replacement template before it is kept.

Templates come from admins (uploaded in chat), so Jinja runs sandboxed (no attribute tricks, no
huge ranges) with autoescaping on: officials' texts may hold ``& < >`` and stay text. A template's
bytes are read once and cached; each render opens a fresh ``DocxTemplate`` on them, and the compiled
Jinja of each template part is cached too, so a report renders in a few tens of milliseconds.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from threading import Lock
from typing import TYPE_CHECKING, Any

from docx import Document
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, Template, Undefined
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.exceptions import SecurityError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from bot.chat.catalogue import say
from bot.documents.report import ReportUnit, build_context
from bot.domain.forms import WEEKLY_FORM_ID
from bot.domain.report_settings import ReportSettings, province_defaults
from bot.domain.yaml_files import load_yaml

if TYPE_CHECKING:
    from bot.domain.forms import Form

MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_RANGE_ITEMS = 10_000  # a report lists tens of rows; jinja2's own bound is 100,000
MAX_RESULT_CHARS = 1_000_000  # one value a template builds (a report's whole text is tens of KB)
MAX_EXPONENT = 100
_LEFTOVER_TAG = re.compile(r"\{\{|\}\}|\{%|%\}")
_HUGE_PERCENT_FORMAT = re.compile(r"%[-+ #0]*(?:\*|\d{5,})|%[-+ #0]*\d*\.(?:\*|\d{5,})")


class TemplateError(ValueError):
    """A template that cannot be used; ``reason`` says why, in Vietnamese, for the admin."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TemplateLimitError(SecurityError):
    """A template asked for more than a report needs (a huge range, a huge repeated text);
    ``reason`` says which, in Vietnamese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _bounded_range(*args: int) -> range:
    items = range(*args)
    if len(items) > MAX_RANGE_ITEMS:
        raise TemplateLimitError(say("render.range_too_big", items=len(items), most=MAX_RANGE_ITEMS))
    return items


def _sized(value: object) -> bool:
    return isinstance(value, str | bytes | list | tuple)


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse what would build a huge value before it is built (jinja2 would otherwise even fold a
    constant ``'A' * 200000000`` while compiling)."""
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if _sized(seq) and isinstance(times, int) and len(seq) * times > MAX_RESULT_CHARS:
                raise TemplateLimitError(say("render.value_too_big", most=MAX_RESULT_CHARS))
    elif operator == "+":
        if _sized(left) and _sized(right) and len(left) + len(right) > MAX_RESULT_CHARS:
            raise TemplateLimitError(say("render.value_too_big", most=MAX_RESULT_CHARS))
    elif operator == "**":
        if isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise TemplateLimitError(say("render.exponent_too_big", most=MAX_EXPONENT))
    elif operator == "%" and isinstance(left, str) and _HUGE_PERCENT_FORMAT.search(left):
        raise TemplateLimitError(say("render.value_too_big", most=MAX_RESULT_CHARS))


class _BoundedEnvironment(SandboxedEnvironment):
    """The sandbox, narrowed to what a report template needs: ``range`` of at most
    MAX_RANGE_ITEMS items, and no repetition, concatenation, power or %-format that builds a huge
    value. What still runs long or grows big (nested loops, filters) is stopped by the render
    worker's time and memory limits (:mod:`bot.documents.pool`)."""

    intercepted_binops = frozenset({"*", "+", "**", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["range"] = _bounded_range

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)


class _CachingEnvironment(_BoundedEnvironment):
    """A sandboxed environment whose ``from_string`` keeps the last compiled templates: the
    patched XML of a template part is the same on every render."""

    def __init__(self, *args: Any, cache_size: int = 32, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._compiled: OrderedDict[str, Template] = OrderedDict()
        self._compiled_size = cache_size
        self._compiled_lock = Lock()

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        with self._compiled_lock:
            cached = self._compiled.get(source)
            if cached is not None:
                self._compiled.move_to_end(source)
                return cached
        template = super().from_string(source)
        with self._compiled_lock:
            self._compiled[source] = template
            while len(self._compiled) > self._compiled_size:
                self._compiled.popitem(last=False)
        return template


_ENV = _CachingEnvironment(autoescape=True, undefined=Undefined)


@lru_cache(maxsize=16)
def _read(path: str, mtime_ns: int, size: int) -> bytes:
    return Path(path).read_bytes()


def template_bytes(template: str | Path | bytes) -> bytes:
    """The template's bytes; a path is read once per version of the file (mtime and size)."""
    if isinstance(template, bytes | bytearray | memoryview):
        return bytes(template)
    path = Path(template)
    stat = path.stat()
    return _read(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def _render(data: bytes, context: Mapping[str, Any], env: SandboxedEnvironment) -> bytes:
    document = DocxTemplate(io.BytesIO(data))
    document.render(dict(context), jinja_env=env, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_report(template: str | Path | bytes, context: Mapping[str, Any]) -> bytes:
    """The report file (.docx bytes) from a template (path or bytes) and a context from
    :func:`bot.documents.report.build_context`."""
    return _render(template_bytes(template), context, _ENV)


# --- checking a replacement template ---------------------------------------------------------


def _check_container(data: bytes) -> None:
    if not data:
        raise TemplateError(say("template_check.empty"))
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateError(say("template_check.too_big", megabytes=len(data) // 1024 // 1024,
                                most=MAX_TEMPLATE_BYTES // 1024 // 1024))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise TemplateError(say("template_check.not_docx"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise TemplateError(say("template_check.broken")) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise TemplateError(say("template_check.too_big_unpacked", megabytes=unpacked // 1024 // 1024,
                                most=MAX_UNPACKED_BYTES // 1024 // 1024))
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise TemplateError(say("template_check.no_document"))
    try:
        Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises a variety of errors on damaged packages
        raise TemplateError(say("template_check.cannot_open", error=exc)) from None


def _jinja_reason(exc: JinjaTemplateError) -> str:
    message = str(exc.message or exc).strip().rstrip(".")
    snippet = ""
    context = getattr(exc, "docx_context", None)
    if context is not None:
        lines = [line.strip() for line in context if line and line.strip()]
        if lines:
            snippet = say("template_check.near", text=" … ".join(lines)[:160])
    if isinstance(exc, UndefinedError):
        name = re.search(r"'([^']+)' is undefined", message)
        what = say("template_check.variable", name=name[1]) if name else say("template_check.a_variable")
        return say("template_check.undefined", what=what, error=message) + snippet
    if isinstance(exc, TemplateLimitError):
        return f"{exc.reason}{snippet}"
    if isinstance(exc, SecurityError):
        return say("template_check.forbidden", error=message) + snippet
    filter_name = re.search(r"No filter named '([^']+)'", message)
    if filter_name:
        return say("template_check.no_filter", name=filter_name[1]) + snippet
    test_name = re.search(r"No test named '([^']+)'", message)
    if test_name:
        return say("template_check.no_test", name=test_name[1]) + snippet
    if isinstance(exc, TemplateSyntaxError):
        return say("template_check.bad_tag", error=message) + snippet
    return say("render.failed", error=message) + snippet


def validate_template(data: bytes, sample_context: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> None:
    """Check a replacement template by rendering it with sample contexts (one, or several to cover
    the conditional parts). Returns None when it renders; raises :class:`TemplateError` with the
    reason in Vietnamese otherwise: not a .docx, a broken or unknown tag, an unknown filter, a
    variable the report does not have, or tags left unrendered."""
    _check_container(data)
    contexts = [sample_context] if isinstance(sample_context, Mapping) else list(sample_context)
    strict = _CachingEnvironment(autoescape=True, undefined=StrictUndefined, cache_size=8)
    for context in contexts:
        try:
            rendered = _render(data, context, strict)
        except JinjaTemplateError as exc:
            raise TemplateError(_jinja_reason(exc)) from None
        except (TemplateError, MemoryError):  # MemoryError: the render worker's limit says why
            raise
        except Exception as exc:  # docxtpl/lxml on a damaged document
            raise TemplateError(say("render.failed", error=str(exc).strip().rstrip("."))) from None
        try:
            document = Document(io.BytesIO(rendered))
        except Exception as exc:
            raise TemplateError(
                say("template_check.not_docx_result", error=str(exc).strip().rstrip("."))
            ) from None
        leftover = _leftover_tag(document)
        if leftover:
            raise TemplateError(say("template_check.leftover_tag", tag=leftover))


def _leftover_tag(document: Any) -> str | None:
    def paragraphs() -> Any:
        yield from document.paragraphs
        for table in document.tables:
            for row in table.rows:
                for cell in row.cells:
                    yield from cell.paragraphs
        for section in document.sections:
            for part in (section.header, section.first_page_header, section.footer, section.first_page_footer):
                if not part.is_linked_to_previous:
                    yield from part.paragraphs

    for paragraph in paragraphs():
        text: str = paragraph.text  # docxtpl is untyped
        if _LEFTOVER_TAG.search(text):
            return text.strip()[:120]
    return None


# --- sample answers for previews -------------------------------------------------------------


SAMPLE_PATH = Path(__file__).resolve().parents[2] / "templates" / "sample_report.yaml"


@lru_cache(maxsize=1)
def _sample() -> dict[str, Any]:
    """templates/sample_report.yaml: the sample commune, its week's answers, the explanation."""
    with SAMPLE_PATH.open(encoding="utf-8") as handle:
        data: dict[str, Any] = load_yaml(handle)
    return data


def sample_answers(*, overdue: bool = True) -> dict[str, int | str]:
    """Realistic answers of one commune's week (they balance: 102 = 47 + 54 + 1), for previews and
    for checking templates. ``overdue=False`` gives a week without overdue dossiers."""
    answers: dict[str, int | str] = dict(_sample()["answers"])
    if not overdue:
        answers.update(resolved_on_time=7, resolved_late=0, pending_in_time=54, pending_overdue=0)
        answers.pop("overdue_reasons")
    return answers


SAMPLE_UNIT = ReportUnit(**_sample()["unit"])
SAMPLE_EXPLANATION: str = _sample()["explanation"]


@dataclass(frozen=True)
class _SamplePeriod:
    key: str = "2025-W50"
    starts_on: date = date(2025, 12, 8)
    ends_on: date = date(2025, 12, 14)

    @property
    def label(self) -> str:
        """ "Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025)"."""
        from bot.domain.periods import PeriodKey

        return PeriodKey.parse(self.key).label


def _sample_settings(unit: ReportUnit) -> ReportSettings:
    defaults = province_defaults(unit.province_name or SAMPLE_UNIT.province_name)
    return defaults.model_copy(update={"signer_name": _sample()["signer_name"]})


@dataclass(frozen=True)
class _SampleCheck:
    check_id: str
    message: str


def sample_contexts(
    form: Form | None = None,
    *,
    unit: ReportUnit = SAMPLE_UNIT,
    period: Any = None,
    settings: ReportSettings | None = None,
    report_date: date = date(2025, 12, 15),
) -> list[dict[str, Any]]:
    """Contexts for previews and for checking a template: a week with overdue dossiers and an
    explained break of the balance check (2 withdrawn instead of 1), and a quiet week without
    either, so that both sides of the conditional parts render."""
    period = period if period is not None else _SamplePeriod()
    settings = settings or _sample_settings(unit)
    busy_answers = {**sample_answers(), "withdrawn": 2}
    if form is not None:
        from bot.domain.evaluate import evaluate_checks

        checks: list[Any] = evaluate_checks(form, busy_answers)
    else:
        checks = [_SampleCheck("balance", _sample()["balance_message"])]
    common: dict[str, Any] = {"unit": unit, "period": period, "settings": settings, "report_date": report_date}
    busy = build_context(
        form, busy_answers, explanations={"balance": SAMPLE_EXPLANATION}, checks=checks, **common
    )
    quiet = build_context(form, sample_answers(overdue=False), checks=[], **common)
    return [busy, quiet]


SAMPLE_PERIOD_KEYS = {
    # the sample week, the first and the last (53rd) week of another year, a mid-year week
    "weekly": ("2025-W50", "2026-W01", "2026-W53", "2024-W27"),
    "monthly": ("2025-12", "2026-01", "2024-07"),
}


def check_contexts(form: Form | None = None, **kwargs: Any) -> list[dict[str, Any]]:
    """Every case an uploaded template is checked with: for several periods (other weeks, other
    years, so a template that branches on the period is caught when it can be), a full report
    with an explained check, a quiet one, and one with no answers at all; once, a report whose
    optional counts are all blank (``blanks.button``), so that the template's blank branches render."""
    from bot.domain.periods import PeriodKey, period_for

    if form is None:
        periods: list[Any] = [None]
    else:
        keys = SAMPLE_PERIOD_KEYS.get(form.period.kind, ())
        periods = [period_for(form.period, PeriodKey.parse(key)) for key in keys] or [None]
    unit = kwargs.get("unit", SAMPLE_UNIT)

    def unchecked(answers: dict[str, Any], period: Any) -> dict[str, Any]:
        return build_context(form, answers, checks=[], unit=unit, period=period or _SamplePeriod(),
                             settings=kwargs.get("settings") or _sample_settings(unit),
                             report_date=kwargs.get("report_date", date(2025, 12, 15)))

    contexts: list[dict[str, Any]] = []
    for period in periods:
        busy, quiet = sample_contexts(form, period=period, **kwargs)
        contexts += [busy, quiet, unchecked({}, period)]
    optional = [f.id for f in form.count_fields if f.optional] if form is not None else []
    if optional:
        contexts.append(unchecked({**sample_answers(), **dict.fromkeys(optional)}, periods[0]))
    return contexts


def sample_context(form: Form | None = None, **kwargs: Any) -> dict[str, Any]:
    """The first of :func:`sample_contexts`: a full report for a preview."""
    return sample_contexts(form, **kwargs)[0]


# --- where templates live ---------------------------------------------------------------------

DEFAULT_TEMPLATES = {WEEKLY_FORM_ID: "bao-cao-tuan.docx", "nq57-monthly": "bao-cao-thang-nq57.docx"}


def form_template_path(templates_dir: str | Path, form_id: str, template: str | None) -> Path:
    """The template shipped for a form: the one its file names (``template:``, a variant's own),
    else :func:`default_template_path`."""
    return Path(templates_dir) / template if template else default_template_path(templates_dir, form_id)


def default_template_path(templates_dir: str | Path, form_id: str) -> Path:
    """The template shipped in templates/ for a form (templates/bao-cao-tuan.docx for tthc-weekly,
    templates/bao-cao-thang-nq57.docx for nq57-monthly, else templates/<form id>.docx)."""
    name = DEFAULT_TEMPLATES.get(form_id, f"{form_id}.docx")
    return Path(templates_dir) / name

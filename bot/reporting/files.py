"""A commune's report file from what is stored: the answers of a submission (or a draft), last
periods' answers for the checks, the province's and the commune's settings, and the template in
use (the commune's own, else the province's, else the one shipped in templates/).

Used by the chat (on submit, on request) and by `python -m bot render`."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot.chat.catalogue import say
from bot.chat.replies import ToOthers
from bot.documents.monthly import report_context
from bot.documents.pool import render_docx
from bot.documents.render import TemplateError, form_template_path
from bot.documents.report import ReportUnit, report_filename
from bot.domain.evaluate import CheckResult, evaluate_checks
from bot.domain.forms import Form
from bot.domain.periods import PeriodKey, period_for
from bot.domain.report_settings import ReportSettings, merge, province_defaults
from bot.reporting.last_period import last_period_answers as last_period_answers  # re-exported
from bot.services import Services
from storage import Storage
from storage.models import Role, Submission, TemplateRecord, Unit

log = logging.getLogger(__name__)
FALLBACK_ACTION = "template.fallback"

ROLLUP_SUFFIX = "-rollup"


@dataclass
class ReportInputs:
    """What a commune's report needs besides its own answers."""

    previous: dict[str, Any] | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    settings_layers: list[Mapping[str, Any]] = field(default_factory=list)
    template: bytes | None = None
    template_record: TemplateRecord | None = None


@dataclass(frozen=True)
class TemplateFallback:
    """A stored template failed on a real report, which was rendered with the shipped template
    instead. ``admins``: the Telegram ids to tell, empty when they were told about this template
    version already (once per version, kept in the audit log so a restart does not repeat it)."""

    record: TemplateRecord
    reason: str
    admins: tuple[int, ...]


@dataclass(frozen=True)
class ReportFile:
    filename: str
    content: bytes
    checks: tuple[CheckResult, ...]
    fallback: TemplateFallback | None = None


async def report_inputs(
    storage: Storage, form: Form, key: PeriodKey, unit_code: str, province_code: str | None,
    before: datetime | None = None,
) -> ReportInputs:
    inputs = ReportInputs()
    opens_at = before or period_for(form.period, key).opens_at
    recent = await storage.submissions.recent_for_unit(unit_code, form.schedule_id, before=opens_at)
    inputs.history = [dict(item.answers) for item in recent]
    inputs.previous = await last_period_answers(storage, key, recent)
    inputs.settings_layers = await settings_layers(storage, unit_code, province_code)
    record = await storage.templates.effective(form.id, unit_code, province_code)
    if record is not None:
        inputs.template = await storage.templates.content(record.id)
        inputs.template_record = record
    return inputs


async def note_fallback(
    storage: Storage, record: TemplateRecord, reason: str, province_code: str | None, admin_ids: Sequence[int],
    now: datetime,
) -> TemplateFallback:
    """Record that ``record`` failed on real data; the admins to tell are the configured ones and
    the province's, the first time only."""
    subject = f"template:{record.id}"
    log.warning("stored template %s (version %s) failed; the shipped one was used: %s", record.id,
                record.version, reason)
    if await storage.audit.recent(1, action=FALLBACK_ACTION, subject=subject):
        return TemplateFallback(record, reason, ())
    await storage.audit.log(FALLBACK_ACTION, now, subject=subject,
                            detail={"version": record.version, "reason": reason[:500]})
    admins = list(admin_ids)
    if province_code:
        admins += [p.telegram_id for p in await storage.people.list_people(unit_code=province_code, role=Role.ADMIN)
                   if p.telegram_id is not None]
    return TemplateFallback(record, reason, tuple(dict.fromkeys(admins)))


async def settings_layers(storage: Storage, unit_code: str, province_code: str | None) -> list[Mapping[str, Any]]:
    """The stored settings that apply, the province's first, then the commune's own: one quick
    read of both rows (the session's form variant is chosen from them on every chat update)."""
    codes = [code for code in (province_code, unit_code) if code]
    stored = await storage.unit_settings.list_for(codes)
    return [stored[code].settings.model_dump() for code in codes if code in stored]


async def report_unit(storage: Storage, unit: Unit) -> ReportUnit:
    province = await storage.units.get(unit.province_code)
    return ReportUnit(code=unit.code, full_name=unit.full_name, name=unit.name,
                      province_name=province.full_name if province else "")


def effective_settings(unit: ReportUnit, layers: list[Mapping[str, Any]]) -> ReportSettings:
    settings = province_defaults(unit.province_name) if unit.province_name else ReportSettings()
    for layer in layers:
        settings = merge(settings, layer)
    return settings


async def render_commune_report(
    storage: Storage,
    form: Form,
    templates_dir: Path,
    unit: Unit,
    period_key: str,
    answers: Mapping[str, Any],
    explanations: Mapping[str, Any],
    report_date: date,
    *,
    admin_ids: Sequence[int] = (),
    now: datetime | None = None,
    version: int = 1,
) -> ReportFile:
    """The report rendered in a render worker (:mod:`bot.documents.pool`); when the stored template
    fails, runs too long or grows too big on these answers, the shipped template renders it and
    ``fallback`` says so (the reader gets an ordinary report)."""
    key = PeriodKey.parse(period_key)
    info = period_for(form.period, key)
    inputs = await report_inputs(storage, form, key, unit.code, unit.province_code, before=info.opens_at)
    who = await report_unit(storage, unit)
    checks = evaluate_checks(form, dict(answers), inputs.previous, inputs.history or None)
    context = report_context(
        form, dict(answers), unit=who, period=info, settings=effective_settings(who, inputs.settings_layers),
        report_date=report_date, explanations=dict(explanations), previous=inputs.previous, checks=checks,
    )
    shipped = form_template_path(templates_dir, form.id, form.template)
    fallback = None
    if inputs.template is not None and inputs.template_record is not None:
        try:
            content = await render_docx(inputs.template, context)
        except TemplateError as exc:
            content = await render_docx(shipped, context)
            fallback = await note_fallback(storage, inputs.template_record, exc.reason, unit.province_code,
                                           admin_ids, now or datetime.now(UTC))
    else:
        content = await render_docx(shipped, context)
    return ReportFile(report_filename(key, unit.full_name, version), content, tuple(checks), fallback)


def fallback_of(services: Services) -> dict[str, Any]:
    """What a render needs to tell the admins when a stored template fails on real data."""
    return {"admin_ids": tuple(services.settings.admin_ids), "now": services.clock.now()}


def fallback_notice(report: ReportFile) -> list[ToOthers]:
    """The admins' notice that their uploaded template failed on this report and the shipped one
    was used (once per template version: none when they were told already)."""
    fallback = report.fallback
    if fallback is None or not fallback.admins:
        return []
    return [ToOthers(fallback.admins, say("render.fallback_admins", version=fallback.record.version,
                                          filename=fallback.record.filename, report=report.filename,
                                          reason=fallback.reason))]


async def render_submission(
    storage: Storage, form: Form, templates_dir: Path, unit: Unit, period_key: str, submission: Submission,
    *, admin_ids: Sequence[int] = (), now: datetime | None = None,
) -> ReportFile:
    return await render_commune_report(
        storage, form, templates_dir, unit, period_key, submission.answers, submission.explanations,
        submission.submitted_at.date(), admin_ids=admin_ids, now=now, version=submission.version,
    )

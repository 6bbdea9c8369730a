"""The commune's report handed over as a .docx, whatever the messenger: sent on submit, again from
the review screen («Tải tệp Word»), and any earlier period's from /baocaocu."""

from __future__ import annotations

from collections.abc import Sequence

from bot.chat.access import Identity
from bot.chat.actions import EarlierReports, PastReportFile
from bot.chat.catalogue import say
from bot.chat.replies import Choice, Document, Later, Message, Reply, TapAnswer
from bot.domain.message_length import MAX_CAPTION, cut
from bot.domain.periods import period_label
from bot.notices.report_names import period_full_name
from bot.reporting.communes import reporter_communes
from bot.reporting.files import fallback_notice, fallback_of, render_commune_report, render_submission
from bot.reporting.session import ReportSession
from bot.services import Services
from bot.supervising.which_form import ask_form, pick, scheduled_forms

RECENT = 10  # submitted periods listed per commune by /baocaocu


def report_document(services: Services, session: ReportSession) -> Later:
    """The latest submitted version; before any submission, a preview of the draft — made beside
    the updates (a slow template holds no one), with the admins told if their template failed."""

    async def make() -> list[Reply]:
        return await _report_document(services, session)

    return Later(make)



async def _report_document(services: Services, session: ReportSession) -> list[Reply]:
    storage = services.storage
    submission = await storage.submissions.latest(session.period.id, session.unit.code)
    if submission is not None:
        report = await render_submission(storage, session.form, services.settings.templates_dir, session.unit,
                                         session.period.key, submission, **fallback_of(services))
        caption = say("report_files.caption", period=period_full_name(session.period, session.form),
                      unit=session.unit.full_name,
                      version=submission.version)
    else:
        explanations = await storage.drafts.explanations(session.draft.id)
        report = await render_commune_report(
            storage, session.form, services.settings.templates_dir, session.unit, session.period.key,
            session.answers, {key: value.reason for key, value in explanations.items()},
            services.clock.now().date(), **fallback_of(services),
        )
        caption = say("report_files.preview_caption", unit=session.unit.full_name)
    return [Document(report.filename, report.content, cut(caption, MAX_CAPTION)), *fallback_notice(report)]


async def earlier_reports(services: Services, identity: Identity, words: Sequence[str] = (),
                          form_id: str | None = None) -> list[Reply]:
    """/baocaocu [báo cáo: «tuần», «tháng», «nq57»…]: the periods of that form this person's
    communes submitted, newest first, as choices; with several forms scheduled and none said, the
    choice of the report."""
    storage = services.storage
    units = await reporter_communes(storage, identity)
    if not units:
        return [Message(say("report_files.not_a_reporter"))]
    form = pick(services, words, None, form_id).form
    if form is None:  # the reports these communes sent: asked only when they sent more than one
        submitted = await storage.submissions.forms_submitted([u.code for u in units])
        sent = [f for f in scheduled_forms(services) if f.id in submitted]
        if len(sent) > 1:
            return [ask_form(services, EarlierReports, say("which_form.ask_earlier"))]
        if not sent:
            return [Message(say("report_files.none_submitted"))]
        form = sent[0]
    rows: list[tuple[Choice, ...]] = []
    for unit in units:
        for submission in await storage.submissions.recent_for_unit(unit.code, form.id, limit=RECENT):
            period = await storage.periods.get_by_id(submission.period_id)
            if period is None:
                continue
            label = period_label(period.key).split(" (")[0]
            if len(units) > 1:
                label = say("report_files.period_of_unit", period=label, unit=unit.name)
            rows.append((Choice(label, PastReportFile(period.id, unit.code)),))
    if not rows:
        return [Message(say("report_files.none_submitted"))]
    return [Message(say("report_files.choose_period"), tuple(rows))]


async def past_report_file(services: Services, identity: Identity, action: PastReportFile) -> list[Reply]:
    """The .docx of an earlier period's latest version, for a commune of this person only (made
    beside the updates)."""
    storage = services.storage
    units = {u.code: u for u in await reporter_communes(storage, identity)}
    period = await storage.periods.get_by_id(action.period_id)
    if action.code not in units or period is None:
        return [TapAnswer(say("reporting.not_yours"), alert=True)]
    submission = await storage.submissions.latest(period.id, action.code)
    if submission is None:
        return [TapAnswer(say("report_files.period_not_submitted"), alert=True)]
    form = services.form_of(submission.form_id, submission.form_version)  # the version it answered
    unit, caption = units[action.code], say("report_files.past_caption", period=period_label(period.key),
                                            version=submission.version)

    async def make() -> list[Reply]:
        report = await render_submission(storage, form, services.settings.templates_dir, unit, period.key,
                                         submission, **fallback_of(services))
        return [Document(report.filename, report.content, caption), *fallback_notice(report)]

    return [TapAnswer(), Later(make)]

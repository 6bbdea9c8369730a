"""Which report /baocao opens when a commune has several forms to report on (the weekly one, the
monthly Resolution 57 one …): each scheduled form's period to report on now, and the choice.

A form takes part when its period (the oldest open one not yet sent, else the current one) is
still in its reporting window — before its deadline — or the commune has begun it (a draft): a
late monthly report keeps its place once started, and one never started is reached from its
notices' «Nhập báo cáo». The default form (the weekly report) always takes part, as /baocao has
always opened it. Those not yet sent are offered, the nearer deadline first; only when all are
sent are the sent ones offered (to look at or correct). One offered: /baocao goes straight to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.chat.actions import ChooseReport
from bot.chat.catalogue import say
from bot.chat.replies import Choice, Message
from bot.domain.bulk_entry import looks_like_bulk_entry
from bot.domain.forms import Form
from bot.domain.numbers import format_date
from bot.domain.scheduled import default_form_id
from bot.domain.scheduled import scheduled_forms as forms_scheduled
from bot.notices.plan import format_moment
from bot.notices.report_names import period_name
from bot.reporting.periods import choose_period
from bot.services import Services
from storage.models import Period, Unit


@dataclass(frozen=True)
class OpenForm:
    """One form's period the commune can report on now."""

    form: Form
    period: Period
    sent: bool


def default_form(services: Services) -> Form:
    """The form /baocao opens when nothing else is open, and one-message entry fills without a
    report open: the weekly report."""
    return services.forms[default_form_id(services.forms)]


def scheduled_forms(services: Services) -> list[Form]:
    """The forms the calendar runs, the default first (a form with ``scheduled: false`` opens none)."""
    return forms_scheduled(services.forms)


async def open_reports(services: Services, unit: Unit, now: datetime) -> list[OpenForm]:
    """Each scheduled form's period this commune can report on now (see the module), nearer deadline first."""
    storage = services.storage
    default = default_form_id(services.forms)
    found = []
    for form in scheduled_forms(services):
        period = await choose_period(storage, form, unit.code, now)
        sent = await storage.submissions.latest(period.id, unit.code) is not None
        if (form.id == default or now < period.deadline_at
                or await storage.drafts.find(period.id, unit.code) is not None):
            found.append(OpenForm(form, period, sent))
    return sorted(found, key=lambda report: (report.period.deadline_at, report.form.id))


def offered(reports: list[OpenForm]) -> list[OpenForm]:
    """The reports to offer: those not yet sent; when every one is sent, all of them."""
    return [report for report in reports if not report.sent] or reports


def which_report(unit: Unit, reports: list[OpenForm]) -> Message:
    """The question: one line and one button per report, in the order given (nearer deadline first)."""
    lines = [say("forms_open.which_report")]
    rows: list[tuple[Choice, ...]] = []
    for report in reports:
        name = period_name(report.period, report.form)
        lines.append(say("forms_open.report_line", title=report.form.title, period=name,
                         deadline=format_moment(report.period.deadline_at),
                         sent=say("forms_open.report_sent") if report.sent else ""))
        label = (say("forms_open.button_sent", period=name) if report.sent else
                 say("forms_open.button", period=name, deadline=format_date(report.period.deadline_at.date())))
        rows.append((Choice(label, ChooseReport(report.period.id, unit.code)),))
    return Message("\n".join(lines), tuple(rows))


def bulk_form(services: Services, text: str, *, strict: bool = False) -> Form | None:
    """The form whose labels a one-message entry typed with no report open uses: the weekly
    report's when its labels read it (as always), else the first other scheduled form whose labels
    do; None when it is no such entry."""
    for form in scheduled_forms(services):
        if looks_like_bulk_entry(form, text, strict=strict):
            return form
    return None

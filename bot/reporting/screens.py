"""What the reporting journey shows, whatever the messenger: the session's steps (bot/reporting/steps.py)
turned into texts from the catalogue and choices carrying typed actions (bot/chat/actions.py).

A choice names the draft, so a tap is always checked against the draft's state, never trusted as
it is. The form's own labels, helps and check messages come from templates/forms/*.yaml."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.chat.actions import (
    AnswerBlank,
    AnswerNone,
    AnswerZero,
    ChooseItem,
    DraftFile,
    EditItem,
    FixBreak,
    GoBack,
    KeepAllBreaks,
    KeepAnswer,
    KeepBreak,
    KeepSameReason,
    Pause,
    Resume,
    ShowDetails,
    ShowReview,
    Submit,
    UseSuggestion,
)
from bot.chat.catalogue import say
from bot.chat.replies import Choice, Message
from bot.domain.evaluate import format_value, skipped_checks
from bot.domain.forms import Field, Form
from bot.domain.message_length import cut
from bot.domain.numbers import format_count, format_date
from bot.domain.rollup import finding
from bot.notices.report_names import period_full_name
from bot.reporting import kinds, long_text_screen
from bot.reporting.asking import button_value, kind_choices, kind_lines, replaced_line, shown, table_lines
from bot.reporting.session import ReportSession
from bot.reporting.soft_checks import MAX_REASON, MIN_REASON
from bot.reporting.steps import (
    Ask,
    AskReason,
    AskReasonAll,
    BulkFilled,
    Early,
    Paused,
    ReasonsKept,
    Refused,
    Review,
    RowDropped,
    RowsAdded,
    Saved,
    SoftBreak,
    Stale,
    Step,
    Submitted,
    WarningOpen,
    Warnings,
)
from storage.models import SubmissionStatus

Rows = list[list[Choice]]


@dataclass
class Screen:
    """What one action shows: paragraphs, and the choices under the last of them. ``asks`` when it
    ends with a question to answer: the channel records when that was shown (``mark_shown``)."""

    parts: list[str] = field(default_factory=list)
    choices: Rows = field(default_factory=list)
    asks: bool = False

    def message(self) -> Message:
        """The screen as one message; the channel splits it where the messenger's limit requires."""
        return Message("\n\n".join(p for p in self.parts if p), tuple(tuple(row) for row in self.choices))


def value_text(form: Form, field_obj: Field, value: Any) -> str:
    if value is None:
        return say("blanks.value") if field_obj.optional else "—"
    return shown(field_obj, value)


def _short(text: str, limit: int = 40) -> str:
    """At most ``limit`` characters as Telegram counts them (UTF-16 units), ending with "…" when cut."""
    return cut(text, limit)


def render(session: ReportSession, steps: Sequence[Step]) -> Screen:
    """The screen of an action's steps, in order."""
    screen = Screen()
    for step in steps:
        _render_step(session, step, screen)
    screen.asks = bool(steps) and isinstance(steps[-1], Ask)
    return screen


def _render_step(session: ReportSession, step: Step, screen: Screen) -> None:
    form, draft_id = session.form, session.draft.id
    if isinstance(step, Stale):
        screen.parts.append(say("reporting.stale"))
    elif isinstance(step, Saved):
        screen.parts.append(_saved_text(form, step))
    elif isinstance(step, Refused):
        screen.parts.append(say("reporting.not_saved", reason=step.reason))
    elif isinstance(step, Ask):
        screen.parts.append(_ask_text(session, step))
        screen.choices = _ask_choices(form, draft_id, step)
        screen.choices[-1:-1] = long_text_screen.ask_choices(form, draft_id, step.field, step.current,
                                                             session.suggestions, session.questions())
    elif isinstance(step, long_text_screen.LongStep):
        screen.parts.append(long_text_screen.step_text(step))
        screen.choices = long_text_screen.step_choices(draft_id, step)
    elif isinstance(step, SoftBreak):
        screen.parts.append(say("reporting.soft_break", message=step.check.message))
        screen.choices = [[Choice(say("reporting.fix"), FixBreak(draft_id, step.check.key))],
                          [Choice(say("reporting.keep_with_reason"), KeepBreak(draft_id, step.check.key))]]
        if step.same_reason:
            screen.choices.append([Choice(say("reporting_entry.same_reason", reason=_short(step.same_reason, 30)),
                                          KeepSameReason(draft_id, step.check.key))])
    elif isinstance(step, AskReason):
        if step.refused_length is not None:
            screen.parts.append(_reason_refused(step.refused_length))
        screen.parts.append(say("reporting.ask_reason"))
        screen.choices = []
    elif isinstance(step, Warnings):
        screen.parts.append(_warnings_text(step))
        screen.choices = _warnings_choices(form, draft_id, step)
    elif isinstance(step, AskReasonAll):
        if step.refused_length is not None:
            screen.parts.append(_reason_refused(step.refused_length))
        screen.parts.append(say("reporting_entry.ask_reason_all", count=len(step.checks)))
        screen.choices = []
    elif isinstance(step, ReasonsKept):
        screen.parts.append(say("reporting_entry.reasons_kept", count=step.count))
    elif isinstance(step, Review):
        screen.parts.append(review_text(session, step))
        screen.choices = _review_choices(draft_id, step)
    elif isinstance(step, Submitted):
        screen.parts.append(_submitted_text(session, step))
        screen.choices = [[Choice(say("reporting.show_review"), ShowReview(draft_id))],
                          [Choice(say("reporting.draft_file"), DraftFile(draft_id))]]
    elif isinstance(step, Paused):
        screen.parts.append(say("reporting.paused", answered=step.answered, total=step.total))
        screen.choices = [[Choice(say("reporting.resume"), Resume(draft_id))]]
    elif isinstance(step, BulkFilled):
        screen.parts.append(_bulk_text(form, step))
    elif isinstance(step, Early):
        screen.parts.append(_early_text(step))
    elif isinstance(step, RowsAdded):
        key = "kinds_chat.rows_saved" if kinds.declared_rows(step.table) else "kinds_chat.rows_added"
        screen.parts.append(say(key, added=step.added, label=step.table.button_label, total=step.total,
                                count=len(step.table.rows)))
    elif isinstance(step, RowDropped):
        screen.parts.append(say("kinds_chat.rows_empty") if step.row is None else say(
            "kinds_chat.row_dropped", row=_short(table_lines(step.table, [step.row])[0].removeprefix("1. "), 80),
            total=step.total))
    elif isinstance(step, WarningOpen):
        sent = _short(" ".join(step.text.split()), 40)
        if step.several:
            screen.parts.append(say("reporting_entry.warnings_open", sent=sent))
        elif step.target is not None:
            screen.parts.append(say("reporting.warning_open_figure", sent=sent, label=step.target.button_label))
        else:
            screen.parts.append(say("reporting.warning_open", sent=sent))


def _warnings_text(step: Warnings) -> str:
    """Every open soft check, numbered, stated as a finding (what to do is said once, after them):
    fix one, or keep them all with one reason."""
    lines = [say("reporting_entry.warnings_title", count=len(step.checks))]
    lines.extend(say("reporting_entry.warnings_item", number=n, message=finding(check.message))
                 for n, check in enumerate(step.checks, 1))
    lines.append(say("reporting_entry.warnings_what", count=len(step.checks)))
    return "\n\n".join(lines)


def _warnings_choices(form: Form, draft_id: int, step: Warnings) -> Rows:
    """«Sửa» for each: the figure itself when the check names one, else the list of items to choose
    from (figures that do not balance, several high figures); then «Giữ nguyên tất cả»."""
    rows: Rows = []
    for n, check in enumerate(step.checks, 1):
        action = FixBreak(draft_id, check.key) if len(check.fields) == 1 else ChooseItem(draft_id)
        rows.append([Choice(say("reporting_entry.fix_item", number=n), action)])
    rows.append([Choice(say("reporting_entry.keep_all"), KeepAllBreaks(draft_id))])
    return rows


def _reason_refused(length: int) -> str:
    """Why a reason was not kept: too long, or too short to say anything."""
    if length < MIN_REASON:
        why = say("reporting_input.reason_short", length=format_count(length), least=format_count(MIN_REASON))
    else:
        why = say("arguments.too_long", what=say("reporting.reason_what"), length=format_count(length),
                  limit=format_count(MAX_REASON))
    return say("reporting.not_saved", reason=why)


def _saved_text(form: Form, step: Saved) -> str:
    shown = _short(value_text(form, step.field, step.value), 300).rstrip(".")
    lines = [say("reporting.saved", label=step.field.button_label, value=shown)]
    if step.replaced is not None:
        lines.append(replaced_line(step.replaced, value_text(form, step.field, step.replaced.value)))
    lines.extend(step.derived)
    return "\n".join(lines)


def _submitted_text(session: ReportSession, step: Submitted) -> str:
    sub = step.submission
    at = sub.submitted_at
    lines = [say("reporting.submitted", period=period_full_name(session.period, session.form), unit=session.unit.full_name,
                 version=sub.version, time=f"{at:%H:%M}", date=format_date(at.date()))]
    if step.deadline_passed:
        deadline = session.period.deadline_at
        lines.append(say("reporting.submitted_late", time=f"{deadline:%H:%M}", date=format_date(deadline.date())))
    lines.append(say("reporting.submitted_correct"))
    return "\n".join(lines)


def _ask_text(session: ReportSession, step: Ask) -> str:
    f = step.field
    lines = [say("reporting.question", position=step.position, total=step.total, label=f.label), f.help.strip()]
    if f.kind not in ("count", "text"):
        lines.extend(kind_lines(step))
    if step.position == 1:  # where the official is: which report, due when
        deadline = session.period.deadline_at
        label = period_full_name(session.period, session.form)
        lines.insert(0, say("reporting.which_report", period=label[:1].lower() + label[1:],
                            time=f"{deadline:%H:%M}", date=format_date(deadline.date())))
        lines.append(say("reporting_entry.one_message_hint"))
    if step.current is not None and not kinds.added_rows(f):
        item = step.row if step.row is not None else f
        lines.append(say("reporting.current", value=_short(value_text(session.form, item, step.current), 300)))
    if f.kind == "text" and step.suggestion:
        lines.append(say("reporting.previous", value=_short(str(step.suggestion), 300)))
    lines.append(long_text_screen.ask_hint(f))
    return "\n".join(line for line in lines if line)


def _ask_choices(form: Form, draft_id: int, step: Ask) -> Rows:
    f = step.row if step.row is not None else step.field
    rows: Rows = []
    if step.current is not None and not kinds.added_rows(f):
        rows.append([Choice(say("reporting.keep", value=_short(button_value(f, step.current), 30)),
                            KeepAnswer(draft_id, f.id))])
    if step.suggestion is not None and step.suggestion != step.current:
        label = (form.previous_option if f.kind == "text"
                 else say("reporting.as_before", value=_short(button_value(f, step.suggestion), 30)))
        rows.append([Choice(label, UseSuggestion(draft_id, f.id))])
    rows.extend(kind_choices(draft_id, step))
    if f.kind == "count" and f.minimum <= 0 and step.current != 0:
        rows.append([Choice(say("reporting.zero"), AnswerZero(draft_id, f.id))])
    if f.kind == "count" and f.optional:  # the figure is not known: a blank, not 0
        rows.append([Choice(say("blanks.button"), AnswerBlank(draft_id, f.id))])
    if f.kind == "text":
        rows.append([Choice(say("reporting.none"), AnswerNone(draft_id, f.id))])
    nav = []
    if step.can_go_back:
        nav.append(Choice(say("reporting.back"), GoBack(draft_id)))
    nav.append(Choice(say("reporting.pause"), Pause(draft_id)))
    rows.append(nav)
    return rows


def _status_text(status: str) -> str:
    if status == SubmissionStatus.SUBMITTED:
        return say("reporting.status_submitted")
    if status == SubmissionStatus.APPROVED:
        return say("reporting.status_approved")
    if status == SubmissionStatus.RETURNED:
        return say("reporting.status_returned")
    return status


def review_text(session: ReportSession, review: Review, *, details: bool = False) -> str:
    """The review: one line per section, texts cut short, so that it fits about one phone screen;
    with ``details``, every answer on its own line and texts in full (up to 200 characters)."""
    form = session.form
    values = review.values
    lines = [say("reporting.review_title", period=period_full_name(session.period, session.form).upper()), session.unit.full_name, ""]
    asked = {f.id for f in form.questions(review.answers, session.previous)}  # computed once, not per field
    for section, fields in form.sections_with_fields():
        shown = [f for f in fields if f.id in asked]
        if not shown:
            continue
        items = [_review_item(form, f, review.answers.get(f.id), details, blank=values.is_blank(f.id))
                 for f in shown]
        lines.extend(_block(section.label if section is not None else None, items, details))
    derived = [d for d in form.derived if values.known(d.id)]
    if derived:
        lines.extend(_block(say("reporting.derived_section_name"), [
            _pair(form.label_of(d.id, short=not details), format_value(form, values, d.id), details) for d in derived],
            details))
    rates = [r for r in form.rates if values.known(r.id)]
    if rates:
        lines.extend(_block(say("reporting.rates_section_name"), [
            _pair(form.label_of(r.id, short=not details), format_value(form, values, r.id), details) for r in rates],
            details))
    lines.extend(long_text_screen.review_lines(form, review.answers, session.previous, asked))
    for check in review.breaks:
        reason = review.explanations.get(check.key)
        mark = "✖" if check.is_hard else "⚠"
        lines.append(f"{mark} {check.message}")
        if reason:
            lines.append(say("reporting.break_reason", reason=reason if details else _short(reason, 100)))
    unchecked = dict.fromkeys(ident for _, blanks in skipped_checks(form, values) for ident in blanks)
    if unchecked:  # a check that needs a blank figure is not made: say so
        lines.append(say("blanks.checks_skipped", figures=", ".join(f"«{form.label_of(i, short=True)}»" for i in unchecked)))
    if review.submitted is not None:
        sub = review.submitted
        lines.append(say("reporting.status", state=_status_text(str(sub.status)), version=sub.version,
                         time=f"{sub.submitted_at:%H:%M}", date=format_date(sub.submitted_at.date()),
                         late=say("reporting.status_late") if sub.late else ""))
        if sub.status_reason:
            lines.append(say("reporting.returned_reason", reason=sub.status_reason))
    else:
        lines.append(say("reporting.review_check"))
    return "\n".join(lines).strip()


def _review_item(form: Form, f: Field, value: Any, details: bool, *, blank: bool = False) -> str:
    if blank:
        text = say("blanks.value")
    elif value is None:
        text = say("reporting.unanswered")
    else:
        text = value_text(form, f, value)
        if f.kind == "text":
            text = _short(" ".join(text.split()) if not details else text, 200 if details else 60)
        elif f.kind == "table" and details:
            text = "\n".join([text, *(f"   {line}" for line in table_lines(f, value, limit=120))])
    return _pair(f.button_label, text, details, quoted=f.kind == "text" and value is not None and not details)


def _pair(label: str, value: str, details: bool, *, quoted: bool = False) -> str:
    if details:
        return f"• {label}: {value}"
    return f"{label}: «{value}»" if quoted else f"{label} {value}"


def _block(title: str | None, items: Sequence[str], details: bool) -> list[str]:
    """A section of the review: its items one per line (details), or on one line after its title."""
    if details:
        return [*([f"▸ {title}"] if title else []), *items, ""]
    joined = " · ".join(items)
    return [f"▸ {title}: {joined}" if title else f"▸ {joined}"]


def review_details(session: ReportSession, review: Review) -> Screen:
    """«Xem chi tiết»: the review in full, with the review's own choices."""
    return Screen(parts=[review_text(session, review, details=True)],
                  choices=_review_choices(session.draft.id, review, details=True))


def _review_choices(draft_id: int, review: Review, *, details: bool = False) -> Rows:
    more = [] if details else [[Choice(say("reporting.show_details"), ShowDetails(draft_id))]]
    if review.submitted is not None:
        correct = ([] if review.submitted.status == SubmissionStatus.APPROVED
                   else [[Choice(say("reporting.correct"), ChooseItem(draft_id))]])
        return [*correct, *more, [Choice(say("reporting.draft_file"), DraftFile(draft_id))]]
    return [[Choice(say("reporting.submit"), Submit(draft_id))],
            [Choice(say("reporting.edit_one"), ChooseItem(draft_id))],
            *more,
            [Choice(say("reporting.pause"), Pause(draft_id))]]


def edit_menu(session: ReportSession) -> Screen:
    """A choice for every question that applies, to change one answer."""
    form = session.form
    rows: Rows = []
    for f in session.questions():
        value = session.answers.get(f.id)
        shown = _short(value_text(form, f, value), 18) if value is not None else "…"
        rows.append([Choice(f"{_short(f.button_label, 32)}: {shown}", EditItem(session.draft.id, f.id))])
    rows.append([Choice(say("reporting.back_to_review"), ShowReview(session.draft.id))])
    return Screen(parts=[say("reporting.choose_item")], choices=rows)


def _early_text(step: Early) -> str:
    """A message sent before the question below was shown: not stored, and why."""
    sent = _short(" ".join(step.text.split()), 40)
    if step.repeats is not None:
        return say("reporting.early_repeat", sent=sent, question=step.repeats.button_label)
    return say("reporting.early", sent=sent)


def _bulk_text(form: Form, step: BulkFilled) -> str:
    lines = []
    if step.filled:
        lines.append(say("reporting.bulk_filled", count=len(step.filled),
                         labels=", ".join(form.label_of(f, short=True) for f in step.filled)))
    else:
        lines.append(say("reporting.bulk_nothing"))
    for where, reason in step.refused:
        lines.append(say("reporting.bulk_refused", where=where, reason=reason))
    if step.unmatched:
        lines.append(say("reporting.bulk_unmatched", lines="; ".join(_short(u, 40) for u in step.unmatched[:5])))
        lines.append(say("reporting.bulk_example"))
    return "\n".join(lines)

"""One commune on demand (/xa): its reporters, latest report with checks, versions, approval
state, the recent weeks side by side and the .docx, with the approve / return / enter buttons."""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.access import Identity
from bot.context import BotContext
from bot.domain.evaluate import CheckResult, evaluate_checks, format_value
from bot.domain.forms import Form
from bot.domain.message_length import MAX_CAPTION, cut
from bot.domain.numbers import format_count
from bot.domain.periods import PeriodKey, current_open_period, period_label
from bot.domain.rollup import APPROVAL_LABELS, explanation_text, format_moment
from bot.domain.text import fold
from bot.domain.values import compute
from bot.importing import context_of
from bot.report_files import render_submission
from bot.reporting import ensure_period
from bot.rollup_service import can_see
from handlers.report_files import announce_fallback, beside_updates, fallback_kwargs
from handlers.supervising.chat import chat_id_of, data, form_of, now_of, reply
from handlers.supervising.scope import refuse, search_communes, supervisor_or_refuse
from storage.models import Submission, SubmissionStatus, Unit

HISTORY_WEEKS = 6
XA_HELP = "Xem báo cáo của một xã: /xa <tên xã>, VD: /xa phuc loc (gõ có dấu hoặc không dấu)."
HISTORY_COLUMNS = (("received_new", "T.nhận"), ("resolved", "G.quyết"), ("pending", "Tồn"),
                   ("on_time_rate", "Đ.hạn%"), ("online_rate", "T.tuyến%"))


async def xa(update: Update, context: BotContext) -> None:
    identity = await supervisor_or_refuse(update, context)
    if identity is None:
        return
    query = " ".join(context.args or []).strip()
    if not query:
        await reply(update, context, XA_HELP)
        return
    units = await search_communes(context, identity, query)
    if not units:
        await reply(update, context, f"Không tìm thấy xã, phường nào khớp «{query}» trong tỉnh của Anh/Chị.")
        return
    unit = units[0] if len(units) == 1 else named(units, query)
    if unit is None:
        rows = [[InlineKeyboardButton(u.full_name, callback_data=data("x", u.code))] for u in units]
        await reply(update, context, "Anh/Chị chọn xã, phường:", InlineKeyboardMarkup(rows))
        return
    await show_commune(update, context, identity, unit)


def named(units: Sequence[Unit], query: str) -> Unit | None:
    """The commune the query names outright ("Văn Lăng", "xã Văn Lăng"): the name as typed, with its
    diacritics, first — /xa Văn Lăng is not Xã Văn Lang — then the name without diacritics when only
    one commune has it; None when the person has to choose."""
    def same(name: str, text: str) -> bool:
        return " ".join(unicodedata.normalize("NFC", name).lower().split()) == text

    typed = " ".join(unicodedata.normalize("NFC", query).lower().split())
    exact = [u for u in units if same(u.name, typed) or same(u.full_name, typed)]
    if exact:
        return exact[0]
    folded = [u for u in units if fold(query) in (fold(u.name), fold(u.full_name))]
    return folded[0] if len(folded) == 1 else None


def _value_text(form: Form, ident: str, value: Any) -> str:
    if value is None:
        return "(chưa có)"
    if isinstance(value, int):
        return format_count(value)
    text = " ".join(str(value).split())
    return text if len(text) <= 300 else text[:299] + "…"


def report_lines(form: Form, answers: dict[str, Any], explanations: dict[str, Any],
                 checks: Sequence[CheckResult], previous: dict[str, Any] | None = None) -> list[str]:
    """A report as text: the answers by section, the totals, the rates, the checks it breaks."""
    values = compute(form, answers, previous)
    lines: list[str] = []
    for section, fields in form.sections_with_fields():
        shown = [f for f in fields if form.applies(f, answers, previous) is not False]
        if not shown:
            continue
        if section is not None:
            lines.append(f"▸ {section.label}")
        lines += [f"• {f.button_label}: {_value_text(form, f.id, answers.get(f.id))}" for f in shown]
    derived = [d for d in form.derived if values.known(d.id)]
    if derived:
        lines.append("▸ Tổng hợp")
        lines += [f"• {d.label}: {format_value(form, values, d.id)}" for d in derived]
    rates = [r for r in form.rates if values.known(r.id)]
    if rates:
        lines.append("▸ Tỷ lệ")
        lines += [f"• {r.label}: {format_value(form, values, r.id)}" for r in rates]
    for check in checks:
        reason = explanation_text(explanations.get(check.key))
        lines.append(f"{'✖' if check.is_hard else '⚠'} {check.message}")
        if reason:
            lines.append(f"   Giải trình: {reason}")
    return lines


async def _names(context: BotContext, ids: set[int | None]) -> dict[int, str]:
    names: dict[int, str] = {}
    for person_id in ids:
        if person_id is not None:
            person = await context.services.storage.people.get(person_id)
            if person is not None:
                names[person_id] = person.full_name
    return names


def _status_line(submission: Submission, names: dict[int, str]) -> str:
    state = APPROVAL_LABELS.get(str(submission.status), str(submission.status))
    line = f"Trạng thái: {state}"
    if submission.status != SubmissionStatus.SUBMITTED and submission.status_at is not None:
        who = names.get(submission.status_by or -1, "")
        line += f" lúc {format_moment(submission.status_at)}" + (f" ({who})" if who else "")
    if submission.status == SubmissionStatus.RETURNED and submission.status_reason:
        line += f". Lý do: {submission.status_reason}"
    return line


async def show_commune(update: Update, context: BotContext, identity: Identity, unit: Unit,
                       period_id: int | None = None) -> None:
    """The commune's card: its officials, its latest report (or the one of ``period_id``) with
    the checks, the versions, the last weeks side by side, and the buttons to act on it."""
    if not can_see(identity, unit.province_code):
        await refuse(update)
        return
    services = context.services
    storage, form = services.storage, form_of(context)
    now = now_of(context)
    chat_id = chat_id_of(update)
    province = await storage.units.get(unit.province_code)
    reporters = await storage.people.reporters_of(unit.code)
    lines = [f"{unit.full_name} (mã {unit.code}) — {province.full_name if province else unit.province_code}",
             "Cán bộ báo cáo: " + (", ".join(p.full_name + (f" (@{p.username})" if p.username else "")
                                             for p in reporters) or "chưa có")]
    open_period = await ensure_period(storage, current_open_period(form.period, now))
    if await storage.submissions.latest(open_period.id, unit.code) is None:
        lines.append(f"Kỳ {period_label(open_period.key)} (đang mở): chưa nộp.")
    recent = await storage.submissions.recent_for_unit(unit.code, form.id, limit=HISTORY_WEEKS)
    if not recent:
        lines.append("Xã chưa nộp báo cáo nào.")
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("✍ Nhập thay báo cáo", callback_data=data("e", unit.code))]])
        await reply(update, context, "\n".join(lines), markup)
        return
    chosen = await storage.submissions.latest(period_id, unit.code) if period_id is not None else None
    latest = chosen or recent[0]
    period = await storage.periods.get_by_id(latest.period_id)
    assert period is not None
    versions = await storage.submissions.versions(period.id, unit.code)
    names = await _names(context, {v.submitted_by for v in versions} | {latest.status_by})
    previous, history = await context_of(storage, form, unit, period)
    checks = evaluate_checks(form, dict(latest.answers), previous, history)
    lines += ["", f"BÁO CÁO {period_label(period.key).upper()} — lần {latest.version} (mã báo cáo {latest.id})"]
    lines += report_lines(form, dict(latest.answers), dict(latest.explanations), checks, previous)
    lines += ["", "Các lần nộp:"]
    for version in versions:
        who = names.get(version.submitted_by or -1, "không rõ người nộp")
        flags = [f for f, on in (("nhập thay", version.on_behalf), ("sau hạn", version.late)) if on]
        lines.append(f"• Lần {version.version}: {format_moment(version.submitted_at)} — {who}"
                     + (f" ({', '.join(flags)})" if flags else ""))
    lines.append(_status_line(latest, names))
    buttons = []
    if latest.status != SubmissionStatus.APPROVED:
        buttons.append([InlineKeyboardButton("✔ Duyệt", callback_data=data("a", latest.id))])
    buttons.append([InlineKeyboardButton("↩ Trả lại để sửa", callback_data=data("r", latest.id))])
    buttons.append([InlineKeyboardButton("✍ Nhập thay báo cáo", callback_data=data("e", unit.code))])
    await reply(update, context, "\n".join(lines), InlineKeyboardMarkup(buttons))
    table = await _history_table(context, form, recent)
    await context.bot.send_message(chat_id, table, parse_mode=ParseMode.HTML)

    async def send() -> None:
        report = await render_submission(storage, form, services.settings.templates_dir, unit, period.key, latest,
                                         **fallback_kwargs(context))
        await context.bot.send_document(chat_id, document=report.content, filename=report.filename,
                                        caption=cut(f"Báo cáo {period_label(period.key)} — {unit.full_name} "
                                                    f"(lần {latest.version})", MAX_CAPTION))
        await announce_fallback(context, report)

    beside_updates(context, send(), update)


async def _history_table(context: BotContext, form: Form, recent: list[Submission]) -> str:
    """The last weeks side by side, newest first, in a monospace block."""
    rows = [["Kỳ", *[label for ident, label in HISTORY_COLUMNS if form.kind_of(ident)]]]
    for submission in recent:
        period = await context.services.storage.periods.get_by_id(submission.period_id)
        key = PeriodKey.parse(period.key) if period else None
        values = compute(form, submission.answers)
        cells = [f"T{key.number}/{str(key.year)[2:]}" if key else "?"]
        for ident, _ in HISTORY_COLUMNS:
            if not form.kind_of(ident):
                continue
            text = format_value(form, values, ident)
            cells.append(text.removesuffix("%"))
        rows.append(cells)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    body = "\n".join(" ".join(cell.rjust(width) if i else cell.ljust(width) for i, (cell, width)
                              in enumerate(zip(row, widths, strict=True))) for row in rows)
    return f"Các tuần gần đây (mới nhất trước):\n<pre>{html.escape(body)}</pre>"

"""The supervisor's journey: the province's rollup (/tonghop), who has not reported (/chuanop), one
commune on demand (/xa), approving or returning a report (/duyet, /tralai), and entering a report on
a commune's behalf (/nhapthay).

Stateless on purpose: what to act on is in the command's arguments or in the button's data (a
province code, a period key, a submission id), and every command and every button checks again,
on the server, that the person may see that province — a supervisor their own provinces, an admin
all of them. A report entered on a commune's behalf waits in the commune's draft (SQLite) until the
supervisor confirms it, so a restart loses nothing.

Callback data: ``sv:<verb>:<args>`` — ``t`` rollup (scope, period key), ``c`` missing communes
(province), ``x`` a commune (code), ``a`` approve / ``r`` return (submission id), ``w`` the
commune's .docx (submission id), ``e`` the on-behalf form (commune code), ``s`` submit on behalf
(commune code, period id), ``f`` the reporter's correction of a returned report (submission id).
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.access import Identity, identify
from bot.broadcast import NUDGE_PREFIX
from bot.context import BotContext
from bot.domain.evaluate import CheckResult, defaults, evaluate_checks, format_value
from bot.domain.forms import Form
from bot.domain.numbers import format_count, format_date
from bot.domain.periods import PeriodKey, PeriodKeyError, current_open_period, period_for, period_label
from bot.domain.rollup import APPROVAL_LABELS, explanation_text, format_moment
from bot.domain.text import fold
from bot.domain.values import compute
from bot.importing import check_answers, context_of, enter_report
from bot.report_files import render_submission
from bot.reporting import ReportSession, ensure_period
from bot.rollup_service import (
    NATIONAL,
    ProgressState,
    RollupError,
    allowed_provinces,
    can_see,
    find_period,
    produce,
)
from handlers import texts
from handlers.reporting import show
from handlers.reporting_views import edit_menu, split_message
from storage.models import DraftStatus, Period, Submission, SubmissionStatus, Unit, UnitKind

log = logging.getLogger(__name__)

PREFIX = "sv"
FORM_ID = "tthc-weekly"
PROGRESS_AFTER = 0.7  # seconds before the first progress edit ("more than a moment")
PROGRESS_EVERY = 1.0  # seconds between progress edits (Telegram allows about one edit a second)
HISTORY_WEEKS = 6
NATIONAL_WORDS = {"toanquoc", "toan quoc", "ca nuoc", "canuoc", "all", "quocgia"}
EXPLAIN_LABELS = {"giai trinh", "ly do", "giai trinh so lieu"}
MIN_REASON = 5

TONGHOP_HELP = (
    "Tổng hợp báo cáo của tỉnh:\n"
    "• /tonghop — kỳ đã hết hạn gần nhất\n"
    "• /tonghop 2025-W50 — một kỳ cụ thể\n"
    "• /tonghop thai nguyen (hoặc mã tỉnh 19) — khi Anh/Chị theo dõi nhiều tỉnh\n"
    "• /tonghop toanquoc — cả nước, theo tỉnh (quản trị viên)"
)
XA_HELP = "Xem báo cáo của một xã: /xa <tên xã>, VD: /xa phuc loc (gõ có dấu hoặc không dấu)."
TRALAI_HELP = (
    "Trả lại báo cáo để xã sửa: /tralai <mã báo cáo> <lý do>\n"
    "VD: /tralai 123 Số hồ sơ kỳ trước chuyển sang chưa khớp với số đang giải quyết tuần trước.\n"
    "Mã báo cáo có trong thông tin của xã (/xa <tên xã>)."
)
NHAPTHAY_HELP = (
    "Nhập thay báo cáo cho xã (khi xã báo qua điện thoại, giấy): /nhapthay <tên hoặc mã xã>.\n"
    "Bot gửi mẫu để Anh/Chị sao chép, điền số liệu rồi gửi lại trong một tin nhắn."
)


# --- who may do what ---------------------------------------------------------------------------


def data(*parts: object) -> str:
    value = ":".join([PREFIX, *(str(part) for part in parts)])
    assert len(value.encode()) <= 64, value
    return value


async def _supervisor(update: Update, context: BotContext) -> Identity | None:
    """The person, when they supervise a province or administer; None otherwise."""
    user = update.effective_user
    if user is None:
        return None
    identity = await identify(context.services.storage, context.services.settings, user.id)
    return identity if identity.is_admin or identity.provinces else None


async def _refuse(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(texts.NOT_ALLOWED, show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(texts.NOT_ALLOWED)


def _form(context: BotContext, form_id: str = FORM_ID) -> Form:
    return context.services.forms[form_id]


def _now(context: BotContext) -> datetime:
    return context.services.clock.now()


def _chat_id(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


async def _reply(update: Update, context: BotContext, text: str, markup: InlineKeyboardMarkup | None = None,
                 parse_mode: str | None = None) -> Message | None:
    parts = split_message(text)
    sent = None
    for index, part in enumerate(parts):
        sent = await context.bot.send_message(_chat_id(update), part, parse_mode=parse_mode,
                                              reply_markup=markup if index == len(parts) - 1 else None)
    return sent


async def _provinces_of(context: BotContext, identity: Identity) -> list[Unit]:
    allowed = allowed_provinces(identity)
    provinces = await context.services.storage.units.list_provinces()
    return [p for p in provinces if allowed is None or p.code in allowed]


async def _find_province(context: BotContext, identity: Identity, query: str) -> list[Unit]:
    """Provinces in the person's scope matching a name or code."""
    provinces = await _provinces_of(context, identity)
    text = fold(query)
    if text.isdigit():
        return [p for p in provinces if p.code == text.zfill(2)]
    return [p for p in provinces if text and all(word in fold(p.full_name) for word in text.split())]


def _period_key(token: str) -> str | None:
    try:
        return str(PeriodKey.parse(token))
    except PeriodKeyError:
        return None


# --- /tonghop ----------------------------------------------------------------------------------


async def tonghop(update: Update, context: BotContext) -> None:
    identity = await _supervisor(update, context)
    if identity is None:
        await _refuse(update)
        return
    args = list(context.args or [])
    key = None
    rest = []
    for token in args:
        found = _period_key(token)
        if found is not None and key is None:
            key = found
        else:
            rest.append(token)
    query = " ".join(rest).strip()
    if query.lower() in {"help", "huongdan", "?"}:
        await _reply(update, context, TONGHOP_HELP)
        return
    if fold(query) in NATIONAL_WORDS:
        if allowed_provinces(identity) is not None:
            await _reply(update, context, "Chỉ quản trị viên toàn hệ thống mới xem được tổng hợp cả nước.")
            return
        await _run_rollup(update, context, identity, NATIONAL, key)
        return
    if query:
        provinces = await _find_province(context, identity, query)
        if len(provinces) != 1:
            await _choose_scope(update, context, identity, key, provinces or None,
                                f"Không thấy tỉnh nào khớp «{query}» trong phạm vi của Anh/Chị." if not provinces
                                else "Anh/Chị chọn tỉnh:")
            return
        await _run_rollup(update, context, identity, provinces[0].code, key)
        return
    provinces = await _provinces_of(context, identity)
    if len(provinces) == 1 and allowed_provinces(identity) is not None:
        await _run_rollup(update, context, identity, provinces[0].code, key)
        return
    await _choose_scope(update, context, identity, key, None, "Anh/Chị chọn tỉnh để tổng hợp:")


async def _choose_scope(update: Update, context: BotContext, identity: Identity, key: str | None,
                        provinces: list[Unit] | None, text: str, verb: str = "t") -> None:
    provinces = provinces if provinces is not None else await _provinces_of(context, identity)
    buttons = [InlineKeyboardButton(p.name, callback_data=data(verb, p.code, key or "")) for p in provinces]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    if verb == "t" and allowed_provinces(identity) is None:
        rows.append([InlineKeyboardButton("🇻🇳 Toàn quốc (theo tỉnh)", callback_data=data("t", NATIONAL, key or ""))])
    await _reply(update, context, text, InlineKeyboardMarkup(rows) if rows else None)


def _navigation(scope: str, period: Period, form: Form, now: datetime, national_ok: bool) -> InlineKeyboardMarkup:
    key = PeriodKey.parse(period.key)
    row = [InlineKeyboardButton(f"« {key.previous().short_label}", callback_data=data("t", scope, key.previous()))]
    following = key.next()
    if period_for(form.period, following).opens_at <= now:
        row.append(InlineKeyboardButton(f"{following.short_label} »", callback_data=data("t", scope, following)))
    rows = [row]
    if scope != NATIONAL:
        rows.append([InlineKeyboardButton("Các xã chưa nộp kỳ đang mở", callback_data=data("c", scope))])
    if national_ok and scope != NATIONAL:
        rows.append([InlineKeyboardButton("Toàn quốc (theo tỉnh)", callback_data=data("t", NATIONAL, period.key))])
    return InlineKeyboardMarkup(rows)


async def _run_rollup(update: Update, context: BotContext, identity: Identity, scope: str, key: str | None) -> None:
    province = None if scope == NATIONAL else scope
    if not can_see(identity, province):
        await _refuse(update)
        return
    services = context.services
    storage, form = services.storage, _form(context)
    now = _now(context)
    try:
        period = await find_period(storage, form, key, now)
    except RollupError as exc:
        await _reply(update, context, str(exc))
        return
    if period.opens_at > now:
        await _reply(update, context, f"{period_label(period.key)} chưa mở báo cáo.")
        return
    scope_name = "cả nước" if province is None else ((await storage.units.get(province)) or Unit(
        code=province, name=province, full_name=province, kind=UnitKind.PROVINCE, division_type="",
        province_code=province)).full_name
    chat_id = _chat_id(update)
    status = await context.bot.send_message(
        chat_id, f"Đang tổng hợp báo cáo {period_label(period.key)} của {scope_name}…")
    progress = ProgressState()
    work = produce(storage, form, period, province, templates_dir=services.settings.templates_dir,
                   report_date=now.date(), tz=services.clock.tz, progress=progress)
    try:
        files = await _with_progress(context, status, progress, work)
    except RollupError as exc:
        await _edit(context, status, str(exc))
        return
    markup = _navigation(scope, period, form, now, allowed_provinces(identity) is None)
    parts = split_message(files.message)
    await _edit(context, status, parts[0], markup if len(parts) == 1 else None)
    for index, part in enumerate(parts[1:], start=1):
        await context.bot.send_message(chat_id, part, reply_markup=markup if index == len(parts) - 1 else None)
    caption = f"Tổng hợp {period_label(period.key)} — {files.rollup.scope_name}"[:1024]
    await context.bot.send_photo(chat_id, photo=files.chart, filename=files.chart_name, caption=caption)
    await context.bot.send_document(chat_id, document=files.docx, filename=files.docx_name,
                                    caption="Báo cáo tổng hợp (Word)")
    await context.bot.send_document(chat_id, document=files.xlsx, filename=files.xlsx_name,
                                    caption="Số liệu từng xã (Excel, lọc được)")
    await storage.audit.log("rollup.view", now, actor=identity.telegram_id, subject=f"{scope}:{period.key}",
                            detail={k: round(v, 3) for k, v in files.timings.items()})


async def _edit(context: BotContext, message: Message, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    try:
        await context.bot.edit_message_text(text, chat_id=message.chat_id, message_id=message.message_id,
                                            reply_markup=markup)
    except BadRequest:  # unchanged text, or the message is gone: say it anew
        await context.bot.send_message(message.chat_id, text, reply_markup=markup)


async def _with_progress(context: BotContext, status: Message, progress: ProgressState, work: Any) -> Any:
    """Await ``work``, editing ``status`` with the progress when it takes more than a moment."""
    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    started = loop.time()
    shown = ""
    while True:
        elapsed = loop.time() - started
        wait = PROGRESS_AFTER - elapsed if not shown and elapsed < PROGRESS_AFTER else PROGRESS_EVERY
        done, _ = await asyncio.wait({task}, timeout=max(wait, 0.01))
        if done:
            return task.result()
        text = progress.text
        if text and text != shown:
            shown = text
            try:
                await context.bot.edit_message_text(text, chat_id=status.chat_id, message_id=status.message_id)
            except TelegramError:  # progress is best effort
                log.debug("progress edit failed", exc_info=True)


# --- /chuanop ----------------------------------------------------------------------------------


async def chuanop(update: Update, context: BotContext) -> None:
    identity = await _supervisor(update, context)
    if identity is None:
        await _refuse(update)
        return
    query = " ".join(context.args or []).strip()
    provinces = await _find_province(context, identity, query) if query else await _provinces_of(context, identity)
    if len(provinces) == 1:
        await _missing(update, context, identity, provinces[0].code)
        return
    await _choose_scope(update, context, identity, None, provinces if query else None,
                        "Anh/Chị chọn tỉnh:" if provinces or not query else f"Không thấy tỉnh nào khớp «{query}».",
                        verb="c")


async def _missing(update: Update, context: BotContext, identity: Identity, province: str) -> None:
    if not can_see(identity, province):
        await _refuse(update)
        return
    storage, form = context.services.storage, _form(context)
    now = _now(context)
    period = await ensure_period(storage, current_open_period(form.period, now))
    communes = await storage.units.list_communes(province)
    submitted = {s.unit_code for s in await storage.submissions.list_latest_for_period(period.id, province)}
    missing = [unit for unit in communes if unit.code not in submitted]
    deadline = period.deadline_at
    head = (f"Kỳ {period_label(period.key)} — hạn nộp {deadline:%H:%M} ngày {format_date(deadline.date())}"
            f"{' (đã quá hạn)' if now > deadline else ''}.\n")
    if not missing:
        await _reply(update, context, head + f"Tất cả {format_count(len(communes))} xã, phường đã nộp báo cáo.")
        return
    lines = [head + f"Chưa nộp: {format_count(len(missing))}/{format_count(len(communes))} xã, phường."]
    unreachable = 0
    for index, unit in enumerate(missing, start=1):
        people = await storage.people.reporters_of(unit.code)
        if people:
            who = ", ".join(p.full_name + (f" (@{p.username})" if p.username else "")
                            + ("" if p.active else " — đã chặn bot") for p in people)
        else:
            who = "chưa có cán bộ báo cáo"
            unreachable += 1
        lines.append(f"{index}. {unit.full_name} — {who}")
    if unreachable:
        lines.append(f"\n{unreachable} xã chưa có cán bộ báo cáo: Anh/Chị vui lòng liên hệ trực tiếp, hoặc nhập thay "
                     "(/nhapthay <tên xã>).")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(
        f"🔔 Nhắc ngay ({format_count(len(missing))} xã)", callback_data=f"{NUDGE_PREFIX}:{period.id}:{province}")]])
    await _reply(update, context, "\n".join(lines), markup)


# --- /xa: one commune --------------------------------------------------------------------------


async def xa(update: Update, context: BotContext) -> None:
    identity = await _supervisor(update, context)
    if identity is None:
        await _refuse(update)
        return
    query = " ".join(context.args or []).strip()
    if not query:
        await _reply(update, context, XA_HELP)
        return
    units = await _search_communes(context, identity, query)
    if not units:
        await _reply(update, context, f"Không tìm thấy xã, phường nào khớp «{query}» trong tỉnh của Anh/Chị.")
        return
    if len(units) > 1 and fold(units[0].full_name) not in {fold(query), fold(f"xa {query}"), fold(f"phuong {query}")}:
        rows = [[InlineKeyboardButton(u.full_name, callback_data=data("x", u.code))] for u in units]
        await _reply(update, context, "Anh/Chị chọn xã, phường:", InlineKeyboardMarkup(rows))
        return
    await _commune(update, context, identity, units[0])


async def _search_communes(context: BotContext, identity: Identity, query: str, limit: int = 10) -> list[Unit]:
    storage = context.services.storage
    allowed = allowed_provinces(identity)
    if allowed is None:
        return await storage.units.search(query, kind=UnitKind.COMMUNE, limit=limit)
    found: list[Unit] = []
    for province in allowed:
        found += await storage.units.search(query, province_code=province, kind=UnitKind.COMMUNE, limit=limit)
    return found[:limit]


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


async def _commune(update: Update, context: BotContext, identity: Identity, unit: Unit) -> None:
    if not can_see(identity, unit.province_code):
        await _refuse(update)
        return
    services = context.services
    storage, form = services.storage, _form(context)
    now = _now(context)
    chat_id = _chat_id(update)
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
        await _reply(update, context, "\n".join(lines), markup)
        return
    latest = recent[0]
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
    await _reply(update, context, "\n".join(lines), InlineKeyboardMarkup(buttons))
    table = await _history_table(context, form, recent)
    await context.bot.send_message(chat_id, table, parse_mode=ParseMode.HTML)
    report = await render_submission(storage, form, services.settings.templates_dir, unit, period.key, latest)
    await context.bot.send_document(chat_id, document=report.content, filename=report.filename,
                                    caption=f"Báo cáo {period_label(period.key)} — {unit.full_name} "
                                            f"(lần {latest.version})"[:1024])


HISTORY_COLUMNS = (("received_new", "T.nhận"), ("resolved", "G.quyết"), ("pending", "Tồn"),
                   ("on_time_rate", "Đ.hạn%"), ("online_rate", "T.tuyến%"))


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


# --- approving and returning -------------------------------------------------------------------


async def _submission_in_scope(update: Update, context: BotContext, identity: Identity,
                               raw_id: str) -> tuple[Submission, Unit, Period] | None:
    storage = context.services.storage
    submission = await storage.submissions.get(int(raw_id)) if raw_id.isdigit() else None
    unit = await storage.units.get(submission.unit_code) if submission else None
    period = await storage.periods.get_by_id(submission.period_id) if submission else None
    if submission is None or unit is None or period is None or not can_see(identity, unit.province_code):
        await _refuse(update)
        return None
    return submission, unit, period


async def _still_latest(update: Update, context: BotContext, submission: Submission, unit: Unit,
                        period: Period) -> bool:
    latest = await context.services.storage.submissions.latest(period.id, unit.code)
    if latest is not None and latest.id != submission.id:
        await _reply(update, context, f"{unit.full_name} đã gửi bản mới hơn (lần {latest.version}, mã báo cáo "
                                      f"{latest.id}). Anh/Chị xem lại: /xa {unit.code}")
        return False
    return True


async def _tell_reporters(context: BotContext, unit: Unit, text: str,
                          markup: InlineKeyboardMarkup | None = None) -> int:
    told = 0
    for person in await context.services.storage.people.reporters_of(unit.code):
        try:
            await context.bot.send_message(person.telegram_id, text, reply_markup=markup)
            told += 1
        except TelegramError:
            log.warning("could not tell reporter %s of %s", person.id, unit.code, exc_info=True)
    return told


async def approve(update: Update, context: BotContext, identity: Identity, raw_id: str) -> None:
    found = await _submission_in_scope(update, context, identity, raw_id)
    if found is None:
        return
    submission, unit, period = found
    if not await _still_latest(update, context, submission, unit, period):
        return
    label = period_label(period.key)
    if submission.status == SubmissionStatus.APPROVED:
        await _reply(update, context, f"Báo cáo {label} của {unit.full_name} (lần {submission.version}) đã được "
                                      "duyệt trước đó.")
        return
    storage, now = context.services.storage, _now(context)
    by = identity.person.id if identity.person else None
    await storage.submissions.set_status(submission.id, SubmissionStatus.APPROVED, by, now)
    draft = await storage.drafts.find(period.id, unit.code)
    if draft is not None and draft.status != DraftStatus.SUBMITTED:  # a correction in progress ends: approved is final
        await storage.drafts.set_status(draft.id, DraftStatus.SUBMITTED, now)
    await storage.audit.log("report.approve", now, actor=identity.telegram_id, subject=f"{unit.code}:{period.key}",
                            detail={"submission": submission.id, "version": submission.version})
    told = await _tell_reporters(context, unit, f"✔ Báo cáo {label} của {unit.full_name} (lần {submission.version}) "
                                                "đã được tỉnh duyệt. Báo cáo đã duyệt không sửa được nữa. "
                                                "Cảm ơn Anh/Chị!")
    await _reply(update, context, f"Đã duyệt báo cáo {label} của {unit.full_name} (lần {submission.version}). "
                                  f"Đã báo cho {told} cán bộ của xã.")


async def duyet(update: Update, context: BotContext) -> None:
    identity = await _supervisor(update, context)
    if identity is None:
        await _refuse(update)
        return
    args = list(context.args or [])
    if not args or not args[0].isdigit():
        await _reply(update, context, "Duyệt báo cáo: /duyet <mã báo cáo>. Mã báo cáo có trong /xa <tên xã>.")
        return
    await approve(update, context, identity, args[0])


async def tralai(update: Update, context: BotContext) -> None:
    identity = await _supervisor(update, context)
    if identity is None:
        await _refuse(update)
        return
    message = update.effective_message
    text = (message.text or "") if message else ""
    parts = text.split(maxsplit=2)
    if len(parts) < 2 or not parts[1].isdigit():
        await _reply(update, context, TRALAI_HELP)
        return
    reason = " ".join(parts[2].split()) if len(parts) > 2 else ""
    found = await _submission_in_scope(update, context, identity, parts[1])
    if found is None:
        return
    submission, unit, period = found
    if len(reason) < MIN_REASON:
        await _reply(update, context, "Anh/Chị vui lòng ghi lý do trả lại để xã biết cần sửa gì.\n\n" + TRALAI_HELP)
        return
    if not await _still_latest(update, context, submission, unit, period):
        return
    label = period_label(period.key)
    if submission.status == SubmissionStatus.RETURNED:
        await _reply(update, context, f"Báo cáo {label} của {unit.full_name} (lần {submission.version}) đã được "
                                      "trả lại trước đó; xã chưa gửi bản sửa.")
        return
    storage, now = context.services.storage, _now(context)
    by = identity.person.id if identity.person else None
    await storage.submissions.set_status(submission.id, SubmissionStatus.RETURNED, by, now, reason[:1000])
    await storage.audit.log("report.return", now, actor=identity.telegram_id, subject=f"{unit.code}:{period.key}",
                            detail={"submission": submission.id, "version": submission.version, "reason": reason})
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("✏ Sửa báo cáo", callback_data=data("f", submission.id))]])
    told = await _tell_reporters(
        context, unit,
        f"↩ Báo cáo {label} của {unit.full_name} (lần {submission.version}) được tỉnh trả lại để sửa.\n"
        f"Lý do: {reason}\nAnh/Chị bấm «Sửa báo cáo», sửa các mục cần thiết rồi gửi lại.",
        markup,
    )
    await _reply(update, context, f"Đã trả lại báo cáo {label} của {unit.full_name} (lần {submission.version}). "
                                  f"Đã báo cho {told} cán bộ của xã; khi xã gửi lại, báo cáo trở về «Chờ duyệt».")


async def _correct(update: Update, context: BotContext, raw_id: str) -> None:
    """The reporter's «Sửa báo cáo» on a returned report: the edit menu of that period's report
    (whatever period is open now); the reporting journey takes it from there."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    storage = context.services.storage
    identity = await identify(storage, context.services.settings, update.effective_user.id)
    submission = await storage.submissions.get(int(raw_id)) if raw_id.isdigit() else None
    if submission is None or identity.person is None or not identity.can_report_for(submission.unit_code):
        await query.answer(texts.NOT_ALLOWED, show_alert=True)
        return
    latest = await storage.submissions.latest(submission.period_id, submission.unit_code)
    if latest is not None and latest.status == SubmissionStatus.APPROVED:
        await query.answer("Báo cáo này đã được duyệt nên không sửa được nữa.", show_alert=True)
        return
    await query.answer()
    unit = await storage.units.get(submission.unit_code)
    period = await storage.periods.get_by_id(submission.period_id)
    assert unit is not None and period is not None
    current = latest or submission
    draft = await storage.drafts.get_or_create(period.id, unit.code, _now(context))
    if not await storage.drafts.values(draft.id):  # a report imported or entered by the province: no draft yet
        now = _now(context)
        await storage.drafts.set_answers(draft.id, dict(current.answers), current.submitted_by, now)
        for key, reason in current.explanations.items():
            if explanation_text(reason):
                await storage.drafts.set_explanation(draft.id, key, explanation_text(reason), current.submitted_by, now)
        await storage.drafts.set_status(draft.id, DraftStatus.SUBMITTED, now)
    session = await ReportSession.open(storage, _form(context, period.form_id), context.services.clock,
                                       identity.person, unit, period=period)
    assert isinstance(query.message, Message)
    await show(query.message, edit_menu(session))


# --- entering a report on a commune's behalf -----------------------------------------------------


def _field_of_label(form: Form, label: str) -> str | None:
    key = " ".join(fold(label).replace(",", " ").split())
    for item in form.fields:
        for name in (item.short_label or "", item.label, item.id):
            if name and " ".join(fold(name).replace(",", " ").replace(":", " ").split()) == key:
                return item.id
    found = form.match_label(label)
    return found.id if found is not None else None


def parse_entry(form: Form, lines: Sequence[str]) -> tuple[dict[str, str], str, list[str]]:
    """"Nhãn: giá trị" lines → (field id → value as typed, general explanation, unreadable lines)."""
    values: dict[str, str] = {}
    explanation = ""
    unknown: list[str] = []
    for raw in lines:
        line = raw.strip().lstrip("-•*+").strip()
        if not line:
            continue
        label, sep, value = line.partition(":")
        if not sep:
            unknown.append(line)
            continue
        if " ".join(fold(label).split()) in EXPLAIN_LABELS:
            explanation = value.strip()
            continue
        ident = _field_of_label(form, label)
        if ident is None:
            unknown.append(line)
        elif value.strip():
            values[ident] = value.strip()
    return values, explanation, unknown


def entry_template(form: Form, unit: Unit, period: Period, current: dict[str, Any]) -> str:
    lines = [f"/nhapthay {unit.code} {period.key}"]
    for item in form.fields:
        value = current.get(item.id)
        shown = format_count(value) if isinstance(value, int) else (str(value) if value is not None else "")
        lines.append(f"{item.short_label or item.label}: {shown}")
    lines.append("Giải trình: ")
    return "\n".join(lines)


async def nhapthay(update: Update, context: BotContext) -> None:
    identity = await _supervisor(update, context)
    if identity is None:
        await _refuse(update)
        return
    message = update.effective_message
    assert message is not None
    first, *rest = (message.text or "").split("\n")
    tokens = first.split()[1:]
    key = _period_key(tokens[-1]) if tokens else None
    if key is not None:
        tokens = tokens[:-1]
    query = " ".join(tokens)
    if not query:
        await _reply(update, context, NHAPTHAY_HELP)
        return
    storage = context.services.storage
    unit = await storage.units.get(query.zfill(5)) if query.isdigit() else None
    if unit is None:
        units = await _search_communes(context, identity, query)
        if len(units) != 1:
            if not units:
                await _reply(update, context, f"Không tìm thấy xã, phường nào khớp «{query}» trong tỉnh của Anh/Chị.")
            else:
                rows = [[InlineKeyboardButton(u.full_name, callback_data=data("e", u.code))] for u in units]
                await _reply(update, context, "Anh/Chị chọn xã, phường cần nhập thay:", InlineKeyboardMarkup(rows))
            return
        unit = units[0]
    if unit.kind != UnitKind.COMMUNE or not can_see(identity, unit.province_code):
        await _refuse(update)
        return
    form = _form(context)
    now = _now(context)
    if key is not None:
        from bot.importing import period_of

        period = await period_of(storage, form, key)
        if period.opens_at > now:
            await _reply(update, context, f"{period_label(period.key)} chưa mở báo cáo.")
            return
    else:
        period = await ensure_period(storage, current_open_period(form.period, now))
    if not [line for line in rest if line.strip()]:
        await _send_template(update, context, unit, period)
        return
    await _take_entry(update, context, identity, unit, period, rest)


async def _send_template(update: Update, context: BotContext, unit: Unit, period: Period) -> None:
    storage, form = context.services.storage, _form(context)
    draft = await storage.drafts.find(period.id, unit.code)
    current = await storage.drafts.values(draft.id) if draft else {}
    if not current:  # last period's figures that carry over (the same defaults as the reporter's)
        previous, _ = await context_of(storage, form, unit, period)
        current = {k: v for k, v in defaults(form, previous).items() if isinstance(v, int)}
    await _reply(update, context,
                 f"Nhập thay báo cáo {period_label(period.key)} của {unit.full_name}. Anh/Chị sao chép tin nhắn "
                 "dưới đây, điền số liệu sau dấu «:» rồi gửi lại (một tin nhắn; mục nào không có ghi 0 hoặc "
                 "«Không có»). Các số đã có sẵn là số đang lưu.")
    await _reply(update, context, entry_template(form, unit, period, current))


async def _take_entry(update: Update, context: BotContext, identity: Identity, unit: Unit, period: Period,
                      lines: list[str]) -> None:
    storage, form = context.services.storage, _form(context)
    now = _now(context)
    person = identity.person
    if person is None:
        person = await storage.people.get_or_create(identity.telegram_id, now)
    latest = await storage.submissions.latest(period.id, unit.code)
    if latest is not None and latest.status == SubmissionStatus.APPROVED:
        await _reply(update, context, f"Báo cáo {period_label(period.key)} của {unit.full_name} đã được duyệt; "
                                      f"muốn nhập lại, Anh/Chị trả lại báo cáo trước (/tralai {latest.id} <lý do>).")
        return
    values, explanation, unknown = parse_entry(form, lines)
    draft = await storage.drafts.get_or_create(period.id, unit.code, now)
    current = await storage.drafts.values(draft.id)
    explanations = {k: e.reason for k, e in (await storage.drafts.explanations(draft.id)).items()}
    previous, history = await context_of(storage, form, unit, period)
    merged = {**current, **values}
    checked = check_answers(form, merged, previous, history, explanations)
    head = f"Nhập thay báo cáo {period_label(period.key)} của {unit.full_name}"
    if unknown:
        checked.errors.append("không nhận ra các dòng: " + "; ".join(unknown[:5]))
    if checked.errors:
        await _reply(update, context, f"✖ {head}: chưa lưu.\n" + "\n".join(f"• {e}" for e in checked.errors)
                     + "\nAnh/Chị sửa rồi gửi lại cả tin nhắn.")
        return
    changed = {k: v for k, v in checked.answers.items() if current.get(k) != v}
    if changed:
        await storage.drafts.set_answers(draft.id, changed, person.id, now)
    for ident in current:
        if ident not in checked.answers and ident in {f.id for f in form.fields}:
            await storage.drafts.clear_answer(draft.id, ident, person.id, now)
    if explanation:
        for result in checked.unexplained:
            await storage.drafts.set_explanation(draft.id, result.key, explanation[:1000], person.id, now)
            explanations[result.key] = explanation
        checked.unexplained = []
    lines_out = [f"{head} — đã lưu vào bản nháp của xã:"]
    lines_out += report_lines(form, checked.answers, explanations, checked.soft, previous)
    markup = None
    if checked.missing:
        lines_out.append("\nCòn thiếu: " + ", ".join(checked.missing) + f". Anh/Chị gửi tiếp /nhapthay {unit.code} "
                         f"{period.key} kèm các dòng còn thiếu.")
    elif checked.unexplained:
        lines_out.append("\nCần giải trình: thêm dòng «Giải trình: …» (lý do giữ nguyên số liệu) rồi gửi lại "
                         f"/nhapthay {unit.code} {period.key}.")
    else:
        lines_out.append("\nSố liệu đủ. Bấm «Gửi báo cáo» để lưu thành báo cáo của xã (ghi rõ là nhập thay).")
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("✔ Gửi báo cáo (nhập thay)",
                                                             callback_data=data("s", unit.code, period.id))]])
    await _reply(update, context, "\n".join(lines_out), markup)


async def _submit_on_behalf(update: Update, context: BotContext, identity: Identity, code: str, raw_period: str) -> None:
    storage = context.services.storage
    unit = await storage.units.get(code)
    period = await storage.periods.get_by_id(int(raw_period)) if raw_period.isdigit() else None
    if unit is None or period is None or not can_see(identity, unit.province_code):
        await _refuse(update)
        return
    draft = await storage.drafts.find(period.id, unit.code)
    if draft is None:
        await _reply(update, context, "Chưa có số liệu nhập thay. " + NHAPTHAY_HELP)
        return
    now = _now(context)
    person = identity.person or await storage.people.get_or_create(identity.telegram_id, now)
    answers = await storage.drafts.values(draft.id)
    explanations = {k: e.reason for k, e in (await storage.drafts.explanations(draft.id)).items()}
    result = await enter_report(storage, _form(context), unit, period, answers, explanations, by=person.id,
                                actor=identity.telegram_id, now=now, where="chat", require_explanations=True)
    label = period_label(period.key)
    if result.outcome == "added" and result.submission is not None:
        sub = result.submission
        await _tell_reporters(context, unit, f"Tỉnh đã nhập thay báo cáo {label} của {unit.full_name} (lần "
                                             f"{sub.version}). Anh/Chị gõ /baocao để xem.")
        text = (f"✔ Đã lưu báo cáo {label} của {unit.full_name} (lần {sub.version}, nhập thay"
                f"{', sau hạn' if sub.late else ''}). Mã báo cáo: {sub.id}.")
    elif result.outcome == "unchanged":
        text = f"Báo cáo {label} của {unit.full_name} không thay đổi: {result.message}."
    else:
        text = f"✖ Chưa lưu báo cáo {label} của {unit.full_name}: {result.message}."
    warnings = [w for w in result.warnings if w]
    if warnings and result.outcome == "added":
        text += "\n" + "\n".join(f"⚠ {w}" for w in warnings)
    await _reply(update, context, text)


# --- buttons -----------------------------------------------------------------------------------


async def on_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.split(":")
    verb, args = (parts[1] if len(parts) > 1 else ""), parts[2:]
    if verb == "f":  # the reporter's side
        await _correct(update, context, args[0] if args else "")
        return
    identity = await _supervisor(update, context)
    if identity is None:
        await _refuse(update)
        return
    if verb == "t" and args:
        scope = args[0]
        if not can_see(identity, None if scope == NATIONAL else scope):
            await _refuse(update)
            return
        await query.answer()
        await _run_rollup(update, context, identity, scope, args[1] if len(args) > 1 and args[1] else None)
    elif verb == "c" and args:
        if not can_see(identity, args[0]):
            await _refuse(update)
            return
        await query.answer()
        await _missing(update, context, identity, args[0])
    elif verb == "x" and args:
        unit = await context.services.storage.units.get(args[0])
        if unit is None or not can_see(identity, unit.province_code):
            await _refuse(update)
            return
        await query.answer()
        await _commune(update, context, identity, unit)
    elif verb in {"a", "r", "w"} and args:
        found = await _submission_in_scope(update, context, identity, args[0])
        if found is None:
            return
        await query.answer()
        submission, unit, period = found
        if verb == "a":
            await approve(update, context, identity, args[0])
        elif verb == "r":
            await _reply(update, context, f"Để trả lại báo cáo {period_label(period.key)} của {unit.full_name}, "
                                          f"Anh/Chị gửi lệnh kèm lý do:\n/tralai {submission.id} <lý do>\n"
                                          f"VD: /tralai {submission.id} Số hồ sơ kỳ trước chuyển sang chưa khớp.")
        else:
            report = await render_submission(context.services.storage, _form(context, period.form_id),
                                             context.services.settings.templates_dir, unit, period.key, submission)
            await context.bot.send_document(_chat_id(update), document=report.content, filename=report.filename)
    elif verb == "e" and args:
        storage = context.services.storage
        unit = await storage.units.get(args[0])
        if unit is None or unit.kind != UnitKind.COMMUNE or not can_see(identity, unit.province_code):
            await _refuse(update)
            return
        await query.answer()
        period = await ensure_period(storage, current_open_period(_form(context).period, _now(context)))
        await _send_template(update, context, unit, period)
    elif verb == "s" and len(args) == 2:
        unit = await context.services.storage.units.get(args[0])
        if unit is None or not can_see(identity, unit.province_code):
            await _refuse(update)
            return
        await query.answer()
        await _submit_on_behalf(update, context, identity, args[0], args[1])
    else:
        await query.answer(texts.STALE_BUTTON)


def register(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    for name, callback in (("tonghop", tonghop), ("chuanop", chuanop), ("xa", xa), ("duyet", duyet),
                           ("tralai", tralai), ("nhapthay", nhapthay)):
        application.add_handler(CommandHandler(name, callback, filters=private))
    application.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"))


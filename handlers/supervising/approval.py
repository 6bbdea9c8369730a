"""Approving (/duyet) or returning (/tralai) a commune's latest report, telling its reporters, and
the reporter's «Sửa báo cáo» on a returned report, which opens the reporting journey's edit menu.
When the corrected report is sent again, the supervisor who returned it is told
(``ReminderScheduler.resubmitted``, called by the reporting journey)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.access import Identity, identify
from bot.catalogue import say
from bot.context import BotContext
from bot.domain.arguments import ArgumentError, parse_id, require_id
from bot.domain.numbers import format_count
from bot.domain.periods import period_label
from bot.domain.rollup import explanation_text
from bot.reporting import ReportSession
from handlers.reporting import show
from handlers.reporting_views import edit_menu
from handlers.supervising.chat import data, form_of, now_of, reply, tell_reporters
from handlers.supervising.scope import submission_in_scope, supervisor_or_refuse
from storage.models import DraftStatus, Period, Submission, SubmissionStatus, Unit

MIN_REASON = 5
MAX_REASON = 1000  # characters of a return's reason, told to the commune in one message
DUYET_HELP = "Duyệt báo cáo: /duyet <mã báo cáo>, VD: /duyet 123. Mã báo cáo có trong /xa <tên xã>."
TRALAI_HELP = (
    "Trả lại báo cáo để xã sửa: /tralai <mã báo cáo> <lý do>\n"
    "VD: /tralai 123 Số hồ sơ kỳ trước chuyển sang chưa khớp với số đang giải quyết tuần trước.\n"
    "Mã báo cáo có trong thông tin của xã (/xa <tên xã>)."
)


async def _still_latest(update: Update, context: BotContext, submission: Submission, unit: Unit,
                        period: Period) -> bool:
    latest = await context.services.storage.submissions.latest(period.id, unit.code)
    if latest is not None and latest.id != submission.id:
        await reply(update, context, f"{unit.full_name} đã gửi bản mới hơn (lần {latest.version}, mã báo cáo "
                                     f"{latest.id}). Anh/Chị xem lại: /xa {unit.code}")
        return False
    return True


async def approve(update: Update, context: BotContext, identity: Identity, raw_id: str) -> None:
    found = await submission_in_scope(update, context, identity, raw_id)
    if found is None:
        return
    submission, unit, period = found
    if not await _still_latest(update, context, submission, unit, period):
        return
    label = period_label(period.key)
    if submission.status == SubmissionStatus.APPROVED:
        await reply(update, context, f"Báo cáo {label} của {unit.full_name} (lần {submission.version}) đã được "
                                     "duyệt trước đó.")
        return
    storage, now = context.services.storage, now_of(context)
    by = identity.person.id if identity.person else None
    await storage.submissions.set_status(submission.id, SubmissionStatus.APPROVED, by, now)
    draft = await storage.drafts.find(period.id, unit.code)
    if draft is not None and draft.status != DraftStatus.SUBMITTED:  # a correction in progress ends: approved is final
        await storage.drafts.set_status(draft.id, DraftStatus.SUBMITTED, now)
    await storage.audit.log("report.approve", now, actor=identity.telegram_id, subject=f"{unit.code}:{period.key}",
                            detail={"submission": submission.id, "version": submission.version})
    told = await tell_reporters(context, unit, f"✔ Báo cáo {label} của {unit.full_name} (lần {submission.version}) "
                                               "đã được tỉnh duyệt. Báo cáo đã duyệt không sửa được nữa. "
                                               "Cảm ơn Anh/Chị!")
    await reply(update, context, f"Đã duyệt báo cáo {label} của {unit.full_name} (lần {submission.version}). "
                                 f"Đã báo cho {told} cán bộ của xã.")


async def duyet(update: Update, context: BotContext) -> None:
    identity = await supervisor_or_refuse(update, context)
    if identity is None:
        return
    args = list(context.args or [])
    if not args:
        await reply(update, context, DUYET_HELP)
        return
    try:
        submission_id = require_id(args[0], "/duyet 123")
    except ArgumentError as exc:
        await reply(update, context, f"{exc.reason}\n{DUYET_HELP}")
        return
    await approve(update, context, identity, str(submission_id))


async def tralai(update: Update, context: BotContext) -> None:
    identity = await supervisor_or_refuse(update, context)
    if identity is None:
        return
    message = update.effective_message
    text = (message.text or "") if message else ""
    parts = text.split(maxsplit=2)
    if len(parts) < 2:
        await reply(update, context, TRALAI_HELP)
        return
    try:
        require_id(parts[1], "/tralai 123 Số hồ sơ kỳ trước chuyển sang chưa khớp.")
    except ArgumentError as exc:
        await reply(update, context, f"{exc.reason}\n\n{TRALAI_HELP}")
        return
    reason = " ".join(parts[2].split()) if len(parts) > 2 else ""
    if len(reason) > MAX_REASON:
        await reply(update, context, say("arguments.too_long", what="Lý do trả lại", length=format_count(len(reason)),
                                         limit=format_count(MAX_REASON)))
        return
    found = await submission_in_scope(update, context, identity, parts[1])
    if found is None:
        return
    submission, unit, period = found
    if len(reason) < MIN_REASON:
        await reply(update, context, "Anh/Chị vui lòng ghi lý do trả lại để xã biết cần sửa gì.\n\n" + TRALAI_HELP)
        return
    if not await _still_latest(update, context, submission, unit, period):
        return
    label = period_label(period.key)
    if submission.status == SubmissionStatus.RETURNED:
        await reply(update, context, f"Báo cáo {label} của {unit.full_name} (lần {submission.version}) đã được "
                                     "trả lại trước đó; xã chưa gửi bản sửa.")
        return
    storage, now = context.services.storage, now_of(context)
    by = identity.person.id if identity.person else None
    await storage.submissions.set_status(submission.id, SubmissionStatus.RETURNED, by, now, reason)
    await storage.audit.log("report.return", now, actor=identity.telegram_id, subject=f"{unit.code}:{period.key}",
                            detail={"submission": submission.id, "version": submission.version, "reason": reason})
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("✏ Sửa báo cáo", callback_data=data("f", submission.id))]])
    told = await tell_reporters(
        context, unit,
        f"↩ Báo cáo {label} của {unit.full_name} (lần {submission.version}) được tỉnh trả lại để sửa.\n"
        f"Lý do: {reason}\nAnh/Chị bấm «Sửa báo cáo», sửa các mục cần thiết rồi gửi lại.",
        markup,
    )
    await reply(update, context, f"Đã trả lại báo cáo {label} của {unit.full_name} (lần {submission.version}). "
                                 f"Đã báo cho {told} cán bộ của xã; khi xã gửi lại, báo cáo trở về «Chờ duyệt» "
                                 "và Anh/Chị sẽ nhận được tin báo.")


async def correct_returned(update: Update, context: BotContext, raw_id: str) -> None:
    """The reporter's «Sửa báo cáo» on a returned report: the edit menu of that period's report
    (whatever period is open now); the reporting journey takes it from there."""
    query = update.callback_query
    assert query is not None and update.effective_user is not None
    storage = context.services.storage
    identity = await identify(storage, context.services.settings, update.effective_user.id)
    submission_id = parse_id(raw_id)
    submission = await storage.submissions.get(submission_id) if submission_id is not None else None
    if submission is None or identity.person is None or not identity.can_report_for(submission.unit_code):
        await query.answer(say("common.not_allowed"), show_alert=True)
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
    draft = await storage.drafts.get_or_create(period.id, unit.code, now_of(context))
    if not await storage.drafts.values(draft.id):  # a report imported or entered by the province: no draft yet
        now = now_of(context)
        await storage.drafts.set_answers(draft.id, dict(current.answers), current.submitted_by, now)
        for key, reason in current.explanations.items():
            if explanation_text(reason):
                await storage.drafts.set_explanation(draft.id, key, explanation_text(reason), current.submitted_by, now)
        await storage.drafts.set_status(draft.id, DraftStatus.SUBMITTED, now)
    session = await ReportSession.open(storage, form_of(context, period.form_id), context.services.clock,
                                       identity.person, unit, period=period)
    assert isinstance(query.message, Message)
    await show(query.message, edit_menu(session))

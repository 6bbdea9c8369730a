"""The commune's report as a .docx in chat: sent on submit, again from the review screen, and any
earlier period's file from /baocaocu."""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.access import identify
from bot.context import BaocaoApplication, BotContext
from bot.domain.arguments import parse_id
from bot.domain.forms import WEEKLY_FORM_ID
from bot.domain.message_length import MAX_CAPTION, cut
from bot.domain.periods import period_label
from bot.report_files import ReportFile, fallback_notice, render_commune_report, render_submission
from bot.reporting import ReportSession, reporter_communes
from handlers.delivery import tell_others

log = logging.getLogger(__name__)

FILES = "rf"


def fallback_kwargs(context: BotContext) -> dict[str, Any]:
    """What a render needs to tell the admins when a stored template fails on real data."""
    services = context.services
    return {"admin_ids": tuple(services.settings.admin_ids), "now": services.clock.now()}


async def announce_fallback(context: BotContext, report: ReportFile) -> None:
    """Tell the admins, once per template version, that their uploaded template failed on a real
    report and the shipped one was used; the official who asked got an ordinary report."""
    for notice in fallback_notice(report):
        await tell_others(context, notice)


def beside_updates(context: BotContext, work: Coroutine[Any, Any, None], update: object | None = None) -> None:
    """Render and send a report file beside the updates (python-telegram-bot handles them one at a
    time): a stored template that runs up to the render time limit holds no one else's message."""
    application = context.application
    assert isinstance(application, BaocaoApplication)
    application.in_background(work, update)


async def send_report_file(message: Message, context: BotContext, session: ReportSession) -> None:
    """The latest submitted version; before any submission, a preview of the draft (sent beside
    the updates)."""
    beside_updates(context, _send_report_file(message, context, session))


async def _send_report_file(message: Message, context: BotContext, session: ReportSession) -> None:
    services = context.services
    submission = await services.storage.submissions.latest(session.period.id, session.unit.code)
    if submission is not None:
        report = await render_submission(services.storage, session.form, services.settings.templates_dir,
                                         session.unit, session.period.key, submission, **fallback_kwargs(context))
        caption = f"Báo cáo {period_label(session.period.key)} — {session.unit.full_name} (lần {submission.version})"
    else:
        report = await render_commune_report(
            services.storage, session.form, services.settings.templates_dir, session.unit, session.period.key,
            session.answers, {k: v.reason for k, v in (await services.storage.drafts.explanations(
                session.draft.id)).items()}, services.clock.now().date(), **fallback_kwargs(context),
        )
        caption = f"Bản xem trước (chưa gửi) — {session.unit.full_name}"
    await message.get_bot().send_document(
        message.chat_id, document=report.content, filename=report.filename, caption=cut(caption, MAX_CAPTION)
    )
    await announce_fallback(context, report)


async def earlier_reports(update: Update, context: BotContext) -> None:
    """/baocaocu: the periods this person's communes submitted, newest first, as buttons."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    storage = context.services.storage
    units = await reporter_communes(storage, await identify(storage, context.services.settings, user.id))
    if not units:
        await message.reply_text("Anh/Chị không phải cán bộ báo cáo của xã, phường nào.")
        return
    rows = []
    for unit in units:
        for submission in await storage.submissions.recent_for_unit(unit.code, WEEKLY_FORM_ID, limit=10):
            period = await storage.periods.get_by_id(submission.period_id)
            if period is None:
                continue
            label = period_label(period.key).split(" (")[0]
            suffix = f" — {unit.name}" if len(units) > 1 else ""
            rows.append([InlineKeyboardButton(f"{label}{suffix}",
                                              callback_data=f"{FILES}:{period.id}:{unit.code}")])
    if not rows:
        await message.reply_text("Chưa có báo cáo nào đã gửi. Gõ /baocao để nhập báo cáo tuần này.")
        return
    await message.reply_text("Anh/Chị chọn kỳ báo cáo để tải tệp Word:", reply_markup=InlineKeyboardMarkup(rows))


async def on_file_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    _, period_id, unit_code = (query.data.split(":", 2) + ["", ""])[:3]
    storage = context.services.storage
    identity = await identify(storage, context.services.settings, query.from_user.id)
    units = {u.code: u for u in await reporter_communes(storage, identity)}
    number = parse_id(period_id)
    period = await storage.periods.get_by_id(number) if number is not None else None
    if unit_code not in units or period is None:
        await query.answer("Anh/Chị không có quyền với báo cáo này.", show_alert=True)
        return
    submission = await storage.submissions.latest(period.id, unit_code)
    if submission is None:
        await query.answer("Kỳ này chưa có báo cáo đã gửi.", show_alert=True)
        return
    await query.answer()
    form = context.services.forms[period.form_id]
    assert isinstance(query.message, Message)
    chat_id, unit = query.message.chat_id, units[unit_code]

    async def send() -> None:
        report = await render_submission(storage, form, context.services.settings.templates_dir, unit,
                                         period.key, submission, **fallback_kwargs(context))
        await context.bot.send_document(chat_id, document=report.content, filename=report.filename,
                                        caption=f"Báo cáo {period_label(period.key)} (lần {submission.version})")
        await announce_fallback(context, report)

    beside_updates(context, send(), update)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(CommandHandler("baocaocu", earlier_reports, filters=filters.ChatType.PRIVATE))
    application.add_handler(CallbackQueryHandler(on_file_button, pattern=rf"^{FILES}:"))

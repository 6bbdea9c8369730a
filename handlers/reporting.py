"""The reporting journey: /baocao, one question at a time, soft checks, review, submit, correct.

Every tap and message is checked against the draft's state in SQLite (never against the button
itself) and the person's scope: a reporter reaches only the drafts of their own communes."""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.access import Identity, identify
from bot.calendar_plan import format_moment
from bot.catalogue import say
from bot.context import BaocaoApplication, BotContext
from bot.domain.arguments import parse_id
from bot.domain.bulk_entry import looks_like_bulk_entry
from bot.domain.forms import WEEKLY_FORM_ID, Form
from bot.reporting import ANSWER, ReportSession, Stale, Step, Submitted, reporter_communes
from handlers.report_files import send_report_file
from handlers.reporting_views import PREFIX, Screen, edit_menu, render
from storage.models import Cursor, Draft, Submission, Unit

log = logging.getLogger(__name__)

EDITED_MESSAGE = (
    "Bot không đổi câu trả lời theo tin nhắn đã sửa. Để sửa một câu đã trả lời, Anh/Chị bấm «« Quay lại», "
    "hoặc ở màn hình xem lại bấm «Sửa một mục»."
)
CHOOSE_PREFIX = "rc"


def _form(context: BotContext) -> Form:
    return context.services.forms[WEEKLY_FORM_ID]


async def _reporter(update: Update, context: BotContext) -> tuple[Identity, list[Unit]] | None:
    """Who sent the update (one look-up per update) and the communes they report for."""
    user = update.effective_user
    if user is None:
        return None
    storage = context.services.storage
    identity = await identify(storage, context.services.settings, user.id)
    return identity, await reporter_communes(storage, identity)


async def _open(context: BotContext, identity: Identity, unit: Unit, draft: Draft | None = None,
                cursor: Cursor | None = None) -> ReportSession:
    services = context.services
    assert identity.person is not None  # a reporter membership belongs to a stored person
    period = await services.storage.periods.get_by_id(draft.period_id) if draft is not None else None
    return await ReportSession.open(services.storage, _form(context), services.clock, identity.person, unit,
                                    period=period, draft=draft, cursor=cursor)


async def show(message: Message, screen: Screen, session: ReportSession | None = None) -> None:
    """Send the screen. When it asks the ``session``'s current question, the date Telegram gave the
    first of its messages is recorded: a typed answer received before it is not taken (see
    ``ReportSession.answer_text``). The first, not the last: no real answer is ever earlier."""
    parts = screen.messages()
    first: Message | None = None
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        sent = await message.get_bot().send_message(
            message.chat_id, part, reply_markup=screen.keyboard if last else None
        )
        if first is None:
            first = sent
    if session is not None and screen.asks and first is not None:
        await session.mark_shown(first.date)


async def _show_steps(message: Message, session: ReportSession, steps: list[Step]) -> None:
    await show(message, render(session, steps), session)


# --- /baocao ---------------------------------------------------------------------------------


async def baocao(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None:
        return
    found = await _reporter(update, context)
    if found is None or not found[1]:
        await message.reply_text(_not_a_reporter_text(found[0] if found else None))
        return
    identity, units = found
    if len(units) > 1:
        rows = [[InlineKeyboardButton(u.full_name, callback_data=f"{CHOOSE_PREFIX}:{u.code}")] for u in units]
        await message.reply_text("Anh/Chị báo cáo cho đơn vị nào?", reply_markup=InlineKeyboardMarkup(rows))
        return
    session = await _open(context, identity, units[0])
    await _show_steps(message, session, [await session.resume()])


def _not_a_reporter_text(identity: Identity | None) -> str:
    if identity is None or not identity.is_known:
        return say("common.help_stranger")
    return "Anh/Chị không phải cán bộ báo cáo của xã, phường nào nên không có báo cáo để nhập."


async def choose_unit(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    found = await _reporter(update, context)
    code = query.data.split(":", 1)[1]
    if found is None or code not in {u.code for u in found[1]}:
        await _refuse(update)  # the one answer to this tap
        return
    await query.answer()
    identity, units = found
    unit = next(u for u in units if u.code == code)
    session = await _open(context, identity, unit)
    assert isinstance(query.message, Message)
    await _show_steps(query.message, session, [await session.resume()])


# --- typed answers ---------------------------------------------------------------------------


async def _active_session(
    context: BotContext, found: tuple[Identity, list[Unit]] | None
) -> ReportSession | None:
    """The draft this person is being asked about now (their most recent cursor), in scope."""
    if found is None or not found[1]:
        return None
    identity, units = found
    assert identity.person is not None
    by_code = {u.code: u for u in units}
    storage = context.services.storage
    for cursor, draft in await storage.drafts.cursors_with_drafts(identity.person.id):
        if draft.unit_code in by_code:
            return await _open(context, identity, by_code[draft.unit_code], draft, cursor)
    return None


async def on_text(update: Update, context: BotContext) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    found = await _reporter(update, context)
    session = await _active_session(context, found)
    if session is None:
        await message.reply_text(_stray_text_hint(found[0] if found else None))
        return
    if update.edited_message is not None:
        # An edit of a message sent earlier answered an earlier question: taking it as the answer to
        # the question asked now would store it in the wrong place. Say how to change an answer.
        screen = render(session, [await session.resume()])
        screen.parts.insert(0, EDITED_MESSAGE)
        await show(message, screen, session)
        return
    form = session.form
    asking_text = session.mode == ANSWER and form.kind_of(session.cursor_field or "") == "text"
    if not asking_text and looks_like_bulk_entry(form, message.text):
        steps = await session.bulk(message.text)
    else:
        steps = await session.answer_text(message.text, sent_at=message.date)
    await _show_steps(message, session, steps)


def _stray_text_hint(identity: Identity | None) -> str:
    if identity is None or not identity.is_known:
        return say("common.help_stranger")
    if identity.communes:
        return "Anh/Chị gõ /baocao để nhập báo cáo tuần, hoặc /help để xem các lệnh."
    return say("common.stray_text")


async def on_media(update: Update, context: BotContext) -> None:
    """A photo, sticker, voice or file mid-conversation: say so, and ask the question again."""
    message = update.effective_message
    if message is None:
        return
    session = await _active_session(context, await _reporter(update, context))
    if session is None:
        await message.reply_text(say("common.stray_media"))
        return
    screen = render(session, [await session.resume()])
    screen.parts.insert(0, say("common.stray_media"))
    await show(message, screen, session)


async def cancel(update: Update, context: BotContext) -> None:
    """/huy: pause; nothing answered is lost."""
    message = update.effective_message
    if message is None:
        return
    session = await _active_session(context, await _reporter(update, context))
    if session is None:
        await message.reply_text("Không có báo cáo nào đang nhập. Gõ /baocao để bắt đầu.")
        return
    await _show_steps(message, session, [await session.pause()])


# --- buttons ---------------------------------------------------------------------------------


async def _refuse(update: Update) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer("Anh/Chị không có quyền với báo cáo này.", show_alert=True)


async def on_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.split(":", 3)
    draft_id = parse_id(parts[1]) if len(parts) >= 3 else None
    if draft_id is None:
        await query.answer(say("common.stale_button"))
        return
    verb, arg = parts[2], parts[3] if len(parts) > 3 else ""
    storage = context.services.storage
    found = await _reporter(update, context)
    draft = await storage.drafts.get(draft_id)
    if found is None or draft is None or draft.unit_code not in {u.code for u in found[1]}:
        await _refuse(update)
        return
    await query.answer()
    identity, units = found
    unit = next(u for u in units if u.code == draft.unit_code)
    session = await _open(context, identity, unit, draft)
    message = query.message
    assert isinstance(message, Message)
    await _drop_buttons(message)
    if verb == "m":
        await show(message, edit_menu(session))
        return
    if verb == "w":
        await send_report_file(message, context, session)
        return
    steps = await _dispatch(session, verb, arg)
    screen = render(session, steps)
    submitted = next((step.submission for step in steps if isinstance(step, Submitted)), None)
    if submitted is not None and (note := await _announce_resubmission(context, submitted)):
        screen.parts.append(note)  # sent again after a return: the province is told
    await show(message, screen, session)
    if submitted is not None:
        await send_report_file(message, context, session)


async def _announce_resubmission(context: BotContext, submission: Submission) -> str | None:
    """When ``submission`` answers a return, the supervisor who returned it is told (exactly once,
    out of quiet hours, by the calendar's sender); the line for the official's confirmation."""
    scheduler = context.application.reminders if isinstance(context.application, BaocaoApplication) else None
    result = await scheduler.resubmitted(submission) if scheduler is not None else None
    if result is None or not result.recorded:
        return None
    if result.due_at > context.services.clock.now():
        return (f"📨 Cán bộ theo dõi của tỉnh sẽ được báo về bản gửi lại này lúc {format_moment(result.due_at)} "
                "(ngoài giờ gửi tin).")
    return "📨 Đã báo cho cán bộ theo dõi của tỉnh về bản gửi lại này."


async def _dispatch(session: ReportSession, verb: str, arg: str) -> list[Step]:
    if verb == "s":
        return await session.use_suggestion(arg)
    if verb == "z":
        return await session.use_value(arg, 0)
    if verb == "n":
        return await session.use_value(arg, "Không có.")
    if verb == "k":
        current = session.answers.get(arg)
        if current is None:
            return [Stale(), await session.resume()]
        return await session.use_value(arg, current)
    if verb == "b":
        return await session.back()
    if verb == "p":
        return [await session.pause()]
    if verb == "c":
        return [await session.resume()]
    if verb == "f":
        return await session.fix(arg)
    if verb == "g":
        return await session.keep(arg)
    if verb == "e":
        return await session.edit(arg)
    if verb == "u":
        return await session.submit()
    if verb == "v":
        return [await session.show_review()]
    return [Stale(), await session.resume()]


async def _drop_buttons(message: Message) -> None:
    """Take the buttons off the message just answered, so it is not tapped again."""
    if message.reply_markup is None:
        return
    try:
        await message.edit_reply_markup(reply_markup=None)
    except BadRequest:
        log.debug("could not remove the buttons of message %s", message.message_id)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("baocao", baocao, filters=private))
    application.add_handler(CommandHandler("huy", cancel, filters=private))
    application.add_handler(CallbackQueryHandler(choose_unit, pattern=rf"^{CHOOSE_PREFIX}:"))
    application.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"))
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL, on_media)
    )

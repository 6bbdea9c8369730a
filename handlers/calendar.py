"""The calendar in chat: the buttons on notices («Nhập báo cáo», «Nhắc các xã chưa nộp»),
a reporter's leave (/nghiphep), the admin's view and change of the calendar (/lich), and
Telegram's word that someone blocked the bot."""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from typing import Any

from telegram import ChatMemberUpdated, Update
from telegram.ext import Application, CallbackQueryHandler, ChatMemberHandler, CommandHandler, filters

from bot.access import Identity, identify
from bot.broadcast import NUDGE_PREFIX, OPEN_PREFIX, unit_names
from bot.calendar_plan import CalendarInputError, describe_plan, format_moment, parse_change, plan
from bot.catalogue import say
from bot.context import BotContext
from bot.domain.arguments import parse_id
from bot.domain.numbers import format_date, format_date_range
from bot.domain.periods import period_label
from bot.reminders import default_form_id, reachable_on
from bot.scheduler import ReminderScheduler
from handlers import reporting
from storage.models import Role

log = logging.getLogger(__name__)

LEAVE_HELP = (
    "Đăng ký nghỉ phép để tạm dừng thông báo nhắc báo cáo:\n"
    "• /nghiphep 22/12 26/12 — nghỉ từ ngày 22/12 đến hết ngày 26/12\n"
    "• /nghiphep 22/12 — nghỉ một ngày\n"
    "• /nghiphep huy — bỏ lịch nghỉ, nhận lại thông báo\n"
    "Trong thời gian nghỉ, các cán bộ khác của xã vẫn nhận thông báo."
)
CALENDAR_HELP = (
    "Đổi lịch (quản trị viên):\n"
    "• /lich hannop thu5 15:00 — hạn nộp\n"
    "• /lich mo thu2 08:00 — mở báo cáo\n"
    "• /lich nhac 1 09:00, 0 09:00 — nhắc: số ngày làm việc trước hạn và giờ (/lich nhac tat: không nhắc)\n"
    "• /lich gio 07:00 21:00 — giờ được gửi tin\n"
    "• /lich macdinh — dùng lại lịch trong tệp biểu mẫu"
)
_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})(?:[/.\-](\d{2,4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
MAX_LEAVE_DAYS = 366


def _scheduler(context: BotContext) -> ReminderScheduler:
    scheduler = getattr(context.application, "reminders", None)
    assert isinstance(scheduler, ReminderScheduler), "the reminder scheduler is installed by initialize()"
    return scheduler


# --- the buttons on notices --------------------------------------------------------------------


async def open_report(update: Update, context: BotContext) -> None:
    """«Nhập báo cáo» on an opening, reminder or deadline notice: the same as /baocao."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    await reporting.baocao(update, context)


async def nudge(update: Update, context: BotContext) -> None:
    """«Nhắc các xã chưa nộp» on the supervisor's list: remind those still missing, once an hour at most."""
    query = update.callback_query
    assert query is not None and query.data is not None and update.effective_user is not None
    parts = query.data.split(":")
    services = context.services
    identity = await identify(services.storage, services.settings, update.effective_user.id)
    period_id = parse_id(parts[1]) if len(parts) == 3 else None
    if period_id is None or not identity.can_supervise(parts[2]):
        await query.answer(say("common.not_allowed"), show_alert=True)
        return
    scheduler = _scheduler(context)
    result = await scheduler.nudge(period_id, parts[2])
    period = await services.storage.periods.get_by_id(period_id)
    if result is None or period is None:
        await query.answer(say("common.stale_button"), show_alert=True)
        return
    await query.answer("Đã ghi nhận.")
    label = period_label(period.key)
    lines: list[str] = []
    if result.units:
        when = ""
        if result.due_at > services.clock.now():
            when = f" Lời nhắc sẽ được gửi lúc {format_moment(result.due_at)} (ngoài giờ gửi tin)."
        lines.append(f"Đã gửi lời nhắc tới {result.people} cán bộ của {len(result.units)} xã, phường "
                     f"chưa nộp báo cáo {label}.{when}")
    if result.already:
        lines.append(f"{len(result.already)} xã, phường đã được nhắc trong {scheduler.config.nudge_minutes} phút "
                     "qua nên chưa nhắc lại.")
    if result.unreachable:
        units = await services.storage.units.get_many(result.unreachable)
        names = ", ".join(unit_names(units, result.unreachable))
        lines.append(f"Không có cán bộ nào nhận được tin nhắc ở: {names}. Anh/Chị vui lòng liên hệ trực tiếp.")
    if not lines:
        lines.append(f"Tất cả xã, phường đã nộp báo cáo {label}.")
    assert query.message is not None
    await context.bot.send_message(query.message.chat.id, "\n".join(lines))


# --- leave -------------------------------------------------------------------------------------


def parse_day(text: str, today: date, *, after: date | None = None) -> date:
    """ "22/12", "22/12/2025", "22-12-25", "2025-12-22". Without a year: this year's, or next
    year's when that is long past (or, for the end of a leave, shortly after its start over the new year)."""
    text = text.strip()
    if match := _ISO.match(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
        explicit = True
    elif match := _DATE.match(text):
        day, month = int(match[1]), int(match[2])
        explicit = match[3] is not None
        year = int(match[3]) if explicit else today.year
        if explicit and year < 100:
            year += 2000
    else:
        raise CalendarInputError(f"«{text}» không phải ngày; Anh/Chị vui lòng viết dạng 22/12 hoặc 22/12/2025.")
    try:
        found = date(year, month, day)
    except ValueError:
        raise CalendarInputError(f"Ngày «{text}» không có trong lịch.") from None
    if not explicit:
        if after is None and found < today - timedelta(days=30):
            found = found.replace(year=found.year + 1)  # "05/01" typed in December
        elif after is not None and found < after and (found.replace(year=found.year + 1) - after).days <= 92:
            found = found.replace(year=found.year + 1)  # "29/12 02/01": over the new year
    return found


async def nghiphep(update: Update, context: BotContext) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    services = context.services
    storage = services.storage
    identity = await identify(storage, services.settings, user.id)
    person = identity.person
    if person is None or not identity.memberships:
        await message.reply_text(say("common.help_stranger"))
        return
    args = list(context.args or [])
    today = services.clock.now().date()
    if not args:
        current = ""
        if person.reminders_paused_from or person.reminders_paused_to:
            current = f"Anh/Chị đang đăng ký nghỉ {_leave_text(person.reminders_paused_from, person.reminders_paused_to)}.\n\n"
        await message.reply_text(current + LEAVE_HELP)
        return
    now = services.clock.now()
    if args[0].lower() in {"huy", "hủy", "bo", "bỏ"}:
        await storage.people.set_pause(person.id, None, None)
        await storage.audit.log("leave.clear", now, actor=user.id, subject=f"person:{person.id}")
        await message.reply_text("Đã bỏ lịch nghỉ phép. Anh/Chị sẽ nhận lại thông báo báo cáo như thường lệ.")
        return
    try:
        start = parse_day(args[0], today)
        end = parse_day(args[1], today, after=start) if len(args) > 1 else start
    except CalendarInputError as exc:
        await message.reply_text(f"{exc}\n\n{LEAVE_HELP}")
        return
    if end < start:
        await message.reply_text("Ngày kết thúc nghỉ phải sau ngày bắt đầu.")
        return
    if end < today:
        await message.reply_text("Thời gian nghỉ này đã qua. Anh/Chị vui lòng kiểm tra lại ngày.")
        return
    if (end - start).days >= MAX_LEAVE_DAYS:
        await message.reply_text("Thời gian nghỉ dài quá một năm. Anh/Chị vui lòng kiểm tra lại ngày.")
        return
    await storage.people.set_pause(person.id, start, end)
    await storage.audit.log("leave.set", now, actor=user.id, subject=f"person:{person.id}",
                            detail={"from": start.isoformat(), "to": end.isoformat()})
    lines = [f"Đã ghi nghỉ phép {_leave_text(start, end)}: trong thời gian này Anh/Chị không nhận thông báo "
             "báo cáo. Các cán bộ khác của xã vẫn nhận."]
    alone = []
    for code in identity.communes:
        others = [p for p in await storage.people.reporters_of(code) if p.id != person.id]
        if not any(reachable_on(p, start) for p in others):
            alone.append(code)
    if alone:
        units = await storage.units.get_many(alone)
        names = ", ".join(unit_names(units, alone))
        lines.append(f"Lưu ý: {names} không còn cán bộ nào khác nhận thông báo trong thời gian này; "
                     "cán bộ theo dõi của tỉnh sẽ được báo.")
    lines.append("Gõ /nghiphep huy để bỏ lịch nghỉ.")
    await message.reply_text("\n".join(lines))


def _leave_text(start: date | None, end: date | None) -> str:
    if start and end:
        return f"ngày {format_date(start)}" if start == end else format_date_range(start, end)
    if start:
        return f"từ ngày {format_date(start)}"
    return f"đến hết ngày {format_date(end)}" if end else ""


# --- the calendar ------------------------------------------------------------------------------


def _may_change_calendar(identity: Identity) -> bool:
    """The calendar is every province's: only an admin of no particular province changes it."""
    return identity.configured_admin or any(m.role == Role.ADMIN and m.unit_code is None for m in identity.memberships)


async def lich(update: Update, context: BotContext) -> None:
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    services = context.services
    identity = await identify(services.storage, services.settings, user.id)
    if not identity.is_admin:
        await message.reply_text(say("common.not_allowed"))
        return
    scheduler = _scheduler(context)
    args = list(context.args or [])
    form_id = default_form_id(services.forms)
    if args and args[0] in services.forms:
        form_id, args = args[0], args[1:]
    if args:
        if not _may_change_calendar(identity):
            await message.reply_text("Lịch báo cáo dùng chung cho mọi tỉnh; chỉ quản trị viên toàn hệ thống "
                                     "được đổi. Anh/Chị vui lòng liên hệ quản trị viên.")
            return
        try:
            change = parse_change(services.forms[form_id].period, args)
            await scheduler.change_calendar(form_id, change, by=user.id)
        except CalendarInputError as exc:
            await message.reply_text(f"{exc}\n\n{CALENDAR_HELP}")
            return
        heading = "Đã đổi lịch báo cáo." if change is not None else "Đã dùng lại lịch trong tệp biểu mẫu."
    else:
        heading = ""
    await message.reply_text(await _calendar_text(context, form_id, heading))


async def _calendar_text(context: BotContext, form_id: str, heading: str) -> str:
    services = context.services
    form = services.forms[form_id]
    spec = form.period
    planned = plan(spec, services.clock.now(), 4)
    override = await services.storage.calendar.override(form_id)
    source = "Lịch trong tệp biểu mẫu."
    if override is not None:
        source = f"Lịch đã đổi trong chat lúc {format_moment(override.updated_at)} (còn lại theo tệp biểu mẫu)."
    parts = [p for p in (heading, describe_plan(spec, planned, title=f"LỊCH BÁO CÁO — {form.title}"), source,
                         CALENDAR_HELP) if p]
    return "\n\n".join(parts)


# --- blocked / unblocked -----------------------------------------------------------------------


async def on_my_chat_member(update: Update, context: BotContext) -> None:
    """Telegram says a user blocked (or unblocked) the bot in their private chat."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    storage = context.services.storage
    person = await storage.people.get_by_telegram_id(change.from_user.id)
    if person is None:
        return
    now = context.services.clock.now()
    status = change.new_chat_member.status
    if status in ("kicked", "left"):
        await storage.people.set_blocked(person.id, now)
        await _scheduler(context).blocked(person.id)
    elif status == "member" and not person.active:
        await storage.people.set_active(person.id, True, now)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CallbackQueryHandler(open_report, pattern=rf"^{OPEN_PREFIX}:"))
    application.add_handler(CallbackQueryHandler(nudge, pattern=rf"^{NUDGE_PREFIX}:"))
    application.add_handler(CommandHandler("nghiphep", nghiphep, filters=private))
    application.add_handler(CommandHandler("lich", lich, filters=private))
    application.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))

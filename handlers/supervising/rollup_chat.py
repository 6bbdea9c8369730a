"""The province's rollup (/tonghop) with its period and scope buttons and progress edits, and the
communes that have not reported yet (/chuanop) with the «Nhắc ngay» button."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError

from bot.access import Identity
from bot.broadcast import NUDGE_PREFIX
from bot.catalogue import say
from bot.context import BaocaoApplication, BotContext
from bot.domain.arguments import ArgumentError
from bot.domain.forms import Form
from bot.domain.message_length import MAX_CAPTION, cut, message_parts
from bot.domain.numbers import format_count, format_date
from bot.domain.periods import PeriodKey, current_open_period, period_for, period_label
from bot.domain.text import fold
from bot.reporting import ensure_period
from bot.rollup_service import (
    NATIONAL,
    ProgressState,
    RollupError,
    allowed_provinces,
    can_see,
    find_period,
    produce,
)
from handlers.supervising.chat import chat_id_of, data, form_of, now_of, reply
from handlers.supervising.scope import find_province, period_key, provinces_of, refuse, supervisor_or_refuse
from storage.models import Period, Unit, UnitKind

log = logging.getLogger(__name__)
PROGRESS_AFTER = 0.7  # seconds before the first progress edit ("more than a moment")
PROGRESS_EVERY = 1.0  # seconds between progress edits (Telegram allows about one edit a second)
GOODBYE_TIMEOUT = 2.0  # seconds to tell the official, at shutdown, that the rollup was cut off
RUNNING = "rollups_running"  # bot_data: the chats whose rollup is being made
NATIONAL_WORDS = {"toanquoc", "toan quoc", "ca nuoc", "canuoc", "all", "quocgia"}
TONGHOP_HELP = (
    "Tổng hợp báo cáo của tỉnh:\n"
    "• /tonghop — kỳ đã hết hạn gần nhất\n"
    "• /tonghop 2025-W50 — một kỳ cụ thể\n"
    "• /tonghop thai nguyen (hoặc mã tỉnh 19) — khi Anh/Chị theo dõi nhiều tỉnh\n"
    "• /tonghop toanquoc — cả nước, theo tỉnh (quản trị viên)"
)


async def tonghop(update: Update, context: BotContext) -> None:
    identity = await supervisor_or_refuse(update, context)
    if identity is None:
        return
    args = list(context.args or [])
    key = None
    rest = []
    for token in args:
        try:
            found = period_key(token, context)
        except ArgumentError as exc:
            await reply(update, context, exc.reason)
            return
        if found is not None and key is None:
            key = found
        else:
            rest.append(token)
    query = " ".join(rest).strip()
    if query.lower() in {"help", "huongdan", "?"}:
        await reply(update, context, TONGHOP_HELP)
        return
    if fold(query) in NATIONAL_WORDS:
        if allowed_provinces(identity) is not None:
            await reply(update, context, "Chỉ quản trị viên toàn hệ thống mới xem được tổng hợp cả nước.")
            return
        await run_rollup(update, context, identity, NATIONAL, key)
        return
    if query:
        provinces = await find_province(context, identity, query)
        if len(provinces) != 1:
            await _choose_scope(update, context, identity, key, provinces or None,
                                f"Không thấy tỉnh nào khớp «{query}» trong phạm vi của Anh/Chị." if not provinces
                                else "Anh/Chị chọn tỉnh:")
            return
        await run_rollup(update, context, identity, provinces[0].code, key)
        return
    provinces = await provinces_of(context, identity)
    if len(provinces) == 1 and allowed_provinces(identity) is not None:
        await run_rollup(update, context, identity, provinces[0].code, key)
        return
    await _choose_scope(update, context, identity, key, None, "Anh/Chị chọn tỉnh để tổng hợp:")


async def _choose_scope(update: Update, context: BotContext, identity: Identity, key: str | None,
                        provinces: list[Unit] | None, text: str, verb: str = "t") -> None:
    provinces = provinces if provinces is not None else await provinces_of(context, identity)
    buttons = [InlineKeyboardButton(p.name, callback_data=data(verb, p.code, key or "")) for p in provinces]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    if verb == "t" and allowed_provinces(identity) is None:
        rows.append([InlineKeyboardButton("🇻🇳 Toàn quốc (theo tỉnh)", callback_data=data("t", NATIONAL, key or ""))])
    await reply(update, context, text, InlineKeyboardMarkup(rows) if rows else None)


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


async def run_rollup(update: Update, context: BotContext, identity: Identity, scope: str, key: str | None) -> None:
    province = None if scope == NATIONAL else scope
    if not can_see(identity, province):
        await refuse(update)
        return
    services = context.services
    storage, form = services.storage, form_of(context)
    now = now_of(context)
    try:
        period = await find_period(storage, form, key, now)
    except RollupError as exc:
        await reply(update, context, str(exc))
        return
    if period.opens_at > now:
        await reply(update, context, f"{period_label(period.key)} chưa mở báo cáo.")
        return
    scope_name = "cả nước" if province is None else ((await storage.units.get(province)) or Unit(
        code=province, name=province, full_name=province, kind=UnitKind.PROVINCE, division_type="",
        province_code=province)).full_name
    chat_id = chat_id_of(update)
    running: set[int] = context.bot_data.setdefault(RUNNING, set())
    if chat_id in running:
        await reply(update, context, "Bot đang tổng hợp theo yêu cầu trước của Anh/Chị; "
                                     "Anh/Chị vui lòng chờ trong giây lát.")
        return
    status = await context.bot.send_message(
        chat_id, f"Đang tổng hợp báo cáo {period_label(period.key)} của {scope_name}…")
    running.add(chat_id)
    application = context.application
    assert isinstance(application, BaocaoApplication)
    # the work takes seconds for a whole country: the other officials' messages do not wait for it
    application.in_background(_produce_and_send(context, identity, scope, period, status, running), update)


async def _produce_and_send(context: BotContext, identity: Identity, scope: str, period: Period, status: Message,
                            running: set[int]) -> None:
    services = context.services
    storage, form = services.storage, form_of(context)
    province = None if scope == NATIONAL else scope
    now = now_of(context)
    chat_id = status.chat_id
    try:
        progress = ProgressState()
        work = produce(storage, form, period, province, templates_dir=services.settings.templates_dir,
                       report_date=now.date(), tz=services.clock.tz, progress=progress, chart_apart=True)
        try:
            files = await _with_progress(context, status, progress, work)
        except RollupError as exc:
            await _edit(context, status, str(exc))
            return
        markup = _navigation(scope, period, form, now, allowed_provinces(identity) is None)
        parts = message_parts(files.message)
        await _edit(context, status, parts[0], markup if len(parts) == 1 else None)
        for index, part in enumerate(parts[1:], start=1):
            await context.bot.send_message(chat_id, part, reply_markup=markup if index == len(parts) - 1 else None)
        caption = cut(f"Tổng hợp {period_label(period.key)} — {files.rollup.scope_name}", MAX_CAPTION)
        await context.bot.send_photo(chat_id, photo=files.chart, filename=files.chart_name, caption=caption)
        await context.bot.send_document(chat_id, document=files.docx, filename=files.docx_name,
                                        caption="Báo cáo tổng hợp (Word)")
        await context.bot.send_document(chat_id, document=files.xlsx, filename=files.xlsx_name,
                                        caption="Số liệu từng xã (Excel, lọc được)")
        await storage.audit.log("rollup.view", now, actor=identity.telegram_id, subject=f"{scope}:{period.key}",
                                detail={k: round(v, 3) for k, v in files.timings.items()})
    except asyncio.CancelledError:  # the bot is shutting down: say so, briefly, rather than nothing
        with contextlib.suppress(Exception):
            await asyncio.wait_for(context.bot.send_message(chat_id, say("shutdown.rollup_interrupted")),
                                   GOODBYE_TIMEOUT)
        raise
    finally:
        running.discard(chat_id)


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
        try:
            done, _ = await asyncio.wait({task}, timeout=max(wait, 0.01))
        except asyncio.CancelledError:
            task.cancel()  # the work stops too (its worker thread at its next step)
            raise
        if done:
            return task.result()
        text = progress.text
        if text and text != shown:
            shown = text
            try:
                await context.bot.edit_message_text(text, chat_id=status.chat_id, message_id=status.message_id)
            except TelegramError:  # progress is best effort
                log.debug("progress edit failed", exc_info=True)


async def chuanop(update: Update, context: BotContext) -> None:
    identity = await supervisor_or_refuse(update, context)
    if identity is None:
        return
    query = " ".join(context.args or []).strip()
    provinces = await find_province(context, identity, query) if query else await provinces_of(context, identity)
    if len(provinces) == 1:
        await show_missing(update, context, identity, provinces[0].code)
        return
    await _choose_scope(update, context, identity, None, provinces if query else None,
                        "Anh/Chị chọn tỉnh:" if provinces or not query else f"Không thấy tỉnh nào khớp «{query}».",
                        verb="c")


async def show_missing(update: Update, context: BotContext, identity: Identity, province: str) -> None:
    if not can_see(identity, province):
        await refuse(update)
        return
    storage, form = context.services.storage, form_of(context)
    now = now_of(context)
    period = await ensure_period(storage, current_open_period(form.period, now))
    communes = await storage.units.list_communes(province)
    submitted = {s.unit_code for s in await storage.submissions.list_latest_for_period(period.id, province)}
    missing = [unit for unit in communes if unit.code not in submitted]
    deadline = period.deadline_at
    head = (f"Kỳ {period_label(period.key)} — hạn nộp {deadline:%H:%M} ngày {format_date(deadline.date())}"
            f"{' (đã quá hạn)' if now > deadline else ''}.\n")
    if not missing:
        await reply(update, context, head + f"Tất cả {format_count(len(communes))} xã, phường đã nộp báo cáo.")
        return
    lines = [head + f"Chưa nộp: {format_count(len(missing))}/{format_count(len(communes))} xã, phường."]
    unreachable = 0
    roster = await storage.people.reporter_roster(province)  # blocked reporters too, marked below
    for index, unit in enumerate(missing, start=1):
        people = roster.get(unit.code, [])
        if not any(p.active for p in people):
            unreachable += 1
        if people:
            who = ", ".join(p.full_name + (f" (@{p.username})" if p.username else "")
                            + ("" if p.active else " — đã chặn bot") for p in people)
        else:
            who = "chưa có cán bộ báo cáo"
        lines.append(f"{index}. {unit.full_name} — {who}")
    if unreachable:
        lines.append(f"\n{unreachable} xã chưa có cán bộ báo cáo: Anh/Chị vui lòng liên hệ trực tiếp, hoặc nhập thay "
                     "(/nhapthay <tên xã>).")
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(
        f"🔔 Nhắc ngay ({format_count(len(missing))} xã)", callback_data=f"{NUDGE_PREFIX}:{period.id}:{province}")]])
    await reply(update, context, "\n".join(lines), markup)

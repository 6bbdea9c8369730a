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

One module per part of the journey, each with its texts and keyboards: ``rollup_chat`` (/tonghop,
/chuanop), ``commune_view`` (/xa), ``approval`` (/duyet, /tralai, the reporter's «Sửa báo cáo»),
``on_behalf`` (/nhapthay); ``scope`` (who may see what, finding it from what was typed) and ``chat``
(callback data, replies) serve them all. Here: the one «sv:» button dispatcher and ``register``.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.catalogue import say
from bot.context import BotContext
from bot.domain.arguments import ArgumentError, parse_id, parse_week
from bot.domain.periods import current_open_period, period_label
from bot.report_files import render_submission
from bot.reporting import ensure_period
from bot.rollup_service import NATIONAL, can_see
from handlers.report_files import announce_fallback, beside_updates, fallback_kwargs
from handlers.supervising.approval import approve, correct_returned, duyet, tralai
from handlers.supervising.chat import PREFIX, chat_id_of, form_of, now_of, reply
from handlers.supervising.commune_view import show_commune, xa
from handlers.supervising.on_behalf import nhapthay, send_template, submit_on_behalf
from handlers.supervising.rollup_chat import chuanop, run_rollup, show_missing, tonghop
from handlers.supervising.scope import refuse, submission_in_scope, supervisor_or_refuse
from storage.models import UnitKind


async def on_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    parts = query.data.split(":")
    verb, args = (parts[1] if len(parts) > 1 else ""), parts[2:]
    if verb == "f":  # the reporter's side
        await correct_returned(update, context, args[0] if args else "")
        return
    identity = await supervisor_or_refuse(update, context)
    if identity is None:
        return
    if verb == "t" and args:
        scope = args[0]
        if not can_see(identity, None if scope == NATIONAL else scope):
            await refuse(update)
            return
        key = args[1] if len(args) > 1 and args[1] else None
        if key is not None:
            try:
                parse_week(key, now_of(context).date())
            except ArgumentError as exc:
                await query.answer(exc.reason, show_alert=True)
                return
        await query.answer()
        await run_rollup(update, context, identity, scope, key)
    elif verb == "c" and args:
        if not can_see(identity, args[0]):
            await refuse(update)
            return
        await query.answer()
        await show_missing(update, context, identity, args[0])
    elif verb == "x" and args:
        unit = await context.services.storage.units.get(args[0])
        if unit is None or not can_see(identity, unit.province_code):
            await refuse(update)
            return
        await query.answer()
        period_id = parse_id(args[1]) if len(args) > 1 else None
        await show_commune(update, context, identity, unit, period_id)
    elif verb in {"a", "r", "w"} and args:
        found = await submission_in_scope(update, context, identity, args[0])
        if found is None:
            return
        await query.answer()
        submission, unit, period = found
        if verb == "a":
            await approve(update, context, identity, args[0])
        elif verb == "r":
            await reply(update, context, f"Để trả lại báo cáo {period_label(period.key)} của {unit.full_name}, "
                                         f"Anh/Chị gửi lệnh kèm lý do:\n/tralai {submission.id} <lý do>\n"
                                         f"VD: /tralai {submission.id} Số hồ sơ kỳ trước chuyển sang chưa khớp.")
        else:
            chat_id, commune = chat_id_of(update), unit

            async def send() -> None:
                report = await render_submission(context.services.storage, form_of(context, period.form_id),
                                                 context.services.settings.templates_dir, commune, period.key,
                                                 submission, **fallback_kwargs(context))
                await context.bot.send_document(chat_id, document=report.content, filename=report.filename)
                await announce_fallback(context, report)

            beside_updates(context, send(), update)
    elif verb == "e" and args:
        storage = context.services.storage
        unit = await storage.units.get(args[0])
        if unit is None or unit.kind != UnitKind.COMMUNE or not can_see(identity, unit.province_code):
            await refuse(update)
            return
        await query.answer()
        period = await ensure_period(storage, current_open_period(form_of(context).period, now_of(context)))
        await send_template(update, context, unit, period)
    elif verb == "s" and len(args) == 2:
        unit = await context.services.storage.units.get(args[0])
        if unit is None or not can_see(identity, unit.province_code):
            await refuse(update)
            return
        await query.answer()
        await submit_on_behalf(update, context, identity, args[0], args[1])
    else:
        await query.answer(say("common.stale_button"))


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    for name, callback in (("tonghop", tonghop), ("chuanop", chuanop), ("xa", xa), ("duyet", duyet),
                           ("tralai", tralai), ("nhapthay", nhapthay)):
        application.add_handler(CommandHandler(name, callback, filters=private))
    application.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"))

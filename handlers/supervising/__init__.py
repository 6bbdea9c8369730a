"""The supervisor's journey on Telegram: the province's rollup (/tonghop), who has not reported
(/chuanop), one commune on demand (/xa), approving or returning a report (/duyet, /tralai), and
entering a report on a commune's behalf (/nhapthay). The rules are in bot/supervising (no
Telegram there); here updates go in and replies come out.

Stateless on purpose, but for one question: what to act on is in the command's arguments or in the
choice's action (a province code, a period key, a submission id: bot/chat/actions.py, «sv:…»); the
reason awaited after «Trả lại để sửa» is kept in SQLite (a restart loses nothing); every command and every
choice checks again, on the server, that the person may see that province — a supervisor their own
provinces, an admin all of them. A report entered on a commune's behalf waits in the commune's
draft (SQLite) until the supervisor confirms it, so a restart loses nothing.

One module per part of the journey: ``rollup_chat`` (/tonghop, /chuanop), ``commune_view`` (/xa),
``approval`` (/duyet, /tralai, the reporter's «Sửa báo cáo»), ``reason_chat`` (the reason of
«Trả lại để sửa» typed in chat, looked at before the journeys' text), ``on_behalf`` (/nhapthay); ``scope``
(the refusal) and ``chat`` (sending, telling reporters) serve them all. Here: the one dispatcher
of the journey's choices, on their typed actions, and ``register``."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.chat.access import Identity
from bot.chat.actions import (
    Approve,
    CancelReturn,
    CorrectReturned,
    EnterOnBehalf,
    PickCommune,
    ReturnReport,
    ShowCommune,
    ShowMissing,
    ShowRollup,
    SubmissionFile,
    SubmitOnBehalf,
    decode,
    matches,
)
from bot.context import BotContext
from bot.supervising import commune, missing, return_reason
from bot.supervising import on_behalf as entering
from bot.supervising.scope import SUPERVISOR_ACTIONS
from handlers.delivery import beside_updates, deliver
from handlers.supervising.approval import approve, correct_returned, duyet, tralai
from handlers.supervising.commune_view import show_card, xa
from handlers.supervising.on_behalf import nhapthay, submit
from handlers.supervising.reason_chat import REASON_GROUP
from handlers.supervising.reason_chat import handler as reason_handler
from handlers.supervising.rollup_chat import chuanop, on_rollup_tap, tonghop
from handlers.supervising.scope import supervisor_or_refuse


async def on_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    action = decode(query.data)
    if isinstance(action, CorrectReturned):  # the reporter's side
        await correct_returned(update, context, action.submission_id)
        return
    identity = await supervisor_or_refuse(update, context)
    if identity is None:
        return
    services = context.services
    match action:
        case ShowRollup():
            await on_rollup_tap(update, context, identity, action)
        case ShowMissing(province=province, form=form):
            await deliver(update, context, await missing.show_missing(services, identity, province, form))
        case ShowCommune(code=code, period_id=period_id, form=form):
            beside_updates(context, _card(update, context, identity, code, period_id, form), update)
        case PickCommune(code=code, form=form):
            beside_updates(context, _card(update, context, identity, code, None, form), update)
        case Approve(submission_id=submission_id):
            await approve(update, context, identity, submission_id)
        case ReturnReport(submission_id=submission_id):
            await deliver(update, context, await return_reason.ask_reason(services, identity, submission_id))
        case CancelReturn():
            await deliver(update, context, await return_reason.cancel_tap(services, identity, action))
        case SubmissionFile(submission_id=submission_id):
            beside_updates(context, _file(update, context, identity, submission_id), update)
        case EnterOnBehalf(code=code, form=form):
            await deliver(update, context, await entering.enter_on_behalf(services, identity, code, form))
        case SubmitOnBehalf(code=code, period_id=period_id):
            await submit(update, context, identity, code, period_id)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    for name, callback in (("tonghop", tonghop), ("chuanop", chuanop), ("xa", xa), ("duyet", duyet),
                           ("tralai", tralai), ("nhapthay", nhapthay)):
        application.add_handler(CommandHandler(name, callback, filters=private))
    application.add_handler(CallbackQueryHandler(on_button, pattern=matches(*SUPERVISOR_ACTIONS, CorrectReturned)))
    application.add_handler(reason_handler(), group=REASON_GROUP)  # the reason of «Trả lại để sửa», typed


async def _card(update: Update, context: BotContext, identity: Identity, code: str, period_id: int | None,
                form: str | None) -> None:
    """A commune's card, its .docx rendered beside the updates (a slow template holds no one)."""
    await show_card(update, context, await commune.show_commune(context.services, identity, code, period_id, form))


async def _file(update: Update, context: BotContext, identity: Identity, submission_id: int) -> None:
    await deliver(update, context, await commune.submission_file(context.services, identity, submission_id))

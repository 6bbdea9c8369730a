"""Telegram's side of setting up what reports print (bot.administering): /caidat (a commune's
settings, a province's defaults, the provincial rollup's), a replacement template sent as a .docx
by an admin, and the admin's answer under its preview."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.administering import setup_command, templates
from bot.chat.actions import DropTemplate, TemplateFor, UseTemplate, decode, matches
from bot.context import BotContext
from bot.onboarding import stray
from handlers import reporting
from handlers.delivery import deliver
from handlers.identity import identity_of


async def caidat(update: Update, context: BotContext) -> None:
    message = update.effective_message
    identity = await identity_of(update, context)
    if message is None or identity is None:
        return
    words = (message.text or "").strip().split(maxsplit=1)  # the command, then what follows as typed
    arguments = words[1] if len(words) == 2 else ""
    services = context.services
    await deliver(update, context, await setup_command.caidat(services.storage, identity, arguments,
                                                              now=services.clock.now(), forms=services.forms))


async def on_template_upload(update: Update, context: BotContext) -> None:
    message = update.effective_message
    user = update.effective_user
    identity = await identity_of(update, context)
    if message is None or user is None or message.document is None or identity is None:
        return
    if not templates.takes_uploads(identity):
        await reporting.on_media(update, context)
        return
    document = message.document
    filename = document.file_name or ""
    refused = templates.screen(filename, document.file_size)
    if refused:
        await deliver(update, context, refused)
        return
    file = await document.get_file()
    refused = templates.screen(filename, file.file_size)  # Telegram's size, in case the message did not say
    if refused:
        await deliver(update, context, refused)
        return
    content = bytes(await file.download_as_bytearray())
    await deliver(update, context, templates.upload(context.services, identity, filename, content, user.full_name))


async def on_template_choice(update: Update, context: BotContext) -> None:
    query = update.callback_query
    identity = await identity_of(update, context)
    if query is None or identity is None:
        return
    match decode(query.data):
        case UseTemplate() | DropTemplate() as action:
            replies = await templates.decide(context.services.storage, identity, action,
                                             now=context.services.clock.now())
        case TemplateFor() as chosen:
            name = query.from_user.full_name if query.from_user else ""
            replies = await templates.choose_form(context.services, identity, chosen, name)
        case _:
            replies = stray.stale_choice()
    await deliver(update, context, replies)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("caidat", caidat, filters=private))
    application.add_handler(MessageHandler(private & filters.Document.ALL, on_template_upload))
    application.add_handler(CallbackQueryHandler(on_template_choice, pattern=matches(UseTemplate, DropTemplate, TemplateFor)))

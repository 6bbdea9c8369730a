"""First contact: /start greets, and with an invitation token binds the account to its commune
or province; /help lists the commands of the person's roles."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from bot.access import Identity, identify
from bot.catalogue import say
from bot.context import BotContext
from bot.invites import RedeemStatus, redeem_invite
from handlers import menus
from storage.models import Role

log = logging.getLogger(__name__)

REFUSALS = {
    RedeemStatus.MALFORMED: "onboarding.invite_invalid",
    RedeemStatus.UNKNOWN: "onboarding.invite_invalid",
    RedeemStatus.USED: "onboarding.invite_used",
    RedeemStatus.EXPIRED: "onboarding.invite_expired",
    RedeemStatus.REVOKED: "onboarding.invite_revoked",
}


async def _describe(identity: Identity, context: BotContext) -> str:
    units = await context.services.storage.units.get_many(identity.communes + identity.provinces)
    parts: list[str] = []
    for role, key in ((Role.REPORTER, "onboarding.what_reporter"), (Role.SUPERVISOR, "onboarding.what_supervisor")):
        for code in identity.units(role):
            unit = units.get(code)
            parts.append(say(key, unit=unit.full_name if unit else code))
    if identity.is_admin:
        parts.append(say("onboarding.what_admin"))
    return "\n".join(parts)


async def start(update: Update, context: BotContext) -> None:
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None:
        return
    services = context.services
    if context.args:
        result = await redeem_invite(
            services.storage, context.args[0], telegram_id=user.id, full_name=user.full_name,
            username=user.username, now=services.clock.now(),
        )
        if result.status in REFUSALS:
            log.info("invitation refused for %s: %s", user.id, result.status)
            identity = await identify(services.storage, services.settings, user.id)
            hint = "" if not identity.is_known else "\n\n" + say("onboarding.already_registered")
            await message.reply_text(say(REFUSALS[result.status]) + hint)
            return
    identity = await identify(services.storage, services.settings, user.id)
    if not identity.is_known:
        await message.reply_text(say("onboarding.greeting_stranger"))
        return
    name = identity.person.full_name if identity.person and identity.person.full_name else user.full_name
    await menus.set_commands_for(context.bot, message.chat_id, identity)
    await message.reply_text(say("onboarding.greeting_known", name=name, what=await _describe(identity, context)))


async def help_command(update: Update, context: BotContext) -> None:
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None:
        return
    identity = await identify(context.services.storage, context.services.settings, user.id)
    if not identity.is_known:
        await message.reply_text(say("common.help_stranger"))
        return
    await message.reply_text(
        "\n\n".join([await _describe(identity, context), say("onboarding.help_header"), menus.describe(identity)])
    )


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    application.add_handler(CommandHandler("start", start, filters=filters.ChatType.PRIVATE))
    application.add_handler(CommandHandler("help", help_command, filters=filters.ChatType.PRIVATE))

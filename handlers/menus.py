"""Telegram's side of the command menus (setMyCommands per chat): the commands of each role come
from bot.onboarding.menus."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.chat.access import Identity
from bot.onboarding import menus

log = logging.getLogger(__name__)


def _bot_commands(commands: list[menus.Command] | tuple[menus.Command, ...]) -> list[BotCommand]:
    return [BotCommand(command.name, command.description) for command in commands]


def commands_for(identity: Identity) -> list[BotCommand]:
    return _bot_commands(menus.commands_for(identity))


async def set_default_commands(bot: Bot) -> None:
    await bot.set_my_commands(_bot_commands(menus.common()), scope=BotCommandScopeDefault())


async def set_commands_for(bot: Bot, chat_id: int, identity: Identity) -> None:
    try:
        await bot.set_my_commands(commands_for(identity), scope=BotCommandScopeChat(chat_id))
    except TelegramError:
        log.warning("could not set the command menu of chat %s", chat_id, exc_info=True)

"""The command menu each person sees (setMyCommands per chat), by role."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.access import Identity

log = logging.getLogger(__name__)

COMMON = [BotCommand("start", "Bắt đầu"), BotCommand("help", "Hướng dẫn các lệnh")]
REPORTER = [
    BotCommand("baocao", "Nhập hoặc sửa báo cáo tuần"),
    BotCommand("huy", "Tạm dừng việc nhập báo cáo"),
    BotCommand("baocaocu", "Tải tệp Word báo cáo các kỳ trước"),
    BotCommand("caidat", "Thiết lập người ký, nơi nhận của báo cáo"),
    BotCommand("nghiphep", "Tạm dừng nhắc nhở khi nghỉ phép"),
]
SUPERVISOR = [
    BotCommand("tonghop", "Tổng hợp báo cáo của tỉnh"),
    BotCommand("chuanop", "Các xã chưa nộp"),
    BotCommand("xa", "Xem báo cáo của một xã, duyệt hoặc trả lại"),
    BotCommand("nhapthay", "Nhập báo cáo thay cho một xã"),
    BotCommand("caidat", "Thiết lập người ký, nơi nhận của báo cáo tổng hợp"),
]
ADMIN = [
    BotCommand("moi", "Tạo lời mời"),
    BotCommand("nguoidung", "Quản lý người dùng"),
    BotCommand("lich", "Xem, sửa lịch báo cáo và nhắc nhở"),
    BotCommand("caidat", "Thiết lập người ký, nơi nhận của báo cáo"),
]


def commands_for(identity: Identity) -> list[BotCommand]:
    groups = [COMMON]
    if identity.communes:
        groups.append(REPORTER)
    if identity.provinces or identity.is_admin:
        groups.append(SUPERVISOR)
    if identity.is_admin:
        groups.append(ADMIN)
    seen: dict[str, BotCommand] = {}
    for group in groups:
        for command in group:
            seen.setdefault(command.command, command)
    return list(seen.values())


def describe(identity: Identity) -> str:
    """/help: one line per command the person may use."""
    return "\n".join(f"/{c.command} — {c.description}" for c in commands_for(identity))


async def set_default_commands(bot: Bot) -> None:
    await bot.set_my_commands(COMMON, scope=BotCommandScopeDefault())


async def set_commands_for(bot: Bot, chat_id: int, identity: Identity) -> None:
    try:
        await bot.set_my_commands(commands_for(identity), scope=BotCommandScopeChat(chat_id))
    except TelegramError:
        log.warning("could not set the command menu of chat %s", chat_id, exc_info=True)

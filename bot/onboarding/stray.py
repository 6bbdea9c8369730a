"""The answers to what no journey takes: a command in a group, a picture or a sticker, a command
that does not exist, a text out of any conversation, a button from an old message."""

from __future__ import annotations

from bot.chat.catalogue import say
from bot.chat.replies import Message, Reply, TapAnswer


def group_message(text: str) -> list[Reply]:
    """In a group the bot answers only commands, with the hint to write privately."""
    return [Message(say("common.group_only_private"))] if text.startswith("/") else []


def media() -> list[Reply]:
    return [Message(say("common.stray_media"))]


def unknown_command(text: str) -> list[Reply]:
    command = text.split()[0].split("@")[0]
    return [Message(say("common.unknown_command", command=command))]


def stray_text() -> list[Reply]:
    return [Message(say("common.stray_text"))]


def stale_choice() -> list[Reply]:
    return [TapAnswer(say("common.stale_button"))]


def error() -> list[Reply]:
    """Something failed: nothing saved is lost."""
    return [Message(say("common.error"))]

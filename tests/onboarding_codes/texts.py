"""The text of a reply that must be a message."""

from __future__ import annotations

from bot.chat.replies import Message, Reply


def text(reply: Reply) -> str:
    assert isinstance(reply, Message), reply
    return reply.text

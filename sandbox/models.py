"""What the sandbox remembers: users, chats, messages, callback queries; each knows its Bot API shape."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

from sandbox.media import StoredFile, document_object, photo_sizes


@dataclass
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    blocked: bool = False  # the user blocked the bot: sends to them answer 403
    started: bool = True  # the user has opened the bot's chat; otherwise "bot can't initiate conversation"

    def to_api(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            d["last_name"] = self.last_name
        if self.username:
            d["username"] = self.username
        if self.language_code and not self.is_bot:
            d["language_code"] = self.language_code
        return d

    def to_control(self) -> dict[str, Any]:
        return {**self.to_api(), "blocked": self.blocked, "started": self.started}


@dataclass
class Chat:
    id: int
    type: str  # private | group | supergroup
    title: str | None = None
    user: User | None = None  # the other side of a private chat

    def to_api(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private" and self.user is not None:
            d["first_name"] = self.user.first_name
            if self.user.last_name:
                d["last_name"] = self.user.last_name
            if self.user.username:
                d["username"] = self.user.username
        elif self.title:
            d["title"] = self.title
        return d


@dataclass
class StoredMessage:
    chat: Chat
    message_id: int
    sender: User
    date: int
    seq: int  # the sandbox-wide counter when it was created or last changed
    text: str | None = None
    entities: list[dict[str, Any]] | None = None
    raw_text: str | None = None  # what the bot sent, before parse_mode
    parse_mode: str | None = None
    caption: str | None = None
    caption_entities: list[dict[str, Any]] | None = None
    reply_markup: dict[str, Any] | None = None  # as sent, whatever the kind
    file: StoredFile | None = None
    sticker: dict[str, Any] | None = None
    voice: dict[str, Any] | None = None
    reply_to: StoredMessage | None = None
    edit_date: int | None = None
    history: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    @property
    def from_bot(self) -> bool:
        return self.sender.is_bot

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            keyboard: list[list[dict[str, Any]]] = self.reply_markup["inline_keyboard"]
            return keyboard
        return []

    def to_api(self, *, with_reply: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender.to_api(),
            "chat": self.chat.to_api(),
            "date": self.date,
        }
        if self.reply_to is not None and with_reply:
            d["reply_to_message"] = self.reply_to.to_api(with_reply=False)
        if self.edit_date is not None:
            d["edit_date"] = self.edit_date
        if self.text is not None:
            d["text"] = self.text
            if self.entities:
                d["entities"] = self.entities
        if self.file is not None and self.file.kind == "document":
            d["document"] = document_object(self.file)
        if self.file is not None and self.file.kind == "photo":
            d["photo"] = photo_sizes(self.file)
        if self.sticker is not None:
            d["sticker"] = self.sticker
        if self.voice is not None:
            d["voice"] = self.voice
        if self.caption is not None:
            d["caption"] = self.caption
            if self.caption_entities:
                d["caption_entities"] = self.caption_entities
        if self.inline_keyboard:  # Message.reply_markup is only ever an InlineKeyboardMarkup
            d["reply_markup"] = self.reply_markup
        return d

    def to_control(self, base_url: str) -> dict[str, Any]:
        d: dict[str, Any] = {
            "message_id": self.message_id,
            "chat_id": self.chat.id,
            "from": "bot" if self.from_bot else "user",
            "from_id": self.sender.id,
            "date": self.date,
            "seq": self.seq,
            "text": self.text,
            "entities": self.entities or [],
            "caption": self.caption,
            "reply_markup": self.reply_markup,
            "reply_to_message_id": self.reply_to.message_id if self.reply_to else None,
            "edited": self.edit_date is not None,
            "edit_date": self.edit_date,
            "history": self.history,
            "deleted": self.deleted,
        }
        if self.parse_mode:
            d["parse_mode"] = self.parse_mode
            d["raw_text"] = self.raw_text
        if self.file is not None:
            url = f"{base_url}/control/files/{self.file.file_id}"
            if self.file.kind == "document":
                d["document"] = {**document_object(self.file), "url": url}
            elif self.file.kind == "photo":
                d["photo"] = [{**p, "url": url} for p in photo_sizes(self.file)]
            else:
                d["file"] = {"file_id": self.file.file_id, "url": url}
        if self.sticker is not None:
            d["sticker"] = self.sticker
        if self.voice is not None:
            d["voice"] = self.voice
        return d

    def snapshot(self) -> dict[str, Any]:
        """What the message looked like before an edit."""
        return {
            "text": self.text,
            "caption": self.caption,
            "reply_markup": self.reply_markup,
            "edit_date": self.edit_date,
            "seq": self.seq,
        }


@dataclass
class CallbackRecord:
    id: str
    user: User
    chat_id: int
    message_id: int
    data: str
    created: float = field(default_factory=time.monotonic)
    answer: dict[str, Any] | None = None


class Notifier:
    """Wakes everyone waiting for "something changed"; waiters re-check their own condition."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        for fut in self._waiters:
            if not fut.done():
                fut.set_result(None)
        self._waiters.clear()

    async def wait(self, within: float) -> None:
        """Return at the next notify() or after `within` seconds, whichever comes first."""
        if within <= 0:
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(fut)
        try:
            await asyncio.wait_for(asyncio.shield(fut), within)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(fut)

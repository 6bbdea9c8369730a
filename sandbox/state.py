"""The sandbox's world: users and chats, every message, files, pending updates, what the bot set.

Also what a simulated user does (`user_text`, `user_tap`, ...): each creates the message and the
update Telegram would deliver. Single-threaded (one event loop), so no locks.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from sandbox import media
from sandbox.formatting import command_entities
from sandbox.models import CallbackRecord, Chat, Notifier, StoredMessage, User

BOT_FIRST_NAME = "Báo cáo bot"
BOT_USERNAME = "baocao_sandbox_bot"
DEFAULT_BOT_ID = 123456
# Update types getUpdates delivers when allowed_updates is empty or never set.
_DEFAULT_EXCLUDED = {"chat_member", "message_reaction", "message_reaction_count"}


class ControlError(Exception):
    """A control-API request that cannot be done (400 with a JSON {"error": ...})."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass
class CommandSet:
    scope: dict[str, Any]
    language_code: str
    commands: list[dict[str, str]]


@dataclass
class SandboxState:
    bot: User = field(
        default_factory=lambda: User(DEFAULT_BOT_ID, BOT_FIRST_NAME, username=BOT_USERNAME, is_bot=True)
    )
    users: dict[int, User] = field(default_factory=dict)
    chats: dict[int, Chat] = field(default_factory=dict)
    messages: dict[int, dict[int, StoredMessage]] = field(
        default_factory=dict
    )  # chat id -> message id -> message
    files: dict[str, media.StoredFile] = field(default_factory=dict)
    files_by_path: dict[str, media.StoredFile] = field(default_factory=dict)
    updates: list[dict[str, Any]] = field(default_factory=list)  # not yet confirmed, oldest first
    next_update_id: int = 1
    allowed_updates: list[str] | None = None
    callback_queries: dict[str, CallbackRecord] = field(default_factory=dict)
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    commands: dict[tuple[str, str], CommandSet] = field(default_factory=dict)
    webhook: WebhookConfig | None = None
    seq: int = 0
    updates_changed: Notifier = field(default_factory=Notifier)
    chats_changed: Notifier = field(default_factory=Notifier)

    # ------------------------------------------------------------ basics

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def set_bot_id(self, bot_id: int) -> None:
        self.bot.id = bot_id

    def add_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "vi",
        *,
        started: bool = True,
    ) -> User:
        """Create the user and their private chat; idempotent (later calls update the names)."""
        if user_id <= 0:
            raise ControlError("user ids are positive")
        user = self.users.get(user_id)
        if user is None:
            user = User(user_id, first_name, last_name, username, language_code, started=started)
            self.users[user_id] = user
        else:
            user.first_name, user.last_name, user.username = first_name, last_name, username
            user.language_code = language_code
        self.chats.setdefault(user_id, Chat(user_id, "private", user=user))
        self.messages.setdefault(user_id, {})
        return user

    def add_group(self, chat_id: int, title: str | None = None, chat_type: str = "group") -> Chat:
        if chat_id >= 0:
            raise ControlError("group chat ids are negative")
        if chat_type not in {"group", "supergroup"}:
            raise ControlError("chat type must be group or supergroup")
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = Chat(chat_id, chat_type, title=title or f"Nhóm {abs(chat_id)}")
            self.chats[chat_id] = chat
            self.messages[chat_id] = {}
        elif title:
            chat.title = title
        return chat

    def user(self, user_id: int) -> User:
        user = self.users.get(user_id)
        if user is None:
            raise ControlError(f"no user {user_id}: create it with POST /control/users", 404)
        return user

    def chat_messages(self, chat_id: int) -> list[StoredMessage]:
        return list(self.messages.get(chat_id, {}).values())

    def bot_messages(self, chat_id: int) -> list[StoredMessage]:
        return [m for m in self.chat_messages(chat_id) if m.from_bot]

    def find_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        msg = self.messages.get(chat_id, {}).get(message_id)
        return None if msg is None or msg.deleted else msg

    def new_message(self, chat: Chat, sender: User, **fields: Any) -> StoredMessage:
        by_id = self.messages.setdefault(chat.id, {})
        message_id = max(by_id, default=0) + 1
        msg = StoredMessage(
            chat=chat,
            message_id=message_id,
            sender=sender,
            date=int(time.time()),
            seq=self.next_seq(),
            **fields,
        )
        by_id[message_id] = msg
        self.chats_changed.notify()
        return msg

    def touch(self, msg: StoredMessage) -> None:
        msg.seq = self.next_seq()
        self.chats_changed.notify()

    def store_file(
        self, kind: str, data: bytes, *, file_name: str | None = None, mime_type: str | None = None
    ) -> media.StoredFile:
        stored = media.new_file(kind, data, len(self.files) + 1, file_name=file_name, mime_type=mime_type)
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    # ------------------------------------------------------------ updates

    def push_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self.next_update_id, kind: payload}
        self.next_update_id += 1
        self.updates.append(update)
        self.updates_changed.notify()
        return update

    def confirm_updates(self, offset: int) -> None:
        """getUpdates with `offset`: every update below it is confirmed (a negative one keeps the last -offset)."""
        if offset < 0:
            self.updates = self.updates[offset:]
        elif offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]

    def deliverable_updates(self, limit: int) -> list[dict[str, Any]]:
        """Pending updates of the allowed kinds, oldest first; updates of other kinds are dropped."""
        kept = [u for u in self.updates if self._allowed(update_kind(u))]
        self.updates = kept
        return kept[:limit]

    def _allowed(self, kind: str) -> bool:
        allowed = self.webhook.allowed_updates if self.webhook else self.allowed_updates
        if not allowed:
            return kind not in _DEFAULT_EXCLUDED
        return kind in allowed

    def drop_pending_updates(self) -> None:
        self.updates.clear()

    # ------------------------------------------------------------ what a simulated user does

    def _chat_for(self, user: User, chat_id: int | None) -> Chat:
        if chat_id is None or chat_id == user.id:
            user.started = True
            return self.chats[user.id]
        if chat_id > 0:
            raise ControlError("a user can write in their own private chat or in a group (negative id)")
        chat = self.chats.get(chat_id) or self.add_group(chat_id)
        return chat

    def _reply_target(self, chat: Chat, reply_to_message_id: int | None) -> StoredMessage | None:
        if reply_to_message_id is None:
            return None
        target = self.find_message(chat.id, reply_to_message_id)
        if target is None:
            raise ControlError(f"no message {reply_to_message_id} in chat {chat.id}")
        return target

    def user_text(
        self, user_id: int, text: str, chat_id: int | None = None, reply_to_message_id: int | None = None
    ) -> StoredMessage:
        user = self.user(user_id)
        if not text:
            raise ControlError("text is empty")
        chat = self._chat_for(user, chat_id)
        msg = self.new_message(
            chat,
            user,
            text=text,
            entities=command_entities(text) or None,
            reply_to=self._reply_target(chat, reply_to_message_id),
        )
        self.push_update("message", msg.to_api())
        return msg

    def user_edit(
        self, user_id: int, message_id: int, text: str, chat_id: int | None = None
    ) -> StoredMessage:
        user = self.user(user_id)
        chat = self._chat_for(user, chat_id)
        msg = self.find_message(chat.id, message_id)
        if msg is None or msg.sender.id != user.id or msg.text is None:
            raise ControlError(f"user {user_id} has no text message {message_id} in chat {chat.id}")
        msg.history.append(msg.snapshot())
        msg.text, msg.entities, msg.edit_date = text, command_entities(text) or None, int(time.time())
        self.touch(msg)
        self.push_update("edited_message", msg.to_api())
        return msg

    def user_file(
        self,
        user_id: int,
        kind: str,
        data: bytes,
        *,
        chat_id: int | None = None,
        caption: str | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
        emoji: str = "👍",
        set_name: str | None = None,
        duration: int = 1,
    ) -> StoredMessage:
        """A photo, sticker, voice note or document from the user."""
        user = self.user(user_id)
        chat = self._chat_for(user, chat_id)
        if kind == "photo" and media.image_size(data) is None:
            raise ControlError("photo bytes are not a PNG/JPEG/GIF/WebP image")
        stored = self.store_file(kind, data, file_name=file_name, mime_type=mime_type)
        fields: dict[str, Any] = (
            {"caption": caption} if caption and kind in {"photo", "document", "voice"} else {}
        )
        if kind in {"photo", "document"}:
            fields["file"] = stored
        elif kind == "sticker":
            fields["file"] = stored
            fields["sticker"] = media.sticker_object(stored, emoji, set_name)
        elif kind == "voice":
            stored.mime_type = stored.mime_type or "audio/ogg"
            fields["file"] = stored
            fields["voice"] = media.voice_object(stored, duration)
        else:
            raise ControlError(f"unknown kind {kind}")
        msg = self.new_message(chat, user, **fields)
        self.push_update("message", msg.to_api())
        return msg

    def user_tap(
        self,
        user_id: int,
        message_id: int,
        data: str | None = None,
        text: str | None = None,
        chat_id: int | None = None,
    ) -> CallbackRecord:
        """The user taps an inline button of a bot message: a callback_query update."""
        user = self.user(user_id)
        chat = self._chat_for(user, chat_id)
        msg = self.find_message(chat.id, message_id)
        if msg is None:
            raise ControlError(f"no message {message_id} in chat {chat.id}")
        if not msg.from_bot:
            raise ControlError(f"message {message_id} is not from the bot")
        button = None
        for row in msg.inline_keyboard:
            for b in row:
                if (data is not None and b.get("callback_data") == data) or (
                    text is not None and data is None and b.get("text") == text
                ):
                    button = b
                    break
            if button:
                break
        if button is None:
            labels = [b.get("text") for row in msg.inline_keyboard for b in row]
            raise ControlError(
                f"message {message_id} has no button with {'data ' + repr(data) if data is not None else 'text ' + repr(text)}; buttons: {labels}"
            )
        if "callback_data" not in button:
            raise ControlError(
                f"button {button.get('text')!r} has no callback_data (it is a {sorted(set(button) - {'text'})} button)"
            )
        query_id = str(int.from_bytes(secrets.token_bytes(8), "big") >> 1)
        record = CallbackRecord(query_id, user, chat.id, message_id, button["callback_data"])
        self.callback_queries[query_id] = record
        self.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.to_api(),
                "message": msg.to_api(),
                "chat_instance": chat_instance(chat.id, self.bot.id),
                "data": button["callback_data"],
            },
        )
        return record

    def set_blocked(self, user_id: int, blocked: bool) -> User:
        """Block or unblock the bot; Telegram tells the bot with a my_chat_member update."""
        user = self.user(user_id)
        if user.blocked == blocked:
            return user
        user.blocked = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")

        def member(status: str) -> dict[str, Any]:
            d: dict[str, Any] = {"status": status, "user": self.bot.to_api()}
            if status == "kicked":
                d["until_date"] = 0
            return d

        self.push_update(
            "my_chat_member",
            {
                "chat": self.chats[user.id].to_api(),
                "from": user.to_api(),
                "date": int(time.time()),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )
        return user

    # ------------------------------------------------------------ commands

    def effective_commands(self, chat_id: int, language_code: str = "") -> list[dict[str, str]]:
        """The command menu a user of `chat_id` sees, resolved the way Telegram resolves scopes."""
        chat = self.chats.get(chat_id)
        broad = "all_private_chats" if chat is None or chat.type == "private" else "all_group_chats"
        for key in (f"chat:{chat_id}", broad, "default"):
            for lang in ([language_code] if language_code else []) + [""]:
                found = self.commands.get((key, lang))
                if found is not None:
                    return found.commands
        return []


def scope_key(scope: dict[str, Any] | None) -> str:
    if not scope:
        return "default"
    kind = str(scope.get("type", "default"))
    if kind in {"chat", "chat_administrators"}:
        return f"{kind}:{scope.get('chat_id')}"
    if kind == "chat_member":
        return f"{kind}:{scope.get('chat_id')}:{scope.get('user_id')}"
    return kind


def chat_instance(chat_id: int, bot_id: int) -> str:
    """A stable opaque id for (chat, bot), like Telegram's chat_instance."""
    digest = hashlib.sha256(f"{chat_id}:{bot_id}".encode()).digest()
    return str(int.from_bytes(digest[:8], "big", signed=True))


def update_kind(update: dict[str, Any]) -> str:
    return next(k for k in update if k != "update_id")


__all__ = [
    "CommandSet",
    "ControlError",
    "SandboxState",
    "WebhookConfig",
    "chat_instance",
    "scope_key",
    "update_kind",
]

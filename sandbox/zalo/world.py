"""The Zalo side's world: users (string ids), their chats' messages, pending updates, the webhook.

Zalo's shapes: ids are strings, dates are milliseconds, an update is
`{"event_name": "message.text.received", "message": {...}}` with no update id (getUpdates hands out one
update at a time and that hand-out is the confirmation). Single-threaded (one event loop), no locks.
"""

from __future__ import annotations

import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sandbox.models import Notifier
from sandbox.state import ControlError

BOT_ACCOUNT_NAME = "bot.baocao_sandbox"
BOT_NAME = "Báo cáo bot"
DEFAULT_BOT_ID = "1459232241454765289"
EVENTS = {
    "text": "message.text.received",
    "image": "message.image.received",
    "sticker": "message.sticker.received",
    "unsupported": "message.unsupported.received",
}
SENDER_NAME_FIELDS = ("display_name", "name")  # python-zalo-bot reads the first, OpenClaw the second
PHOTO_FIELDS = ("photo_url", "photo")


def now_ms() -> int:
    return int(time.time() * 1000)


def new_message_id() -> str:
    """Zalo's message ids look like "16f6366b3f02645a3d15": 20 hex digits."""
    return secrets.token_hex(10)


@dataclass
class ZaloUser:
    id: str
    display_name: str
    name_field: str = "display_name"  # which of the two names the updates carry the sender's name in
    unreachable: bool = False  # sends to this user answer 403 (blocked the bot, left Zalo …)

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, self.name_field: self.display_name, "is_bot": False}

    def to_control(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "display_name": self.display_name,
            "name_field": self.name_field,
            "unreachable": self.unreachable,
        }


@dataclass
class ZaloMessage:
    """A message in a user's chat, from the user or from the bot."""

    chat_id: str
    message_id: str
    from_bot: bool
    sender_id: str
    date: int  # milliseconds
    seq: int
    kind: str  # text | image | sticker | unsupported | photo (the bot's sendPhoto)
    text: str | None = None
    caption: str | None = None
    photo_url: str | None = None
    sticker: str | None = None
    unsupported: str | None = None  # what the user really sent (voice, file …); Zalo does not tell the bot

    def to_control(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "chat_id": self.chat_id,
            "from": "bot" if self.from_bot else "user",
            "from_id": self.sender_id,
            "date": self.date,
            "seq": self.seq,
            "kind": self.kind,
            "text": self.text,
            "caption": self.caption,
            "photo_url": self.photo_url,
            "sticker": self.sticker,
            "unsupported": self.unsupported,
        }


@dataclass
class ZaloWebhook:
    url: str
    secret_token: str
    updated_at: int = field(default_factory=now_ms)
    last_error_message: str | None = None
    last_error_date: int | None = None


@dataclass
class ZaloWorld:
    bot_id: str = DEFAULT_BOT_ID
    users: dict[str, ZaloUser] = field(default_factory=dict)
    messages: dict[str, list[ZaloMessage]] = field(default_factory=dict)  # chat id (= user id) -> in order
    updates: deque[dict[str, Any]] = field(default_factory=deque)  # not yet handed to the bot
    webhook: ZaloWebhook | None = None
    chat_actions: list[dict[str, Any]] = field(default_factory=list)
    seq: int = 0
    updates_changed: Notifier = field(default_factory=Notifier)
    chats_changed: Notifier = field(default_factory=Notifier)

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def bot_me(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "account_name": BOT_ACCOUNT_NAME,
            "account_type": "BASIC",
            "can_join_groups": False,
            "name": BOT_NAME,
        }

    # ------------------------------------------------------------ users

    def add_user(self, user_id: str | None, display_name: str, name_field: str = "display_name") -> ZaloUser:
        """Create the user and their chat (idempotent: later calls update the name)."""
        if name_field not in SENDER_NAME_FIELDS:
            raise ControlError(f"name_field must be one of {list(SENDER_NAME_FIELDS)}")
        if not display_name:
            raise ControlError("display_name is required")
        uid = user_id or secrets.token_hex(10)
        if not uid.replace("-", "").replace("_", "").replace(".", "").isalnum() or len(uid) > 64:
            raise ControlError("a Zalo user id is a string of letters, digits, '.', '_' or '-' (at most 64)")
        user = self.users.get(uid)
        if user is None:
            user = self.users[uid] = ZaloUser(uid, display_name, name_field)
        else:
            user.display_name, user.name_field = display_name, name_field
        self.messages.setdefault(uid, [])
        return user

    def user(self, user_id: str) -> ZaloUser:
        user = self.users.get(user_id)
        if user is None:
            raise ControlError(f"no Zalo user {user_id}: create it with POST /control/zalo/users", 404)
        return user

    def chat_messages(self, chat_id: str) -> list[ZaloMessage]:
        return list(self.messages.get(chat_id, []))

    # ------------------------------------------------------------ messages

    def _store(
        self, chat_id: str, *, from_bot: bool, sender_id: str, kind: str, **fields: Any
    ) -> ZaloMessage:
        msg = ZaloMessage(
            chat_id=chat_id,
            message_id=new_message_id(),
            from_bot=from_bot,
            sender_id=sender_id,
            date=now_ms(),
            seq=self.next_seq(),
            kind=kind,
            **fields,
        )
        self.messages.setdefault(chat_id, []).append(msg)
        self.chats_changed.notify()
        return msg

    def bot_sends(self, chat_id: str, kind: str, **fields: Any) -> ZaloMessage:
        return self._store(chat_id, from_bot=True, sender_id=self.bot_id, kind=kind, **fields)

    def user_sends(
        self, user_id: str, kind: str, *, photo_field: str = "photo_url", **fields: Any
    ) -> tuple[ZaloMessage, dict[str, Any]]:
        """The user writes to the bot: the stored message and the update Zalo would deliver."""
        if kind not in EVENTS:
            raise ControlError(f"kind must be one of {sorted(EVENTS)}")
        if photo_field not in PHOTO_FIELDS:
            raise ControlError(f"photo_field must be one of {list(PHOTO_FIELDS)}")
        user = self.user(user_id)
        msg = self._store(user.id, from_bot=False, sender_id=user.id, kind=kind, **fields)
        payload: dict[str, Any] = {
            "message_id": msg.message_id,
            "date": msg.date,
            "from": user.to_api(),
            "chat": {"id": user.id, "chat_type": "PRIVATE"},
        }
        if kind == "text":
            payload["text"] = msg.text
        elif kind == "image":
            payload[photo_field] = msg.photo_url
            if msg.caption:
                payload["caption"] = msg.caption
        elif kind == "sticker":
            payload["sticker"] = msg.sticker
        update = {"event_name": EVENTS[kind], "message": payload}
        self.updates.append(update)
        self.updates_changed.notify()
        return msg, update

    def take_update(self) -> dict[str, Any] | None:
        """The oldest pending update, handed out (Zalo has no offset: taking it is confirming it)."""
        return self.updates.popleft() if self.updates else None

    def put_back(self, update: dict[str, Any]) -> None:
        """An update whose hand-out failed before anyone could see it goes back to the front."""
        self.updates.appendleft(update)
        self.updates_changed.notify()

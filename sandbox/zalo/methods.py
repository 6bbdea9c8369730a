"""Zalo Bot API methods the sandbox implements, acting on ZaloWorld, with Zalo's rules.

Every parameter is a string (as Zalo documents them); a parameter a method does not list is refused
(a bot sending Telegram's `reply_markup` finds out here, not in production). Each method returns the
`result` or raises ApiError (`{"ok": false, "error_code": N, "description": ...}` on the wire).
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sandbox.errors import ApiError, bad_request, conflict
from sandbox.zalo.world import ZaloMessage, ZaloUser, ZaloWebhook, ZaloWorld

MAX_TEXT = 2000  # characters (Unicode code points), for a text and a caption
SECRET_MIN, SECRET_MAX = 8, 256
CHAT_ACTIONS = ("typing", "upload_photo")
DEFAULT_POLL_TIMEOUT = 30
# method -> (required, optional) parameters
PARAMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "getMe": ((), ()),
    "getUpdates": ((), ("timeout",)),
    "setWebhook": (("url", "secret_token"), ()),
    "deleteWebhook": ((), ()),
    "getWebhookInfo": ((), ()),
    "sendMessage": (("chat_id", "text"), ()),
    "sendPhoto": (("chat_id", "photo"), ("caption",)),
    "sendSticker": (("chat_id", "sticker"), ()),
    "sendChatAction": (("chat_id", "action"), ()),
}
SENDING_METHODS = frozenset({"sendMessage", "sendPhoto", "sendSticker"})
_LOOPBACK = re.compile(r"http://(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(/\S*)?")
_HTTPS = re.compile(r"https://[^/\s:]+(:\d+)?(/\S*)?")
WEBHOOK_ACTIVE = "can't use getUpdates while a webhook is set; use deleteWebhook first"
NO_UPDATE = "Request timeout"
UNREACHABLE = "Forbidden: the user cannot be reached"


def no_update() -> ApiError:
    """getUpdates' answer when nothing came within the timeout: 408, not an error for the bot."""
    return ApiError(408, NO_UPDATE)


def check_params(method: str, raw: dict[str, Any], *, strict: bool = True) -> dict[str, str]:
    """Refuse unknown and missing parameters and non-string values; the parameters as strings."""
    required, optional = PARAMS[method]
    allowed = set(required) | set(optional)
    out: dict[str, str] = {}
    for name, value in raw.items():
        if name not in allowed:
            if strict:
                raise bad_request(f"unknown parameter {name}")
            continue
        if value is None:
            continue
        if not isinstance(value, str):
            if strict:
                raise bad_request(f"parameter {name} must be a string")
            value = str(value)
        out[name] = value
    for name in required:
        if not out.get(name):
            raise bad_request(f"parameter {name} is required")
    return out


def public_url(url: str) -> bool:
    """An https URL, as Zalo requires; http on the loopback too, since the sandbox has no TLS."""
    return bool(_HTTPS.fullmatch(url) or _LOOPBACK.fullmatch(url))


@dataclass
class ZaloApiOptions:
    max_poll_timeout: int = 50


Handler = Callable[[dict[str, str]], Awaitable[Any]]


class ZaloMethods:
    def __init__(self, world: ZaloWorld, options: ZaloApiOptions | None = None) -> None:
        self.world = world
        self.options = options or ZaloApiOptions()
        self.closing = False
        self.handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "sendPhoto": self.send_photo,
            "sendSticker": self.send_sticker,
            "sendChatAction": self.send_chat_action,
        }
        self._poll_generation = 0

    def recipient(self, chat_id: str) -> ZaloUser:
        user = self.world.users.get(chat_id)
        if user is None:
            raise bad_request("chat not found")
        if user.unreachable:
            raise ApiError(403, UNREACHABLE)
        return user

    @staticmethod
    def _text(value: str, what: str) -> str:
        if not value.strip():
            raise bad_request(f"{what} is empty")
        if len(value) > MAX_TEXT:
            raise bad_request(f"{what} is too long: {len(value)} characters, at most {MAX_TEXT}")
        return value

    @staticmethod
    def _sent(msg: ZaloMessage) -> dict[str, Any]:
        return {"message_id": msg.message_id, "date": msg.date}

    # ------------------------------------------------------------ methods

    async def get_me(self, p: dict[str, str]) -> dict[str, Any]:
        return self.world.bot_me()

    async def get_updates(self, p: dict[str, str], still_wanted: Callable[[], bool]) -> dict[str, Any]:
        """One update, or 408 when none came within `timeout` s. A newer getUpdates ends an older one
        (with 408), and an update is handed out only to a caller still connected, so none is lost."""
        world = self.world
        if world.webhook is not None:
            raise conflict(WEBHOOK_ACTIVE)
        raw_timeout = p.get("timeout", str(DEFAULT_POLL_TIMEOUT)).strip()
        if not raw_timeout.isdigit():
            raise bad_request('parameter timeout must be a whole number of seconds, e.g. "30"')
        timeout = min(int(raw_timeout), self.options.max_poll_timeout)
        self._poll_generation += 1
        generation = self._poll_generation
        world.updates_changed.notify()  # an older poll still waiting gives way
        deadline = time.monotonic() + timeout
        while True:
            if world.webhook is not None:
                raise conflict(WEBHOOK_ACTIVE)
            if generation != self._poll_generation or self.closing or not still_wanted():
                raise no_update()
            update = world.take_update()
            if update is not None:
                return update
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise no_update()
            await world.updates_changed.wait(remaining)

    async def set_webhook(self, p: dict[str, str]) -> bool:
        url, secret = p["url"], p["secret_token"]
        if not public_url(url):
            raise bad_request("url must be an https URL")
        if not SECRET_MIN <= len(secret) <= SECRET_MAX:
            raise bad_request(f"secret_token must be {SECRET_MIN} to {SECRET_MAX} characters")
        self.world.webhook = ZaloWebhook(url, secret)
        self.world.updates_changed.notify()  # a waiting getUpdates ends with 409
        return True

    async def delete_webhook(self, p: dict[str, str]) -> bool:
        self.world.webhook = None
        self.world.updates_changed.notify()
        return True

    async def get_webhook_info(self, p: dict[str, str]) -> dict[str, Any]:
        hook = self.world.webhook
        if hook is None:
            return {"url": "", "updated_at": 0}
        return {"url": hook.url, "updated_at": hook.updated_at}

    async def send_message(self, p: dict[str, str]) -> dict[str, Any]:
        user = self.recipient(p["chat_id"])
        text = self._text(p["text"], "text")
        return self._sent(self.world.bot_sends(user.id, "text", text=text))

    async def send_photo(self, p: dict[str, str]) -> dict[str, Any]:
        user = self.recipient(p["chat_id"])
        if not public_url(p["photo"]):
            raise bad_request("photo must be an https URL (Zalo takes no uploads)")
        caption = self._text(p["caption"], "caption") if p.get("caption") else None
        return self._sent(self.world.bot_sends(user.id, "photo", photo_url=p["photo"], caption=caption))

    async def send_sticker(self, p: dict[str, str]) -> dict[str, Any]:
        user = self.recipient(p["chat_id"])
        return self._sent(self.world.bot_sends(user.id, "sticker", sticker=p["sticker"]))

    async def send_chat_action(self, p: dict[str, str]) -> bool:
        user = self.recipient(p["chat_id"])
        if p["action"] not in CHAT_ACTIONS:
            raise bad_request(f"action must be one of {', '.join(CHAT_ACTIONS)}")
        self.world.chat_actions.append(
            {"chat_id": user.id, "action": p["action"], "date": int(time.time() * 1000)}
        )
        return True

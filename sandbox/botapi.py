"""The Bot API methods the sandbox implements, acting on SandboxState.

Each takes the parameters already coerced to the spec's types (see spec.check_params) and returns
the `result` Telegram would, or raises ApiError with Telegram's status and description.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sandbox import media
from sandbox.errors import ApiError, bad_request, conflict, forbidden
from sandbox.formatting import format_text, utf16_len
from sandbox.models import Chat, StoredMessage
from sandbox.params import Upload
from sandbox.spec import load_spec
from sandbox.state import CommandSet, SandboxState, WebhookConfig, scope_key

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_UPLOAD = 50 * 1024 * 1024
MAX_PHOTO = 10 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_SCOPES = {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
}
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)
_WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
)
_OTHER_POLL = "terminated by other getUpdates request; make sure that only one bot instance is running"

Handler = Callable[[dict[str, Any]], Awaitable[Any]]


@dataclass
class ApiOptions:
    callback_query_ttl: float | None = 15.0  # answerCallbackQuery later than this fails, like Telegram's
    max_poll_timeout: int = 50


class BotApi:
    def __init__(self, state: SandboxState, options: ApiOptions | None = None) -> None:
        self.state = state
        self.options = options or ApiOptions()
        self.closing = False
        self._poll_generation = 0
        self.handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "getUpdates": self.get_updates,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "answerCallbackQuery": self.answer_callback_query,
            "sendDocument": self.send_document,
            "sendPhoto": self.send_photo,
            "getFile": self.get_file,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "deleteMessage": self.delete_message,
            "sendChatAction": self.send_chat_action,
            "close": self.close,
            "logOut": self.log_out,
        }

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        return await self.handlers[method](params)

    # ------------------------------------------------------------ helpers

    def target_chat(self, chat_id: Any) -> Chat:
        """The chat a send goes to; 400 if unknown, 403 if the user blocked the bot or never started it."""
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        chat = self.state.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        if chat.type == "private" and chat.user is not None:
            if chat.user.blocked:
                raise forbidden("bot was blocked by the user")
            if not chat.user.started:
                raise forbidden("bot can't initiate conversation with a user")
        return chat

    def _text(
        self, text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None
    ) -> tuple[str, list[dict[str, Any]] | None]:
        plain, found = format_text(text, parse_mode, entities)
        if not plain:
            raise bad_request("message text is empty")
        if utf16_len(plain) > MAX_TEXT:
            raise bad_request("message is too long")
        return plain, found or None

    def _caption(self, p: dict[str, Any]) -> tuple[str | None, list[dict[str, Any]] | None]:
        caption = p.get("caption")
        if not caption:
            return None, None
        plain, found = format_text(caption, p.get("parse_mode"), p.get("caption_entities"))
        if utf16_len(plain) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        return (plain or None), (found or None)

    @staticmethod
    def check_markup(markup: dict[str, Any] | None) -> None:
        if not markup or "inline_keyboard" not in markup:
            return
        buttons = [b for row in markup["inline_keyboard"] for b in row]
        if len(buttons) > 100:
            raise bad_request("reply markup is too long")
        for b in buttons:
            actions = [k for k in _BUTTON_ACTIONS if k in b]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
                )
            if not b.get("text"):
                raise bad_request("can't parse inline keyboard button: button text must be non-empty")
            data = b.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
            url = b.get("url")
            if url is not None and not re.match(r"(https?|tg)://\S+$", url):
                raise bad_request("BUTTON_URL_INVALID")

    def _reply_to(self, chat: Chat, p: dict[str, Any]) -> StoredMessage | None:
        reply = p.get("reply_parameters")
        if not reply:
            return None
        target_chat = reply.get("chat_id", chat.id)
        target = (
            self.state.find_message(target_chat, reply["message_id"])
            if isinstance(target_chat, int)
            else None
        )
        if target is None and not reply.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
        return target if target is not None and target.chat.id == chat.id else None

    def _editable(self, p: dict[str, Any]) -> StoredMessage:
        if p.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        if p.get("chat_id") is None:
            raise bad_request("chat_id is empty")
        if p.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        chat = self.target_chat(p["chat_id"])
        msg = self.state.find_message(chat.id, p["message_id"])
        if msg is None:
            raise bad_request("message to edit not found")
        if not msg.from_bot:
            raise bad_request("message can't be edited")
        return msg

    def _resolve_upload(self, value: Any, kind: str) -> media.StoredFile:
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            if len(value.data) > MAX_UPLOAD:
                raise ApiError(413, "Request Entity Too Large")
            if kind == "photo":
                if len(value.data) > MAX_PHOTO:
                    raise bad_request("PHOTO_INVALID_DIMENSIONS")
                if media.image_size(value.data) is None:
                    raise bad_request("IMAGE_PROCESS_FAILED")
            mime = (
                value.content_type if value.content_type not in (None, "application/octet-stream") else None
            )
            name = value.filename if kind == "document" else None
            return self.state.store_file(kind, value.data, file_name=name, mime_type=mime)
        stored = self.state.files.get(value)
        if stored is None:
            if re.match(r"https?://", value):
                raise bad_request("failed to get HTTP URL content")
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(f"can't use file of type {stored.kind.capitalize()} as {kind.capitalize()}")
        return stored

    # ------------------------------------------------------------ methods

    async def get_me(self, p: dict[str, Any]) -> dict[str, Any]:
        me = self.state.bot.to_api()
        for name, f in load_spec().types["User"].fields.items():  # the fields "Returned only in getMe"
            if "only in getMe" in f.description and f.types == ("Boolean",):
                me.setdefault(name, name == "can_join_groups")
        return me

    async def get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        state = self.state
        if state.webhook is not None:
            raise conflict(_WEBHOOK_ACTIVE)
        self._poll_generation += 1
        generation = self._poll_generation
        state.updates_changed.notify()  # an older long poll still waiting is terminated
        if p.get("offset") is not None:
            state.confirm_updates(p["offset"])
        if "allowed_updates" in p:
            state.allowed_updates = p["allowed_updates"] or None
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        timeout = min(max(int(p.get("timeout") or 0), 0), self.options.max_poll_timeout)
        deadline = time.monotonic() + timeout
        while True:
            if generation != self._poll_generation:
                raise conflict(_OTHER_POLL)
            if state.webhook is not None:
                raise conflict(_WEBHOOK_ACTIVE)
            updates = state.deliverable_updates(limit)
            remaining = deadline - time.monotonic()
            if updates or remaining <= 0 or self.closing:
                return updates
            await state.updates_changed.wait(remaining)

    async def send_message(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self.target_chat(p.get("chat_id"))
        text, entities = self._text(p["text"], p.get("parse_mode"), p.get("entities"))
        self.check_markup(p.get("reply_markup"))
        msg = self.state.new_message(
            chat,
            self.state.bot,
            text=text,
            entities=entities,
            raw_text=p["text"],
            parse_mode=p.get("parse_mode"),
            reply_markup=p.get("reply_markup"),
            reply_to=self._reply_to(chat, p),
        )
        return msg.to_api()

    async def _send_file(self, p: dict[str, Any], kind: str) -> dict[str, Any]:
        chat = self.target_chat(p.get("chat_id"))
        caption, caption_entities = self._caption(p)
        self.check_markup(p.get("reply_markup"))
        reply_to = self._reply_to(chat, p)
        stored = self._resolve_upload(p[kind], kind)
        msg = self.state.new_message(
            chat,
            self.state.bot,
            file=stored,
            caption=caption,
            caption_entities=caption_entities,
            raw_text=p.get("caption"),
            parse_mode=p.get("parse_mode"),
            reply_markup=p.get("reply_markup"),
            reply_to=reply_to,
        )
        return msg.to_api()

    async def send_document(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(p, "document")

    async def send_photo(self, p: dict[str, Any]) -> dict[str, Any]:
        return await self._send_file(p, "photo")

    async def edit_message_text(self, p: dict[str, Any]) -> dict[str, Any]:
        msg = self._editable(p)
        if not p.get("text"):
            raise bad_request("message text is empty")
        if msg.text is None:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._text(p["text"], p.get("parse_mode"), p.get("entities"))
        markup = p.get("reply_markup")
        self.check_markup(markup)
        if markup is None and msg.reply_markup and not msg.inline_keyboard:
            markup = msg.reply_markup  # a reply keyboard is not part of the message: an edit keeps it
        if text == msg.text and entities == msg.entities and markup == msg.reply_markup:
            raise bad_request(_NOT_MODIFIED)
        msg.history.append(msg.snapshot())
        msg.text, msg.entities, msg.raw_text, msg.parse_mode = text, entities, p["text"], p.get("parse_mode")
        msg.reply_markup = markup
        msg.edit_date = int(time.time())
        self.state.touch(msg)
        return msg.to_api()

    async def edit_message_reply_markup(self, p: dict[str, Any]) -> dict[str, Any]:
        msg = self._editable(p)
        markup = p.get("reply_markup")
        self.check_markup(markup)
        current = msg.reply_markup if msg.inline_keyboard else None
        if markup == current or (not markup and not current):
            raise bad_request(_NOT_MODIFIED)
        msg.history.append(msg.snapshot())
        msg.reply_markup = markup
        msg.edit_date = int(time.time())
        self.state.touch(msg)
        return msg.to_api()

    async def delete_message(self, p: dict[str, Any]) -> bool:
        chat = self.state.chats.get(p["chat_id"]) if isinstance(p["chat_id"], int) else None
        if chat is None:
            raise bad_request("chat not found")
        msg = self.state.find_message(chat.id, p["message_id"])
        if msg is None:
            raise bad_request("message to delete not found")
        msg.deleted = True
        self.state.touch(msg)
        return True

    async def answer_callback_query(self, p: dict[str, Any]) -> bool:
        record = self.state.callback_queries.get(p["callback_query_id"])
        ttl = self.options.callback_query_ttl
        too_old = record is not None and ttl is not None and time.monotonic() - record.created > ttl
        if record is None or record.answer is not None or too_old:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        if utf16_len(p.get("text") or "") > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        record.answer = {
            "callback_query_id": record.id,
            "user_id": record.user.id,
            "chat_id": record.chat_id,
            "message_id": record.message_id,
            "data": record.data,
            "text": p.get("text"),
            "show_alert": bool(p.get("show_alert", False)),
            "url": p.get("url"),
            "cache_time": p.get("cache_time", 0),
            "answered_after_ms": round((time.monotonic() - record.created) * 1000),
        }
        self.state.callback_answers.append(record.answer)
        return True

    async def get_file(self, p: dict[str, Any]) -> dict[str, Any]:
        stored = self.state.files.get(p["file_id"])
        if stored is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        if stored.size > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return stored.api_file()

    def _scope(self, p: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
        scope = p.get("scope") or {"type": "default"}
        if scope.get("type") not in _SCOPES:
            raise bad_request("unsupported bot command scope type")
        chat_id = scope.get("chat_id")
        if chat_id is not None and (not isinstance(chat_id, int) or chat_id not in self.state.chats):
            raise bad_request("chat not found")
        lang = p.get("language_code") or ""
        if lang and not re.fullmatch(r"[a-z]{2}", lang):
            raise bad_request("invalid language code specified")
        return scope, scope_key(scope), lang

    async def set_my_commands(self, p: dict[str, Any]) -> bool:
        scope, key, lang = self._scope(p)
        commands = p["commands"]
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        for c in commands:
            if not _COMMAND.fullmatch(c["command"]):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(c["description"].strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        if commands:
            self.state.commands[(key, lang)] = CommandSet(
                scope, lang, [{"command": c["command"], "description": c["description"]} for c in commands]
            )
        else:
            self.state.commands.pop((key, lang), None)
        return True

    async def get_my_commands(self, p: dict[str, Any]) -> list[dict[str, str]]:
        _, key, lang = self._scope(p)
        found = self.state.commands.get((key, lang))
        return list(found.commands) if found else []

    async def delete_my_commands(self, p: dict[str, Any]) -> bool:
        _, key, lang = self._scope(p)
        self.state.commands.pop((key, lang), None)
        return True

    async def set_webhook(self, p: dict[str, Any]) -> bool:
        url = p["url"]
        state = self.state
        if p.get("drop_pending_updates"):
            state.drop_pending_updates()
        if not url:
            state.webhook = None
            state.updates_changed.notify()
            return True
        if not re.match(r"https?://[^/\s]+", url):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.get("secret_token")
        if secret is not None and not _SECRET.fullmatch(secret):
            raise bad_request("secret token contains unallowed characters")
        state.webhook = WebhookConfig(
            url=url,
            secret_token=secret,
            max_connections=p.get("max_connections") or 40,
            allowed_updates=p.get("allowed_updates") or None,
            ip_address=p.get("ip_address") or "127.0.0.1",
        )
        state.updates_changed.notify()
        return True

    async def delete_webhook(self, p: dict[str, Any]) -> bool:
        if p.get("drop_pending_updates"):
            self.state.drop_pending_updates()
        self.state.webhook = None
        self.state.updates_changed.notify()
        return True

    async def get_webhook_info(self, p: dict[str, Any]) -> dict[str, Any]:
        hook = self.state.webhook
        info: dict[str, Any] = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.state.updates),
        }
        if hook is not None:
            info["ip_address"] = hook.ip_address
            info["max_connections"] = hook.max_connections
            if hook.allowed_updates:
                info["allowed_updates"] = hook.allowed_updates
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message or ""
        return info

    async def send_chat_action(self, p: dict[str, Any]) -> bool:
        self.target_chat(p["chat_id"])
        if p["action"] not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def close(self, p: dict[str, Any]) -> bool:
        return True

    async def log_out(self, p: dict[str, Any]) -> bool:
        return True

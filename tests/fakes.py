"""A Bot API stand-in at the HTTP-request level, so the whole Application runs offline
through `Application.process_update` (see shared telegram-notes), plus update builders. Like
Telegram, it refuses a text, caption or callback answer over its limit in UTF-16 code units."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram import Update
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, RequestData

from bot.clock import Clock
from bot.domain.message_length import MAX_CALLBACK_ANSWER, MAX_CAPTION, MAX_TEXT, utf16_len

BOT_ID = 123456
FIXED_DATE = 1_760_000_000  # the date of every message unless a test sets one (equal dates: an answer is taken)
BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Báo cáo bot", "username": "baocao_test_bot",
            "can_join_groups": False, "can_read_all_group_messages": False, "supports_inline_queries": False}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # field → (file name, bytes)

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, callback_data) of every inline button."""
        markup = self.params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if not markup or "inline_keyboard" not in markup:
            return []
        return [(b["text"], b.get("callback_data", "")) for row in markup["inline_keyboard"] for b in row]


@dataclass
class RecordingRequest(BaseRequest):
    """Answers every Bot API call like Telegram would, and records it."""

    calls: list[Call] = field(default_factory=list)
    uploads: dict[str, bytes] = field(default_factory=dict)  # file_id → bytes users "sent"
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1000))
    # When set, the messages the bot sends are dated by this clock, as Telegram dates them when it
    # accepts them; otherwise FIXED_DATE. Tests about dates set it: ``harness.request.clock = clock``.
    clock: Clock | None = None
    answered: set[str] = field(default_factory=set)  # callback queries answered: a second answer is refused

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:  # downloading a file a user sent
            return 200, self.uploads[url.rsplit("/", 1)[-1]]
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files: dict[str, tuple[str, bytes]] = {}
        if request_data is not None and request_data.multipart_data:
            for name, value in request_data.multipart_data.items():
                files[name] = (value[0], value[1])
        if api_method != "getMe":
            self.calls.append(Call(api_method, params, files))
        if api_method == "answerCallbackQuery":
            query_id = str(params.get("callback_query_id"))
            if query_id in self.answered:
                return 400, json.dumps({"ok": False, "error_code": 400, "description": (
                    "Bad Request: query is too old and response timeout expired or query ID is invalid")}).encode()
            self.answered.add(query_id)
        if (refused := too_long(api_method, params)) is not None:
            return 400, json.dumps({"ok": False, "error_code": 400, "description": f"Bad Request: {refused}"}).encode()
        result = self._result(api_method, params)
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _result(self, api_method: str, params: dict[str, Any]) -> Any:
        if api_method == "getMe":
            return BOT_USER
        if api_method in {"sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageReplyMarkup"}:
            chat_id = int(params.get("chat_id", 0))
            message: dict[str, Any] = {
                "message_id": int(params.get("message_id", next(self._ids))),
                "date": FIXED_DATE if self.clock is None else unix_date(self.clock.now()),
                "chat": {"id": chat_id, "type": "private"},
                "from": BOT_USER,
            }
            if "text" in params:
                message["text"] = params["text"]
            if "reply_markup" in params:
                markup = params["reply_markup"]
                message["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
            if api_method == "sendDocument":
                message["document"] = {"file_id": f"doc{message['message_id']}", "file_unique_id": "u",
                                       "file_name": "report.docx"}
            if api_method == "sendPhoto":
                message["photo"] = [{"file_id": "p", "file_unique_id": "u", "width": 1, "height": 1}]
            return message
        if api_method == "getFile":
            file_id = str(params["file_id"])
            return {"file_id": file_id, "file_unique_id": file_id, "file_size": len(self.uploads[file_id]),
                    "file_path": file_id}
        if api_method == "getUpdates":
            return []
        return True

    # --- reading what the bot did ---
    def sent_to(self, chat_id: int) -> list[Call]:
        return [c for c in self.calls if str(c.params.get("chat_id")) == str(chat_id)]

    def last_to(self, chat_id: int) -> Call:
        calls = [c for c in self.sent_to(chat_id) if c.method.startswith(("send", "edit"))]
        assert calls, f"the bot sent nothing to chat {chat_id}"
        return calls[-1]

    def documents_to(self, chat_id: int) -> list[tuple[str, bytes]]:
        """(file name, bytes) of every document sent to the chat."""
        return [file for c in self.sent_to(chat_id) if c.method == "sendDocument" for file in c.files.values()]

    def last_text_to(self, chat_id: int) -> Call:
        calls = [c for c in self.sent_to(chat_id) if c.method in ("sendMessage", "editMessageText")]
        assert calls, f"the bot sent no text to chat {chat_id}"
        return calls[-1]

    def clear(self) -> None:
        self.calls.clear()


def too_long(api_method: str, params: dict[str, Any]) -> str | None:
    """Telegram's refusal of a text over its limit, counted in UTF-16 code units as Telegram counts."""
    for name, limit, refusal in (("text", MAX_TEXT, "message is too long"),
                                 ("caption", MAX_CAPTION, "message caption is too long")):
        value = params.get(name)
        if api_method != "answerCallbackQuery" and isinstance(value, str) and utf16_len(value.strip()) > limit:
            return refusal
    answer = params.get("text")
    if api_method == "answerCallbackQuery" and isinstance(answer, str) and utf16_len(answer) > MAX_CALLBACK_ANSWER:
        return "MESSAGE_TOO_LONG"
    return None


_update_ids = itertools.count(1)


def user_dict(user_id: int, first_name: str = "Lan") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}


def unix_date(when: datetime | int) -> int:
    """A message date as the Bot API sends it: whole seconds since the epoch."""
    return when if isinstance(when, int) else int(when.timestamp())


def text_update(user_id: int, text: str, *, chat_type: str = "private", chat_id: int | None = None,
                first_name: str = "Lan", date: datetime | int | None = None) -> dict[str, Any]:
    """A typed message; ``date`` is when Telegram received it (default FIXED_DATE)."""
    chat = {"id": chat_id if chat_id is not None else user_id, "type": chat_type}
    if chat_type != "private":
        chat["title"] = "Nhóm"
    message: dict[str, Any] = {
        "message_id": next(_update_ids) + 10_000,
        "date": FIXED_DATE if date is None else unix_date(date),
        "chat": chat,
        "from": user_dict(user_id, first_name),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": next(_update_ids), "message": message}


def media_update(user_id: int, kind: str) -> dict[str, Any]:
    message: dict[str, Any] = {
        "message_id": next(_update_ids) + 10_000,
        "date": 1_760_000_000,
        "chat": {"id": user_id, "type": "private"},
        "from": user_dict(user_id),
    }
    if kind == "photo":
        message["photo"] = [{"file_id": "ph", "file_unique_id": "ph", "width": 10, "height": 10}]
    elif kind == "sticker":
        message["sticker"] = {"file_id": "st", "file_unique_id": "st", "width": 10, "height": 10,
                              "is_animated": False, "is_video": False, "type": "regular"}
    elif kind == "voice":
        message["voice"] = {"file_id": "vo", "file_unique_id": "vo", "duration": 2}
    else:
        raise ValueError(kind)
    return {"update_id": next(_update_ids), "message": message}


def document_update(user_id: int, file_id: str, file_name: str, size: int) -> dict[str, Any]:
    return {"update_id": next(_update_ids), "message": {
        "message_id": next(_update_ids) + 10_000, "date": 1_760_000_000,
        "chat": {"id": user_id, "type": "private"}, "from": user_dict(user_id),
        "document": {"file_id": file_id, "file_unique_id": file_id, "file_name": file_name, "file_size": size},
    }}


def callback_update(user_id: int, data: str, *, message_id: int = 1, text: str = "…") -> dict[str, Any]:
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(next(_update_ids)),
            "from": user_dict(user_id),
            "chat_instance": "ci",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": 1_760_000_000,
                "chat": {"id": user_id, "type": "private"},
                "from": BOT_USER,
                "text": text,
            },
        },
    }


def as_update(payload: dict[str, Any], bot: Any) -> Update:
    return Update.de_json(payload, bot)

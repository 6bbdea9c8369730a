"""The control API (JSON over HTTP under /control): act as users, read what the bot did, inject trouble.

Documented with curl examples in sandbox/README.md. Errors answer {"error": "..."} with 400/404.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

from sandbox import media
from sandbox.faults import rule_from_json
from sandbox.models import StoredMessage
from sandbox.state import ControlError, SandboxState, update_kind

if TYPE_CHECKING:
    from sandbox.server import SandboxServer

log = logging.getLogger("sandbox.control")

Route = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _reply(value: Any, status: int = 200) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(value, ensure_ascii=False), content_type="application/json"
    )


async def _body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ControlError("body must be JSON") from None
    if not isinstance(body, dict):
        raise ControlError("body must be a JSON object")
    return body


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError(f"{name} must be an integer") from None


def _opt_int(value: Any, name: str) -> int | None:
    return None if value is None or value == "" else _int(value, name)


def _b64(value: Any, name: str) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise ControlError(f"{name} must be base64") from None


class ControlApi:
    def __init__(self, server: SandboxServer) -> None:
        self.server = server

    @property
    def state(self) -> SandboxState:
        return self.server.state

    def register(self, router: web.UrlDispatcher) -> None:
        routes: list[tuple[str, str, Route]] = [
            ("GET", "/control", self.index),
            ("GET", "/control/users", self.list_users),
            ("POST", "/control/users", self.add_user),
            ("POST", "/control/users/{user_id}/text", self.text),
            ("POST", "/control/users/{user_id}/edit", self.edit),
            ("POST", "/control/users/{user_id}/tap", self.tap),
            ("POST", "/control/users/{user_id}/photo", self.photo),
            ("POST", "/control/users/{user_id}/sticker", self.sticker),
            ("POST", "/control/users/{user_id}/voice", self.voice),
            ("POST", "/control/users/{user_id}/document", self.document),
            ("POST", "/control/users/{user_id}/block", self.block),
            ("POST", "/control/users/{user_id}/unblock", self.unblock),
            ("GET", "/control/chats", self.list_chats),
            ("POST", "/control/chats", self.add_chat),
            ("GET", "/control/chats/{chat_id}/messages", self.messages),
            ("GET", "/control/chats/{chat_id}/wait", self.wait),
            ("GET", "/control/files/{file_id}", self.file),
            ("GET", "/control/callback_answers", self.callback_answers),
            ("GET", "/control/commands", self.commands),
            ("GET", "/control/requests", self.requests),
            ("GET", "/control/faults", self.list_faults),
            ("POST", "/control/faults", self.add_fault),
            ("DELETE", "/control/faults", self.clear_faults),
            ("GET", "/control/limits", self.get_limits),
            ("POST", "/control/limits", self.set_limits),
            ("GET", "/control/stats", self.stats),
            ("POST", "/control/reset", self.reset),
            ("GET", "/control/updates/pending", self.pending_updates),
            ("GET", "/control/webhook", self.webhook),
        ]
        self.endpoints = [f"{m} {p}" for m, p, _ in routes]
        for method, path, handler in routes:
            router.add_route(method, path, self._guarded(handler))

    def _guarded(self, handler: Route) -> Route:
        """ControlError -> its 4xx; anything else is a sandbox bug: 500, and kept for the tests."""

        async def wrapped(request: web.Request) -> web.StreamResponse:
            try:
                return await handler(request)
            except ControlError as exc:
                return _reply({"error": str(exc)}, exc.status)
            except Exception as exc:
                log.exception("control API failed on %s %s", request.method, request.path)
                self.server.internal_errors.append(f"{request.method} {request.path}: {exc!r}")
                return _reply({"error": f"sandbox bug: {exc!r}"}, 500)

        return wrapped

    def _message(self, msg: StoredMessage) -> dict[str, Any]:
        return msg.to_control(self.server.base_url)

    # ------------------------------------------------------------ users and what they do

    async def index(self, request: web.Request) -> web.Response:
        return _reply({"endpoints": self.endpoints, "docs": "sandbox/README.md"})

    async def list_users(self, request: web.Request) -> web.Response:
        return _reply([u.to_control() for u in self.state.users.values()])

    async def add_user(self, request: web.Request) -> web.Response:
        body = await _body(request)
        if "id" not in body or not body.get("first_name"):
            raise ControlError("id and first_name are required")
        user = self.state.add_user(
            _int(body["id"], "id"),
            str(body["first_name"]),
            body.get("last_name"),
            body.get("username"),
            body.get("language_code", "vi"),
            started=bool(body.get("started", True)),
        )
        return _reply(user.to_control())

    async def text(self, request: web.Request) -> web.Response:
        body = await _body(request)
        msg = self.state.user_text(
            _int(request.match_info["user_id"], "user id"),
            str(body.get("text", "")),
            chat_id=_opt_int(body.get("chat_id"), "chat_id"),
            reply_to_message_id=_opt_int(body.get("reply_to_message_id"), "reply_to_message_id"),
        )
        return _reply({**self._message(msg), "update_id": self.state.next_update_id - 1})

    async def edit(self, request: web.Request) -> web.Response:
        body = await _body(request)
        msg = self.state.user_edit(
            _int(request.match_info["user_id"], "user id"),
            _int(body.get("message_id"), "message_id"),
            str(body.get("text", "")),
            chat_id=_opt_int(body.get("chat_id"), "chat_id"),
        )
        return _reply({**self._message(msg), "update_id": self.state.next_update_id - 1})

    async def tap(self, request: web.Request) -> web.Response:
        body = await _body(request)
        if body.get("data") is None and body.get("text") is None:
            raise ControlError("give the button's data or its text")
        record = self.state.user_tap(
            _int(request.match_info["user_id"], "user id"),
            _int(body.get("message_id"), "message_id"),
            data=body.get("data"),
            text=body.get("text"),
            chat_id=_opt_int(body.get("chat_id"), "chat_id"),
        )
        return _reply(
            {
                "callback_query_id": record.id,
                "update_id": self.state.next_update_id - 1,
                "chat_id": record.chat_id,
                "message_id": record.message_id,
                "data": record.data,
                "seq": self.state.seq,
            }
        )

    async def _file_message(
        self, request: web.Request, kind: str, default: Callable[[dict[str, Any]], bytes]
    ) -> web.Response:
        body = await _body(request)
        data = _b64(body["data"], "data") if body.get("data") is not None else default(body)
        msg = self.state.user_file(
            _int(request.match_info["user_id"], "user id"),
            kind,
            data,
            chat_id=_opt_int(body.get("chat_id"), "chat_id"),
            caption=body.get("caption"),
            file_name=body.get("file_name"),
            mime_type=body.get("mime_type"),
            emoji=body.get("emoji", "👍"),
            set_name=body.get("set_name"),
            duration=_int(body.get("duration", 1), "duration"),
        )
        return _reply({**self._message(msg), "update_id": self.state.next_update_id - 1})

    async def photo(self, request: web.Request) -> web.Response:
        return await self._file_message(
            request,
            "photo",
            lambda b: media.tiny_png(
                _int(b.get("width", 320), "width"), _int(b.get("height", 240), "height")
            ),
        )

    async def sticker(self, request: web.Request) -> web.Response:
        return await self._file_message(request, "sticker", lambda b: media.fake_webp())

    async def voice(self, request: web.Request) -> web.Response:
        return await self._file_message(
            request, "voice", lambda b: media.fake_ogg(_int(b.get("duration", 1), "duration"))
        )

    async def document(self, request: web.Request) -> web.Response:
        def missing(body: dict[str, Any]) -> bytes:
            raise ControlError("data (base64 bytes) is required for a document")

        return await self._file_message(request, "document", missing)

    async def block(self, request: web.Request) -> web.Response:
        return _reply(
            self.state.set_blocked(_int(request.match_info["user_id"], "user id"), True).to_control()
        )

    async def unblock(self, request: web.Request) -> web.Response:
        return _reply(
            self.state.set_blocked(_int(request.match_info["user_id"], "user id"), False).to_control()
        )

    # ------------------------------------------------------------ chats and what the bot did

    async def list_chats(self, request: web.Request) -> web.Response:
        return _reply([c.to_api() for c in self.state.chats.values()])

    async def add_chat(self, request: web.Request) -> web.Response:
        body = await _body(request)
        chat = self.state.add_group(_int(body.get("id"), "id"), body.get("title"), body.get("type", "group"))
        return _reply(chat.to_api())

    def _chat_id(self, request: web.Request) -> int:
        chat_id = _int(request.match_info["chat_id"], "chat id")
        if chat_id not in self.state.chats:
            raise ControlError(f"no chat {chat_id}", 404)
        return chat_id

    async def messages(self, request: web.Request) -> web.Response:
        chat_id = self._chat_id(request)
        since = _int(request.query.get("since", 0), "since")
        sender = request.query.get("from")
        found = [
            self._message(m)
            for m in self.state.chat_messages(chat_id)
            if m.seq > since and (sender is None or (sender == "bot") == m.from_bot)
        ]
        return _reply({"chat": self.state.chats[chat_id].to_api(), "messages": found, "seq": self.state.seq})

    async def wait(self, request: web.Request) -> web.Response:
        """Long-poll until the bot sends a message after `after_message_id`, or changes one after `since`."""
        chat_id = self._chat_id(request)
        after = _opt_int(request.query.get("after_message_id"), "after_message_id")
        since = _opt_int(request.query.get("since"), "since")
        if after is None and since is None:
            since = self.state.seq
        try:
            timeout = min(float(request.query.get("timeout", 5)), 120.0)
        except ValueError:
            raise ControlError("timeout must be a number of seconds") from None
        deadline = time.monotonic() + timeout
        while True:
            found = [
                self._message(m)
                for m in self.state.bot_messages(chat_id)
                if (after is not None and m.message_id > after) or (since is not None and m.seq > since)
            ]
            remaining = deadline - time.monotonic()
            if found or remaining <= 0 or self.server.closing:
                return _reply({"messages": found, "seq": self.state.seq, "timed_out": not found})
            await self.state.chats_changed.wait(remaining)

    async def file(self, request: web.Request) -> web.StreamResponse:
        stored = self.state.files.get(request.match_info["file_id"])
        if stored is None:
            raise ControlError("no such file", 404)
        headers = {}
        if stored.file_name:
            headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(stored.file_name)}"
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream", headers=headers
        )

    async def callback_answers(self, request: web.Request) -> web.Response:
        return _reply(self.state.callback_answers)

    async def commands(self, request: web.Request) -> web.Response:
        sets = [
            {"scope": s.scope, "language_code": s.language_code, "commands": s.commands}
            for s in self.state.commands.values()
        ]
        out: dict[str, Any] = {"sets": sets}
        if request.query.get("chat_id"):
            chat_id = _int(request.query["chat_id"], "chat_id")
            out["effective"] = self.state.effective_commands(chat_id, request.query.get("language_code", ""))
        return _reply(out)

    async def requests(self, request: web.Request) -> web.Response:
        method = request.query.get("method")
        since = _int(request.query.get("since", 0), "since")
        found = [
            r for r in self.server.requests if r["seq"] > since and (method is None or r["method"] == method)
        ]
        return _reply(found)

    async def pending_updates(self, request: web.Request) -> web.Response:
        ups = self.state.updates
        return _reply({"count": len(ups), "kinds": [update_kind(u) for u in ups], "updates": ups})

    async def webhook(self, request: web.Request) -> web.Response:
        info = await self.server.api.get_webhook_info({})
        return _reply(
            {
                "info": info,
                "secret_token_set": bool(self.state.webhook and self.state.webhook.secret_token),
                "attempts": self.server.webhook.attempts,
            }
        )

    # ------------------------------------------------------------ trouble and counters

    async def list_faults(self, request: web.Request) -> web.Response:
        return _reply([r.to_json() for r in self.server.faults.rules])

    async def add_fault(self, request: web.Request) -> web.Response:
        rule = rule_from_json(await _body(request))
        self.server.faults.add(rule)
        return _reply(rule.to_json())

    async def clear_faults(self, request: web.Request) -> web.Response:
        self.server.faults.clear()
        return _reply({"ok": True})

    async def get_limits(self, request: web.Request) -> web.Response:
        return _reply(self.server.limits.to_json())

    async def set_limits(self, request: web.Request) -> web.Response:
        body = await _body(request)
        try:
            limits = self.server.set_limits(**body)
        except (ValueError, TypeError) as exc:
            raise ControlError(str(exc)) from None
        return _reply(limits.to_json())

    async def stats(self, request: web.Request) -> web.Response:
        return _reply(self.server.stats.to_json())

    async def reset(self, request: web.Request) -> web.Response:
        self.server.reset()
        return _reply({"ok": True})

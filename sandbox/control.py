"""The control API (JSON over HTTP under /control): act as users, read what the bot did, inject trouble.

Documented with curl examples in sandbox/README.md. Errors answer {"error": "..."} with 400/404.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

from sandbox import media
from sandbox.control_kit import (
    SideEndpoints,
    b64_param,
    int_param,
    json_body,
    long_poll,
    opt_int_param,
    register_routes,
    reply,
    shown_messages,
    wait_timeout,
)
from sandbox.faults import FaultRule, rule_from_json
from sandbox.models import StoredMessage
from sandbox.state import ControlError, SandboxState, update_kind

if TYPE_CHECKING:
    from sandbox.server import SandboxServer

log = logging.getLogger("sandbox.control")


class ControlApi(SideEndpoints):
    def __init__(self, server: SandboxServer) -> None:
        self.server = server

    @property
    def state(self) -> SandboxState:
        return self.server.state

    @property
    def side(self) -> SandboxServer:
        return self.server

    def fault_rule(self, body: dict[str, Any]) -> FaultRule:
        return rule_from_json(body)

    def register(self, router: web.UrlDispatcher) -> None:
        routes = [
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
        self.endpoints = register_routes(router, routes, self.server.internal_errors, log)

    def _message(self, msg: StoredMessage) -> dict[str, Any]:
        return msg.to_control(self.server.base_url)

    # ------------------------------------------------------------ users and what they do

    async def index(self, request: web.Request) -> web.Response:
        return reply({"endpoints": self.endpoints, "docs": "sandbox/README.md"})

    async def list_users(self, request: web.Request) -> web.Response:
        return reply([u.to_control() for u in self.state.users.values()])

    async def add_user(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        if "id" not in body or not body.get("first_name"):
            raise ControlError("id and first_name are required")
        user = self.state.add_user(
            int_param(body["id"], "id"),
            str(body["first_name"]),
            body.get("last_name"),
            body.get("username"),
            body.get("language_code", "vi"),
            started=bool(body.get("started", True)),
        )
        return reply(user.to_control())

    async def text(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        msg = self.state.user_text(
            int_param(request.match_info["user_id"], "user id"),
            str(body.get("text", "")),
            chat_id=opt_int_param(body.get("chat_id"), "chat_id"),
            reply_to_message_id=opt_int_param(body.get("reply_to_message_id"), "reply_to_message_id"),
        )
        return reply({**self._message(msg), "update_id": self.state.next_update_id - 1})

    async def edit(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        msg = self.state.user_edit(
            int_param(request.match_info["user_id"], "user id"),
            int_param(body.get("message_id"), "message_id"),
            str(body.get("text", "")),
            chat_id=opt_int_param(body.get("chat_id"), "chat_id"),
        )
        return reply({**self._message(msg), "update_id": self.state.next_update_id - 1})

    async def tap(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        if body.get("data") is None and body.get("text") is None:
            raise ControlError("give the button's data or its text")
        record = self.state.user_tap(
            int_param(request.match_info["user_id"], "user id"),
            int_param(body.get("message_id"), "message_id"),
            data=body.get("data"),
            text=body.get("text"),
            chat_id=opt_int_param(body.get("chat_id"), "chat_id"),
        )
        return reply(
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
        body = await json_body(request)
        data = b64_param(body["data"], "data") if body.get("data") is not None else default(body)
        msg = self.state.user_file(
            int_param(request.match_info["user_id"], "user id"),
            kind,
            data,
            chat_id=opt_int_param(body.get("chat_id"), "chat_id"),
            caption=body.get("caption"),
            file_name=body.get("file_name"),
            mime_type=body.get("mime_type"),
            emoji=body.get("emoji", "👍"),
            set_name=body.get("set_name"),
            duration=int_param(body.get("duration", 1), "duration"),
        )
        return reply({**self._message(msg), "update_id": self.state.next_update_id - 1})

    async def photo(self, request: web.Request) -> web.Response:
        return await self._file_message(
            request,
            "photo",
            lambda b: media.tiny_png(
                int_param(b.get("width", 320), "width"), int_param(b.get("height", 240), "height")
            ),
        )

    async def sticker(self, request: web.Request) -> web.Response:
        return await self._file_message(request, "sticker", lambda b: media.fake_webp())

    async def voice(self, request: web.Request) -> web.Response:
        return await self._file_message(
            request, "voice", lambda b: media.fake_ogg(int_param(b.get("duration", 1), "duration"))
        )

    async def document(self, request: web.Request) -> web.Response:
        def missing(body: dict[str, Any]) -> bytes:
            raise ControlError("data (base64 bytes) is required for a document")

        return await self._file_message(request, "document", missing)

    async def block(self, request: web.Request) -> web.Response:
        return reply(
            self.state.set_blocked(int_param(request.match_info["user_id"], "user id"), True).to_control()
        )

    async def unblock(self, request: web.Request) -> web.Response:
        return reply(
            self.state.set_blocked(int_param(request.match_info["user_id"], "user id"), False).to_control()
        )

    # ------------------------------------------------------------ chats and what the bot did

    async def list_chats(self, request: web.Request) -> web.Response:
        return reply([c.to_api() for c in self.state.chats.values()])

    async def add_chat(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        chat = self.state.add_group(
            int_param(body.get("id"), "id"), body.get("title"), body.get("type", "group")
        )
        return reply(chat.to_api())

    def _chat_id(self, request: web.Request) -> int:
        chat_id = int_param(request.match_info["chat_id"], "chat id")
        if chat_id not in self.state.chats:
            raise ControlError(f"no chat {chat_id}", 404)
        return chat_id

    async def messages(self, request: web.Request) -> web.Response:
        chat_id = self._chat_id(request)
        shown = shown_messages(request)
        found = [self._message(m) for m in self.state.chat_messages(chat_id) if shown(m)]
        return reply({"chat": self.state.chats[chat_id].to_api(), "messages": found, "seq": self.state.seq})

    async def wait(self, request: web.Request) -> web.Response:
        """Long-poll until the bot sends a message after `after_message_id`, or changes one after `since`."""
        chat_id = self._chat_id(request)
        after = opt_int_param(request.query.get("after_message_id"), "after_message_id")
        since = opt_int_param(request.query.get("since"), "since")
        if after is None and since is None:
            since = self.state.seq
        timeout = wait_timeout(request)
        return await long_poll(
            lambda: [
                self._message(m)
                for m in self.state.bot_messages(chat_id)
                if (after is not None and m.message_id > after) or (since is not None and m.seq > since)
            ],
            self.state.chats_changed,
            lambda: self.state.seq,
            lambda: self.server.closing,
            timeout,
        )

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
        return reply(self.state.callback_answers)

    async def commands(self, request: web.Request) -> web.Response:
        sets = [
            {"scope": s.scope, "language_code": s.language_code, "commands": s.commands}
            for s in self.state.commands.values()
        ]
        out: dict[str, Any] = {"sets": sets}
        if request.query.get("chat_id"):
            chat_id = int_param(request.query["chat_id"], "chat_id")
            out["effective"] = self.state.effective_commands(chat_id, request.query.get("language_code", ""))
        return reply(out)

    async def pending_updates(self, request: web.Request) -> web.Response:
        ups = self.state.updates
        return reply({"count": len(ups), "kinds": [update_kind(u) for u in ups], "updates": ups})

    async def webhook(self, request: web.Request) -> web.Response:
        info = await self.server.api.get_webhook_info({})
        return reply(
            {
                "info": info,
                "secret_token_set": bool(self.state.webhook and self.state.webhook.secret_token),
                "attempts": self.server.webhook.attempts,
            }
        )

"""The control API's Zalo part (JSON under /control/zalo): act as Zalo users, read what the bot sent
them, inject faults into Zalo requests. Same conventions as the Telegram part (sandbox/control.py):
errors are {"error": "..."} with 400/404; every message the bot or a user sends bumps a `seq`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox import media
from sandbox.control_kit import (
    SideEndpoints,
    b64_param,
    int_param,
    json_body,
    long_poll,
    register_routes,
    reply,
    shown_messages,
    wait_timeout,
)
from sandbox.faults import KINDS, FaultRule, rule_from_json
from sandbox.state import ControlError

if TYPE_CHECKING:
    from sandbox.zalo.service import ZaloSandbox

log = logging.getLogger("sandbox.zalo.control")

FAULT_KINDS = (*KINDS, "unreachable")
DEFAULT_STICKER = "d063f44dc80821567819"


def zalo_fault(body: dict[str, Any]) -> FaultRule:
    """A fault rule for Zalo requests: Telegram's kinds plus "unreachable" (403); chat ids are strings."""
    chat_id = body.get("chat_id")
    rule = rule_from_json({k: v for k, v in body.items() if k != "chat_id"}, FAULT_KINDS)
    rule.chat_id = None if chat_id is None else str(chat_id)
    return rule


def _text_field(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ControlError(f"{name} must be a string")
    return value


class ZaloControl(SideEndpoints):
    def __init__(self, zalo: ZaloSandbox) -> None:
        self.zalo = zalo

    @property
    def side(self) -> ZaloSandbox:
        return self.zalo

    def fault_rule(self, body: dict[str, Any]) -> FaultRule:
        return zalo_fault(body)

    def register(self, router: web.UrlDispatcher) -> None:
        routes = [
            ("GET", "/control/zalo", self.index),
            ("GET", "/control/zalo/users", self.list_users),
            ("POST", "/control/zalo/users", self.add_user),
            ("POST", "/control/zalo/users/{user_id}/text", self.text),
            ("POST", "/control/zalo/users/{user_id}/image", self.image),
            ("POST", "/control/zalo/users/{user_id}/sticker", self.sticker),
            ("POST", "/control/zalo/users/{user_id}/unsupported", self.unsupported),
            ("POST", "/control/zalo/users/{user_id}/unreachable", self.unreachable),
            ("POST", "/control/zalo/users/{user_id}/reachable", self.reachable),
            ("GET", "/control/zalo/chats/{chat_id}/messages", self.messages),
            ("GET", "/control/zalo/chats/{chat_id}/wait", self.wait),
            ("GET", "/control/zalo/chat_actions", self.chat_actions),
            ("GET", "/control/zalo/requests", self.requests),
            ("GET", "/control/zalo/updates/pending", self.pending_updates),
            ("GET", "/control/zalo/webhook", self.webhook),
            ("GET", "/control/zalo/faults", self.list_faults),
            ("POST", "/control/zalo/faults", self.add_fault),
            ("DELETE", "/control/zalo/faults", self.clear_faults),
            ("GET", "/control/zalo/limits", self.get_limits),
            ("POST", "/control/zalo/limits", self.set_limits),
            ("GET", "/control/zalo/stats", self.stats),
            ("POST", "/control/zalo/reset", self.reset),
        ]
        self.endpoints = register_routes(router, routes, self.zalo.server.internal_errors, log)

    # ------------------------------------------------------------ users and what they do

    async def index(self, request: web.Request) -> web.Response:
        return reply(
            {"endpoints": self.endpoints, "api_base_url": self.zalo.api_base_url, "docs": "sandbox/README.md"}
        )

    async def list_users(self, request: web.Request) -> web.Response:
        return reply([u.to_control() for u in self.zalo.world.users.values()])

    async def add_user(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        name = _text_field(body, "display_name") or _text_field(body, "name")
        user_id = body.get("id")
        user = self.zalo.world.add_user(
            None if user_id is None else str(user_id),
            name or "",
            str(body.get("name_field", "display_name")),
        )
        return reply(user.to_control())

    async def _send(
        self, request: web.Request, kind: str, body: dict[str, Any], **fields: Any
    ) -> web.Response:
        msg, update = self.zalo.world.user_sends(
            request.match_info["user_id"],
            kind,
            photo_field=str(body.get("photo_field", "photo_url")),
            **fields,
        )
        return reply({**msg.to_control(), "update": update})

    async def text(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        text = _text_field(body, "text")
        if not text:
            raise ControlError("text is empty")
        return await self._send(request, "text", body, text=text)

    async def image(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        self.zalo.world.user(request.match_info["user_id"])  # 404 before storing anything
        url = _text_field(body, "photo_url")
        if url is None:
            data = (
                b64_param(body["data"], "data")
                if body.get("data") is not None
                else media.tiny_png(
                    int_param(body.get("width", 320), "width"), int_param(body.get("height", 240), "height")
                )
            )
            url = self.zalo.store_image(data)
        return await self._send(request, "image", body, photo_url=url, caption=_text_field(body, "caption"))

    async def sticker(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        return await self._send(
            request, "sticker", body, sticker=_text_field(body, "sticker") or DEFAULT_STICKER
        )

    async def unsupported(self, request: web.Request) -> web.Response:
        """A voice note, file, video …: Zalo tells the bot only that something unsupported came."""
        body = await json_body(request)
        return await self._send(request, "unsupported", body, unsupported=_text_field(body, "what") or "file")

    async def unreachable(self, request: web.Request) -> web.Response:
        user = self.zalo.world.user(request.match_info["user_id"])
        user.unreachable = True
        return reply(user.to_control())

    async def reachable(self, request: web.Request) -> web.Response:
        user = self.zalo.world.user(request.match_info["user_id"])
        user.unreachable = False
        return reply(user.to_control())

    # ------------------------------------------------------------ what the bot did

    def _chat_id(self, request: web.Request) -> str:
        chat_id = request.match_info["chat_id"]
        self.zalo.world.user(chat_id)
        return chat_id

    async def messages(self, request: web.Request) -> web.Response:
        chat_id = self._chat_id(request)
        shown = shown_messages(request)
        found = [m.to_control() for m in self.zalo.world.chat_messages(chat_id) if shown(m)]
        return reply({"chat_id": chat_id, "messages": found, "seq": self.zalo.world.seq})

    async def wait(self, request: web.Request) -> web.Response:
        """Long-poll for the bot's next message after `since` (a seq) or after `after_message_id`."""
        chat_id = self._chat_id(request)
        world = self.zalo.world
        since = (
            world.seq
            if request.query.get("since") in (None, "")
            else int_param(request.query["since"], "since")
        )
        after = request.query.get("after_message_id")
        if after:
            earlier = [m.seq for m in world.chat_messages(chat_id) if m.message_id == after]
            if not earlier:
                raise ControlError(f"no message {after} in chat {chat_id}")
            since = earlier[0]
        timeout = wait_timeout(request)
        return await long_poll(
            lambda: [m.to_control() for m in world.chat_messages(chat_id) if m.from_bot and m.seq > since],
            world.chats_changed,
            lambda: world.seq,
            lambda: self.zalo.server.closing,
            timeout,
        )

    async def chat_actions(self, request: web.Request) -> web.Response:
        return reply(self.zalo.world.chat_actions)

    async def pending_updates(self, request: web.Request) -> web.Response:
        updates = list(self.zalo.world.updates)
        return reply(
            {"count": len(updates), "events": [u["event_name"] for u in updates], "updates": updates}
        )

    async def webhook(self, request: web.Request) -> web.Response:
        hook = self.zalo.world.webhook
        info: dict[str, Any] = {"url": "", "updated_at": 0}
        if hook is not None:
            info = {
                "url": hook.url,
                "updated_at": hook.updated_at,
                "last_error_date": hook.last_error_date,
                "last_error_message": hook.last_error_message,
            }
        return reply(
            {"info": info, "secret_token_set": hook is not None, "attempts": self.zalo.webhook.attempts}
        )

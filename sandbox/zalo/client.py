"""ZaloSandboxClient: the control API's Zalo part from Python (aiohttp), for tests, the demo, scripts.

async with SandboxClient(base_url) as sb:
    await sb.zalo.add_user("u1001", "Lan")
    sent = await sb.zalo.send_text("u1001", "/baocao")
    reply = await sb.zalo.wait_for_bot_message("u1001", since=sent["seq"])
"""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import Any

from sandbox.client_kit import Message, SideCalls, wait_for_bot_message

Call = Callable[[str, str, dict[str, Any] | None, dict[str, Any] | None], Awaitable[Any]]


class ZaloSandboxClient(SideCalls):
    """Made by SandboxClient.zalo; `call(method, path, body, query)` is its control call."""

    def __init__(self, call: Call) -> None:
        self._call = call

    async def _object(
        self, method: str, path: str, body: dict[str, Any] | None = None, query: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        payload = await self._call(method, f"/zalo{path}", body, query)
        if not isinstance(payload, dict):
            raise TypeError(f"{path}: expected a JSON object, got {type(payload).__name__}")
        return payload

    async def _list(self, path: str, query: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        payload = await self._call("GET", f"/zalo{path}", None, query)
        if not isinstance(payload, list):
            raise TypeError(f"{path}: expected a JSON list, got {type(payload).__name__}")
        return payload

    # ------------------------------------------------------------ users and what they do

    async def add_user(
        self,
        user_id: str | None = None,
        display_name: str = "Người dùng",
        *,
        name_field: str = "display_name",
    ) -> dict[str, Any]:
        """name_field: "display_name" (python-zalo-bot's) or "name" (OpenClaw's) in the updates."""
        body = {"id": user_id, "display_name": display_name, "name_field": name_field}
        return await self._object("POST", "/users", body)

    async def send_text(self, user_id: str, text: str) -> Message:
        """The user writes `text`; returns the message (with its `seq` and the `update` queued)."""
        return await self._object("POST", f"/users/{user_id}/text", {"text": text})

    async def send_image(
        self,
        user_id: str,
        data: bytes | None = None,
        *,
        photo_url: str | None = None,
        caption: str | None = None,
        photo_field: str = "photo_url",
    ) -> Message:
        body: dict[str, Any] = {"photo_url": photo_url, "caption": caption, "photo_field": photo_field}
        if data is not None:
            body["data"] = base64.b64encode(data).decode()
        return await self._object("POST", f"/users/{user_id}/image", body)

    async def send_sticker(self, user_id: str, sticker: str | None = None) -> Message:
        return await self._object("POST", f"/users/{user_id}/sticker", {"sticker": sticker})

    async def send_unsupported(self, user_id: str, what: str = "voice") -> Message:
        return await self._object("POST", f"/users/{user_id}/unsupported", {"what": what})

    async def set_unreachable(self, user_id: str, unreachable: bool = True) -> dict[str, Any]:
        return await self._object("POST", f"/users/{user_id}/{'unreachable' if unreachable else 'reachable'}")

    async def users(self) -> list[dict[str, Any]]:
        return await self._list("/users")

    # ------------------------------------------------------------ what the bot did

    async def messages(self, chat_id: str, since: int = 0) -> list[Message]:
        found: list[Message] = (
            await self._object("GET", f"/chats/{chat_id}/messages", query={"since": since})
        )["messages"]
        return found

    async def bot_messages(self, chat_id: str, since: int = 0) -> list[Message]:
        query = {"since": since, "from": "bot"}
        found: list[Message] = (await self._object("GET", f"/chats/{chat_id}/messages", query=query))[
            "messages"
        ]
        return found

    async def wait_for_bot_message(
        self,
        chat_id: str,
        since: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the server long-polls with it
        predicate: Callable[[Message], bool] | None = None,
    ) -> Message:
        """The first bot message in the chat after `since` (a seq; default: from now) that satisfies
        `predicate`. TimeoutError if none within `timeout` s."""
        return await wait_for_bot_message(
            lambda query: self._object("GET", f"/chats/{chat_id}/wait", query=query),
            {"since": since},
            timeout,
            predicate,
            f"no bot message in Zalo chat {chat_id} within {timeout} s",
        )

    async def chat_actions(self) -> list[dict[str, Any]]:
        return await self._list("/chat_actions")

    async def requests(self, method: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        return await self._list("/requests", {"method": method, "since": since})

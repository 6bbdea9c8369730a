"""SandboxClient: the control API from Python (aiohttp), for tests, the demo and scripts.

async with SandboxClient(base_url) as sb:
    await sb.add_user(1001, "Lan")
    sent = await sb.send_text(1001, "/start")
    reply = await sb.wait_for_bot_message(1001, after_message_id=sent["message_id"])
    await sb.tap(1001, reply["message_id"], data="ans:skip")
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import aiohttp

from sandbox.client_kit import Message, SideCalls, wait_for_bot_message
from sandbox.zalo.client import ZaloSandboxClient


class SandboxError(Exception):
    """The control API refused a request (a 4xx with {"error": ...})."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class SandboxClient(SideCalls):
    def __init__(self, base_url: str, *, session: aiohttp.ClientSession | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = session
        self._own_session = session is None

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and self._own_session:
            await self._session.close()
        self._session = None

    @property
    def zalo(self) -> ZaloSandboxClient:
        """The control API's Zalo part (act as Zalo users, read what the bot sent them, Zalo faults)."""
        return ZaloSandboxClient(self._call)

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._own_session = True
        return self._session

    async def _call(
        self, method: str, path: str, body: dict[str, Any] | None = None, query: dict[str, Any] | None = None
    ) -> Any:
        params = {k: str(v) for k, v in (query or {}).items() if v is not None}
        async with self._http().request(
            method, f"{self.base_url}/control{path}", json=body, params=params
        ) as resp:
            payload = await resp.json(content_type=None)
            if resp.status >= 400:
                raise SandboxError(
                    resp.status,
                    payload.get("error", str(payload)) if isinstance(payload, dict) else str(payload),
                )
            return payload

    async def _object(
        self, method: str, path: str, body: dict[str, Any] | None = None, query: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A control call whose answer is a JSON object."""
        payload = await self._call(method, path, body, query)
        if not isinstance(payload, dict):
            raise SandboxError(500, f"{path}: expected a JSON object, got {type(payload).__name__}")
        return payload

    async def _list(
        self, method: str, path: str, body: dict[str, Any] | None = None, query: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """A control call whose answer is a JSON list of objects."""
        payload = await self._call(method, path, body, query)
        if not isinstance(payload, list):
            raise SandboxError(500, f"{path}: expected a JSON list, got {type(payload).__name__}")
        return payload

    # ------------------------------------------------------------ users and what they do

    async def add_user(
        self,
        user_id: int,
        first_name: str = "Người dùng",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str = "vi",
        *,
        started: bool = True,
    ) -> dict[str, Any]:
        body = {
            "id": user_id,
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "language_code": language_code,
            "started": started,
        }
        return await self._object("POST", "/users", body)

    async def add_group(
        self, chat_id: int, title: str | None = None, chat_type: str = "group"
    ) -> dict[str, Any]:
        return await self._object("POST", "/chats", {"id": chat_id, "title": title, "type": chat_type})

    async def send_text(
        self, user_id: int, text: str, *, chat_id: int | None = None, reply_to_message_id: int | None = None
    ) -> Message:
        """The user writes `text` (a "/command" gets its bot_command entity); returns the message."""
        return await self._object(
            "POST",
            f"/users/{user_id}/text",
            {"text": text, "chat_id": chat_id, "reply_to_message_id": reply_to_message_id},
        )

    async def edit_text(
        self, user_id: int, message_id: int, text: str, *, chat_id: int | None = None
    ) -> Message:
        return await self._object(
            "POST", f"/users/{user_id}/edit", {"message_id": message_id, "text": text, "chat_id": chat_id}
        )

    async def tap(
        self,
        user_id: int,
        message_id: int,
        data: str | None = None,
        text: str | None = None,
        *,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """Tap the inline button with callback `data` (or label `text`) on a bot message."""
        return await self._object(
            "POST",
            f"/users/{user_id}/tap",
            {"message_id": message_id, "data": data, "text": text, "chat_id": chat_id},
        )

    async def send_photo(
        self,
        user_id: int,
        data: bytes | None = None,
        *,
        caption: str | None = None,
        chat_id: int | None = None,
        width: int = 320,
        height: int = 240,
    ) -> Message:
        body: dict[str, Any] = {"caption": caption, "chat_id": chat_id, "width": width, "height": height}
        if data is not None:
            body["data"] = base64.b64encode(data).decode()
        return await self._object("POST", f"/users/{user_id}/photo", body)

    async def send_sticker(
        self, user_id: int, emoji: str = "👍", *, set_name: str | None = None, chat_id: int | None = None
    ) -> Message:
        return await self._object(
            "POST", f"/users/{user_id}/sticker", {"emoji": emoji, "set_name": set_name, "chat_id": chat_id}
        )

    async def send_voice(
        self, user_id: int, duration: int = 1, *, data: bytes | None = None, chat_id: int | None = None
    ) -> Message:
        body: dict[str, Any] = {"duration": duration, "chat_id": chat_id}
        if data is not None:
            body["data"] = base64.b64encode(data).decode()
        return await self._object("POST", f"/users/{user_id}/voice", body)

    async def send_document(
        self,
        user_id: int,
        data: bytes,
        file_name: str,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> Message:
        body = {
            "data": base64.b64encode(data).decode(),
            "file_name": file_name,
            "mime_type": mime_type,
            "caption": caption,
            "chat_id": chat_id,
        }
        return await self._object("POST", f"/users/{user_id}/document", body)

    async def block(self, user_id: int) -> dict[str, Any]:
        return await self._object("POST", f"/users/{user_id}/block")

    async def unblock(self, user_id: int) -> dict[str, Any]:
        return await self._object("POST", f"/users/{user_id}/unblock")

    # ------------------------------------------------------------ what the bot did

    async def messages(self, chat_id: int, since: int = 0) -> list[Message]:
        """Everything in the chat, in order, from the user and from the bot (since = a `seq`)."""
        messages: list[Message] = (await self._object("GET", f"/chats/{chat_id}/messages", query={"since": since}))[
            "messages"
        ]
        return messages

    async def bot_messages(self, chat_id: int, since: int = 0) -> list[Message]:
        messages: list[Message] = (
            await self._object("GET", f"/chats/{chat_id}/messages", query={"since": since, "from": "bot"})
        )["messages"]
        return messages

    async def wait_for_bot_message(
        self,
        chat_id: int,
        after_message_id: int | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the server long-polls with it; a cancel scope could not
        predicate: Callable[[Message], bool] | None = None,
        *,
        since: int | None = None,
    ) -> Message:
        """The first bot message in the chat newer than `after_message_id` (or sent/edited after `since`)
        that satisfies `predicate`; with neither, the bot's next action from now. TimeoutError if none."""
        return await wait_for_bot_message(
            lambda query: self._object("GET", f"/chats/{chat_id}/wait", query=query),
            {"after_message_id": after_message_id, "since": since},
            timeout,
            predicate,
            f"no bot message in chat {chat_id} within {timeout} s",
        )

    async def download(self, file_id: str) -> bytes:
        async with self._http().get(f"{self.base_url}/control/files/{file_id}") as resp:
            if resp.status >= 400:
                raise SandboxError(resp.status, await resp.text())
            return await resp.read()

    async def commands(self, chat_id: int | None = None, language_code: str = "") -> dict[str, Any]:
        """{"sets": [{scope, language_code, commands}], "effective": [...] when chat_id is given}."""
        return await self._object(
            "GET", "/commands", query={"chat_id": chat_id, "language_code": language_code or None}
        )

    async def callback_answers(self) -> list[dict[str, Any]]:
        return await self._list("GET", "/callback_answers")

    async def requests(self, method: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        return await self._list("GET", "/requests", query={"method": method, "since": since})

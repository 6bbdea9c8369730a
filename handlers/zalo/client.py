"""ZaloBotClient: a thin client of Zalo's Bot API over aiohttp (the methods baocao-bot uses).

    async with ZaloBotClient(token, base_url=settings.zalo_api_base_url) as zalo:
        update = await zalo.get_update(timeout=30)     # one update, or None when none came (Zalo's 408)
        if update and update.message:
            await zalo.send_message(update.message.chat.id, say("…"))  # texts come from the catalogue

`POST {base_url}/bot{token}/{method}` with a JSON body, every parameter a string. Answers
`{"ok": true, "result": …}` give the result as a model; the others raise an errors.ZaloError subclass
(retry-after on 429, the unreachable user on a send's 403, 5xx, no answer). The token is never put
in an exception or a log line.

Why not `python-zalo-bot` (PyPI, 0.1.9, judged December 2026): a copy of python-telegram-bot with
Zalo's names pasted in, not kept like a library (its project links and author e-mail are still
placeholders, leftover Telegram modules such as passport, an Updater whose start_polling raises
NotImplementedError, set_webhook/delete_webhook that call asyncio.run and so fail inside a running
bot), no type marker, naive local datetimes from the ms dates, getUpdates' 408 raised as a generic
network error, and Telegram's offset/limit/allowed_updates sent to a method that takes only
`timeout`. The API is nine small JSON methods: this file is shorter than the fixes would be.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import aiohttp
from pydantic import BaseModel, ValidationError

from bot.domain.message_length import message_parts
from bot.settings import Settings
from handlers.zalo.errors import (
    ZaloBadRequest,
    ZaloConflict,
    ZaloError,
    ZaloForbidden,
    ZaloNetworkError,
    ZaloRetryAfter,
    ZaloServerError,
    ZaloTimedOut,
    ZaloUnauthorized,
    ZaloUnreachableUser,
)
from handlers.zalo.models import ZaloBotInfo, ZaloSentMessage, ZaloUpdate, ZaloWebhookInfo

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
MAX_TEXT = 2000  # characters, for a text and a caption
NO_UPDATE = 408  # getUpdates: nothing came within the timeout
DEFAULT_RETRY_AFTER = 1.0  # a 429 that says nothing about when to retry
_SENDS = frozenset({"sendMessage", "sendPhoto", "sendSticker", "sendChatAction"})
M = TypeVar("M", bound=BaseModel)


class ZaloBotClient:
    def __init__(
        self,
        token: str,
        *,
        base_url: str | None = None,
        session: aiohttp.ClientSession | None = None,
        request_timeout: float = 20.0,
        poll_margin: float = 10.0,
    ) -> None:
        """`request_timeout`: seconds to wait for an answer; a long poll waits its `timeout` plus
        `poll_margin` more."""
        self._url = f"{(base_url or DEFAULT_BASE_URL).rstrip('/')}/bot{token}"
        self._session = session
        self._own_session = session is None
        self.request_timeout = request_timeout
        self.poll_margin = poll_margin

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> ZaloBotClient:
        """The client for ZALO_BOT_TOKEN at ZALO_API_BASE_URL (Zalo's own when empty)."""
        if settings.zalo_bot_token is None:
            raise ValueError("ZALO_BOT_TOKEN is not set")
        base_url = str(settings.zalo_api_base_url) if settings.zalo_api_base_url is not None else None
        return cls(settings.zalo_bot_token.get_secret_value(), base_url=base_url, **options)

    async def __aenter__(self) -> ZaloBotClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and self._own_session:
            await self._session.close()
        self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._own_session = True
        return self._session

    # ------------------------------------------------------------ the wire

    async def call(
        self, method: str, params: dict[str, str | None] | None = None, *, wait_seconds: float | None = None
    ) -> Any:
        """One Bot API call; its `result`, or a ZaloError."""
        body = {k: v for k, v in (params or {}).items() if v is not None}
        wait = aiohttp.ClientTimeout(total=wait_seconds or self.request_timeout)
        try:
            async with self._http().post(f"{self._url}/{method}", json=body, timeout=wait) as resp:
                status, raw, headers = resp.status, await resp.read(), resp.headers
        except TimeoutError:
            raise ZaloTimedOut(f"{method}: no answer within {wait.total} s") from None
        except aiohttp.ClientError as exc:
            raise ZaloNetworkError(f"{method}: {exc.__class__.__name__}") from None
        try:
            payload = json.loads(raw)
        except ValueError:
            payload = None
        if isinstance(payload, dict) and payload.get("ok") is True:
            return payload.get("result")
        raise _error(method, status, payload, headers.get("Retry-After"), body.get("chat_id"))

    async def _model(self, model: type[M], method: str, params: dict[str, str | None] | None = None) -> M:
        result = await self.call(method, params)
        try:
            return model.model_validate(result)
        except ValidationError as exc:
            raise ZaloError(f"{method}: unexpected result: {exc.errors()[0]['msg']}") from None

    # ------------------------------------------------------------ methods

    async def get_me(self) -> ZaloBotInfo:
        return await self._model(ZaloBotInfo, "getMe")

    async def get_update(self, timeout: int = 30) -> ZaloUpdate | None:  # noqa: ASYNC109 - Zalo's parameter
        """Long polling: the next update, or None when none came within `timeout` seconds (408)."""
        try:
            result = await self.call(
                "getUpdates", {"timeout": str(timeout)}, wait_seconds=timeout + self.poll_margin
            )
        except ZaloError as exc:
            if exc.error_code == NO_UPDATE:
                return None
            raise
        if not result:
            return None
        try:
            return ZaloUpdate.model_validate(result)
        except ValidationError as exc:
            log.error("Zalo update not understood (%s): %r", exc.errors()[0]["msg"], result)
            return None

    async def updates(self, timeout: int = 30, max_backoff: float = 30.0) -> AsyncIterator[ZaloUpdate]:  # noqa: ASYNC109
        """Updates one by one, for ever: 408 is "none yet"; a 429 waits as told; a server or network
        error waits a growing pause (up to `max_backoff` s) and polls again. Other errors are raised
        (a wrong token, a webhook still set)."""
        pause = 1.0
        while True:
            try:
                update = await self.get_update(timeout)
            except ZaloRetryAfter as exc:
                await asyncio.sleep(exc.retry_after)
                continue
            except (ZaloServerError, ZaloNetworkError) as exc:
                log.warning("Zalo getUpdates failed (%s); polling again in %.0f s", exc, pause)
                await asyncio.sleep(pause)
                pause = min(pause * 2, max_backoff)
                continue
            pause = 1.0
            if update is not None:
                yield update

    async def set_webhook(self, url: str, secret_token: str) -> None:
        """Updates go to `url` (https) with `X-Bot-Api-Secret-Token: secret_token` (8 to 256 characters)."""
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        await self.call("deleteWebhook")

    async def get_webhook_info(self) -> ZaloWebhookInfo:
        return await self._model(ZaloWebhookInfo, "getWebhookInfo")

    async def send_message(self, chat_id: str, text: str) -> ZaloSentMessage:
        """At most MAX_TEXT characters (longer texts are the caller's to split)."""
        return await self._model(ZaloSentMessage, "sendMessage", {"chat_id": chat_id, "text": text})

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None = None) -> ZaloSentMessage:
        """A photo by its https URL (Zalo takes no uploads)."""
        params = {"chat_id": chat_id, "photo": photo_url, "caption": caption}
        return await self._model(ZaloSentMessage, "sendPhoto", params)

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})


def text_parts(text: str) -> list[str]:
    """``text`` in Zalo messages: at most MAX_TEXT characters (Zalo counts characters, not UTF-16
    units), cut at line ends as Telegram's texts are (bot/domain/message_length.py), without the
    line break a part was cut at (Zalo would show it as a blank line)."""
    return [part.removesuffix("\n") for part in message_parts(text, MAX_TEXT, measure=len)]


def _error(
    method: str, status: int, payload: Any, retry_header: str | None, chat_id: str | None
) -> ZaloError:
    """The typed exception for an answer that is not `ok`."""
    body = payload if isinstance(payload, dict) else {}
    raw_code = body.get("error_code")
    code: int = raw_code if isinstance(raw_code, int) else status
    description = str(body.get("description") or body.get("message") or f"HTTP {status}")
    if code == 429:
        return ZaloRetryAfter(description, code, _retry_after(body, retry_header))
    if code == 403 and method in _SENDS and chat_id:
        return ZaloUnreachableUser(description, code, chat_id)
    if code == 403:
        return ZaloForbidden(description, code)
    if code == 401:
        return ZaloUnauthorized(description, code)
    if code == 400:
        return ZaloBadRequest(description, code)
    if code == 409:
        return ZaloConflict(description, code)
    if code >= 500:
        return ZaloServerError(description if body else f"HTTP {status}", code)
    return ZaloError(description, code)


def _retry_after(body: dict[str, Any], header: str | None) -> float:
    params = body.get("parameters")
    for value in (params.get("retry_after") if isinstance(params, dict) else None, header):
        try:
            seconds = float(value) if value is not None else None
        except (TypeError, ValueError):
            seconds = None
        if seconds is not None and seconds >= 0:
            return seconds
    return DEFAULT_RETRY_AFTER

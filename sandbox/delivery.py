"""The webhook deliverers' common loop: while a webhook is set, pending updates are POSTed one by one.

A delivery succeeds on any 2xx answer; otherwise the update stays first in line and is retried with a
growing pause (retry_delay doubling up to max_retry_delay), the error noted on the webhook. Each
messenger says what is pending, which headers go with it, how an attempt is logged and how the error
is dated (sandbox/webhook.py for Telegram, sandbox/zalo/webhook.py for Zalo).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from abc import ABC, abstractmethod
from typing import Any, Generic, Protocol, TypeVar

import aiohttp

from sandbox.models import Notifier


class Webhook(Protocol):
    url: str
    last_error_date: int | None
    last_error_message: str | None


HookT = TypeVar("HookT", bound=Webhook)


class WebhookDelivery(ABC, Generic[HookT]):
    """Delivers one update at a time to the webhook `_next()` names, in order, until stopped."""

    task_name = "sandbox-webhook"

    def __init__(
        self,
        changed: Notifier,
        retry_delay: float = 0.25,
        max_retry_delay: float = 4.0,
        request_timeout: float = 10.0,
    ) -> None:
        self._changed = changed  # notified when an update arrives (or on stop)
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.request_timeout = request_timeout
        self.attempts: list[dict[str, Any]] = []
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    # ------------------------------------------------------------ what each messenger supplies

    @abstractmethod
    def _next(self) -> tuple[HookT, dict[str, Any]] | None:
        """The webhook and the update to deliver now; None when there is no webhook or nothing pending."""

    @abstractmethod
    def _delivered(self, update: dict[str, Any]) -> None:
        """Take a delivered update out of the pending ones."""

    @abstractmethod
    def _headers(self, hook: HookT) -> dict[str, str]:
        """The request's headers beside Content-Type (the secret)."""

    @abstractmethod
    def _record(self, update: dict[str, Any]) -> dict[str, Any]:
        """What names the update in the attempts log."""

    @abstractmethod
    def _error_date(self) -> int:
        """The webhook's last_error_date now, in the messenger's unit."""

    # ------------------------------------------------------------ the loop

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name=self.task_name)

    async def stop(self) -> None:
        self._stopping = True
        self._changed.notify()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=self.request_timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            delay = self.retry_delay
            while not self._stopping:
                job = self._next()
                if job is None:
                    await self._changed.wait(1.0)
                    continue
                hook, update = job
                error = await self._post(session, hook, update)
                if error is None:
                    self._delivered(update)
                    delay = self.retry_delay
                    continue
                hook.last_error_date, hook.last_error_message = self._error_date(), error
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_retry_delay)

    async def _post(self, session: aiohttp.ClientSession, hook: HookT, update: dict[str, Any]) -> str | None:
        headers = {"Content-Type": "application/json", **self._headers(hook)}
        record: dict[str, Any] = {**self._record(update), "url": hook.url, "at": time.time()}
        try:
            async with session.post(
                hook.url, data=json.dumps(update, ensure_ascii=False).encode(), headers=headers
            ) as resp:
                await resp.read()
                record["status"] = resp.status
                error = (
                    None
                    if 200 <= resp.status < 300
                    else f"Wrong response from the webhook: {resp.status} {resp.reason}"
                )
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            error = f"Connection failed: {exc.__class__.__name__}: {exc}".rstrip(": ")
            record["status"] = None
        record["error"] = error
        self.attempts.append(record)
        del self.attempts[:-1000]
        return error

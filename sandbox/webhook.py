"""Webhook delivery: while a webhook is set, pending updates are POSTed to it one by one, in order.

A delivery succeeds on any 2xx answer; otherwise it is retried with a growing pause and the error
shows in getWebhookInfo (last_error_date / last_error_message), as Telegram does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import aiohttp

from sandbox.state import SandboxState, WebhookConfig

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookDeliverer:
    def __init__(
        self,
        state: SandboxState,
        retry_delay: float = 0.25,
        max_retry_delay: float = 4.0,
        request_timeout: float = 10.0,
    ) -> None:
        self.state = state
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.request_timeout = request_timeout
        self.attempts: list[dict[str, Any]] = []
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="sandbox-webhook")

    async def stop(self) -> None:
        self._stopping = True
        self.state.updates_changed.notify()
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
                hook = self.state.webhook
                pending = self.state.deliverable_updates(1) if hook is not None else []
                if hook is None or not pending:
                    await self.state.updates_changed.wait(1.0)
                    continue
                update = pending[0]
                error = await self._post(session, hook, update)
                if error is None:
                    if update in self.state.updates:
                        self.state.updates.remove(update)
                    delay = self.retry_delay
                    continue
                hook.last_error_date = int(time.time())
                hook.last_error_message = error
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_retry_delay)

    async def _post(
        self, session: aiohttp.ClientSession, hook: WebhookConfig, update: dict[str, Any]
    ) -> str | None:
        headers = {"Content-Type": "application/json"}
        if hook.secret_token:
            headers[SECRET_HEADER] = hook.secret_token
        record: dict[str, Any] = {"update_id": update["update_id"], "url": hook.url, "at": time.time()}
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

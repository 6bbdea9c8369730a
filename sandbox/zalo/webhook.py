"""Zalo webhook delivery: each pending update POSTed, alone, to the URL given to setWebhook.

The request carries `X-Bot-Api-Secret-Token: <secret_token>`; its body is one update. Any 2xx answer
delivers it; otherwise it stays first in line and is retried with a growing pause (the error shows in
GET /control/zalo/webhook).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import aiohttp

from sandbox.zalo.world import ZaloWebhook, ZaloWorld, now_ms

SECRET_HEADER = "X-Bot-Api-Secret-Token"


class ZaloWebhookDeliverer:
    def __init__(
        self,
        world: ZaloWorld,
        retry_delay: float = 0.25,
        max_retry_delay: float = 4.0,
        request_timeout: float = 10.0,
    ) -> None:
        self.world = world
        self.retry_delay = retry_delay
        self.max_retry_delay = max_retry_delay
        self.request_timeout = request_timeout
        self.attempts: list[dict[str, Any]] = []
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="sandbox-zalo-webhook")

    async def stop(self) -> None:
        self._stopping = True
        self.world.updates_changed.notify()
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
                hook = self.world.webhook
                if hook is None or not self.world.updates:
                    await self.world.updates_changed.wait(1.0)
                    continue
                update = self.world.updates[0]
                error = await self._post(session, hook, update)
                if error is None:
                    if self.world.updates and self.world.updates[0] is update:
                        self.world.updates.popleft()
                    delay = self.retry_delay
                    continue
                hook.last_error_date, hook.last_error_message = now_ms(), error
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_retry_delay)

    async def _post(
        self, session: aiohttp.ClientSession, hook: ZaloWebhook, update: dict[str, Any]
    ) -> str | None:
        headers = {"Content-Type": "application/json", SECRET_HEADER: hook.secret_token}
        record: dict[str, Any] = {
            "message_id": update["message"]["message_id"],
            "event_name": update["event_name"],
            "url": hook.url,
            "at": time.time(),
        }
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

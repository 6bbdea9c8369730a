"""Zalo webhook delivery: each pending update POSTed, alone, to the URL given to setWebhook.

The request carries `X-Bot-Api-Secret-Token: <secret_token>`; its body is one update. Any 2xx answer
delivers it; otherwise it stays first in line and is retried with a growing pause (the error shows in
GET /control/zalo/webhook). The loop is sandbox/delivery.py's; here is what is Zalo's: the queue of
updates, the always-present secret header, dates in milliseconds.
"""

from __future__ import annotations

from typing import Any

from sandbox.delivery import WebhookDelivery
from sandbox.zalo.world import ZaloWebhook, ZaloWorld, now_ms

SECRET_HEADER = "X-Bot-Api-Secret-Token"


class ZaloWebhookDeliverer(WebhookDelivery[ZaloWebhook]):
    task_name = "sandbox-zalo-webhook"

    def __init__(self, world: ZaloWorld, **timing: float) -> None:
        """timing: retry_delay, max_retry_delay, request_timeout (WebhookDelivery's)."""
        super().__init__(world.updates_changed, **timing)
        self.world = world

    def _next(self) -> tuple[ZaloWebhook, dict[str, Any]] | None:
        hook = self.world.webhook
        return (hook, self.world.updates[0]) if hook is not None and self.world.updates else None

    def _delivered(self, update: dict[str, Any]) -> None:
        if self.world.updates and self.world.updates[0] is update:
            self.world.updates.popleft()

    def _headers(self, hook: ZaloWebhook) -> dict[str, str]:
        return {SECRET_HEADER: hook.secret_token}

    def _record(self, update: dict[str, Any]) -> dict[str, Any]:
        return {"message_id": update["message"]["message_id"], "event_name": update["event_name"]}

    def _error_date(self) -> int:
        return now_ms()

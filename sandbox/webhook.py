"""Webhook delivery: while a webhook is set, pending updates are POSTed to it one by one, in order.

A delivery succeeds on any 2xx answer; otherwise it is retried with a growing pause and the error
shows in getWebhookInfo (last_error_date / last_error_message), as Telegram does. The loop is
sandbox/delivery.py's; here is what is Telegram's: the updates of the allowed kinds, the optional
secret header, dates in seconds.
"""

from __future__ import annotations

import time
from typing import Any

from sandbox.delivery import WebhookDelivery
from sandbox.state import SandboxState, WebhookConfig

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookDeliverer(WebhookDelivery[WebhookConfig]):
    task_name = "sandbox-webhook"

    def __init__(self, state: SandboxState, **timing: float) -> None:
        """timing: retry_delay, max_retry_delay, request_timeout (WebhookDelivery's)."""
        super().__init__(state.updates_changed, **timing)
        self.state = state

    def _next(self) -> tuple[WebhookConfig, dict[str, Any]] | None:
        hook = self.state.webhook
        pending = self.state.deliverable_updates(1) if hook is not None else []
        return (hook, pending[0]) if hook is not None and pending else None

    def _delivered(self, update: dict[str, Any]) -> None:
        if update in self.state.updates:
            self.state.updates.remove(update)

    def _headers(self, hook: WebhookConfig) -> dict[str, str]:
        return {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}

    def _record(self, update: dict[str, Any]) -> dict[str, Any]:
        return {"update_id": update["update_id"]}

    def _error_date(self) -> int:
        return int(time.time())

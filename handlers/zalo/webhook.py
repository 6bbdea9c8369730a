"""The Zalo webhook's door: an aiohttp handler that checks `X-Bot-Api-Secret-Token` before it reads
the body, then hands the one update the body carries to the channel.

    app.router.add_post("/zalo/webhook", webhook_handler(secret, on_update))

Answers 403 (wrong or missing secret, body unread), 400 (not an update), otherwise 200 once
`on_update` has returned.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from pydantic import ValidationError

from handlers.zalo.models import ZaloUpdate

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
UpdateSink = Callable[[ZaloUpdate], Awaitable[None]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def secret_matches(sent: str | None, secret: str) -> bool:
    """Constant-time comparison, so the secret cannot be guessed from answer times."""
    return sent is not None and hmac.compare_digest(sent.encode(), secret.encode())


def webhook_handler(secret: str, on_update: UpdateSink) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        if not secret_matches(request.headers.get(SECRET_HEADER), secret):
            log.warning("Zalo webhook: request without the right secret from %s refused", request.remote)
            return web.Response(status=403, text="Forbidden")
        raw = await request.read()
        try:
            update = ZaloUpdate.model_validate_json(raw)
        except ValidationError as exc:
            log.error("Zalo webhook: body is not an update (%s)", exc.errors()[0]["msg"])
            return web.Response(status=400, text="Bad Request")
        await on_update(update)
        return web.Response(text="ok")

    return handle

"""The Zalo webhook's door: an aiohttp handler that checks `X-Bot-Api-Secret-Token` before it reads
the body, then hands the one update the body carries to the channel.

    app.router.add_post("/zalo/webhook", webhook_handler(secret, on_update))

Answers 403 (wrong or missing secret, body unread), 413 (a body over ``max_body``: declared in
Content-Length, answered at once without waiting for it; or, chunked, once that much was read),
400 (not an update), otherwise 200 once `on_update` has returned. After a 403 or a 413 the
connection is closed: what the client still sends is dropped (for the server's lingering time at
most), never kept.
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


MAX_BODY = 1024 * 1024  # bytes of one request's body (an update weighs a few KB)


def _closing(status: int, text: str) -> web.Response:
    """An answer after which the connection is closed (the rest of the body is not read into memory)."""
    response = web.Response(status=status, text=text)
    response.force_close()
    return response


def webhook_handler(secret: str, on_update: UpdateSink, max_body: int = MAX_BODY) -> Handler:
    """``max_body`` should be the application's ``client_max_size`` too (chunked bodies)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        if not secret_matches(request.headers.get(SECRET_HEADER), secret):
            log.warning("Zalo webhook: request without the right secret from %s refused", request.remote)
            return _closing(403, "Forbidden")
        if request.content_length is not None and request.content_length > max_body:
            log.warning("Zalo webhook: body of %d bytes refused", request.content_length)
            return _closing(413, "Request Entity Too Large")
        try:
            raw = await request.read()  # at most the application's client_max_size
        except web.HTTPRequestEntityTooLarge:
            log.warning("Zalo webhook: chunked body over %d bytes refused", max_body)
            return _closing(413, "Request Entity Too Large")
        try:
            update = ZaloUpdate.model_validate_json(raw)
        except ValidationError as exc:
            log.error("Zalo webhook: body is not an update (%s)", exc.errors()[0]["msg"])
            return web.Response(status=400, text="Bad Request")
        await on_update(update)
        return web.Response(text="ok")

    return handle

"""The Zalo webhook's handler: the body read through the webhook door (handlers/webhook_door.py:
403 without the right `X-Bot-Api-Secret-Token`, body unread; 413 over ``max_body``), then the one
update it carries handed to the channel.

    app.router.add_post("/zalo/webhook", webhook_handler(secret, on_update))

Answers 400 when the body is not an update, otherwise 200 once `on_update` has returned.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from pydantic import ValidationError

from handlers.webhook_door import MAX_BODY, guarded_body
from handlers.zalo.models import ZaloUpdate

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
UpdateSink = Callable[[ZaloUpdate], Awaitable[None]]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def webhook_handler(secret: str, on_update: UpdateSink, max_body: int = MAX_BODY) -> Handler:
    """``max_body`` should be the application's ``client_max_size`` too (chunked bodies)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        raw = await guarded_body(request, SECRET_HEADER, secret, max_body=max_body, name="Zalo")
        if isinstance(raw, web.Response):
            return raw
        try:
            update = ZaloUpdate.model_validate_json(raw)
        except ValidationError as exc:
            log.error("Zalo webhook: body is not an update (%s)", exc.errors()[0]["msg"])
            return web.Response(status=400, text="Bad Request")
        await on_update(update)
        return web.Response(text="ok")

    return handle

"""The door of a messenger's webhook (Telegram's and Zalo's alike): the secret header is checked
before the body is read, and a body over the limit is refused from its declared length or once that
much of a chunked body was read. A refusal closes the connection: what the client still sends is
read and dropped for ``LINGER`` seconds at most (the server's lingering time), never kept."""

from __future__ import annotations

import hmac
import logging

from aiohttp import web

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # bytes of one update's body (an update weighs a few KB): the app's client_max_size
# After a refusal the client's rest is read and dropped for this long, so that it sees the answer
# before the connection closes (a close with unread data resets it): the AppRunner's lingering_time.
LINGER = 2.0


def secret_matches(sent: str | None, secret: str) -> bool:
    """Constant-time comparison, so the secret cannot be guessed from answer times."""
    return sent is not None and hmac.compare_digest(sent.encode("utf-8", "replace"), secret.encode())


def closing(status: int) -> web.Response:
    """An answer after which the connection is closed."""
    response = web.Response(status=status)
    response.force_close()
    return response


async def guarded_body(request: web.Request, header: str, secret: str, *, max_body: int = MAX_BODY,
                       name: str) -> bytes | web.Response:
    """The request's body, or the answer refusing it: 403 without the right secret in ``header``
    (the body unread), 413 for a body over ``max_body``. ``name`` says whose webhook in the log."""
    if not secret_matches(request.headers.get(header), secret):
        log.warning("%s webhook: request without the right secret from %s refused", name, request.remote)
        return closing(403)
    if request.content_length is not None and request.content_length > max_body:
        log.warning("%s webhook: body of %d bytes refused", name, request.content_length)
        return closing(413)
    try:
        return await request.read()  # at most the application's client_max_size, chunked bodies too
    except web.HTTPRequestEntityTooLarge:
        log.warning("%s webhook: chunked body over %d bytes refused", name, max_body)
        return closing(413)

"""A webhook receiver on 127.0.0.1 for the sandbox's tests, Telegram's and Zalo's alike: it records
(the secret header's value, the update) and can fail its first answers; `serve` runs any app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web


class Receiver:
    """A webhook endpoint that records (secret header, update) and can fail its first answers."""

    def __init__(self, secret_header: str) -> None:
        self.secret_header = secret_header  # the messenger's header, spelt out by each test module
        self.received: list[tuple[str | None, dict[str, Any]]] = []
        self.fail_next = 0
        self.arrived = asyncio.Event()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        if self.fail_next > 0:
            self.fail_next -= 1
            return web.Response(status=500)
        self.received.append((request.headers.get(self.secret_header), await request.json()))
        self.arrived.set()
        return web.Response(text="ok")

    async def wait_for(self, n: int, within: float = 5.0) -> None:
        async def enough() -> None:
            while len(self.received) < n:
                self.arrived.clear()
                await self.arrived.wait()

        await asyncio.wait_for(enough(), within)


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    """Serve `app` on a free port of 127.0.0.1; (runner, base URL)."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


@asynccontextmanager
async def receiving(secret_header: str) -> AsyncIterator[Receiver]:
    """A Receiver served at {base}/hook (its `url`) for the time of the block."""
    rec = Receiver(secret_header)
    app = web.Application()
    app.router.add_post("/hook", rec.handle)
    runner, base = await serve(app)
    rec.url = f"{base}/hook"
    try:
        yield rec
    finally:
        await runner.cleanup()

"""Helpers for the Zalo side of the sandbox's tests: a raw Zalo Bot API caller (JSON bodies, as Zalo
takes them) and a webhook receiver on 127.0.0.1 (the fixtures are in conftest.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from aiohttp import web

ZALO_TOKEN = "738499441022218443:HcapvQPPTFJvrEX"
ZALO_USER = "e4ea2cd5189df1c3a88c"


class ZaloApi:
    """`await zapi("sendMessage", chat_id="u", text="x")` -> (HTTP status, JSON body)."""

    def __init__(self, base_url: str, session: aiohttp.ClientSession, token: str = ZALO_TOKEN) -> None:
        self.url = f"{base_url}/zalo/bot{token}"
        self.session = session

    async def __call__(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        async with self.session.post(f"{self.url}/{method}", json=params) as resp:
            return resp.status, await resp.json(content_type=None)

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self(method, **params)
        assert status == 200 and body["ok"], (method, status, body)
        return body["result"]


class Receiver:
    """A webhook endpoint that records (secret header, update) and can fail its first answers."""

    def __init__(self) -> None:
        self.received: list[tuple[str | None, dict[str, Any]]] = []
        self.fail_next = 0
        self.arrived = asyncio.Event()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        if self.fail_next > 0:
            self.fail_next -= 1
            return web.Response(status=500)
        self.received.append((request.headers.get("X-Bot-Api-Secret-Token"), await request.json()))
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

"""Helpers for the Zalo side of the sandbox's tests: a raw Zalo Bot API caller (JSON bodies, as Zalo
takes them); the fixtures are in conftest.py, the webhook receiver in receiver.py."""

from __future__ import annotations

from typing import Any

import aiohttp

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

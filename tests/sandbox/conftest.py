"""Fixtures: a fresh sandbox per test on 127.0.0.1, its control client, and a raw Bot API caller
that sends parameters the way python-telegram-bot does (form-encoded strings, JSON for objects);
for the Zalo side, a raw Zalo caller, a Zalo user and a webhook receiver."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from sandbox import Limits, SandboxClient, SandboxServer
from tests.sandbox.receiver import Receiver, receiving
from tests.sandbox.zalo_helpers import ZALO_USER, ZaloApi

TOKEN = "123456:TEST"
USER = 1001


class BotApi:
    """`await api("sendMessage", chat_id=1, text="x")` -> (HTTP status, JSON body)."""

    def __init__(self, base_url: str, session: aiohttp.ClientSession, token: str = TOKEN) -> None:
        self.url = f"{base_url}/bot{token}"
        self.session = session

    async def __call__(
        self, method: str, _files: dict[str, tuple[str, bytes]] | None = None, **params: Any
    ) -> tuple[int, dict[str, Any]]:
        fields = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items() if v is not None}
        if _files:
            form = aiohttp.FormData()
            for k, v in fields.items():
                form.add_field(k, v)
            for k, (name, data) in _files.items():
                form.add_field(k, data, filename=name, content_type="application/octet-stream")
            body: Any = form
        else:
            body = fields
        async with self.session.post(f"{self.url}/{method}", data=body) as resp:
            return resp.status, await resp.json(content_type=None)

    async def ok(self, method: str, _files: dict[str, tuple[str, bytes]] | None = None, **params: Any) -> Any:
        status, body = await self(method, _files, **params)
        assert status == 200 and body["ok"], (method, status, body)
        return body["result"]


@pytest.fixture
def limits() -> Limits:
    return Limits()


@pytest.fixture
async def server(limits: Limits) -> AsyncIterator[SandboxServer]:
    srv = SandboxServer(limits)
    await srv.start()
    yield srv
    await srv.stop()
    assert srv.spec_violations == [], srv.spec_violations
    assert srv.internal_errors == [], srv.internal_errors


@pytest.fixture
async def client(server: SandboxServer) -> AsyncIterator[SandboxClient]:
    async with SandboxClient(server.base_url) as c:
        yield c


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def api(server: SandboxServer, http: aiohttp.ClientSession) -> BotApi:
    return BotApi(server.base_url, http)


@pytest.fixture
async def user(client: SandboxClient) -> int:
    await client.add_user(USER, "Lan", "Nguyễn", username="lan_nguyen")
    return USER


@pytest.fixture
async def zapi(server: SandboxServer, http: aiohttp.ClientSession) -> ZaloApi:
    return ZaloApi(server.base_url, http)


@pytest.fixture
async def zuser(client: SandboxClient) -> str:
    await client.zalo.add_user(ZALO_USER, "Nguyễn Thị Lan")
    return ZALO_USER


@pytest.fixture
async def zreceiver() -> AsyncIterator[Receiver]:
    async with receiving("X-Bot-Api-Secret-Token") as rec:
        yield rec

"""With a webhook server running, the file links are served on its port, beside the updates."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from bot.app import build_application
from bot.chat.replies import Document
from bot.clock import FakeClock
from bot.commands.webhook_server import webhook_app
from bot.settings import Settings
from storage import Storage
from storage.models import Role


async def test_the_webhook_server_also_serves_file_links(tmp_path: Path, clock: FakeClock) -> None:
    settings = Settings(_env_file=None, database_path=tmp_path / "baocao.db",
                        public_base_url="https://baocao.example.vn", file_link_secret="s" * 32)
    application = build_application(settings, token="123:ABC", clock=clock, rate_limiter=False)
    storage = await Storage.open(settings.database_path)
    application.services.attach_storage(storage)
    runner = web.AppRunner(webhook_app(application, "hook", "secret-123"))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        person = await storage.people.get_or_create(42, clock.now(), "Trần Thị B")
        await storage.people.add_membership(person.id, Role.ADMIN, None, clock.now())
        links = application.services.file_links
        assert links is not None
        url = await links.file_link(person, Document("tong-hop.xlsx", b"xlsx bytes"))
        port = runner.addresses[0][1]
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}{urlsplit(url).path}") as resp:
                assert (resp.status, await resp.read()) == (200, b"xlsx bytes")
            async with http.post(f"http://127.0.0.1:{port}/hook") as resp:
                assert resp.status == 403  # the webhook itself still wants its secret
    finally:
        await runner.cleanup()
        await storage.close()

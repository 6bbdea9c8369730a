"""The Zalo channel in the test's process, over real HTTP to the sandbox's Zalo side and a real
SQLite file: Thái Nguyên's units, Lan (Phúc Lộc) and Bình (another commune) reporting on Zalo, Sơn
supervising the province on Zalo; a second province (Lai Châu, 12) for the access tests."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.domain.forms import WEEKLY_FORM_ID, load_forms
from bot.files.server import serve_local_files
from bot.reporting.form_versions import remember_forms
from bot.services import Services
from bot.settings import Settings
from handlers.zalo.channel import ZaloChannel
from handlers.zalo.client import ZaloBotClient
from handlers.zalo.files import no_file_link
from sandbox import SandboxClient, SandboxServer
from storage import Storage
from storage.models import Person, Role, Unit
from tests.e2e.zalo_world import ZALO_BINH, ZALO_LAN, ZALO_SON, ZaloChat, zalo_official
from tests.integration.seed import load_units

ZALO_TOKEN = "654321:ZALOTEST"


@dataclass
class ZaloWorld:
    server: SandboxServer
    client: SandboxClient
    storage: Storage
    channel: ZaloChannel
    units: dict[str, Unit]
    people: dict[str, Person]

    def chat(self, user_id: str) -> ZaloChat:
        return ZaloChat(self.client.zalo, user_id)


@pytest.fixture
async def zalo_world(tmp_path: Path) -> AsyncIterator[ZaloWorld]:
    async with running_world(tmp_path) as world:
        yield world


@contextlib.asynccontextmanager
async def running_world(tmp_path: Path, *, webhook: tuple[str, str, int] | None = None,
                        templates: Path | None = None, all_forms: bool = False,
                        file_links: bool = False) -> AsyncIterator[ZaloWorld]:
    """The world, its channel polling — or serving the webhook (url, secret, port) when given.
    ``templates``: a templates folder (its forms/ and .docx) instead of the project's, all its forms;
    ``all_forms``: every form of the project (else the weekly one alone); ``file_links``: files
    offered as links the bot serves on a local port (bot.files), else as "made, no link"."""
    server = SandboxServer()
    base = await server.start()
    client = SandboxClient(base)
    folders = {} if templates is None else {"templates_dir": templates, "forms_dir": templates / "forms"}
    settings = Settings(_env_file=None, database_path=tmp_path / "baocao.db", **folders)  # type: ignore[call-arg]
    storage = await Storage.open(settings.database_path)
    forms = load_forms(settings.forms_dir)
    if templates is None and not all_forms:
        # The weekly form alone: on the real clock, from the 20th to the 24th the monthly report is open too.
        forms = {WEEKLY_FORM_ID: forms[WEEKLY_FORM_ID]}
    services = Services(settings=settings, clock=SystemClock(settings.tz), forms=forms)
    services.attach_storage(storage)
    files = await serve_local_files(services, host="127.0.0.1") if file_links else None
    await remember_forms(services)
    communes = await load_units(storage)
    await load_units(storage, "12")
    units = {"mine": next(u for u in communes if u.name == "Phúc Lộc"), "other": communes[1],
             "province": await storage.units.get("19"), "elsewhere": next(
                 u for u in await storage.units.list_communes("12"))}
    people = {
        "lan": await zalo_official(storage, ZALO_LAN, "Nguyễn Thị Lan", Role.REPORTER, units["mine"]),
        "binh": await zalo_official(storage, ZALO_BINH, "Lê Văn Bình", Role.REPORTER, units["other"]),
        "son": await zalo_official(storage, ZALO_SON, "Trần Văn Sơn", Role.SUPERVISOR, units["province"]),
    }
    for user_id, name in ((ZALO_LAN, "Lan"), (ZALO_BINH, "Bình"), (ZALO_SON, "Sơn")):
        await client.zalo.add_user(user_id, name)
    zalo = ZaloBotClient(ZALO_TOKEN, base_url=f"{base}/zalo", request_timeout=3.0, poll_margin=2.0)
    links = services.file_links
    channel = ZaloChannel(services, zalo, file_link=links.for_identity if files and links else no_file_link)
    stop = asyncio.Event()
    if webhook is None:
        polling = asyncio.create_task(channel.run_polling(stop, timeout=1))
    else:
        url, secret, port = webhook
        await channel.start_webhook(url=url, secret=secret, listen="127.0.0.1", port=port)
        polling = asyncio.create_task(stop.wait())
    try:
        yield ZaloWorld(server, client, storage, channel, units, people)  # type: ignore[arg-type]
    finally:
        stop.set()
        await asyncio.wait_for(polling, 10)
        await channel.stop_webhook()
        await channel.close()
        if files is not None:
            await files.cleanup()
        await storage.close()
        await client.close()
        await server.stop()

"""File links over real HTTP: a link works for its time and for its person only, a changed or
expired one is refused with a Vietnamese page, and every fetch is in the audit log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
from aiohttp import web

from bot.chat.replies import Document, Picture
from bot.clock import VN_TZ, FakeClock
from bot.files.links import FileLinks
from bot.files.server import start_file_server
from bot.services import Services
from bot.settings import Settings
from storage import Storage
from storage.models import Person, Role

SECRET = "x" * 40
DOCX = b"PK\x03\x04 a real .docx would be longer"


class World:
    def __init__(self, links: FileLinks, services: Services, base: str, person: Person) -> None:
        self.links, self.services, self.base, self.person = links, services, base, person

    async def get(self, url: str) -> tuple[int, bytes, dict[str, str]]:
        local = self.base + urlsplit(url).path  # the public address is a proxy's; the test asks the server
        async with aiohttp.ClientSession() as http, http.get(local) as resp:
            return resp.status, await resp.read(), dict(resp.headers)


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    clock = FakeClock(datetime(2026, 12, 7, 9, 0, tzinfo=VN_TZ))
    settings = Settings(_env_file=None, database_path=tmp_path / "baocao.db",
                        public_base_url="https://baocao.example.vn/", file_link_secret=SECRET)
    storage = await Storage.open(settings.database_path)
    services = Services(settings=settings, clock=clock, forms={})
    services.attach_storage(storage)
    person = await storage.people.get_or_create(5001, clock.now(), "Nguyễn Văn A")
    await storage.people.add_membership(person.id, Role.ADMIN, None, clock.now())
    links = FileLinks.from_settings(settings, clock)
    assert links is not None
    runner: web.AppRunner = await start_file_server(links, services, listen="127.0.0.1", port=0)
    port = runner.addresses[0][1]
    try:
        yield World(links, services, f"http://127.0.0.1:{port}", person)
    finally:
        await runner.cleanup()
        await storage.close()


async def test_a_link_serves_its_file_for_its_time_and_each_fetch_is_logged(world: World) -> None:
    url = await world.links.file_link(world.person, Document("bao-cao-tuan-50.docx", DOCX))
    assert url.startswith(f"https://baocao.example.vn/tep/{world.person.id}/")
    assert url.endswith("/bao-cao-tuan-50.docx")
    status, body, headers = await world.get(url)
    assert (status, body) == (200, DOCX)
    assert headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert 'attachment; filename="bao-cao-tuan-50.docx"' == headers["Content-Disposition"]
    assert "no-store" in headers["Cache-Control"]

    assert isinstance(world.services.clock, FakeClock)
    world.services.clock.advance(timedelta(days=7) - timedelta(minutes=1))
    assert (await world.get(url))[0] == 200  # still good a minute before the 7 days end

    fetches = await world.services.storage.audit.recent(action="file_link.fetch")
    assert len(fetches) == 2
    assert fetches[0].subject == f"person:{world.person.id}"
    assert isinstance(fetches[0].detail, dict)
    assert fetches[0].detail["name"] == "bao-cao-tuan-50.docx" and fetches[0].detail["size"] == len(DOCX)
    assert fetches[0].detail["address"] == "127.0.0.1"


async def test_an_expired_link_is_refused_with_410_and_a_vietnamese_page(world: World) -> None:
    url = await world.links.file_link(world.person, Document("bao-cao.docx", DOCX))
    assert isinstance(world.services.clock, FakeClock)
    world.services.clock.advance(timedelta(days=7))
    status, body, headers = await world.get(url)
    assert status == 410
    assert "đã hết hạn" in body.decode("utf-8") and headers["Content-Type"].startswith("text/html")
    refused = await world.services.storage.audit.recent(action="file_link.refused")
    assert [entry.detail["reason"] for entry in refused if isinstance(entry.detail, dict)] == ["expired"]
    assert await world.services.storage.audit.recent(action="file_link.fetch") == []


@pytest.mark.parametrize("part", [2, 3, 4, 5, 6])  # person, file, expiry, signature, name
async def test_a_link_changed_anywhere_is_refused_with_403(world: World, part: int) -> None:
    url = await world.links.file_link(world.person, Document("bao-cao.docx", DOCX))
    pieces = urlsplit(url).path.split("/")  # ['', 'tep', person, file, expires, signature, name]
    other = await world.links.file_link(world.person, Document("khac.docx", b"another file"))
    changed = {2: str(world.person.id + 1), 3: urlsplit(other).path.split("/")[3],
               4: str(int(pieces[4]) + 86400 * 30), 5: pieces[5][:-1] + ("A" if pieces[5][-1] != "A" else "B"),
               6: "khac.docx"}[part]
    pieces[part] = changed
    status, body, _ = await world.get("https://x" + "/".join(pieces))
    assert status == 403
    assert "không hợp lệ" in body.decode("utf-8")
    assert await world.services.storage.audit.recent(action="file_link.fetch") == []


async def test_a_person_who_lost_their_role_can_no_longer_fetch(world: World) -> None:
    url = await world.links.file_link(world.person, Document("bao-cao.docx", DOCX))
    storage = world.services.storage
    for membership in await storage.people.memberships_of(world.person.id):
        await storage.people.revoke_membership(membership.id, world.services.clock.now())
    status, body, _ = await world.get(url)
    assert status == 403 and "không còn quyền" in body.decode("utf-8")


async def test_a_chart_is_served_inline_as_a_png_for_sendphoto(world: World) -> None:
    png = b"\x89PNG\r\n\x1a\n a chart"
    url = await world.links.picture_link(world.person, Picture(png, "Biểu đồ"))
    status, body, headers = await world.get(url)
    assert (status, body, headers["Content-Type"]) == (200, png, "image/png")
    assert headers["Content-Disposition"].startswith("inline")


async def test_without_public_base_url_there_are_no_links(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, database_path=tmp_path / "b.db")
    assert FileLinks.from_settings(settings, FakeClock(datetime(2026, 1, 1, tzinfo=VN_TZ))) is None


def test_public_base_url_needs_a_long_enough_secret(tmp_path: Path) -> None:
    from bot.settings import SettingsError, load_settings

    with pytest.raises(SettingsError, match="FILE_LINK_SECRET is required"):
        load_settings(_env_file=None, public_base_url="https://baocao.example.vn")
    with pytest.raises(SettingsError, match="at least 32 characters"):
        load_settings(_env_file=None, public_base_url="https://baocao.example.vn", file_link_secret="short")


async def test_the_zalo_channels_call_binds_the_link_to_the_identitys_person(world: World) -> None:
    from bot.chat.access import identity_of

    identity = await identity_of(world.services.storage, world.person, messenger="zalo")
    url = await world.links.for_identity(identity, "tong-hop.xlsx", b"xlsx")
    assert url is not None and f"/tep/{world.person.id}/" in url
    assert (await world.get(url))[:2] == (200, b"xlsx")


async def test_the_demo_serves_links_on_a_free_local_port(tmp_path: Path) -> None:
    from bot.files.server import serve_local_files

    clock = FakeClock(datetime(2026, 12, 7, 9, 0, tzinfo=VN_TZ))
    settings = Settings(_env_file=None, database_path=tmp_path / "demo.db")
    storage = await Storage.open(settings.database_path)
    services = Services(settings=settings, clock=clock, forms={})
    services.attach_storage(storage)
    runner = await serve_local_files(services, host="127.0.0.1")
    try:
        person = await storage.people.get_or_create(5002, clock.now(), "Lê Văn C")
        await storage.people.add_membership(person.id, Role.ADMIN, None, clock.now())
        assert services.file_links is not None
        url = await services.file_links.file_link(person, Document("a.docx", DOCX))
        assert url.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as http, http.get(url) as resp:
            assert (resp.status, await resp.read()) == (200, DOCX)
    finally:
        await runner.cleanup()
        await storage.close()

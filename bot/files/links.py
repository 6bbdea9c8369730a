"""File links: what a channel without files (Zalo) sends instead of a .docx, .xlsx or chart.

    links = FileLinks.from_settings(settings, clock)      # None without PUBLIC_BASE_URL
    url = await links.file_link(person, document)         # https://…/tep/12/<id>/<expires>/<sig>/bao-cao.docx
    photo = await links.picture_link(person, picture)     # the chart, for Zalo's sendPhoto by URL
    url = await links.for_identity(identity, "bao-cao.docx", content)   # the Zalo channel's FileLink

Each call keeps the bytes (bot.files.store) and signs a link for that person that expires after
FILE_LINK_DAYS (bot.files.signing); bot.files.server serves it and logs each fetch."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Protocol
from urllib.parse import quote

from bot.chat.access import Identity
from bot.chat.replies import Document, Picture
from bot.clock import Clock
from bot.files.signing import LinkClaims, sign
from bot.files.store import FileStore
from bot.settings import Settings

PATH_PREFIX = "tep"  # Vietnamese "tệp", file
PICTURE_NAME = "bieu-do.png"  # a chart's file name (Vietnamese "biểu đồ", chart)
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class HasId(Protocol):
    """A person record (storage.models.Person): only its id is read."""

    @property
    def id(self) -> int: ...


def safe_name(filename: str) -> str:
    """The name as it travels in the link: ASCII letters, digits, '.', '-', '_' (others become '-')."""
    cleaned = _UNSAFE.sub("-", filename).strip("-.") or "tep"
    return cleaned[:120]


class FileLinks:
    def __init__(self, base_url: str, key: bytes, store: FileStore, clock: Clock, ttl: timedelta) -> None:
        self.base_url = base_url.rstrip("/")
        self.key = key
        self.store = store
        self.clock = clock
        self.ttl = ttl

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock) -> FileLinks | None:
        """The links of PUBLIC_BASE_URL, signed with FILE_LINK_SECRET; None when it is not set."""
        if settings.public_base_url is None or settings.file_link_secret is None:
            return None
        return cls(
            str(settings.public_base_url), settings.file_link_secret.get_secret_value().encode("utf-8"),
            FileStore.beside(settings.database_path), clock, timedelta(days=settings.file_link_days),
        )

    async def file_link(self, person: HasId, document: Document) -> str:
        return await self._link(person.id, document.content, document.filename)

    async def picture_link(self, person: HasId, picture: Picture) -> str:
        return await self._link(person.id, picture.content, PICTURE_NAME)

    async def for_identity(self, identity: Identity, filename: str, content: bytes) -> str | None:
        """The Zalo channel's call (handlers.zalo.files.FileLink): a link for the identity's person
        to ``content`` as ``filename``; None for someone without a person record (nobody to bind
        the link to)."""
        if identity.person is None:
            return None
        return await self._link(identity.person.id, content, filename)

    async def _link(self, person_id: int, content: bytes, filename: str) -> str:
        file_id = await self.store.put(content)
        expires = int((self.clock.now() + self.ttl).timestamp())
        claims = LinkClaims(person_id, file_id, expires, safe_name(filename))
        return self.url_of(claims)

    def url_of(self, claims: LinkClaims) -> str:
        signature = sign(claims, self.key)
        return (f"{self.base_url}/{PATH_PREFIX}/{claims.person_id}/{claims.file_id}/{claims.expires}/"
                f"{signature}/{quote(claims.filename)}")

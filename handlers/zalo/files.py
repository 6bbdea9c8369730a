"""How the Zalo channel offers a file (Zalo takes no uploads): a link to a download the bot serves
itself. ``FileLink`` is the call the channel needs; bot.files.links.FileLinks.for_identity (signed,
expiring, per person) implements it when PUBLIC_BASE_URL is set; ``services_file_link`` finds the
services' links at each call (the demo installs its local ones after the channel is made).
``no_file_link`` serves without them: no link, so the channel says the file was made."""

from __future__ import annotations

from typing import Protocol

from bot.chat.access import Identity
from bot.services import Services


class FileLink(Protocol):
    async def __call__(self, identity: Identity, filename: str, content: bytes) -> str | None:
        """A link (https, for that person only) to download ``content`` as ``filename``; None
        when the bot cannot serve files."""


async def no_file_link(identity: Identity, filename: str, content: bytes) -> str | None:
    """The stand-in: the bot serves no files yet."""
    return None


def services_file_link(services: Services) -> FileLink:
    """The links of ``services.file_links`` as they are when a file is offered; none: no link."""

    async def link(identity: Identity, filename: str, content: bytes) -> str | None:
        links = services.file_links
        if links is None:
            return None
        return await links.for_identity(identity, filename, content)

    return link

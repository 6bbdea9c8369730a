"""How the Zalo channel offers a file (Zalo takes no uploads): a link to a download the bot serves
itself. ``FileLink`` is the call the channel needs; bot.files.links.FileLinks.for_identity (signed,
expiring, per person) implements it when PUBLIC_BASE_URL is set. ``no_file_link`` serves without
it: no link, so the channel says the file was made."""

from __future__ import annotations

from typing import Protocol

from bot.chat.access import Identity


class FileLink(Protocol):
    async def __call__(self, identity: Identity, filename: str, content: bytes) -> str | None:
        """A link (https, for that person only) to download ``content`` as ``filename``; None
        when the bot cannot serve files."""


async def no_file_link(identity: Identity, filename: str, content: bytes) -> str | None:
    """The stand-in: the bot serves no files yet."""
    return None

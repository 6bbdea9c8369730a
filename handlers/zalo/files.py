"""How the Zalo channel offers a file (Zalo takes no uploads): a link to a download the bot serves
itself. ``FileLink`` is the call the channel needs; the signed, expiring, per-person links (issue
17, item 2) implement it. ``no_file_link`` stands in until then: no link, so the channel says the
file was made and will be linked once the bot's file server is on."""

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

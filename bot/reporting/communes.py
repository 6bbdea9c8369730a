"""The communes a reporter reports for, as stored units."""

from __future__ import annotations

from bot.chat.access import Identity
from storage import Storage
from storage.models import Unit


async def reporter_communes(storage: Storage, identity: Identity) -> list[Unit]:
    """The communes this person reports for (``Identity.communes``), as units."""
    units = await storage.units.get_many(identity.communes)
    return [units[c] for c in identity.communes if c in units]

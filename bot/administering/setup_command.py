"""``/caidat``: which settings its words are about — the provincial rollup's (``/caidat tonghop …``,
and anything a supervisor types, who has nothing else to set) or a commune's report's."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.administering import report_settings, rollup_settings
from bot.chat.access import Identity
from bot.chat.replies import Reply
from bot.domain.forms import Form
from storage import Storage


async def caidat(storage: Storage, identity: Identity, arguments: str, *, now: datetime,
                 forms: Mapping[str, Form] | None = None) -> list[Reply]:
    """``arguments``: what follows the command, as typed (line breaks kept); ``forms``: the forms
    loaded (the variants an admin may choose)."""
    rollup = rollup_settings.rollup_args(arguments)
    if rollup is None and identity.provinces and not identity.communes and not identity.is_admin:
        rollup = arguments  # a supervisor has only the rollup to set
    if rollup is not None:
        return await rollup_settings.configure(storage, identity, rollup, now=now)
    return await report_settings.configure(storage, identity, arguments.split(), now=now, forms=forms)

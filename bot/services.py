"""What handlers and jobs reach through the context: settings, clock, storage, forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.domain.forms import Form
    from storage import Storage


@dataclass
class Services:
    settings: Settings
    clock: Clock
    forms: dict[str, Form]
    _storage: Storage | None = field(default=None, repr=False)

    @property
    def storage(self) -> Storage:
        if self._storage is None:
            raise RuntimeError("storage is not open: the application is not initialized")
        return self._storage

    def attach_storage(self, storage: Storage | None) -> None:
        self._storage = storage

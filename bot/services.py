"""What handlers and jobs reach through the context: settings, clock, storage, forms."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.clock import Clock
from bot.domain.form_versions import FormVersions
from bot.files.links import FileLinks
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
    versions: FormVersions = field(default_factory=FormVersions)  # every version known, by (id, version)
    file_links: FileLinks | None = None  # links to files (Zalo); from PUBLIC_BASE_URL unless given

    def __post_init__(self) -> None:
        for form in self.forms.values():
            self.versions.add(form)
        if self.file_links is None:
            self.file_links = FileLinks.from_settings(self.settings, self.clock)

    def form_of(self, form_id: str, version: int) -> Form:
        """The form a report answered: the current one when it is that version, else the older
        version kept (a form's version unknown here falls back to the current one)."""
        current = self.forms.get(form_id)
        if current is not None and (current.version == version or (form_id, version) not in self.versions):
            return current
        return self.versions.get(form_id, version)

    @property
    def storage(self) -> Storage:
        if self._storage is None:
            raise RuntimeError("storage is not open: the application is not initialized")
        return self._storage

    def attach_storage(self, storage: Storage | None) -> None:
        self._storage = storage

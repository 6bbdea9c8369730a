"""Keeping every version of every form: the text of each version loaded is stored once, and the
older versions stored are read back, so a report renders with the version it answered."""

from __future__ import annotations

import logging

from bot.domain.form_versions import read_form_files
from bot.domain.forms import FormError
from bot.services import Services

log = logging.getLogger(__name__)


async def remember_forms(services: Services) -> list[str]:
    """Store the text of the form files' versions not stored yet and load the older versions
    into ``services.versions``; returns the ids of forms whose file changed without a new version
    (the stored text of that version is kept: raise ``version`` when changing a form)."""
    storage = services.storage
    now = services.clock.now()
    changed: list[str] = []
    for form, text in read_form_files(services.settings.forms_dir, services.forms):
        record = await storage.form_versions.record(form.id, form.version, form.title, text, now)
        if record.source != text:
            changed.append(form.id)
            log.warning("form %s changed without a new version (still %d): raise its version", form.id, form.version)
    for record in await storage.form_versions.all():
        if (record.form_id, record.version) in services.versions:
            continue
        try:
            services.versions.add_text(record.source, f"{record.form_id} (version {record.version})")
        except FormError:
            log.exception("stored version %d of form %s cannot be read", record.version, record.form_id)
    return changed

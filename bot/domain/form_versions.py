"""Every version of every form the bot knows, by (id, version): the files' current versions and
the older ones read back from their stored text, so that a report renders with the version of
its form it answered."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from bot.domain.form_variants import resolve as resolve_variant
from bot.domain.forms import Form, bases_of, form_of_file, parse_form, read_folder
from bot.domain.yaml_files import dump_yaml


class FormVersions:
    """Forms by (id, version). ``add`` a loaded form; ``add_text`` an older version's file text."""

    def __init__(self, forms: Iterable[Form] = ()) -> None:
        self._forms: dict[tuple[str, int], Form] = {}
        for form in forms:
            self.add(form)

    def add(self, form: Form) -> None:
        self._forms.setdefault((form.id, form.version), form)

    def add_text(self, text: str, source: str) -> Form:
        """Read a stored version back (``source`` names it in errors: a :class:`FormError`)."""
        form = parse_form(text, source)
        self.add(form)
        return form

    def get(self, form_id: str, version: int) -> Form:
        try:
            return self._forms[(form_id, version)]
        except KeyError:
            known = ", ".join(str(v) for i, v in sorted(self._forms) if i == form_id) or "none"
            raise KeyError(f"form {form_id!r} has no version {version} (known: {known})") from None

    def versions(self, form_id: str) -> list[int]:
        return sorted(version for ident, version in self._forms if ident == form_id)

    def __contains__(self, key: object) -> bool:
        return key in self._forms


def read_form_files(directory: str | Path, loaded: Mapping[str, Form] | None = None) -> list[tuple[Form, str]]:
    """Each form file of a directory with its text (to keep the text of each version); a variant's
    text is its resolved form (the form it extends with its changes), readable on its own later.
    A form already ``loaded`` from these files at start-up (same id and version) is taken as it is,
    not checked a second time."""
    files = read_folder(directory)
    bases = bases_of(files)
    found: list[tuple[Form, str]] = []
    for file in files:
        _, text, data = file
        ident = data.get("id")
        known = loaded.get(ident) if loaded is not None and isinstance(ident, str) else None
        form = known if known is not None and known.version == data.get("version", 1) else form_of_file(file, bases)
        if form.is_variant:
            resolved, _ = resolve_variant(data, bases)
            text = dump_yaml(resolved)
        found.append((form, text))
    return found

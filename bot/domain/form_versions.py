"""Every version of every form the bot knows, by (id, version): the files' current versions and
the older ones read back from their stored text, so that a report renders with the version of
its form it answered."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import yaml

from bot.domain.form_variants import resolve as resolve_variant
from bot.domain.forms import Form, FormError, form_mappings, parse_form
from bot.domain.yaml_files import load_yaml


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


def read_form_files(directory: str | Path) -> list[tuple[Form, str]]:
    """Each form file of a directory with its text (to keep the text of each version); a variant's
    text is its resolved form (the form it extends with its changes), readable on its own later."""
    found: list[tuple[Form, str]] = []
    bases = form_mappings(directory)
    for path in sorted([*Path(directory).glob("*.yaml"), *Path(directory).glob("*.yml")]):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise FormError(path.name, [f"cannot be read ({error.strerror or error})"]) from None
        form = parse_form(text, path.name, bases=bases)
        if form.is_variant:
            resolved, _ = resolve_variant(load_yaml(text), bases)
            text = yaml.safe_dump(resolved, allow_unicode=True, sort_keys=False)
        found.append((form, text))
    return found

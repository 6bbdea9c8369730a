"""Reading the project's YAML files (forms, themes, the catalogue) with PyYAML's safe loader, in C
(libyaml) where PyYAML has it: the pure-Python one takes a quarter of a second at every start."""

from __future__ import annotations

from typing import IO, Any

import yaml

_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(source: str | bytes | IO[str] | IO[bytes]) -> Any:
    """The data of a YAML document, as ``yaml.safe_load`` reads it; raises ``yaml.YAMLError``."""
    return yaml.load(source, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader

"""Reading the project's YAML files (forms, themes, the catalogue) with PyYAML's safe loader, and
writing YAML with its safe dumper, in C (libyaml) where PyYAML has it: the pure-Python one takes a
quarter of a second at every start."""

from __future__ import annotations

from typing import IO, Any

import yaml

_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SAFE_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def load_yaml(source: str | bytes | IO[str] | IO[bytes]) -> Any:
    """The data of a YAML document, as ``yaml.safe_load`` reads it; raises ``yaml.YAMLError``."""
    return yaml.load(source, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader


def dump_yaml(data: Any) -> str:
    """``data`` as ``yaml.safe_dump(data, allow_unicode=True, sort_keys=False)`` writes it, in C
    where PyYAML has it (a resolved form variant at every start)."""
    return yaml.dump(data, Dumper=_SAFE_DUMPER, allow_unicode=True, sort_keys=False)

"""The message catalogue: every sentence a person reads, in Vietnamese, kept in
``templates/messages.yaml`` and looked up by a dotted key with named parameters.

    say("template.too_slow", seconds=10)

Keys are written as string literals where they are used, so a test can prove that every key used
exists and every key in the catalogue is used."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from string import Formatter
from typing import Any

from bot.domain.yaml_files import load_yaml

CATALOGUE_PATH = Path(__file__).resolve().parents[2] / "templates" / "messages.yaml"


class CatalogueError(LookupError):
    """A key the catalogue lacks, or a parameter its sentence needs and was not given."""


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in tree.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, key + "."))
        elif isinstance(value, str):
            flat[key] = value
        else:
            raise CatalogueError(f"{CATALOGUE_PATH.name}: {key} is not a sentence")
    return flat


@lru_cache(maxsize=1)
def catalogue() -> dict[str, str]:
    """Every key of the catalogue with its sentence (read once)."""
    with CATALOGUE_PATH.open(encoding="utf-8") as handle:
        tree = load_yaml(handle) or {}
    if not isinstance(tree, Mapping):
        raise CatalogueError(f"{CATALOGUE_PATH.name} must be a mapping of keys to sentences")
    return _flatten(tree)


def parameters(key: str) -> set[str]:
    """The names a sentence takes, e.g. {"seconds"} for "… {seconds} giây"."""
    return {name for _, name, _, _ in Formatter().parse(sentence(key)) if name}


def sentence(key: str) -> str:
    """The sentence of ``key`` with its ``{parameters}`` left in place."""
    try:
        return catalogue()[key]
    except KeyError:
        raise CatalogueError(f"no message {key!r} in {CATALOGUE_PATH.name}") from None


def say(key: str, /, **params: object) -> str:
    """The sentence of ``key`` with its parameters filled in."""
    try:
        return sentence(key).format_map(params)
    except KeyError as exc:
        raise CatalogueError(f"message {key!r} needs the parameter {exc.args[0]!r}") from None

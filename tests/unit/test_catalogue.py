"""The message catalogue: every key used in the code exists with the parameters given, and every
key in the catalogue is used somewhere."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.chat.catalogue import CatalogueError, catalogue, parameters, say

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "storage", "sandbox")


def _calls() -> list[tuple[str, str, set[str] | None]]:
    """Every say("key", …) / sentence("key") call with a literal key: (where, key, the parameters
    given, or None when they are passed as **mapping)."""
    found: list[tuple[str, str, set[str] | None]] = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name not in {"say", "sentence"} or not node.args:
                    continue
                first = node.args[0]
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    given = None if any(k.arg is None for k in node.keywords) else {
                        k.arg for k in node.keywords if k.arg}
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno}", first.value, given))
    return found


def _literal_keys() -> set[str]:
    """Keys written as string literals anywhere in the code (tables of keys count as uses)."""
    keys = set(catalogue())
    used: set[str] = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in keys:
                    used.add(node.value)
    return used


def test_every_key_used_exists_with_its_parameters() -> None:
    problems = []
    for where, key, given in _calls():
        if key not in catalogue():
            problems.append(f"{where}: {key} is not in the catalogue")
        elif given is not None and given != parameters(key):
            problems.append(f"{where}: {key} takes {sorted(parameters(key))}, given {sorted(given)}")
    assert not problems, "\n".join(problems)


def test_every_key_in_the_catalogue_is_used() -> None:
    unused = sorted(set(catalogue()) - _literal_keys())
    assert not unused, f"keys never used: {unused}"


def test_a_missing_key_or_parameter_is_named() -> None:
    with pytest.raises(CatalogueError, match="no message"):
        say("no.such.key")
    for key in catalogue():
        if parameters(key):
            with pytest.raises(CatalogueError, match="needs the parameter"):
                say(key)
            break

"""Form variants: a form file that ``extends`` another (a province's own outline of the weekly report).

A variant names the form it extends and changes only what differs; the result is an ordinary form
mapping, checked like any form file. Besides ``id`` (its own), ``title``, ``version``, ``template``
(its .docx) and any other top-level key (replaced as a whole), each list of the form —
``sections``, ``fields``, ``derived``, ``rates``, ``checks`` and the rollup's ``figures`` — takes
either a whole new list or a patch::

    fields:
      remove: [difficulties]                    # ids dropped
      rename: {proposals: Đề xuất}              # a new label
      change: {legal: {help: "…"}}              # keys replaced in an item
      add:                                      # new items, after (or before) an id, else at the end
        - {id: other_content, label: Nội dung khác, kind: text, after: resources}
      order: [carried_over, …]                  # the ids in a new order (every id, once)

An entry left referring to an id the variant removed makes the variant fail with a message that
says so (remove or change that entry too). A variant is never scheduled on its own: its reports
belong to the periods of the form it extends. Nothing here reads files; :mod:`bot.domain.forms`
gives the bases.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

PATCHED_LISTS = ("sections", "fields", "derived", "rates", "checks")
PATCH_KEYS = frozenset({"remove", "rename", "change", "add", "order"})
_REFERENCE = re.compile(r"unknown id '(?:previous\.)?([a-z][a-z0-9_]*)'")
_NAMES = {"sections": "section", "fields": "field", "derived": "derived", "rates": "rate", "checks": "check",
          "figures": "rollup figure"}


class VariantError(ValueError):
    """A variant that cannot be resolved; ``problems`` lists what is wrong, one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def extends_of(data: Mapping[str, Any]) -> str | None:
    """The id of the form a form mapping extends (None: an ordinary form)."""
    base = data.get("extends")
    return base if isinstance(base, str) and base.strip() else None


def resolve(data: Mapping[str, Any], bases: Mapping[str, Mapping[str, Any]]) -> tuple[dict[str, Any], set[str]]:
    """The variant ``data`` applied to its base (found in ``bases``, by form id; a base that is a
    variant itself is resolved first), and the ids it removed. Raises :class:`VariantError`
    naming each problem."""
    return _resolve(data, bases, ())


def _resolve(data: Mapping[str, Any], bases: Mapping[str, Mapping[str, Any]],
             chain: tuple[str, ...]) -> tuple[dict[str, Any], set[str]]:
    base_id = extends_of(data)
    if base_id is None:
        return dict(data), set()
    own = str(data.get("id", ""))
    if base_id == own or base_id in chain:
        raise VariantError([f"extends: '{base_id}' extends itself (through {' → '.join((*chain, own))})"])
    if base_id not in bases:
        known = ", ".join(sorted(ident for ident in bases if ident != own)) or "none"
        raise VariantError([f"extends: unknown form '{base_id}' (known: {known})"])
    base, removed_before = _resolve(bases[base_id], bases, (*chain, own))
    result, removed = apply(base, data)
    return result, removed | removed_before


def apply(base: Mapping[str, Any], variant: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """The base form mapping with the variant's changes (see the module docstring), and the ids
    the variant removed."""
    problems: list[str] = []
    result = copy.deepcopy(dict(base))
    result.pop("rollup", None)
    result["variant_of"] = base.get("variant_of") or variant["extends"]  # the scheduled form at the root
    result["scheduled"] = False  # the base's periods carry the variant's reports
    removed: set[str] = set()
    for key, value in variant.items():
        if key in PATCHED_LISTS:
            result[key] = _patch_list(key, base.get(key) or [], value, problems, removed)
        elif key == "rollup":
            continue
        elif key not in ("extends", "variant_of"):
            result[key] = copy.deepcopy(value)
    rollup = _rollup(base.get("rollup"), variant.get("rollup"), problems, removed)
    if rollup is not None:
        result["rollup"] = rollup
    if problems:
        raise VariantError(problems)
    return result, removed


def _rollup(base: Any, patch: Any, problems: list[str], removed: set[str]) -> Any:
    if patch is None:
        return copy.deepcopy(base)
    if not isinstance(patch, Mapping) or not isinstance(base, Mapping):
        return copy.deepcopy(patch)
    merged = copy.deepcopy(dict(base))
    for key, value in patch.items():
        if key == "figures":
            merged[key] = _patch_list("figures", base.get("figures") or [], value, problems, set(), "rollup.")
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping) and key == "docx":
            merged[key] = {**merged[key], **copy.deepcopy(dict(value))}
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _patch_list(key: str, items: list[Any], patch: Any, problems: list[str], removed: set[str],
                prefix: str = "") -> list[Any]:
    where = f"{prefix}{key}"
    if isinstance(patch, list):
        return copy.deepcopy(patch)
    if not isinstance(patch, Mapping):
        problems.append(f"{where}: a list of the variant's own, or a patch (remove, rename, change, add, order)")
        return list(items)
    unknown = set(patch) - PATCH_KEYS
    if unknown:
        problems.append(f"{where}: unknown patch key '{sorted(unknown)[0]}' (use {', '.join(sorted(PATCH_KEYS))})")
    name = _NAMES[key]
    result = [copy.deepcopy(item) for item in items]
    ids = [_ident(item) for item in result]

    def known(ident: object, what: str) -> bool:
        if ident in ids:
            return True
        problems.append(f"{where}: {what}: unknown {name} '{ident}'")
        return False

    for ident in patch.get("remove") or []:
        if known(ident, "remove"):
            index = ids.index(ident)
            del result[index], ids[index]
            removed.add(str(ident))
    for ident, label in dict(patch.get("rename") or {}).items():
        if known(ident, "rename"):
            result[ids.index(ident)]["label"] = label
    for ident, changes in dict(patch.get("change") or {}).items():
        if not isinstance(changes, Mapping):
            problems.append(f"{where}: change: '{ident}' needs the keys to replace, e.g. {{label: …}}")
        elif known(ident, "change"):
            result[ids.index(ident)].update(copy.deepcopy(dict(changes)))
    for raw in patch.get("add") or []:
        if not isinstance(raw, Mapping):
            problems.append(f"{where}: add: each new {name} is a mapping with its id")
            continue
        item = {k: copy.deepcopy(v) for k, v in raw.items() if k not in ("after", "before")}
        ident = _ident(item)
        if ident in ids:
            problems.append(f"{where}: add: {name} '{ident}' is already in the form (use change or rename)")
            continue
        anchor = raw.get("after", raw.get("before"))
        if anchor is None:
            position = len(result)
        elif anchor in ids:
            position = ids.index(anchor) + (1 if "after" in raw else 0)
        else:
            problems.append(f"{where}: add: {name} '{ident}' is placed by unknown id '{anchor}'")
            continue
        result.insert(position, item)
        ids.insert(position, ident)
    order = patch.get("order")
    if order is not None:
        order = list(order)
        missing = [ident for ident in ids if ident not in order]
        extra = [ident for ident in order if ident not in ids]
        if missing or extra or len(set(order)) != len(order):
            detail = "; ".join(filter(None, [
                f"missing {', '.join(map(str, missing))}" if missing else "",
                f"unknown {', '.join(map(str, extra))}" if extra else "",
                "an id twice" if len(set(order)) != len(order) else "",
            ]))
            problems.append(f"{where}: order must list every {name} once ({detail})")
        else:
            result = [result[ids.index(ident)] for ident in order]
    return result


def _ident(item: Any) -> Any:
    return item.get("id") if isinstance(item, Mapping) else None


def explain_removed(problems: list[str], removed: set[str]) -> list[str]:
    """The form's problems, those about an id the variant removed told so."""
    explained = []
    for problem in problems:
        match = _REFERENCE.search(problem)
        if match and match[1] in removed:
            problem += (f" — this variant removes '{match[1]}': remove or change what refers to it too"
                        " (e.g. checks: {remove: [...]}, rollup: {figures: {remove: [...]}})")
        explained.append(problem)
    return explained

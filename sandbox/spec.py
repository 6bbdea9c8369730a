"""Telegram's published Bot API (sandbox/spec/telegram-bot-api.json), loaded once, lazily.

Two uses: `check_params` coerces a request's parameters (python-telegram-bot sends them as strings,
JSON-serialised for objects) to the spec's types and refuses unknown or missing ones;
`validate` walks an object the sandbox answers with and lists every way it departs from the spec.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.errors import ApiError, bad_request
from sandbox.params import Upload

SPEC_PATH = Path(__file__).parent / "spec" / "telegram-bot-api.json"

_SCALARS = {"Integer", "String", "Boolean", "Float", "InputFile"}
_CONSTANT = re.compile(r'(?:always|must be) "?([a-z_]+)"?')
_INT = re.compile(r"-?\d+")


@dataclass(frozen=True)
class Field:
    name: str
    types: tuple[str, ...]
    required: bool
    constant: str | None  # e.g. status "kicked" for ChatMemberBanned: the discriminator of a union
    description: str = ""


@dataclass(frozen=True)
class TypeSpec:
    name: str
    fields: dict[str, Field]
    subtypes: tuple[str, ...]


@dataclass(frozen=True)
class MethodSpec:
    name: str
    fields: dict[str, Field]
    returns: tuple[str, ...]


class Spec:
    def __init__(self, raw: dict[str, Any]) -> None:
        self.version: str = raw["version"]
        self.methods: dict[str, MethodSpec] = {
            name: MethodSpec(name, _fields(m.get("fields", [])), tuple(m["returns"]))
            for name, m in raw["methods"].items()
        }
        self.types: dict[str, TypeSpec] = {
            name: TypeSpec(name, _fields(t.get("fields", [])), tuple(t.get("subtypes", [])))
            for name, t in raw["types"].items()
        }
        self._lower = {name.lower(): name for name in self.methods}

    def canonical_method(self, name: str) -> str | None:
        """Telegram's method names are case-insensitive: `sendmessage` is `sendMessage`."""
        return self._lower.get(name.lower())

    def type_names(self, declared: str) -> list[str]:
        """A declared type name and, for a union type (ReplyMarkup-like), its members, recursively."""
        spec = self.types.get(declared)
        if spec is None or not spec.subtypes:
            return [declared]
        out: list[str] = []
        for sub in spec.subtypes:
            out.extend(self.type_names(sub))
        return out


def _fields(raw: list[dict[str, Any]]) -> dict[str, Field]:
    out = {}
    for f in raw:
        constant = None
        if f["types"] == ["String"]:
            m = _CONSTANT.search(f.get("description", ""))
            constant = m.group(1) if m else None
        out[f["name"]] = Field(
            f["name"], tuple(f["types"]), bool(f["required"]), constant, f.get("description", "")
        )
    return out


@functools.cache
def load_spec() -> Spec:
    return Spec(json.loads(SPEC_PATH.read_text(encoding="utf-8")))


# ---------------------------------------------------------------- validation of objects


def validate(
    value: Any,
    types: list[str] | tuple[str, ...],
    path: str = "$",
    *,
    spec: Spec | None = None,
    seen: set[str] | None = None,
) -> list[str]:
    """Every departure of `value` from any one of `types` (an "X or Y" union): [] when it conforms.

    `seen`, when given, collects the names of the object types `value` was found to conform to,
    nested ones included.
    """
    spec = spec or load_spec()
    best: list[str] | None = None
    for declared in types:
        found: set[str] = set()
        errors = _validate_one(value, declared, path, spec, found)
        if not errors:
            if seen is not None:
                seen |= found
            return []
        if best is None or len(errors) < len(best):
            best = errors
    return best or [f"{path}: no type given"]


def _validate_one(value: Any, declared: str, path: str, spec: Spec, seen: set[str]) -> list[str]:
    if declared.startswith("Array of "):
        if not isinstance(value, list):
            return [f"{path}: expected {declared}, got {type(value).__name__}"]
        inner = declared.removeprefix("Array of ")
        errors: list[str] = []
        for i, item in enumerate(value):
            errors.extend(validate(item, [inner], f"{path}[{i}]", spec=spec, seen=seen))
        return errors
    if declared == "Integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif declared == "Float":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif declared == "String":
        ok = isinstance(value, str)
    elif declared == "Boolean":
        ok = isinstance(value, bool)
    elif declared == "InputFile":
        ok = False
    else:
        return _validate_object(value, declared, path, spec, seen)
    return [] if ok else [f"{path}: expected {declared}, got {type(value).__name__} {value!r:.60}"]


def _validate_object(value: Any, declared: str, path: str, spec: Spec, seen: set[str]) -> list[str]:
    tspec = spec.types.get(declared)
    if tspec is None:
        return [f"{path}: type {declared} is not in the spec"]
    if tspec.subtypes:
        errors = validate(value, list(tspec.subtypes), path, spec=spec, seen=seen)
        if not errors:
            seen.add(declared)
        return errors
    if not isinstance(value, dict):
        return [f"{path}: expected {declared} object, got {type(value).__name__}"]
    errors = []
    for name, declared_field in tspec.fields.items():
        if declared_field.required and name not in value:
            errors.append(f"{path}: {declared} lacks required field {name!r}")
    for key, item in value.items():
        f = tspec.fields.get(key)
        if f is None:
            errors.append(f"{path}: {declared} has no field {key!r}")
            continue
        if f.constant is not None and item != f.constant:
            errors.append(f"{path}.{key}: {declared} requires {f.constant!r}, got {item!r}")
            continue
        errors.extend(validate(item, list(f.types), f"{path}.{key}", spec=spec, seen=seen))
    if not errors:
        seen.add(declared)
    return errors


# ---------------------------------------------------------------- requests


def check_params(method: str, params: dict[str, Any], *, strict: bool = True) -> dict[str, Any]:
    """Coerce `params` to the types `method` declares; refuse unknown (when strict) and missing ones.

    Returns the coerced parameters; raises ApiError 400 in Telegram's phrasing.
    """
    spec = load_spec()
    mspec = spec.methods[method]
    out: dict[str, Any] = {}
    for key, raw in params.items():
        f = mspec.fields.get(key)
        if f is None:
            if strict:
                raise bad_request(f"unknown parameter {key}")
            continue
        out[key] = coerce(raw, f.types, key, spec=spec)
    for name, f in mspec.fields.items():
        if f.required and (name not in out or out[name] == ""):
            if name == "text":
                raise bad_request("message text is empty")
            raise bad_request(f"parameter {name} is required")
    return out


def coerce(raw: Any, types: tuple[str, ...] | list[str], name: str, *, spec: Spec | None = None) -> Any:
    """One parameter to the first of its declared types it fits (form values arrive as strings)."""
    spec = spec or load_spec()
    scalars = [t for t in types if t in _SCALARS]
    objects = [t for t in types if t not in _SCALARS]
    problem: ApiError | None = None
    for declared in scalars:
        try:
            return _coerce_scalar(raw, declared, name)
        except ApiError as exc:
            problem = problem or exc
    if not objects:
        raise problem or bad_request(f"can't parse {name}")
    if isinstance(raw, Upload):
        raise bad_request(f"{name} must not be a file")
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError:
            raise bad_request(f"can't parse {name} JSON object") from None
    value = _normalise_request_object(value)
    errors = validate(value, objects, name, spec=spec)
    if errors:
        raise bad_request(f"can't parse {name}: {errors[0]}")
    return value


def _coerce_scalar(raw: Any, declared: str, name: str) -> Any:
    if declared == "InputFile":
        if isinstance(raw, Upload):
            return raw
        raise bad_request(f"{name} must be a file")
    if isinstance(raw, Upload):
        raise bad_request(f"{name} must not be a file")
    if declared == "Integer":
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and _INT.fullmatch(raw.strip()):
            return int(raw)
        raise bad_request(f"wrong parameter {name}: expected an Integer, got {raw!r:.40}")
    if declared == "Float":
        if isinstance(raw, bool):
            raise bad_request(f"wrong parameter {name}: expected a Float")
        try:
            return float(raw)
        except (TypeError, ValueError):
            raise bad_request(f"wrong parameter {name}: expected a Float, got {raw!r:.40}") from None
    if declared == "Boolean":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in {"true", "false", "1", "0"}:
            return raw.lower() in {"true", "1"}
        if isinstance(raw, int):
            return bool(raw)
        raise bad_request(f"wrong parameter {name}: expected a Boolean, got {raw!r:.40}")
    # String
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return str(raw)
    raise bad_request(f"wrong parameter {name}: expected a String")


def _normalise_request_object(value: Any) -> Any:
    """Telegram accepts a bare string for a KeyboardButton: `[["Yes", "No"]]`."""
    if isinstance(value, dict):
        rows = value.get("keyboard")
        if isinstance(rows, list):
            value = dict(value)
            value["keyboard"] = [
                [{"text": b} if isinstance(b, str) else b for b in row] if isinstance(row, list) else row
                for row in rows
            ]
    return value

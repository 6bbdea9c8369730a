"""How Python values are written to and read from SQLite columns.

Datetimes are stored as ISO-8601 text with their offset, always converted to Asia/Ho_Chi_Minh
first: with one fixed offset (+07:00, no daylight saving) the text sorts in time order, so
SQL can compare and order it directly. Dates are ISO text ("2025-12-11"); JSON values are
compact UTF-8 JSON text; booleans are 0/1.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeAlias

from bot.clock import VN_TZ

# A value to be written as JSON. Unlike pydantic's JsonValue (what is read back), its containers
# are read-only, so a list[str] or a dict[str, int] is accepted as it is.
JsonInput: TypeAlias = Mapping[str, "JsonInput"] | Sequence["JsonInput"] | str | int | float | None


def to_vn(value: datetime) -> datetime:
    """The same instant in Asia/Ho_Chi_Minh; naive datetimes are refused."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()!r}: pass an aware datetime (Asia/Ho_Chi_Minh)")
    return value.astimezone(VN_TZ)


def dt_text(value: datetime) -> str:
    """An aware datetime as ISO-8601 text in Vietnam time: "2025-12-11T15:00:00+07:00"."""
    return to_vn(value).isoformat()


def dt_from_text(text: str) -> datetime:
    return to_vn(datetime.fromisoformat(text))


def date_text(value: date) -> str:
    if isinstance(value, datetime):
        raise TypeError("expected a date, got a datetime")
    return value.isoformat()


def opt_date_text(value: date | None) -> str | None:
    return None if value is None else date_text(value)


def json_text(value: Any) -> str:
    """Compact JSON, Vietnamese kept readable (no \\u escapes)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def opt_json_text(value: Any | None) -> str | None:
    return None if value is None else json_text(value)


def from_json(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def like_escape(text: str) -> str:
    """Escape LIKE wildcards; use with ``ESCAPE '\\'``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

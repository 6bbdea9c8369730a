"""A Bot API request's parameters, however they came: query string, form, JSON body or multipart."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from sandbox.errors import ApiError, bad_request

_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes

    def describe(self) -> dict[str, Any]:
        return {"file_name": self.filename, "content_type": self.content_type, "size": len(self.data)}


def json_object(raw: bytes) -> dict[str, Any]:
    """A request's JSON body as the Bot APIs read it (Telegram's and Zalo's): an object, else 400."""
    try:
        body = json.loads(raw)
    except ValueError:
        raise bad_request("can't parse JSON encoded request body") from None
    if not isinstance(body, dict):
        raise bad_request("JSON body must be an object")
    return body


async def read_params(request: web.Request) -> dict[str, Any]:
    """Query-string values, overridden by the body's (JSON, form-encoded or multipart)."""
    params: dict[str, Any] = dict(request.query)
    if request.method not in {"POST", "PUT"} or not request.can_read_body:
        return params
    ctype = request.content_type
    try:
        if ctype == "application/json":
            raw = await request.read()
            if raw.strip():
                params.update(json_object(raw))
        elif ctype in {"application/x-www-form-urlencoded", "multipart/form-data"}:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = Upload(_file_name(value.filename), value.content_type, value.file.read())
                else:
                    params[key] = value
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "Request Entity Too Large") from None
    return params


def _file_name(name: str | None) -> str | None:
    """httpx (python-telegram-bot) sends UTF-8 file names as they are; aiohttp's client percent-encodes them."""
    if name and _PERCENT.search(name):
        return unquote(name)
    return name


def loggable(params: dict[str, Any]) -> dict[str, Any]:
    """Parameters as JSON-friendly values, files described rather than included."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        out[key] = value.describe() if isinstance(value, Upload) else value
    return out

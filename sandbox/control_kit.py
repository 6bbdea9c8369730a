"""What both control APIs do alike (Telegram's, sandbox/control.py; Zalo's, sandbox/zalo/control.py).

JSON in and out and the parameter readers, routes guarded so a ControlError answers its 4xx and
anything else a 500 kept in `internal_errors`, the filters and long poll over a chat's messages, and
the endpoints over a side's request log, faults, limits, counters and reset (`SideEndpoints`).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol

from aiohttp import web

from sandbox.faults import FaultInjector, FaultRule
from sandbox.limits import Limits
from sandbox.models import Notifier
from sandbox.state import ControlError

Route = Callable[[web.Request], Awaitable[web.StreamResponse]]


def reply(value: Any, status: int = 200) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(value, ensure_ascii=False), content_type="application/json"
    )


async def json_body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise ControlError("body must be JSON") from None
    if not isinstance(body, dict):
        raise ControlError("body must be a JSON object")
    return body


def int_param(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError(f"{name} must be an integer") from None


def opt_int_param(value: Any, name: str) -> int | None:
    return None if value is None or value == "" else int_param(value, name)


def b64_param(value: Any, name: str) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise ControlError(f"{name} must be base64") from None


def register_routes(
    router: web.UrlDispatcher,
    routes: Iterable[tuple[str, str, Route]],
    internal_errors: list[str],
    log: logging.Logger,
) -> list[str]:
    """Add the routes, each guarded; the endpoints' list ("GET /control/...") for the index."""
    endpoints = []
    for method, path, handler in routes:
        router.add_route(method, path, _guarded(handler, internal_errors, log))
        endpoints.append(f"{method} {path}")
    return endpoints


def _guarded(handler: Route, internal_errors: list[str], log: logging.Logger) -> Route:
    """ControlError -> its 4xx; anything else is a sandbox bug: 500, and kept for the tests."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ControlError as exc:
            return reply({"error": str(exc)}, exc.status)
        except Exception as exc:
            log.exception("control API failed on %s %s", request.method, request.path)
            internal_errors.append(f"{request.method} {request.path}: {exc!r}")
            return reply({"error": f"sandbox bug: {exc!r}"}, 500)

    return wrapped


# ------------------------------------------------------------ a chat's messages


class _Sent(Protocol):
    @property
    def seq(self) -> int: ...

    @property
    def from_bot(self) -> bool: ...


def shown_messages(request: web.Request) -> Callable[[_Sent], bool]:
    """The `?since=` and `?from=bot|user` filter of GET .../chats/{chat_id}/messages."""
    since = int_param(request.query.get("since", 0), "since")
    sender = request.query.get("from")
    return lambda m: m.seq > since and (sender is None or (sender == "bot") == m.from_bot)


def wait_timeout(request: web.Request) -> float:
    """The `?timeout=` of a long poll: seconds, default 5, at most 120."""
    try:
        return min(float(request.query.get("timeout", 5)), 120.0)
    except ValueError:
        raise ControlError("timeout must be a number of seconds") from None


async def long_poll(
    find: Callable[[], list[dict[str, Any]]],
    changed: Notifier,
    seq: Callable[[], int],
    closing: Callable[[], bool],
    within: float,
) -> web.Response:
    """Answer {"messages", "seq", "timed_out"} once `find` finds some, after `within` s or at shutdown."""
    deadline = time.monotonic() + within
    while True:
        found = find()
        remaining = deadline - time.monotonic()
        if found or remaining <= 0 or closing():
            return reply({"messages": found, "seq": seq(), "timed_out": not found})
        await changed.wait(remaining)


# ------------------------------------------------------------ requests, trouble and counters


class _Counters(Protocol):
    def to_json(self) -> dict[str, Any]: ...


class Side(Protocol):
    """A messenger's half of the sandbox as these endpoints see it (SandboxServer, ZaloSandbox)."""

    @property
    def requests(self) -> deque[dict[str, Any]]: ...

    @property
    def faults(self) -> FaultInjector: ...

    @property
    def limits(self) -> Limits: ...

    @property
    def stats(self) -> _Counters: ...

    def set_limits(self, **changes: Any) -> Limits: ...

    def reset(self) -> None: ...


class SideEndpoints(ABC):
    """GET requests; GET/POST/DELETE faults; GET/POST limits; GET stats; POST reset."""

    @property
    @abstractmethod
    def side(self) -> Side: ...

    @abstractmethod
    def fault_rule(self, body: dict[str, Any]) -> FaultRule:
        """A fault rule from POST .../faults's body, as this messenger's faults are made."""

    async def requests(self, request: web.Request) -> web.Response:
        method = request.query.get("method")
        since = int_param(request.query.get("since", 0), "since")
        return reply(
            [r for r in self.side.requests if r["seq"] > since and (method is None or r["method"] == method)]
        )

    async def list_faults(self, request: web.Request) -> web.Response:
        return reply([r.to_json() for r in self.side.faults.rules])

    async def add_fault(self, request: web.Request) -> web.Response:
        rule = self.fault_rule(await json_body(request))
        self.side.faults.add(rule)
        return reply(rule.to_json())

    async def clear_faults(self, request: web.Request) -> web.Response:
        self.side.faults.clear()
        return reply({"ok": True})

    async def get_limits(self, request: web.Request) -> web.Response:
        return reply(self.side.limits.to_json())

    async def set_limits(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        try:
            limits = self.side.set_limits(**body)
        except (ValueError, TypeError) as exc:
            raise ControlError(str(exc)) from None
        return reply(limits.to_json())

    async def stats(self, request: web.Request) -> web.Response:
        return reply(self.side.stats.to_json())

    async def reset(self, request: web.Request) -> web.Response:
        self.side.reset()
        return reply({"ok": True})

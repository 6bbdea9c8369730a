"""ZaloSandbox: Zalo's Bot API served beside Telegram's by the same SandboxServer.

    POST {base}/zalo/bot{TOKEN}/{method}   JSON body; the bot's ZALO_API_BASE_URL is {base}/zalo
    GET  {base}/zalo/media/{name}          the images simulated users send (their photo URLs)
    {base}/control/zalo/...                the control API's Zalo part (control.py)

Answers `{"ok": true, "result": ...}` or `{"ok": false, "error_code": N, "description": ...}` with N
as the HTTP status too. Faults, a request log, counters and (off by default, Zalo publishes none)
rate limits are the Zalo side's own, apart from Telegram's.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections import Counter, deque
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox import media
from sandbox.errors import ApiError, bad_request, too_many_requests
from sandbox.faults import FaultInjector, FaultRule, RawAnswer, apply_fault
from sandbox.limits import Limits, RateLimiter, change_limits
from sandbox.params import json_object
from sandbox.state import ControlError
from sandbox.zalo.control import ZaloControl
from sandbox.zalo.methods import (
    PARAMS,
    SENDING_METHODS,
    UNREACHABLE,
    ZaloApiOptions,
    ZaloMethods,
    check_params,
)
from sandbox.zalo.webhook import ZaloWebhookDeliverer
from sandbox.zalo.world import ZaloWorld

if TYPE_CHECKING:
    from sandbox.server import SandboxServer

log = logging.getLogger("sandbox.zalo")

TOKEN = re.compile(r"(\d+):[A-Za-z0-9_-]+")
_BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
    "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(body, ensure_ascii=False), content_type="application/json"
    )


def zalo_limits() -> Limits:
    """Zalo publishes no limits: none enforced unless a test sets them (POST /control/zalo/limits)."""
    return Limits(enforce=False)


class ZaloStats:
    def __init__(self) -> None:
        self.requests_by_method: Counter[str] = Counter()
        self.status_counts: Counter[int] = Counter()
        self.sends_accepted = 0
        self.sends_by_chat: Counter[str] = Counter()
        self.answered_429: Counter[str] = Counter()  # limit | injected
        self.faults_injected: Counter[str] = Counter()
        self.unreachable_403 = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "requests_by_method": dict(self.requests_by_method),
            "requests_total": sum(self.requests_by_method.values()),
            "status_counts": {str(k): v for k, v in self.status_counts.items()},
            "sends_accepted": self.sends_accepted,
            "sends_by_chat": dict(self.sends_by_chat),
            "answered_429": {"limit": self.answered_429["limit"], "injected": self.answered_429["injected"]},
            "faults_injected": dict(self.faults_injected),
            "unreachable_403": self.unreachable_403,
        }


class ZaloSandbox:
    """The Zalo half of the sandbox; SandboxServer owns one as `server.zalo`."""

    def __init__(
        self, server: SandboxServer, *, spec_check: bool = True, request_log_size: int = 10_000
    ) -> None:
        self.server = server
        self.spec_check = spec_check
        self.world = ZaloWorld()
        self.api = ZaloMethods(self.world, ZaloApiOptions())
        self.faults = FaultInjector()
        self.limits = zalo_limits()
        self.limiter = RateLimiter(self.limits)
        self.stats = ZaloStats()
        self.requests: deque[dict[str, Any]] = deque(maxlen=request_log_size)
        self.media: dict[str, bytes] = {}  # name -> an image a simulated user sent
        self.webhook = ZaloWebhookDeliverer(self.world, retry_delay=server.webhook.retry_delay)
        self.control = ZaloControl(self)
        self._chat_keys: dict[str, int] = {}  # the rate limiter counts chats by a positive number
        self._request_seq = 0

    # ------------------------------------------------------------ lifecycle

    def register(self, router: web.UrlDispatcher) -> None:
        router.add_route("*", "/zalo/bot{token}/{method}", self._bot_api)
        router.add_get("/zalo/media/{name}", self._media)
        self.control.register(router)

    def start(self) -> None:
        self.api.closing = False
        self.webhook.start()

    async def stop(self) -> None:
        self.api.closing = True
        self.world.updates_changed.notify()
        self.world.chats_changed.notify()
        await self.webhook.stop()

    def reset(self) -> None:
        """Forget every Zalo user, message, update, the webhook, faults, limits and counters."""
        self.world.updates_changed.notify()
        self.world.chats_changed.notify()
        fresh = ZaloWorld()
        for name in ("users", "messages", "updates", "chat_actions"):
            setattr(self.world, name, getattr(fresh, name))
        self.world.webhook, self.world.seq, self.world.bot_id = None, 0, fresh.bot_id
        self.faults.clear()
        self.set_limits(**zalo_limits().to_json())
        self.limiter.reset()
        self.stats = ZaloStats()
        self.requests.clear()
        self.media.clear()
        self.webhook.attempts.clear()
        self._chat_keys.clear()
        self.server.webchat.zalo_profiles.clear()

    def set_limits(self, **changes: Any) -> Limits:
        return change_limits(self.limits, **changes)

    @property
    def api_base_url(self) -> str:
        """ZALO_API_BASE_URL for a bot talking to this sandbox."""
        return f"{self.server.base_url}/zalo"

    def store_image(self, data: bytes) -> str:
        """Keep an image a simulated user sends; its URL, as Zalo hands the bot one."""
        if media.image_size(data) is None:
            raise ControlError("the image bytes are not a PNG/JPEG/GIF/WebP image")
        name = f"{secrets.token_hex(10)}.png"
        self.media[name] = data
        return f"{self.server.base_url}/zalo/media/{name}"

    # ------------------------------------------------------------ the Bot API

    async def _media(self, request: web.Request) -> web.Response:
        data = self.media.get(request.match_info["name"])
        if data is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=data, content_type="image/png")

    async def _bot_api(self, request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        token_match = TOKEN.fullmatch(request.match_info["token"])
        method = request.match_info["method"]
        self._request_seq += 1
        entry: dict[str, Any] = {
            "seq": self._request_seq,
            "at": time.time(),
            "method": method,
            "params": {},
            "status": None,
        }
        self.requests.append(entry)
        self.stats.requests_by_method[method] += 1
        try:
            if token_match is None:
                raise ApiError(401, "Unauthorized")
            if method not in PARAMS:
                raise ApiError(404, "Not Found")
            if request.method != "POST":
                raise ApiError(405, "Method Not Allowed: use POST with a JSON body")
            self.world.bot_id = token_match.group(1)
            raw = await self._read_body(request)
            entry["params"] = raw
            result = await self._execute(method, raw, entry, request)
            body: dict[str, Any] = {"ok": True, "result": result}
            status = 200
        except ApiError as exc:
            body, status = exc.payload(), exc.status
            entry["description"] = exc.description
        except RawAnswer as raw_answer:
            self._finish(entry, raw_answer.status, started)
            return web.Response(
                status=raw_answer.status, text=raw_answer.body, content_type=raw_answer.content_type
            )
        except Exception as exc:  # a sandbox bug: answer 500, and keep it for the tests
            log.exception("Zalo sandbox failed on %s", method)
            self.server.internal_errors.append(f"zalo {method}: {exc!r}")
            body, status = ApiError(500, "Internal Server Error").payload(), 500
            entry["description"] = f"sandbox bug: {exc!r}"
        self._finish(entry, status, started)
        headers = {"Retry-After": str(body["parameters"]["retry_after"])} if "parameters" in body else None
        return web.Response(
            status=status,
            text=json.dumps(body, ensure_ascii=False),
            content_type="application/json",
            headers=headers,
        )

    @staticmethod
    async def _read_body(request: web.Request) -> dict[str, Any]:
        raw = await request.read()
        if not raw.strip():
            return {}
        if request.content_type != "application/json":
            raise bad_request("the body must be JSON (Content-Type: application/json)")
        return json_object(raw)

    def _finish(self, entry: dict[str, Any], status: int, started: float) -> None:
        entry["status"] = status
        entry["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
        self.stats.status_counts[status] += 1

    async def _execute(
        self, method: str, raw: dict[str, Any], entry: dict[str, Any], request: web.Request
    ) -> Any:
        chat_id = raw.get("chat_id")
        rule = self.faults.pick(method, chat_id if isinstance(chat_id, str) else None)
        if rule is None:
            return await self._run(method, raw, request)
        entry["fault"] = rule.kind
        self.stats.faults_injected[rule.kind] += 1
        return await self._apply_fault(rule, method, raw, request)

    async def _apply_fault(
        self, rule: FaultRule, method: str, raw: dict[str, Any], request: web.Request
    ) -> Any:
        if rule.kind == "unreachable":
            self.stats.unreachable_403 += 1
            raise ApiError(403, UNREACHABLE)
        return await apply_fault(
            rule,
            lambda: self._run(method, raw, request),
            self.server.sleep,
            self.stats.answered_429,
            _BAD_GATEWAY_HTML,
        )

    async def _run(self, method: str, raw: dict[str, Any], request: web.Request) -> Any:
        params = check_params(method, raw, strict=self.spec_check)
        if method == "getUpdates":
            return await self.api.get_updates(params, lambda: _connected(request))
        if method not in SENDING_METHODS:
            return await self.api.handlers[method](params)
        chat_id = params["chat_id"]
        key = self._chat_keys.setdefault(chat_id, len(self._chat_keys) + 1)
        hit = self.limiter.check(key)
        if hit is not None:
            self.stats.answered_429["limit"] += 1
            raise too_many_requests(hit[0])
        try:
            result = await self.api.handlers[method](params)
        except ApiError as exc:
            if exc.status == 403:
                self.stats.unreachable_403 += 1
            raise
        self.limiter.consume(key)
        self.stats.sends_accepted += 1
        self.stats.sends_by_chat[chat_id] += 1
        return result


def _connected(request: web.Request) -> bool:
    transport = request.transport
    return transport is not None and not transport.is_closing()

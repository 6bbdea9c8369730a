"""SandboxServer: the aiohttp application that speaks the Bot API and the control API.

    server = SandboxServer()
    base = await server.start()            # "http://127.0.0.1:54321"
    ApplicationBuilder().token("123456:TEST").base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    ...
    await server.stop()

Routes: `{base}/bot{TOKEN}/{method}` (Bot API), `{base}/file/bot{TOKEN}/{file_path}` (downloads),
`{base}/control/...` (see control.py and README.md); Zalo's Bot API under `{base}/zalo/...` and
`{base}/control/zalo/...` (sandbox/zalo/).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections import deque
from typing import Any

from aiohttp import web

from sandbox.botapi import ApiOptions, BotApi
from sandbox.control import ControlApi
from sandbox.errors import ApiError, not_found, too_many_requests
from sandbox.faults import FaultInjector, FaultRule, RawAnswer, apply_fault
from sandbox.limits import SENDING_METHODS, Limits, RateLimiter, Stats, change_limits
from sandbox.params import loggable, read_params
from sandbox.spec import check_params, load_spec, validate
from sandbox.state import SandboxState
from sandbox.web import WebChat
from sandbox.webhook import WebhookDeliverer
from sandbox.zalo.service import ZaloSandbox

log = logging.getLogger("sandbox")

TOKEN = re.compile(r"(\d+):[A-Za-z0-9_-]+")
MAX_BODY = 60 * 1024 * 1024
_BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n"
    "<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"
)


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class SandboxServer:
    """A local stand-in for Telegram's Bot API, with a control API to play the users."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        spec_check: bool = True,
        callback_query_ttl: float | None = 15.0,
        webhook_retry_delay: float = 0.25,
        request_log_size: int = 10_000,
    ) -> None:
        self._initial_limits = limits or Limits()
        self.limits = Limits(**self._initial_limits.to_json())
        self.spec_check = spec_check
        self.state = SandboxState()
        self.limiter = RateLimiter(self.limits)
        self.stats = Stats()
        self.faults = FaultInjector()
        self.requests: deque[dict[str, Any]] = deque(maxlen=request_log_size)
        self.spec_violations: list[
            str
        ] = []  # answers that broke the spec (spec_check=True): should stay empty
        self.internal_errors: list[str] = []  # exceptions inside the sandbox itself: should stay empty
        self.api = BotApi(self.state, ApiOptions(callback_query_ttl=callback_query_ttl))
        self.webhook = WebhookDeliverer(self.state, retry_delay=webhook_retry_delay)
        self.control = ControlApi(self)
        self.webchat = WebChat(self)  # the page at /chat and the people it offers
        self.zalo = ZaloSandbox(self, spec_check=spec_check, request_log_size=request_log_size)
        self.base_url = ""
        self._request_seq = 0
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.app: web.Application | None = None
        load_spec()  # fail early if the spec file is missing

    # ------------------------------------------------------------ lifecycle

    def _make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", "/bot{token}/{method}", self._bot_api)
        app.router.add_route("GET", "/file/bot{token}/{file_path:.+}", self._download)
        app.router.add_get("/", self._index)
        self.control.register(app.router)
        self.webchat.register(app.router)
        self.zalo.register(app.router)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0 = any free port); returns the base URL."""
        self._closing = asyncio.Event()
        self.api.closing = False
        self.app = self._make_app()
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert isinstance(server, asyncio.Server) and server.sockets
        real_port = server.sockets[0].getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        self.base_url = f"http://{shown}:{real_port}"
        self.webhook.start()
        self.zalo.start()
        return self.base_url

    async def stop(self) -> None:
        """Stop serving: pending long polls and held answers end at once."""
        self._closing.set()
        self.api.closing = True
        self.state.updates_changed.notify()
        self.state.chats_changed.notify()
        await self.webhook.stop()
        await self.zalo.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SandboxServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def bot_base_url(self) -> str:
        """For ApplicationBuilder().base_url(...)."""
        return f"{self.base_url}/bot"

    @property
    def file_base_url(self) -> str:
        """For ApplicationBuilder().base_file_url(...)."""
        return f"{self.base_url}/file/bot"

    @property
    def closing(self) -> bool:
        return self._closing.is_set()

    def reset(self) -> None:
        """Forget everything: users, chats, messages, updates, commands, webhook, faults, counters."""
        self.state.updates_changed.notify()
        self.state.chats_changed.notify()
        fresh = SandboxState()
        for name in (
            "users",
            "chats",
            "messages",
            "files",
            "files_by_path",
            "updates",
            "callback_queries",
            "callback_answers",
            "commands",
        ):
            setattr(self.state, name, getattr(fresh, name))
        self.state.next_update_id, self.state.allowed_updates, self.state.webhook, self.state.seq = (
            1,
            None,
            None,
            0,
        )
        self.state.bot = fresh.bot
        self.set_limits(**self._initial_limits.to_json())
        self.limiter.reset()
        self.stats = Stats()
        self.faults.clear()
        self.requests.clear()
        self.spec_violations.clear()
        self.internal_errors.clear()
        self.webhook.attempts.clear()
        self.webchat.profiles.clear()
        self.zalo.reset()

    def set_limits(self, **changes: Any) -> Limits:
        return change_limits(self.limits, **changes)

    async def sleep(self, seconds: float) -> None:
        """Sleep, but wake when the server stops."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    # ------------------------------------------------------------ Bot API

    async def _index(self, request: web.Request) -> web.Response:
        return web.Response(
            text=f"baocao-bot sandbox: a local Telegram Bot API (checked against {load_spec().version}).\n"
            f"Bot API: {self.base_url}/bot<TOKEN>/<method>\nControl API: {self.base_url}/control (see sandbox/README.md)\n"
            f"Web chat: {self.base_url}/chat\n"
            f"Zalo Bot API: {self.base_url}/zalo/bot<TOKEN>/<method>  (ZALO_API_BASE_URL={self.base_url}/zalo)\n"
        )

    async def _bot_api(self, request: web.Request) -> web.Response:
        started = time.monotonic()
        token_match = TOKEN.fullmatch(request.match_info["token"])
        method = load_spec().canonical_method(request.match_info["method"])
        known = token_match is not None and method is not None and method in self.api.handlers
        self._request_seq += 1
        entry: dict[str, Any] = {
            "seq": self._request_seq,
            "at": time.time(),
            "method": method if known else request.match_info["method"],
            "params": {},
            "status": None,  # still running (a long poll, a held answer)
        }
        self.requests.append(entry)
        self.stats.requests_by_method[entry["method"]] += 1
        if not known:
            entry["description"] = "Not Found"
            self._finish(entry, 404, started)
            return self._json(not_found().payload(), 404)
        assert token_match is not None and method is not None
        self.state.set_bot_id(int(token_match.group(1)))
        try:
            raw = await read_params(request)
            entry["params"] = loggable(raw)
            result = await self._execute(method, raw, entry)
            body: dict[str, Any] = {"ok": True, "result": result}
            status = 200
            if self.spec_check:
                self._check_result(method, result)
        except ApiError as exc:
            body, status = exc.payload(), exc.status
            entry["description"] = exc.description
        except RawAnswer as raw_answer:
            self._finish(entry, raw_answer.status, started)
            return web.Response(
                status=raw_answer.status, text=raw_answer.body, content_type=raw_answer.content_type
            )
        except Exception as exc:  # a sandbox bug: answer like Telegram's 500, and keep it for the tests
            log.exception("sandbox failed on %s", method)
            self.internal_errors.append(f"{method}: {exc!r}")
            body, status = ApiError(500, "Internal Server Error").payload(), 500
            entry["description"] = f"sandbox bug: {exc!r}"
        self._finish(entry, status, started)
        return self._json(body, status)

    def _finish(self, entry: dict[str, Any], status: int, started: float) -> None:
        entry["status"] = status
        entry["duration_ms"] = round((time.monotonic() - started) * 1000, 1)
        self.stats.status_counts[status] += 1
        if status == 403:
            self.stats.forbidden_403 += 1

    @staticmethod
    def _json(body: Any, status: int = 200) -> web.Response:
        return web.Response(status=status, text=dumps(body), content_type="application/json")

    def _check_result(self, method: str, result: Any) -> None:
        errors = validate(result, load_spec().methods[method].returns)
        if errors:
            self.spec_violations.extend(f"{method}: {e}" for e in errors)
            log.error(
                "sandbox answered %s with an object the Bot API spec does not allow: %s", method, errors
            )

    async def _execute(self, method: str, raw: dict[str, Any], entry: dict[str, Any]) -> Any:
        rule = self.faults.pick(method, _int_or_none(raw.get("chat_id")))
        if rule is None:
            return await self._run(method, raw)
        entry["fault"] = rule.kind
        self.stats.faults_injected[rule.kind] += 1
        return await self._apply_fault(rule, method, raw)

    async def _apply_fault(self, rule: FaultRule, method: str, raw: dict[str, Any]) -> Any:
        return await apply_fault(
            rule, lambda: self._run(method, raw), self.sleep, self.stats.answered_429, _BAD_GATEWAY_HTML
        )

    async def _run(self, method: str, raw: dict[str, Any]) -> Any:
        params = check_params(method, raw, strict=self.spec_check)
        if method not in SENDING_METHODS:
            return await self.api.call(method, params)
        chat_id = params.get("chat_id") if isinstance(params.get("chat_id"), int) else None
        hit = self.limiter.check(chat_id)
        if hit is not None:
            retry_after, reason = hit
            self.stats.answered_429["limit"] += 1
            self.stats.limit_429_by_reason[reason] += 1
            raise too_many_requests(retry_after)
        result = await self.api.call(method, params)
        self.limiter.consume(chat_id)
        self.stats.record_send(chat_id)
        return result

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if TOKEN.fullmatch(request.match_info["token"]) is None:
            return self._json(not_found().payload(), 404)
        stored = self.state.files_by_path.get(request.match_info["file_path"])
        if stored is None:
            return self._json(not_found().payload(), 404)
        return web.Response(body=stored.data, content_type=stored.mime_type or "application/octet-stream")


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

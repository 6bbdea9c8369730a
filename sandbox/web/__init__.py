"""The web chat: a page served by the sandbox at /chat to talk to the bot as a sandbox user would in
Telegram (plain HTML, CSS and JS beside this file, no build step), and the roster it picks people from.

    GET  /chat                 the page (index.html); /chat/chat.js, /chat/chat.css
    GET  /control/people       the sandbox's users, with the profile of those who have one
    POST /control/people       {"id", "first_name", "last_name"?, "role", "role_label"?, "title"?, "units"?,
                                "start"?}
                               creates the user (as POST /control/users) and keeps the profile; with
                               "start", the person then opens the bot's link t.me/<bot>?start=<start>
                               (they send "/start <start>", as Telegram does): the answer's "start_message"
    GET  /control/zalo/people  the sandbox's Zalo users, the same way ("messenger": "zalo", string ids)
    POST /control/zalo/people  {"id"?, "display_name", "role", "role_label"?, "title"?, "units"?}
                               creates the Zalo user (as POST /control/zalo/users) and keeps the profile

The page speaks to the control API only (send text, tap, read and wait for messages, download files);
a Zalo person gets Zalo's look and what Zalo allows (typed text, no buttons, no command menu).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from sandbox.state import ControlError

if TYPE_CHECKING:
    from sandbox.server import SandboxServer

WEB_DIR = Path(__file__).resolve().parent
_FILES = {
    "index.html": "text/html",
    "chat.js": "application/javascript",
    "chat.css": "text/css",
}
ROLE_LABELS = {"reporter": "Cán bộ báo cáo", "supervisor": "Giám sát", "admin": "Quản trị"}
ROLE_ORDER = {"reporter": 0, "supervisor": 1, "admin": 2}
START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what Telegram allows after ?start=


def _json(value: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, text=json.dumps(value, ensure_ascii=False), content_type="application/json")


class WebChat:
    """Serves the page and keeps the people profiles (who each sandbox user is meant to be)."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.profiles: dict[int, dict[str, Any]] = {}
        self.zalo_profiles: dict[str, dict[str, Any]] = {}

    def register(self, router: web.UrlDispatcher) -> None:
        router.add_get("/chat", self._page)
        router.add_get("/chat/", self._page)
        router.add_get("/chat/{name}", self._static)
        router.add_get("/control/people", self._list)
        router.add_post("/control/people", self._add)
        router.add_get("/control/zalo/people", self._zalo_list)
        router.add_post("/control/zalo/people", self._zalo_add)

    def add_person(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        *,
        role: str = "",
        role_label: str | None = None,
        title: str = "",
        units: list[str] | None = None,
        username: str | None = None,
    ) -> dict[str, Any]:
        """Create the sandbox user (idempotent) and remember how the page should present them."""
        self.server.state.add_user(user_id, first_name, last_name, username)
        profile = {
            "role": role,
            "role_label": role_label or ROLE_LABELS.get(role, role),
            "title": title,
            "units": list(units or []),
        }
        self.profiles[user_id] = profile
        return self.person(user_id)

    def person(self, user_id: int) -> dict[str, Any]:
        user = self.server.state.users[user_id]
        profile = self.profiles.get(user_id, {"role": "", "role_label": "Người dùng", "title": "", "units": []})
        name = " ".join(p for p in (user.last_name, user.first_name) if p)  # Vietnamese order: family name first
        return {"id": user.id, "first_name": user.first_name, "last_name": user.last_name, "name": name,
                "blocked": user.blocked, "messenger": "telegram", **profile}

    def add_zalo_person(
        self,
        user_id: str | None,
        display_name: str,
        *,
        role: str = "",
        role_label: str | None = None,
        title: str = "",
        units: list[str] | None = None,
    ) -> dict[str, Any]:
        """Create the sandbox's Zalo user (idempotent) and remember how the page should present them."""
        user = self.server.zalo.world.add_user(user_id, display_name)
        self.zalo_profiles[user.id] = {
            "role": role,
            "role_label": role_label or ROLE_LABELS.get(role, role),
            "title": title,
            "units": list(units or []),
        }
        return self.zalo_person(user.id)

    def zalo_person(self, user_id: str) -> dict[str, Any]:
        user = self.server.zalo.world.users[user_id]
        profile = self.zalo_profiles.get(user_id, {"role": "", "role_label": "Người dùng", "title": "", "units": []})
        return {"id": user.id, "name": user.display_name, "first_name": user.display_name,
                "unreachable": user.unreachable, "messenger": "zalo", **profile}

    def zalo_people(self) -> list[dict[str, Any]]:
        found = [self.zalo_person(uid) for uid in self.server.zalo.world.users]
        return sorted(found, key=lambda p: (p["id"] not in self.zalo_profiles, ROLE_ORDER.get(p["role"], 9), p["id"]))

    def people(self) -> list[dict[str, Any]]:
        found = [self.person(uid) for uid in self.server.state.users]
        return sorted(found, key=lambda p: (p["id"] not in self.profiles, ROLE_ORDER.get(p["role"], 9), p["id"]))

    async def _page(self, request: web.Request) -> web.StreamResponse:
        return self._file("index.html")

    async def _static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in _FILES:
            raise web.HTTPNotFound()
        return self._file(name)

    def _file(self, name: str) -> web.Response:
        body = (WEB_DIR / name).read_bytes()
        return web.Response(body=body, content_type=_FILES[name], charset="utf-8",
                            headers={"Cache-Control": "no-cache"})

    async def _list(self, request: web.Request) -> web.Response:
        return _json(self.people())

    async def _add(self, request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            return _json({"error": "body must be JSON"}, 400)
        if not isinstance(body, dict) or "id" not in body or not body.get("first_name"):
            return _json({"error": "id and first_name are required"}, 400)
        start = body.get("start")
        if start is not None and not (isinstance(start, str) and START_PARAMETER.fullmatch(start)):
            return _json({"error": "start must be 1-64 characters of A-Z, a-z, 0-9, _ and - (a deep link's start "
                                   "parameter)"}, 400)
        try:
            user_id = int(body["id"])
            person = self.add_person(
                user_id, str(body["first_name"]), body.get("last_name"), role=str(body.get("role", "")),
                role_label=body.get("role_label"), title=str(body.get("title", "")),
                units=[str(u) for u in body.get("units") or []], username=body.get("username"),
            )
        except (TypeError, ValueError) as exc:
            return _json({"error": str(exc)}, 400)
        except Exception as exc:  # ControlError from the state (e.g. a non-positive id)
            return _json({"error": str(exc)}, getattr(exc, "status", 400))
        if start is not None:
            state = self.server.state
            message = state.user_text(user_id, f"/start {start}")
            person["start_message"] = {**message.to_control(self.server.base_url), "update_id": state.next_update_id - 1}
        return _json(person)

    async def _zalo_list(self, request: web.Request) -> web.Response:
        return _json(self.zalo_people())

    async def _zalo_add(self, request: web.Request) -> web.Response:
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            return _json({"error": "body must be JSON"}, 400)
        if not isinstance(body, dict) or not body.get("display_name"):
            return _json({"error": "display_name is required"}, 400)
        try:
            person = self.add_zalo_person(
                None if body.get("id") is None else str(body["id"]), str(body["display_name"]),
                role=str(body.get("role", "")), role_label=body.get("role_label"), title=str(body.get("title", "")),
                units=[str(u) for u in body.get("units") or []],
            )
        except ControlError as exc:
            return _json({"error": str(exc)}, exc.status)
        return _json(person)

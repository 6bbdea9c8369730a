"""The web side of file links (aiohttp): ``GET /tep/<person>/<file>/<expires>/<signature>/<name>``.

In this order a request is refused with a short Vietnamese page:

| status | when |
|---|---|
| 403 | the signature does not match the person, file, expiry and name (a link changed by hand) |
| 410 | the link has expired (FILE_LINK_DAYS after it was made), or its file was cleared away since |
| 403 | the person it was made for no longer has a role (revoked, or gone) |

otherwise the file is served (private, not cached; .docx/.xlsx as a download, a chart inline).
Every fetch and every refusal is written to the audit log (``file_link.fetch`` /
``file_link.refused``, subject ``person:<id>``, with the file, the address and the browser).

The routes join the webhook server's application when one runs (one port), else their own server
on FILE_LINK_LISTEN:FILE_LINK_PORT (``start_file_server``); the demo serves them on a free local
port (``serve_local_files``)."""

from __future__ import annotations

import html
import logging
import mimetypes
import secrets
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot.chat.catalogue import say
from bot.files.links import PATH_PREFIX, FileLinks
from bot.files.signing import LinkClaims, verify
from bot.files.store import FileStore
from bot.services import Services

log = logging.getLogger(__name__)

_INLINE = {"image/png", "image/jpeg"}
_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".png": "image/png",
}


def page(status: int, key: str) -> web.Response:
    """A short Vietnamese page saying why the file is not given."""
    title = html.escape(say("files.page_title"))
    body = html.escape(say(key))
    text = (f'<!doctype html><html lang="vi"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>'
            f'<body style="font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem">'
            f"<h1 style=\"font-size:1.2rem\">{title}</h1><p>{body}</p></body></html>")
    return web.Response(status=status, text=text, content_type="text/html", charset="utf-8",
                        headers={"Cache-Control": "no-store"})


def _claims(request: web.Request) -> tuple[LinkClaims, str] | None:
    info = request.match_info
    person, expires = info["person"], info["expires"]
    if not (person.isascii() and person.isdigit() and expires.isascii() and expires.isdigit()):
        return None
    if len(person) > 18 or len(expires) > 12:
        return None
    return LinkClaims(int(person), info["file"], int(expires), info["name"]), info["signature"]


def add_file_routes(app: web.Application, links: FileLinks, services: Services) -> None:
    """Serve the links of ``links`` from ``app`` (reading the storage and clock of ``services``)."""

    async def audit(action: str, claims: LinkClaims | None, request: web.Request, **more: Any) -> None:
        detail = {"file": claims.file_id if claims else None, "name": claims.filename if claims else None,
                  "address": request.remote, "browser": request.headers.get("User-Agent", "")[:200], **more}
        subject = f"person:{claims.person_id}" if claims else None
        await services.storage.audit.log(action, services.clock.now(), subject=subject, detail=detail)

    async def refuse(status: int, key: str, reason: str, claims: LinkClaims | None,
                     request: web.Request) -> web.Response:
        log.info("file link refused (%s): %s", reason, request.path)
        await audit("file_link.refused", claims, request, reason=reason)
        return page(status, key)

    async def fetch(request: web.Request) -> web.StreamResponse:
        parsed = _claims(request)
        if parsed is None or not verify(parsed[0], parsed[1], links.key):
            return await refuse(403, "files.refused", "signature", None, request)
        claims = parsed[0]
        if services.clock.now().timestamp() >= claims.expires:
            return await refuse(410, "files.expired", "expired", claims, request)
        if not await _still_entitled(services, claims.person_id):
            return await refuse(403, "files.no_access", "no_role", claims, request)
        content = await links.store.read(claims.file_id)
        if content is None:
            return await refuse(410, "files.expired", "file_gone", claims, request)
        await audit("file_link.fetch", claims, request, size=len(content))
        kind = _TYPES.get(_suffix(claims.filename)) or mimetypes.guess_type(claims.filename)[0]
        kind = kind or "application/octet-stream"
        disposition = "inline" if kind in _INLINE else "attachment"
        return web.Response(body=content, content_type=kind, headers={
            "Content-Disposition": f'{disposition}; filename="{claims.filename}"',
            "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff",
        })

    app.router.add_get(f"/{PATH_PREFIX}/{{person}}/{{file}}/{{expires}}/{{signature}}/{{name}}", fetch)


def _suffix(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot >= 0 else ""


async def _still_entitled(services: Services, person_id: int) -> bool:
    """The person still has a role (a membership not revoked), or is an admin of ADMIN_IDS."""
    storage = services.storage
    person = await storage.people.get(person_id)
    if person is None:
        return False
    if person.telegram_id is not None and person.telegram_id in services.settings.admin_ids:
        return True
    return bool(await storage.people.memberships_of(person_id))


async def start_file_server(links: FileLinks, services: Services, *, listen: str, port: int) -> web.AppRunner:
    """The file links on their own small server; ``await runner.cleanup()`` stops it."""
    app = web.Application()
    add_file_routes(app, links, services)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    await web.TCPSite(runner, listen, port).start()
    log.info("file links served on %s:%s", listen, port)
    return runner


async def serve_local_files(services: Services, *, host: str) -> web.AppRunner:
    """For the demo (no PUBLIC_BASE_URL): file links on a free local port, signed with a key made
    for this run (its links end with it), installed as ``services.file_links``."""
    settings = services.settings
    links = FileLinks("http://127.0.0.1", secrets.token_bytes(32), FileStore.beside(settings.database_path),
                      services.clock, timedelta(days=settings.file_link_days))
    runner = await start_file_server(links, services, listen=host, port=0)
    links.base_url = f"http://{host}:{runner.addresses[0][1]}"
    services.file_links = links
    return runner

"""What the webhook tests of both messengers check alike, over raw HTTP: a request without the
right secret is refused from its headers (403 at once, its declared 90 MB never read, many at
once too), and with the secret a body over the cap is refused (413), declared or chunked; an
update forged without it is refused (403), another path is not found (404)."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp

BIG = {"Content-Type": "application/json", "Content-Length": str(90 * 1024 * 1024)}
PIECE = b"10000\r\n" + b" " * 65536 + b"\r\n"  # one chunk of 64 KB


async def post_raw(port: int, path: str, headers: dict[str, str], send: int, *,
                    chunk: bytes = b"x" * 65536) -> tuple[str, float]:
    """POST with these headers, then up to ``send`` bytes of body while the server takes them; the
    status line and how long it took to come."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    writer.write(f"POST /{path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}\r\n".encode())
    answer = asyncio.ensure_future(reader.readline())
    sent = 0
    try:
        while sent < send and not answer.done():
            writer.write(chunk)
            await writer.drain()
            sent += len(chunk)
        line = await asyncio.wait_for(answer, timeout=5)
    except (ConnectionError, TimeoutError):
        line = await asyncio.wait_for(answer, timeout=5) if not answer.cancelled() else b""
    finally:
        writer.close()
    return line.decode(errors="replace").strip(), loop.time() - started


async def strangers_refused_at_once(port: int, path: str, secret_header: str, wrong_secret: str) -> None:
    """A 90 MB body declared, no secret or a wrong one, 64 KB sent: 403 within 2 s."""
    for headers in (BIG, {**BIG, secret_header: wrong_secret}):
        status, took = await post_raw(port, path, headers, send=65536)
        assert status.startswith("HTTP/1.1 403"), status
        assert took < 2, took


async def strangers_pushing_refused(port: int, path: str, *, strangers: int, each: int) -> None:
    """``strangers`` at once, each pushing ``each`` bytes without the secret: all refused."""
    results = await asyncio.gather(*(post_raw(port, path, BIG, send=each) for _ in range(strangers)))
    assert all(status.startswith("HTTP/1.1 403") for status, _ in results), results


async def too_big_refused(port: int, path: str, secret_header: str, secret: str, *, chunked: bool = True) -> None:
    """With the secret, a body declared over the cap: 413 within 2 s; chunked past it: 413 too."""
    status, took = await post_raw(port, path, {**BIG, secret_header: secret}, send=65536)
    assert status.startswith("HTTP/1.1 413"), status
    assert took < 2, took
    if chunked:
        headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked", secret_header: secret}
        status, _ = await post_raw(port, path, headers, send=2 * 1024 * 1024, chunk=PIECE)
        assert status.startswith("HTTP/1.1 413"), status


async def forged_refused(url: str, port: int, forged: dict[str, Any], secret_header: str, wrong_secret: str,
                         secret: str) -> None:
    """An update forged to ``url`` without the right secret (a wrong one, none): 403; with the
    secret to another path: 404."""
    async with aiohttp.ClientSession() as http:
        for headers in ({secret_header: wrong_secret}, {}):
            async with http.post(url, json=forged, headers=headers) as resp:
                assert resp.status == 403
        async with http.post(f"http://127.0.0.1:{port}/elsewhere", json=forged,
                             headers={secret_header: secret}) as resp:
            assert resp.status == 404

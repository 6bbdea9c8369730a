"""The pace of sends and what a failed send means."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.notify import PACED, Paced, PacedRateLimiter, classify, retry_delay


def raised(error: Exception, cause: BaseException | None = None) -> Exception:
    try:
        raise error from cause
    except Exception as caught:  # noqa: BLE001
        return caught


def test_what_a_failed_send_means() -> None:
    request = httpx.Request("POST", "https://api.telegram.org/bot1:x/sendMessage")
    assert classify(RetryAfter(3)) == "retry"
    assert classify(raised(NetworkError("Internal Server Error (500)"))) == "retry"  # answered: not done
    assert classify(raised(NetworkError("Bad Gateway"))) == "retry"
    assert classify(raised(TimedOut(), httpx.ConnectTimeout("x", request=request))) == "retry"  # never left
    assert classify(raised(NetworkError("httpx.ConnectError"), httpx.ConnectError("x", request=request))) == "retry"
    assert classify(raised(TimedOut("Pool timeout: All connections in the connection pool are occupied."),
                           httpx.PoolTimeout("x"))) == "retry"
    assert classify(raised(TimedOut(), httpx.ReadTimeout("x", request=request))) == "ambiguous"  # left, no answer
    assert classify(raised(NetworkError("httpx.RemoteProtocolError"),
                           httpx.RemoteProtocolError("x", request=request))) == "ambiguous"
    assert classify(Forbidden("Forbidden: bot was blocked by the user")) == "blocked"
    assert classify(BadRequest("Bad Request: chat not found")) == "refused"
    assert retry_delay(RetryAfter(2), 1) == pytest.approx(2.1)
    assert [retry_delay(TimedOut(), n) for n in (1, 2, 3, 6)] == [0.5, 1.0, 2.0, 8.0]


async def test_the_paces_overall_and_per_chat() -> None:
    limiter = PacedRateLimiter(overall_per_second=30, per_chat_interval=0.25)
    await limiter.initialize()
    loop = asyncio.get_running_loop()
    times: list[tuple[int, float, bool]] = []

    async def send(chat: int, paced: bool) -> Any:
        async def callback(*args: Any, **kwargs: Any) -> bool:
            times.append((chat, loop.time(), paced))
            return True

        return await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": chat},
                                             PACED if paced else None)

    # an interactive reply to chat 1, then a broadcast: two messages to each of five chats
    await send(1, False)
    await asyncio.gather(*(send(chat, True) for chat in [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]))
    await limiter.process_request(lambda: asyncio.sleep(0, True), (), {}, "answerCallbackQuery", {}, None)
    await limiter.shutdown()
    stamps = sorted(t for _, t, _ in times)
    assert len(stamps) == 11
    assert min(b - a for a, b in zip(stamps, stamps[1:], strict=False)) >= 1 / 30 - 0.002
    for chat in range(1, 6):
        mine = sorted(t for c, t, _ in times if c == chat)
        assert all(b - a >= 0.25 - 0.002 for a, b in zip(mine, mine[1:], strict=False)), chat
    assert isinstance(PACED, Paced) and PACED.max_retries is None
    with pytest.raises(ValueError):
        PacedRateLimiter(overall_per_second=31)


async def test_no_second_ever_holds_more_than_30() -> None:
    limiter = PacedRateLimiter()  # the application's: 29/s
    await limiter.initialize()
    loop = asyncio.get_running_loop()
    stamps: list[float] = []

    async def callback() -> bool:
        stamps.append(loop.time())
        if len(stamps) % 7 == 0:
            await asyncio.sleep(0)
        return True

    started = loop.time()
    await asyncio.gather(*(limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": 10 + n}, PACED)
                           for n in range(40)))
    await limiter.shutdown()
    took = loop.time() - started
    assert all(b - a > 1.0 for a, b in zip(stamps, stamps[30:], strict=False))  # 31 sends span > 1 s
    assert 39 / 29 - 0.01 <= took < 39 / 29 + 0.3

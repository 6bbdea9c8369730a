"""The pace of sends and what a failed send means."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from handlers.pacing import PACED, Paced, PacedRateLimiter
from handlers.send_errors import classify, retry_delay


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
    limiter = PacedRateLimiter(min_gap=1 / 30, per_chat_interval=0.25)
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
        PacedRateLimiter(max_per_second=31)


async def test_no_second_ever_holds_more_than_30() -> None:
    limiter = PacedRateLimiter()  # the application's: 30 in any 1.005 s after their answers, 1/32 s apart
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
    assert all(b - a >= 1.005 - 0.001 for a, b in zip(stamps, stamps[30:], strict=False))  # 31 sends span ≥ 1.005 s
    assert all(b - a >= 1 / 32 - 0.002 for a, b in zip(stamps, stamps[1:], strict=False))
    assert 1.005 + 9 / 32 - 0.01 <= took < 1.005 + 9 / 32 + 0.3  # the 31st waits for the window, not 31 gaps


async def test_delays_on_the_way_never_squeeze_31_into_telegrams_second() -> None:
    limiter = PacedRateLimiter()
    await limiter.initialize()
    loop = asyncio.get_running_loop()
    rng = random.Random(3)
    counted: list[float] = []

    async def callback() -> bool:
        await asyncio.sleep(rng.uniform(0, 0.06))  # the request on its way (a slow network, a busy loop)
        counted.append(loop.time())  # Telegram counts it
        await asyncio.sleep(rng.uniform(0, 0.06))  # the answer on its way back
        return True

    await asyncio.gather(*(limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": 100 + n}, PACED)
                           for n in range(75)))
    await limiter.shutdown()
    counted.sort()
    assert len(counted) == 75
    assert all(b - a >= 1.0 for a, b in zip(counted, counted[30:], strict=False))


async def test_a_refused_send_gives_its_place_back_and_holds_only_its_chat() -> None:
    limiter = PacedRateLimiter(min_gap=0)  # no spreading: the window alone decides
    await limiter.initialize()
    loop = asyncio.get_running_loop()
    accepted: list[tuple[int, float]] = []
    refused: list[tuple[int, float]] = []
    to_refuse = {3, 8, 13, 21, 27}  # chats whose first try Telegram answers 429 retry_after 1

    async def send(chat: int) -> Any:
        async def callback() -> bool:
            if chat in to_refuse and chat not in {c for c, _ in refused}:
                refused.append((chat, loop.time()))
                raise RetryAfter(1)
            accepted.append((chat, loop.time()))
            return True

        return await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": chat}, PACED)

    started = loop.time()
    await asyncio.gather(*(send(chat) for chat in range(1, 41)))
    await limiter.shutdown()
    stamps = sorted(t for _, t in accepted)
    assert len(accepted) == 40 and len(refused) == 5
    assert all(b - a >= 1.005 - 0.001 for a, b in zip(stamps, stamps[30:], strict=False))  # ≤ 30 per 1.005 s
    # the five refusals took no place: 30 accepted in the first window, not 25
    assert sum(1 for t in stamps if t - started < 0.5) == 30
    for chat, at in refused:  # that chat waited what Telegram asked …
        [again] = [t for c, t in accepted if c == chat]
        assert again - at >= 1.1 - 0.002
    others = [t for c, t in accepted if c not in to_refuse]  # … the others did not wait for it
    assert max(others) - started < 1.005 + 0.05


async def test_a_long_retry_after_holds_every_send() -> None:
    limiter = PacedRateLimiter(hold_all_after=0.5)
    await limiter.initialize()
    loop = asyncio.get_running_loop()
    stamps: dict[int, list[float]] = {}

    async def send(chat: int) -> Any:
        async def callback() -> bool:
            stamps.setdefault(chat, []).append(loop.time())
            if chat == 1 and len(stamps[1]) == 1:
                raise RetryAfter(1)  # + 0.1 > hold_all_after: Telegram wants the bot to slow down
            return True

        return await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": chat}, PACED)

    await send(1)
    await asyncio.gather(*(send(chat) for chat in range(2, 5)))
    await limiter.shutdown()
    first = stamps[1][0]
    assert stamps[1][1] - first >= 1.1 - 0.002
    assert all(times[0] - first >= 1.1 - 0.002 for chat, times in stamps.items() if chat != 1)


async def test_a_paced_send_refused_every_time_raises_retry_after() -> None:
    limiter = PacedRateLimiter()
    await limiter.initialize()
    tries = 0

    async def callback() -> bool:
        nonlocal tries
        tries += 1
        raise RetryAfter(0)

    with pytest.raises(RetryAfter):
        await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": 5}, Paced(max_retries=2))
    await limiter.shutdown()
    assert tries == 3

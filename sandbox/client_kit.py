"""What the Python control clients share (SandboxClient, sandbox/client.py; ZaloSandboxClient,
sandbox/zalo/client.py): the wait for the bot's next message and the calls over a side's pending
updates, webhook, faults, limits, counters and reset, as sandbox/control_kit.py serves them alike."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any

Message = dict[str, Any]


async def wait_for_bot_message(
    wait: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]],
    first: dict[str, Any],
    within: float,
    predicate: Callable[[Message], bool] | None,
    nothing: str,
) -> Message:
    """Long-poll GET .../chats/{chat_id}/wait (`wait(query)`) from `first` (since, after_message_id)
    until a bot message satisfies `predicate`; after each answer with none, from its `seq` on.
    TimeoutError(`nothing`) when `within` seconds pass."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    query = first
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            break
        res = await wait({**query, "timeout": round(remaining, 3)})
        for msg in res["messages"]:
            if predicate is None or predicate(msg):
                return dict(msg)
        if res["timed_out"]:
            break
        query = {"since": res["seq"]}  # nothing matched: wait for what happens next
    raise TimeoutError(nothing)


class SideCalls(ABC):
    """GET updates/pending and webhook, POST/DELETE faults, POST limits, GET stats, POST reset."""

    @abstractmethod
    async def _object(
        self, method: str, path: str, body: dict[str, Any] | None = None, query: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A control call under this side's root whose answer is a JSON object."""

    async def pending_updates(self) -> dict[str, Any]:
        return await self._object("GET", "/updates/pending")

    async def webhook(self) -> dict[str, Any]:
        return await self._object("GET", "/webhook")

    async def inject_fault(self, method: str = "*", kind: str = "429", **options: Any) -> dict[str, Any]:
        """kind: 429, 500, 502, slow, timeout (and on Zalo unreachable); options: count, probability,
        seed, retry_after, delay, chat_id, executed."""
        return await self._object("POST", "/faults", {"method": method, "kind": kind, **options})

    async def clear_faults(self) -> None:
        await self._object("DELETE", "/faults")

    async def set_limits(self, **changes: Any) -> dict[str, Any]:
        """global_per_second, per_chat_per_second, per_chat_burst, group_per_minute, enforce."""
        return await self._object("POST", "/limits", changes)

    async def stats(self) -> dict[str, Any]:
        return await self._object("GET", "/stats")

    async def reset(self) -> None:
        await self._object("POST", "/reset")

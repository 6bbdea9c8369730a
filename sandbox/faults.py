"""Faults injected into Bot API calls: 429s, 5xx, slow answers, answers later than the client waits."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import ApiError, too_many_requests
from sandbox.state import ControlError

KINDS = ("429", "500", "502", "timeout", "slow")
DEFAULT_DELAY = {"timeout": 10.0, "slow": 2.0}


@dataclass
class FaultRule:
    method: str  # a Bot API method name or "*"
    kind: str
    count: int | None = None  # how many more times it fires; None = until cleared
    probability: float = 1.0
    retry_after: int = 1  # for 429
    delay: float = 0.0  # for timeout / slow
    chat_id: int | str | None = None  # Zalo's chat ids are strings
    executed: bool = True  # timeout: was the request carried out before the answer got lost?
    seed: int | None = None
    fired: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "kind": self.kind,
            "count": self.count,
            "probability": self.probability,
            "retry_after": self.retry_after,
            "delay": self.delay,
            "chat_id": self.chat_id,
            "executed": self.executed,
            "seed": self.seed,
            "fired": self.fired,
        }


def rule_from_json(body: dict[str, Any], kinds: tuple[str, ...] = KINDS) -> FaultRule:
    kind = str(body.get("kind", ""))
    if kind not in kinds:
        raise ControlError(f"kind must be one of {list(kinds)}")
    method = body.get("method")
    if not isinstance(method, str) or not method:
        raise ControlError('method is required (a Bot API method name or "*")')
    try:
        probability = float(body.get("probability", 1.0))
        count = None if body.get("count") is None else int(body["count"])
        retry_after = int(body.get("retry_after", 1))
        delay = float(body.get("delay", DEFAULT_DELAY.get(kind, 0.0)))
        chat_id = None if body.get("chat_id") is None else int(body["chat_id"])
        seed = None if body.get("seed") is None else int(body["seed"])
    except (TypeError, ValueError) as exc:
        raise ControlError(f"bad fault: {exc}") from None
    if not 0.0 <= probability <= 1.0:
        raise ControlError("probability must be within 0..1")
    if retry_after < 1:
        raise ControlError("retry_after must be at least 1")
    return FaultRule(
        method=method,
        kind=kind,
        count=count,
        probability=probability,
        retry_after=retry_after,
        delay=delay,
        chat_id=chat_id,
        executed=bool(body.get("executed", True)),
        seed=seed,
        _rng=random.Random(seed),
    )


class FaultInjector:
    def __init__(self) -> None:
        self.rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> None:
        self.rules.append(rule)

    def clear(self) -> None:
        self.rules.clear()

    def pick(self, method: str, chat_id: int | str | None) -> FaultRule | None:
        """The first rule that applies to this call and fires now (its count goes down)."""
        for rule in self.rules:
            if rule.method not in ("*", method):
                continue
            if rule.chat_id is not None and rule.chat_id != chat_id:
                continue
            if rule.count is not None and rule.count <= 0:
                continue
            if rule.probability < 1.0 and rule._rng.random() >= rule.probability:
                continue
            if rule.count is not None:
                rule.count -= 1
            rule.fired += 1
            return rule
        return None


class RawAnswer(Exception):
    """An answer that is not Bot API JSON (the HTML page a 502 from the messenger's front end is)."""

    def __init__(self, status: int, body: str, content_type: str = "text/html") -> None:
        super().__init__(status)
        self.status, self.body, self.content_type = status, body, content_type


async def apply_fault(
    rule: FaultRule,
    run: Callable[[], Awaitable[Any]],
    sleep: Callable[[float], Awaitable[None]],
    answered_429: Counter[str],
    bad_gateway_html: str,
) -> Any:
    """A call under one of KINDS, for both Bot APIs: 429 (counted as "injected"), 500, 502 (the
    front end's HTML page, as RawAnswer), slow (`run` after the delay), timeout (`run`, then the
    delay, unless not `executed`: then nothing is carried out and the answer is 504)."""
    if rule.kind == "429":
        answered_429["injected"] += 1
        raise too_many_requests(rule.retry_after)
    if rule.kind == "500":
        raise ApiError(500, "Internal Server Error")
    if rule.kind == "502":
        raise RawAnswer(502, bad_gateway_html)
    if rule.kind == "slow":
        await sleep(rule.delay)
        return await run()
    # timeout: the answer comes later than the client waits; the request may well have been carried out
    if rule.executed:
        result = await run()
        await sleep(rule.delay)
        return result
    await sleep(rule.delay)
    raise ApiError(504, "Gateway Timeout")

"""Telegram's flood limits, and the counters that show how close the bot came to them.

Sending methods (messages, files and edits) are limited:
- globally, at most `global_per_second` in any sliding 1-second window;
- per chat, a token bucket refilled at `per_chat_per_second` holding up to `per_chat_burst`
  (a bot answering a button with an edit and a new message is fine; a loop of sends is not);
- per group chat, at most `group_per_minute` in any sliding minute.
A request over a limit is answered 429 with parameters.retry_after and not executed.
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

SENDING_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "editMessageText", "editMessageReplyMarkup"}
)


@dataclass
class Limits:
    global_per_second: int = 30
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 3
    group_per_minute: int = 20
    enforce: bool = True

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def change_limits(limits: Limits, **changes: Any) -> Limits:
    """Set the named limits in place, each read as its field's type ("on"/"off" and such for
    `enforce`); ValueError for a name that is not a limit. Both control APIs' POST .../limits."""
    for key, value in changes.items():
        if not hasattr(limits, key):
            raise ValueError(f"unknown limit {key}")
        current = getattr(limits, key)
        if isinstance(current, bool):
            if isinstance(value, str):
                value = value.strip().lower() in {"1", "true", "yes", "on"}
            setattr(limits, key, bool(value))
        else:
            setattr(limits, key, type(current)(value))
    return limits


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._window: deque[float] = deque()
        self._buckets: dict[int, _Bucket] = {}
        self._groups: dict[int, deque[float]] = {}

    def reset(self) -> None:
        self._window.clear()
        self._buckets.clear()
        self._groups.clear()

    def check(self, chat_id: int | None) -> tuple[int, str] | None:
        """(retry_after, reason) when one more send to `chat_id` now would break a limit; else None."""
        if not self.limits.enforce:
            return None
        now = self.clock()
        self._prune(now)
        lim = self.limits
        if len(self._window) >= lim.global_per_second:
            return _ceil(self._window[0] + 1.0 - now), "global"
        if chat_id is None:
            return None
        bucket = self._bucket(chat_id, now)
        if bucket.tokens < 1.0:
            return _ceil((1.0 - bucket.tokens) / max(lim.per_chat_per_second, 1e-9)), "chat"
        group = self._groups.get(chat_id)
        if chat_id < 0 and group is not None and len(group) >= lim.group_per_minute:
            return _ceil(group[0] + 60.0 - now), "group"
        return None

    def consume(self, chat_id: int | None) -> None:
        """Count one executed send (whether or not limits are enforced, so switching them on is fair)."""
        now = self.clock()
        self._prune(now)
        self._window.append(now)
        if chat_id is None:
            return
        bucket = self._bucket(chat_id, now)
        bucket.tokens -= 1.0
        if chat_id < 0:
            self._groups.setdefault(chat_id, deque()).append(now)

    def _bucket(self, chat_id: int, now: float) -> _Bucket:
        lim = self.limits
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            bucket = self._buckets[chat_id] = _Bucket(float(lim.per_chat_burst), now)
        bucket.tokens = min(
            float(lim.per_chat_burst), bucket.tokens + (now - bucket.updated) * lim.per_chat_per_second
        )
        bucket.updated = now
        return bucket

    def _prune(self, now: float) -> None:
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        for group in self._groups.values():
            while group and group[0] <= now - 60.0:
                group.popleft()


def _ceil(seconds: float) -> int:
    return max(1, math.ceil(seconds))


@dataclass
class Stats:
    """Counters for GET /control/stats."""

    clock: Callable[[], float] = time.monotonic
    requests_by_method: Counter[str] = field(default_factory=Counter)
    status_counts: Counter[int] = field(default_factory=Counter)
    sends_accepted: int = 0
    sends_by_chat: Counter[int] = field(default_factory=Counter)
    answered_429: Counter[str] = field(default_factory=Counter)  # limit | injected
    limit_429_by_reason: Counter[str] = field(default_factory=Counter)  # global | chat | group
    faults_injected: Counter[str] = field(default_factory=Counter)  # by kind
    forbidden_403: int = 0
    max_sends_in_1s: int = 0
    sends_within_1s_same_chat: int = 0
    _recent: deque[float] = field(default_factory=deque)
    _last_send: dict[int, float] = field(default_factory=dict)

    def record_send(self, chat_id: int | None) -> None:
        now = self.clock()
        self.sends_accepted += 1
        self._recent.append(now)
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        self.max_sends_in_1s = max(self.max_sends_in_1s, len(self._recent))
        if chat_id is not None:
            self.sends_by_chat[chat_id] += 1
            last = self._last_send.get(chat_id)
            if last is not None and now - last < 1.0:
                self.sends_within_1s_same_chat += 1
            self._last_send[chat_id] = now

    def to_json(self) -> dict[str, Any]:
        return {
            "requests_by_method": dict(self.requests_by_method),
            "requests_total": sum(self.requests_by_method.values()),
            "status_counts": {str(k): v for k, v in self.status_counts.items()},
            "sends_accepted": self.sends_accepted,
            "sends_by_chat": {str(k): v for k, v in self.sends_by_chat.items()},
            "answered_429": {"limit": self.answered_429["limit"], "injected": self.answered_429["injected"]},
            "limit_429_by_reason": dict(self.limit_429_by_reason),
            "faults_injected": dict(self.faults_injected),
            "faults_injected_total": sum(self.faults_injected.values()),
            "forbidden_403": self.forbidden_403,
            "max_sends_in_1s": self.max_sends_in_1s,
            "sends_within_1s_same_chat": self.sends_within_1s_same_chat,
        }

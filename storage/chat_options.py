"""The options last offered in a chat of a messenger without buttons (Zalo): a typed key ("2")
or an option's words is read against them, after a restart too. One row per chat, replaced by each new
offer; the actions are stored encoded (bot/chat/actions.py) and decoded — and checked again
by the journeys — when picked."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from .base import Repository
from .codec import dt_text


@dataclass(frozen=True)
class OfferedOption:
    key: str  # what is typed: "1", "0", "a"
    label: str  # the option's words, as shown
    action: str  # the encoded action


@dataclass(frozen=True)
class Offer:
    options: tuple[OfferedOption, ...]
    typed: bool  # a question awaits a typed value: the options are keyed by letters


class ChatOptionsRepo(Repository):
    async def offer(self, messenger: str, chat_id: str, options: list[OfferedOption], at: datetime, *,
                    typed: bool = False) -> None:
        """The chat's options are now ``options`` (none: forget the earlier ones)."""
        if not options:
            await self.db.execute("DELETE FROM chat_options WHERE messenger = ? AND chat_id = ?",
                                  (messenger, chat_id))
            return
        data = json.dumps([{"key": o.key, "label": o.label, "action": o.action} for o in options],
                          ensure_ascii=False)
        await self.db.execute(
            "INSERT INTO chat_options (messenger, chat_id, options, typed, offered_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (messenger, chat_id) DO UPDATE SET options = excluded.options,"
            " typed = excluded.typed, offered_at = excluded.offered_at",
            (messenger, chat_id, data, int(typed), dt_text(at)),
        )

    async def offered(self, messenger: str, chat_id: str) -> Offer:
        row = await self.db.fetch_one(
            "SELECT options, typed FROM chat_options WHERE messenger = ? AND chat_id = ?", (messenger, chat_id),
            quick=True,
        )
        if row is None:
            return Offer((), False)
        options = tuple(OfferedOption(str(o["key"]), str(o["label"]), str(o["action"]))
                        for o in json.loads(row["options"]))
        return Offer(options, bool(row["typed"]))

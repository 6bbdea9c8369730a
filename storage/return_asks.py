"""A supervisor's «Trả lại để sửa» waiting for its reason: one per chat (a second tap replaces
the first), read when their next text comes, gone once the report is returned or the ask cancelled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .base import Repository
from .codec import dt_from_text, dt_text


@dataclass(frozen=True)
class ReturnAsk:
    chat_id: int  # the supervisor's Telegram id
    submission_id: int
    asked_at: datetime


class ReturnAskRepo(Repository):
    async def ask(self, chat_id: int, submission_id: int, at: datetime) -> ReturnAsk:
        """The supervisor is asked the reason to return ``submission_id`` (replacing an earlier ask)."""
        await self.db.execute(
            "INSERT INTO return_asks (chat_id, submission_id, asked_at) VALUES (?, ?, ?)"
            " ON CONFLICT (chat_id) DO UPDATE SET submission_id = excluded.submission_id,"
            " asked_at = excluded.asked_at",
            (chat_id, submission_id, dt_text(at)),
        )
        return ReturnAsk(chat_id, submission_id, at)

    async def get(self, chat_id: int) -> ReturnAsk | None:
        row = await self.db.fetch_one("SELECT chat_id, submission_id, asked_at FROM return_asks WHERE chat_id = ?",
                                      (chat_id,), quick=True)
        if row is None:
            return None
        return ReturnAsk(row["chat_id"], row["submission_id"], dt_from_text(row["asked_at"]))

    async def clear(self, chat_id: int, submission_id: int | None = None) -> bool:
        """The ask is over (answered or cancelled); only when it is about ``submission_id``, if given.
        Whether there was one."""
        if submission_id is None:
            return await self.db.execute("DELETE FROM return_asks WHERE chat_id = ?", (chat_id,)) > 0
        return await self.db.execute("DELETE FROM return_asks WHERE chat_id = ? AND submission_id = ?",
                                     (chat_id, submission_id)) > 0

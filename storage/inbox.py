"""Updates received and not yet handled (see schema_v8): written before the handling, deleted
after it; what a process that died left here is handled at the next start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .base import Repository
from .codec import dt_text

MAX_ATTEMPTS = 3  # an update left after this many starts is given up (it may be what kills the bot)


@dataclass(frozen=True)
class Received:
    id: int
    body: str
    attempts: int


class InboxRepo(Repository):
    async def put(self, messenger: str, body: str, at: datetime) -> int:
        rows = await self.db.execute_returning(
            "INSERT INTO inbox (messenger, body, received_at) VALUES (?, ?, ?) RETURNING id",
            (messenger, body, dt_text(at)),
        )
        return int(rows[0]["id"])

    async def done(self, received_id: int) -> None:
        await self.db.execute("DELETE FROM inbox WHERE id = ?", (received_id,))

    async def left(self, messenger: str) -> list[Received]:
        """What a process that died left unhandled, oldest first, each counted as one more attempt;
        those tried ``MAX_ATTEMPTS`` times already are dropped."""
        async with self.db.transaction():
            await self.db.execute("DELETE FROM inbox WHERE messenger = ? AND attempts >= ?", (messenger, MAX_ATTEMPTS))
            rows = await self.db.execute_returning(
                "UPDATE inbox SET attempts = attempts + 1 WHERE messenger = ? RETURNING id, body, attempts",
                (messenger,),
            )
        return sorted((Received(int(r["id"]), str(r["body"]), int(r["attempts"])) for r in rows), key=lambda r: r.id)

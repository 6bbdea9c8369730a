"""Who a notice's chat is: the chat key notices are recorded under (``Person.actor``: the Telegram
id, or for someone only on Zalo a negative number derived from the Zalo id) back to the person."""

from __future__ import annotations

from .base import Repository
from .db import Database
from .models import Person, zalo_actor


class MessengerRepo(Repository):
    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self._zalo_actors: dict[int, int] = {}  # actor → person id, of the people only on Zalo

    async def person_for_chat(self, chat_id: int) -> Person | None:
        """The person a notice to ``chat_id`` is for."""
        if chat_id >= 0:
            row = await self.db.fetch_one("SELECT id FROM people WHERE telegram_id = ?", (chat_id,), quick=True)
            person_id = None if row is None else int(row[0])
        else:
            person_id = self._zalo_actors.get(chat_id)
            if person_id is None:  # someone new on Zalo since the last look: look again
                rows = await self.db.fetch_all("SELECT id, zalo_id FROM people WHERE zalo_id IS NOT NULL")
                self._zalo_actors = {zalo_actor(str(r["zalo_id"])): int(r["id"]) for r in rows}
                person_id = self._zalo_actors.get(chat_id)
        if person_id is None:
            return None
        from .people import PersonRepo

        return await PersonRepo(self.db).get(person_id)

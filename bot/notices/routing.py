"""Each notice to the messenger its person used last (``people.messenger``, updated by the channels
as updates arrive), through that messenger's sender: the same exactly-once record (one claim per
notice, whichever messenger carries it) and each messenger's own pace.

| the person … | the notice goes |
|---|---|
| used Zalo last and has a Zalo id (and a Zalo channel runs) | to Zalo |
| used Telegram last, or has no Zalo id | to Telegram |
| has only the other account | to that one |
| cannot be reached on Zalo (403) but has Telegram | to Telegram at once (Zalo refused it: nothing arrived) |

Only when no account is left is the outcome ``Blocked`` (the person is marked as Telegram's
blocked users are).

In a Zalo-only process (no TELEGRAM_BOT_TOKEN, ``telegram`` is None) a notice that would go to
Telegram is not lost silently: its outcome is ``Gone`` with the reason, so the notice is marked
failed with that reason (``notices.error``) and a warning is logged; it is not retried, since no
token will appear in this process. A person with a Zalo account is reached there even if they used
Telegram last."""

from __future__ import annotations

import logging
from typing import Protocol

from bot.chat.replies import Message
from bot.notices.sending import Blocked, Gone, Outcome, Sender, Turn
from storage import Storage
from storage.messengers import MessengerRepo
from storage.models import Person

log = logging.getLogger(__name__)

NO_TELEGRAM = "the person uses Telegram and no TELEGRAM_BOT_TOKEN is configured"


class AddressedSender(Protocol):
    """A messenger's sender that takes the messenger's own id of the user (Zalo's are strings)."""

    async def send_to(self, user_id: str, message: Message, turn: Turn, *, answer_within: float) -> Outcome: ...


def messenger_of(person: Person, zalo_runs: bool, telegram_runs: bool = True) -> str:
    """Where a notice to ``person`` goes first (see the module's table)."""
    wants = person.messenger or ("telegram" if person.telegram_id is not None else "zalo")
    if not telegram_runs and person.zalo_id is not None and zalo_runs:
        return "zalo"
    if wants == "zalo" and (person.zalo_id is None or not zalo_runs):
        wants = "telegram"
    if wants == "telegram" and person.telegram_id is None:
        wants = "zalo"
    return wants


class RoutingSender:
    """The notices' ``Sender`` for a population on both messengers."""

    def __init__(self, storage: Storage, telegram: Sender | None, zalo: AddressedSender | None) -> None:
        self.storage = storage
        self.people = MessengerRepo(storage.db)  # who each notice's chat is (it keeps a small cache)
        self.telegram = telegram
        self.zalo = zalo
        self.counts: dict[str, int] = {"telegram": 0, "zalo": 0}  # sends tried per messenger

    async def send(self, chat_id: int, message: Message, turn: Turn, *, answer_within: float) -> Outcome:
        person = await self.people.person_for_chat(chat_id)
        if person is None:
            if chat_id < 0:
                return Gone(f"no person for chat {chat_id}")
            return await self._telegram(chat_id, message, turn, answer_within)
        first = messenger_of(person, self.zalo is not None, self.telegram is not None)
        if first == "zalo" and self.zalo is not None and person.zalo_id is not None:
            outcome = await self._zalo(person.zalo_id, message, turn, answer_within)
            if isinstance(outcome, Blocked) and person.telegram_id is not None:
                log.info("person %d cannot be reached on Zalo; the notice goes to Telegram", person.id)
                return await self._telegram(person.telegram_id, message, turn, answer_within)
            return outcome
        if person.telegram_id is None:
            return Gone(f"person {person.id} has no account on a messenger that runs")
        return await self._telegram(person.telegram_id, message, turn, answer_within)

    async def _telegram(self, chat_id: int, message: Message, turn: Turn, answer_within: float) -> Outcome:
        if self.telegram is None:
            log.warning("a notice to Telegram chat %d is not sent: no TELEGRAM_BOT_TOKEN in this process", chat_id)
            return Gone(NO_TELEGRAM)
        self.counts["telegram"] += 1
        return await self.telegram.send(chat_id, message, turn, answer_within=answer_within)

    async def _zalo(self, zalo_id: str, message: Message, turn: Turn, answer_within: float) -> Outcome:
        assert self.zalo is not None
        self.counts["zalo"] += 1
        return await self.zalo.send_to(zalo_id, message, turn, answer_within=answer_within)

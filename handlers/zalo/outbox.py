"""The Zalo side of a journey's replies: texts in messages of at most 2,000 characters (cut at
line ends, never inside a line or a number when a line end is at hand), choices as typed options
under the text (bot/chat/options.py) remembered per chat in SQLite, files and charts offered as
links (files.py), no edits (``ClearChoices`` sends nothing). A send refused with 429 waits as told
and goes again; a 5xx or a lost connection is tried again after a short pause."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from bot.chat.access import Identity
from bot.chat.catalogue import say
from bot.chat.options import number_choices, options_text
from bot.chat.replies import ClearChoices, Document, Later, Message, Picture, Reply, TapAnswer, ToOthers
from bot.clock import Clock
from bot.files.links import PICTURE_NAME
from handlers.zalo.client import MAX_TEXT, ZaloBotClient, text_parts
from handlers.zalo.errors import ZaloNetworkError, ZaloRetryAfter, ZaloServerError, ZaloUnreachableUser
from handlers.zalo.files import FileLink
from handlers.zalo.models import ZaloSentMessage
from storage import Storage
from storage.chat_options import OfferedOption
from storage.models import Messenger

log = logging.getLogger(__name__)

MESSENGER: Messenger = "zalo"
SEND_ATTEMPTS = 4  # one send, and up to three more after a 429, a 5xx or no answer
RETRY_PAUSE = 1.0  # seconds before the first retry after a 5xx or no answer (doubled each time)
Background = Callable[[Coroutine[Any, Any, None]], object]


@dataclass
class _Composed:
    """What one turn sends: texts in order (each with the photo URL it is the caption of, if any)
    and the options they offer."""

    texts: list[tuple[str, str | None]] = field(default_factory=list)
    options: list[OfferedOption] = field(default_factory=list)
    later: list[Later] = field(default_factory=list)


class ZaloOutbox:
    def __init__(self, client: ZaloBotClient, storage: Callable[[], Storage], clock: Clock, file_link: FileLink,
                 background: Background) -> None:
        self.client = client
        self._storage = storage
        self.clock = clock
        self.file_link = file_link
        self.background = background

    async def deliver(self, chat_id: str, identity: Identity, replies: Sequence[Reply], *, typed: bool = False,
                      keep_options: bool = False) -> list[ZaloSentMessage]:
        """Send ``replies`` to the chat; its options become those they offer (``typed``: a question
        awaits a typed value, so they are keyed by letters). Without any, the earlier options are
        forgotten — unless ``keep_options`` (what comes later, beside the conversation)."""
        composed = await self._compose(identity, replies, typed)
        if composed.options or not keep_options:
            # remembered before the texts leave: a restart right after the send still knows them
            await self._storage().chat_options.offer(MESSENGER, chat_id, composed.options, self.clock.now(),
                                                     typed=typed)
        sent: list[ZaloSentMessage] = []
        for text, photo in composed.texts:
            if photo is not None:
                sent.append(await self._send(partial(self.client.send_photo, chat_id, photo, text[:MAX_TEXT] or None)))
                continue
            for part in text_parts(text):
                sent.append(await self._send(partial(self.client.send_message, chat_id, part)))
        for later in composed.later:
            self.background(self._later(chat_id, identity, later))
        return sent

    async def tell(self, chat_id: str, identity: Identity, message: Message) -> bool:
        """One message to someone else's chat (a reporter told of a return); whether it arrived."""
        try:
            await self.deliver(chat_id, identity, [message])
        except ZaloUnreachableUser:
            raise  # the caller marks them
        except Exception:  # noqa: BLE001 - telling is best effort, as on Telegram
            log.warning("could not tell Zalo chat %s", chat_id, exc_info=True)
            return False
        return True

    async def _later(self, chat_id: str, identity: Identity, later: Later) -> None:
        try:
            await self.deliver(chat_id, identity, await later.make(), keep_options=True)
        except Exception:  # noqa: BLE001 - the official is told, as the error handler does on Telegram
            log.exception("a reply made beside the conversation failed for Zalo chat %s", chat_id)
            await self._send(lambda: self.client.send_message(chat_id, say("common.error")))

    async def _compose(self, identity: Identity, replies: Sequence[Reply], typed: bool) -> _Composed:
        composed = _Composed()
        for reply in replies:
            if isinstance(reply, Message | Document):
                text = reply.text if isinstance(reply, Message) else await self._file_text(identity, reply)
                options = number_choices(reply.choices, typed=typed,
                                         taken=sum(1 for o in composed.options if o.key != "0"))
                if options:
                    text = f"{text}\n\n{options_text(options, typed=typed)}"
                    composed.options.extend(options)
                composed.texts.append((text, None))
            elif isinstance(reply, Picture):
                link = await self.file_link(identity, PICTURE_NAME, reply.content)
                if link is not None and link.startswith("https://"):
                    composed.texts.append((reply.caption, link))
                else:
                    words = say("zalo.picture_ready", link=link) if link else say("zalo.picture_not_linked")
                    composed.texts.append(("\n".join(filter(None, [reply.caption, words])), None))
            elif isinstance(reply, TapAnswer) and reply.text:
                composed.texts.append((reply.text, None))
            elif isinstance(reply, Later):
                composed.later.append(reply)
            elif isinstance(reply, ToOthers):
                log.info("a message to %d other chats is not sent from Zalo", len(reply.chat_ids))
            elif isinstance(reply, ClearChoices):
                continue  # no edits on Zalo: the options are replaced by the next ones offered
        return composed

    async def _file_text(self, identity: Identity, document: Document) -> str:
        link = await self.file_link(identity, document.filename, document.content)
        words = (say("zalo.file_ready", name=document.filename, link=link) if link
                 else say("zalo.file_not_linked", name=document.filename))
        return "\n\n".join(filter(None, [document.caption, words]))

    async def _send(self, call: Callable[[], Coroutine[Any, Any, ZaloSentMessage]]) -> ZaloSentMessage:
        pause = RETRY_PAUSE
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                return await call()
            except ZaloRetryAfter as exc:
                if attempt == SEND_ATTEMPTS:
                    raise
                await asyncio.sleep(exc.retry_after)
            except (ZaloServerError, ZaloNetworkError) as exc:
                if attempt == SEND_ATTEMPTS:
                    raise
                log.warning("Zalo send failed (%s); trying again in %.1f s", exc, pause)
                await asyncio.sleep(pause)
                pause *= 2
        raise AssertionError("unreachable")

"""The Zalo channel: each update → the sender's Identity → the same journey services as on
Telegram → their replies, rendered for Zalo (outbox.py). Updates come by long polling
(``run_polling``: one at a time; 408 is "none yet"; errors back off) or by the webhook
(``webhook``: the secret is checked before the body is read, webhook.py). Each is written to the
inbox (SQLite) before it is handled and deleted after: Zalo confirms an update by handing it out,
so one taken by a process that dies is handled at the next start instead of being lost.

A text is, in this order: a command (/baocao …, as typed on Telegram); an option offered last in
this chat, by its key or its words (bot/chat/options.py — looked up in SQLite, so a restart keeps
them; the action it names is checked again by the journey, as a tap is); a supervisor's awaited
reason for a return; else the reporting journey's text (an answer, a reason, one-message entry).
Updates are handled one at a time; a rollup and a report's file are made beside them.

The commands and the dispatch of actions are in dispatch.py; here the update's way in and out."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.chat.access import Identity, identify_zalo
from bot.chat.catalogue import say
from bot.chat.options import names_no_option, pick
from bot.chat.replies import Message, Reply
from bot.notices.routing import messenger_of
from bot.notices.timetable import Timetable
from bot.onboarding.typed_codes import typed_code
from bot.reporting.journey import Turn
from bot.services import Services
from bot.supervising.tell import Tell
from handlers.webhook_door import LINGER, MAX_BODY
from handlers.zalo.client import ZaloBotClient
from handlers.zalo.dispatch import Dispatch
from handlers.zalo.errors import ZaloError, ZaloUnreachableUser
from handlers.zalo.files import FileLink, no_file_link
from handlers.zalo.models import ZaloMessage, ZaloUpdate
from handlers.zalo.outbox import MESSENGER, ZaloOutbox
from handlers.zalo.webhook import Handler, webhook_handler
from storage.models import Person

log = logging.getLogger(__name__)

POLL_TIMEOUT = 30  # seconds getUpdates waits for an update
STOP_GRACE = 2.0  # seconds the work beside the updates (rollups, files) gets at shutdown


def message_key(message: ZaloMessage) -> int:
    """The number the journey remembers a taken message by, which must grow from one message to
    the next (a message at or below the last taken one is a delivery again): Zalo's ids are random
    strings, so its date in milliseconds, the same when Zalo delivers the message again."""
    return message.date


class ZaloChannel:
    def __init__(self, services: Services, client: ZaloBotClient, *, file_link: FileLink = no_file_link,
                 timetable: Callable[[], Timetable | None] = lambda: None, other_tell: Tell | None = None) -> None:
        """``timetable``: the reminder scheduler (nudges, the calendar, a report sent again after a
        return); ``other_tell``: how to reach someone who uses Telegram (a reporter told of a return)."""
        self.services = services
        self.client = client
        self.other_tell = other_tell
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: web.AppRunner | None = None
        self._one_at_a_time = asyncio.Lock()
        self.outbox = ZaloOutbox(client, lambda: services.storage, services.clock, file_link, self.beside)
        self.dispatch = Dispatch(self, timetable)

    # -- the way in --------------------------------------------------------------------------

    async def receive(self, update: ZaloUpdate) -> None:
        """An update as Zalo hands it out: kept in the inbox until handled, so that one taken by a
        process that dies is handled at the next start (getUpdates will not give it again)."""
        storage = self.services.storage
        kept = await storage.inbox.put(MESSENGER, update.model_dump_json(), self.services.clock.now())
        async with self._one_at_a_time:  # the webhook's requests come at once; handled in turn, as on Telegram
            await self.handle(update)
        await storage.inbox.done(kept)

    async def handle_left(self) -> int:
        """Handle what a process that died left in the inbox; how many updates."""
        storage = self.services.storage
        left = await storage.inbox.left(MESSENGER)
        for received in left:
            log.info("handling a Zalo update left by a process that stopped (attempt %d)", received.attempts)
            await self.handle(ZaloUpdate.model_validate_json(received.body))
            await storage.inbox.done(received.id)
        return len(left)

    async def handle(self, update: ZaloUpdate) -> None:
        """One update, answered; an error is logged and the person told that nothing is lost."""
        message = update.message
        if message is None or message.sender.is_bot:
            return
        chat = message.chat.id
        try:
            identity = await self._identify(message)
            if update.kind == "text" and message.text is not None:
                await self._text(chat, identity, message)
            elif update.kind in ("image", "sticker", "unsupported"):
                await self.send_turn(chat, identity, await self.dispatch.journey().media(identity))
        except asyncio.CancelledError:
            raise
        except ZaloUnreachableUser:  # Zalo will not deliver to them: marked like a Telegram user who blocked the bot
            person = await self.services.storage.people.get_by_zalo_id(message.sender.id)
            if person is not None and await self.services.storage.people.set_blocked(
                    person.id, self.services.clock.now()):
                log.info("Zalo user of person %s cannot be reached: marked as blocked", person.id)
        except Exception:
            log.exception("error while handling a Zalo update")
            with contextlib.suppress(Exception):
                await self.outbox.deliver(chat, Identity(messenger=MESSENGER, user_id=chat, person=None),
                                          self.dispatch.error(), keep_options=True)

    async def _identify(self, message: ZaloMessage) -> Identity:
        storage = self.services.storage
        identity = await identify_zalo(storage, self.services.settings, message.sender.id)
        person = identity.person
        if person is not None and person.messenger != MESSENGER:
            await storage.people.set_messenger(person.id, MESSENGER)  # notices follow them here
        if person is not None and not person.active:  # they write: they can be reached again
            await storage.people.set_active(person.id, True, self.services.clock.now())
        return identity

    async def _text(self, chat: str, identity: Identity, message: ZaloMessage) -> None:
        text = (message.text or "").strip()
        if text.startswith("/"):
            await self.dispatch.command(chat, identity, text)
            return
        services = self.services
        welcome = await typed_code(services.storage, services.settings, identity, text,
                                   full_name=message.sender.display_name or "", now=services.clock.now())
        if welcome is not None:  # an invitation's code (Zalo has no links to follow) or an account link's
            await self.send(chat, welcome.identity or identity, welcome.replies)
            return
        offer = await self.services.storage.chat_options.offered(MESSENGER, chat)
        option = pick(text, offer)
        if option is not None:
            await self.dispatch.action(chat, identity, option.action)
            return
        if await self.dispatch.reason(chat, identity, text):
            return
        if names_no_option(text, offer):  # told so, and the options stay for the right number
            keys = [option.key for option in offer.options]
            await self.send(chat, identity, [Message(say("zalo_bad_input.no_such_option", key=text.rstrip(".) "), keys=", ".join(keys),
                                                         example=keys[0]))], keep_options=True)
            return
        turn = await self.dispatch.journey().text(identity, text, sent_at=message.sent_at,
                                                  message=message_key(message))
        await self.send_turn(chat, identity, turn)

    # -- the way out -------------------------------------------------------------------------

    async def send(self, chat: str, identity: Identity, replies: list[Reply], *, keep_options: bool = False) -> None:
        await self.outbox.deliver(chat, identity, replies, keep_options=keep_options)

    async def send_turn(self, chat: str, identity: Identity, turn: Turn) -> None:
        """A reporting turn: a question's options are keyed by letters (a number is its answer),
        and the date of its first message is recorded (an answer dated before it is not taken)."""
        sent = await self.outbox.deliver(chat, identity, turn.replies, typed=turn.asking is not None)
        dated = next((m.date for m in sent if m.date is not None), None)
        shown = datetime.fromtimestamp(dated / 1000, tz=UTC) if dated is not None else (
            self.services.clock.now() if sent else None)
        await turn.shown(shown)

    async def tell(self, person: Person, message: Message) -> bool:
        """The journeys' ``Tell``: one message to a person, on the messenger a notice to them
        would take (bot.notices.routing: the one used last; Zalo when Telegram does not run
        here), else by ``other_tell``."""
        if person.zalo_id is not None and messenger_of(
                person, zalo_runs=True, telegram_runs=self.other_tell is not None) == MESSENGER:
            identity = Identity(messenger=MESSENGER, user_id=person.zalo_id, telegram_id=person.telegram_id,
                                person=person)
            try:
                return await self.outbox.tell(person.zalo_id, identity, message)
            except ZaloUnreachableUser:
                await self.services.storage.people.set_blocked(person.id, self.services.clock.now())
                return False
        if self.other_tell is not None:
            return await self.other_tell(person, message)
        return False

    def beside(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run ``work`` beside the updates (a rollup, a report's file): no one else waits for it."""
        async def run() -> None:
            try:
                await work
            except Exception:
                log.exception("work beside the Zalo updates failed")

        task = asyncio.get_running_loop().create_task(run(), name="zalo-beside")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def wait_beside(self) -> None:
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    # -- running -----------------------------------------------------------------------------

    async def run_polling(self, stop: asyncio.Event, timeout: int = POLL_TIMEOUT) -> None:  # noqa: ASYNC109
        """Take updates one at a time until ``stop`` is set. The webhook is removed first (Zalo
        refuses getUpdates while one is set)."""
        try:
            await self.client.delete_webhook()
        except ZaloError:
            log.warning("could not remove the Zalo webhook before polling", exc_info=True)
        await self.handle_left()
        updates = self.client.updates(timeout=timeout)
        log.info("Zalo channel: long polling")
        while not stop.is_set():
            next_update = asyncio.ensure_future(anext(updates))
            stopping = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait({next_update, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if next_update not in done:
                next_update.cancel()
                with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
                    await next_update
                break
            stopping.cancel()
            await self.receive(next_update.result())
        with contextlib.suppress(AttributeError):
            await updates.aclose()  # type: ignore[attr-defined]  # an async generator

    def webhook(self, secret: str) -> Handler:
        """The aiohttp handler of Zalo's webhook requests (the secret checked before the body is read)."""
        return webhook_handler(secret, self.receive, MAX_BODY)

    async def start_webhook(self, *, url: str, secret: str, listen: str, port: int) -> None:
        """Serve Zalo's webhook at the path of ``url`` on ``listen``:``port`` (behind the reverse
        proxy that terminates HTTPS), then register ``url`` with setWebhook and ``secret``."""
        await self.handle_left()
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(urlsplit(url).path or "/", self.webhook(secret))
        # a refused request's rest is read and dropped for LINGER seconds at most (its answer is seen)
        self._runner = web.AppRunner(app, access_log=None, lingering_time=LINGER)
        await self._runner.setup()
        await web.TCPSite(self._runner, listen, port).start()
        await self.client.set_webhook(url, secret)
        log.info("Zalo channel: webhook %s, listening on %s:%s", url, listen, port)

    async def stop_webhook(self) -> None:
        """No more requests are taken (Zalo sends again what it could not deliver)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def close(self, grace: float = STOP_GRACE) -> None:
        """Let the work beside the updates finish within ``grace`` seconds, cancel the rest, close
        the client."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=grace)
        await self.client.close()

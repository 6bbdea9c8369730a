"""What the Zalo end-to-end tests share: officials on Zalo seeded in the bot's database (the
invitation by code is another change's), an always-open calendar so the tests pass whatever the
day, and the chat as the official sees it — texts with typed options ("1 = …", "a = …")."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.clock import VN_TZ
from bot.domain.forms import WEEKLY_FORM_ID, Form, load_form
from sandbox.zalo.client import ZaloSandboxClient
from storage import Storage
from storage.models import Person, Role, Unit
from tests.e2e.botprocess import BotProcess
from tests.e2e.test_reporting_journey import ANSWERS as ANSWERS  # the Telegram journey's week
from tests.e2e.test_supervising_ux import ALWAYS_OPEN, open_period
from tests.integration.seed import load_units
from tests.rollup.conftest import FORM_PATH

ZALO_LAN, ZALO_BINH, ZALO_SON = "a1b2c3d4e5f60718293a", "b7c6d5e4f3a2b1c0d9e8", "c0ffee00c0ffee00c0ff"
ZALO_HA = "ad0000000000000000ad"  # an admin of every province
OPTION = re.compile(r"^([0-9a-z]{1,3}) = (.+)$", re.MULTILINE)
QUESTION = re.compile(r"Câu (\d+)/(\d+) · (.+)")


def form() -> Form:
    return load_form(FORM_PATH)


def options(message: dict[str, Any]) -> dict[str, str]:
    """The options a message offers, label → key."""
    return {label.strip(): key for key, label in OPTION.findall(message.get("text") or "")}


def option_key(message: dict[str, Any], starts: str) -> str:
    """The key of the option whose label begins with ``starts`` (or holds it)."""
    found = [key for label, key in options(message).items() if label.startswith(starts) or starts in label]
    assert found, f"no option «{starts}» in: {message.get('text')}"
    return found[0]


def field_of(message: dict[str, Any]) -> str | None:
    """The field a question message asks about (by its label), or None."""
    found = QUESTION.search(message.get("text") or "")
    if found is None:
        return None
    label = found[3].strip()
    return next((f.id for f in form().fields if f.label == label), None)


async def zalo_official(storage: Storage, zalo_id: str, name: str, role: Role, unit: Unit | None) -> Person:
    now = datetime.now(VN_TZ)
    person = await storage.people.get_or_create_zalo(zalo_id, now, name)
    await storage.people.add_membership(person.id, role, unit.code if unit else None, now)
    return person


async def seed_world(database: Path, *, always_open: bool = True) -> dict[str, Unit]:
    """Thái Nguyên's units, Lan reporting for Phúc Lộc and Bình for another commune on Zalo, Sơn
    supervising the province and Hà administering on Zalo; the calendar always open (unless not ``always_open``)."""
    storage = await Storage.open(database)
    try:
        communes = await load_units(storage)
        now = datetime.now(VN_TZ)
        if always_open:
            open_period(now)
            await storage.calendar.set_override(WEEKLY_FORM_ID, ALWAYS_OPEN, by=None, at=now)
        phuc_loc = next(u for u in communes if u.name == "Phúc Lộc")
        other, third = [u for u in communes if u.code != phuc_loc.code][:2]
        province = await storage.units.get("19")
        assert province is not None
        await zalo_official(storage, ZALO_LAN, "Nguyễn Thị Lan", Role.REPORTER, phuc_loc)
        await zalo_official(storage, ZALO_BINH, "Lê Văn Bình", Role.REPORTER, other)
        await zalo_official(storage, ZALO_SON, "Trần Văn Sơn", Role.SUPERVISOR, province)
        await zalo_official(storage, ZALO_HA, "Vũ Thị Hà", Role.ADMIN, None)
        return {"mine": phuc_loc, "other": other, "third": third, "province": province}
    finally:
        await storage.close()


class ZaloChat:
    """One official's Zalo chat with the bot, through the sandbox's control API."""

    def __init__(self, zalo: ZaloSandboxClient, user_id: str) -> None:
        self.zalo = zalo
        self.user_id = user_id
        self.seq = 0
        self.asked = 0

    async def join(self, name: str) -> None:
        await self.zalo.add_user(self.user_id, name)

    async def say(self, text: str) -> None:
        sent = await self.zalo.send_text(self.user_id, text)
        self.seq = int(sent["seq"])

    async def reply(self, predicate: Any = None, timeout: float = 20.0) -> dict[str, Any]:  # noqa: ASYNC109
        """The bot's first message after what was last said (that satisfies ``predicate``)."""
        found = await self.zalo.wait_for_bot_message(self.user_id, since=self.seq, timeout=timeout,
                                                     predicate=predicate)
        self.seq = int(found["seq"])
        return found

    async def ask(self, text: str, predicate: Any = None, timeout: float = 20.0) -> dict[str, Any]:  # noqa: ASYNC109
        await self.say(text)
        self.asked = self.seq
        return await self.reply(predicate, timeout)

    async def answer_text(self) -> str:
        """All the bot said since the last ``ask`` up to its awaited reply (a long text comes in parts)."""
        return "\n".join(m["text"] or "" for m in await self.zalo.bot_messages(self.user_id, since=self.asked)
                         if int(m["seq"]) <= self.seq)


def has(words: str) -> Any:
    return lambda message: words in (message.get("text") or "")


@contextlib.asynccontextmanager
async def zalo_bot(base_url: str, database: Path, *, telegram: bool = True,
                   env: dict[str, str] | None = None) -> AsyncIterator[BotProcess]:
    """The bot process with its Zalo channel (``telegram``: Telegram's too; ``env``: more settings);
    its log printed when the test fails; killed at the end."""
    bot = BotProcess(base_url, database, zalo=True, telegram=telegram)
    bot.env = dict(env or {})
    bot.start()
    try:
        yield bot
    except BaseException:
        print(bot.output()[-6000:])
        raise
    finally:
        if bot.process is not None and bot.process.poll() is None:
            bot.kill()

"""Officials filling the weekly form through the sandbox, as a persistent person would: read the
bot's last message and answer the question it shows (once: a second screen asking a question
already answered, sent before that answer was handled, is not answered again); when the bot says
nothing for a while (it crashed, Telegram lost a message) or says it failed, type /baocao and go on
from the question it shows. Everything the bot acknowledged ("✔ Đã lưu «…»: …") is recorded, to be
compared with the draft in SQLite."""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.domain.numbers import parse_count
from sandbox import SandboxClient
from storage import Storage
from storage.models import Role, Unit
from tests.integration.seed import BALANCED, load_units

ANSWERS = BALANCED  # as typed; no soft check fires
TEXT_FIELDS = {"legal", "infrastructure", "resources", "difficulties", "proposals"}
EXPECTED: dict[str, Any] = {key: value if key in TEXT_FIELDS else parse_count(value) for key, value in ANSWERS.items()}
ACK = re.compile(r"✔ Đã lưu «(?P<label>[^»]+)»: (?P<value>.+?)\.(?:\n|$)")
FORM_ID = "tthc-weekly"


async def seed_reporters(database: Path, first_id: int, count: int, now: datetime) -> list[tuple[int, Unit]]:
    """``count`` reporters of different communes of Thái Nguyên, bound directly in storage."""
    storage = await Storage.open(database)
    try:
        communes = await load_units(storage)
        found = []
        for index, unit in enumerate(communes[:count]):
            person = await storage.people.get_or_create(first_id + index, now, full_name=f"Cán bộ {unit.name}")
            await storage.people.add_membership(person.id, Role.REPORTER, unit.code, now)
            found.append((first_id + index, unit))
        return found
    finally:
        await storage.close()


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    markup = message.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]


def question_field(message: dict[str, Any]) -> str | None:
    for _, data in buttons(message):
        parts = data.split(":")
        if len(parts) == 4 and parts[0] == "r" and parts[2] in {"z", "s", "n", "k"}:
            return parts[3]
    return None


def classify(message: dict[str, Any]) -> str | None:
    """question | review | submitted | soft | reason | error | None (not a screen of the journey)."""
    text = message.get("text") or ""
    verbs = {data.split(":")[2] for _, data in buttons(message) if data.startswith("r:") and data.count(":") >= 2}
    if question_field(message) is not None:
        return "question"
    if "u" in verbs:
        return "review"
    if text.startswith("Đã gửi báo cáo"):
        return "submitted"
    if "g" in verbs:
        return "soft"
    if "lý do giữ nguyên" in text:
        return "reason"
    if text.startswith("Xin lỗi"):
        return "error"
    if "Sửa báo cáo" in str(buttons(message)):
        return "done-review"
    return None


@dataclass
class Official:
    """One reporter in the sandbox; ``fill`` takes them from /baocao to a submitted report."""

    client: SandboxClient
    chat: int
    patience: float = 6.0  # seconds without an answer before typing /baocao again
    settle: float = 0.15  # seconds the bot stays quiet before the official reads its last message
    answers: dict[str, str] = field(default_factory=lambda: dict(ANSWERS))
    acknowledged: dict[str, str] = field(default_factory=dict)  # label → value as the bot wrote it
    sent: list[tuple[str, str]] = field(default_factory=list)  # (field id, text) in order
    nudges: int = 0  # times the bot's silence or error made them type /baocao again
    seq: int = 0
    after_action: Callable[[int], Awaitable[None]] | None = None  # called with the number of actions so far
    actions: int = 0
    handled: set[int] = field(default_factory=set)  # bot messages already acted on
    answered: set[str] = field(default_factory=set)  # questions answered since the last /baocao
    think: float = 0.0  # seconds, on average, to read a question and type the answer

    async def _think(self) -> None:
        if self.think:
            await asyncio.sleep(random.uniform(0.5 * self.think, 1.5 * self.think))

    async def _say(self, text: str) -> None:
        await self.client.send_text(self.chat, text)
        await self._acted()

    async def _tap(self, message_id: int, data: str) -> None:
        await self.client.tap(self.chat, message_id, data=data)
        await self._acted()

    async def _acted(self) -> None:
        self.actions += 1
        if self.after_action is not None:
            await self.after_action(self.actions)

    async def next_screen(self) -> dict[str, Any] | None:
        """The latest screen once the bot has been quiet for ``settle`` seconds (a person reads the
        last message, not one that a newer one already replaced); None after ``patience`` of silence."""
        latest: dict[str, Any] | None = None
        wait = self.patience
        while True:
            try:
                message = await self.client.wait_for_bot_message(
                    self.chat, since=self.seq, timeout=wait,
                    predicate=lambda m: not m.get("edited") and (
                        classify(m) is not None or bool(ACK.search(m.get("text") or ""))),
                )
            except TimeoutError:
                return latest
            self.seq = max(self.seq, int(message["seq"]))
            for match in ACK.finditer(message.get("text") or ""):
                self.acknowledged[match["label"]] = match["value"]
            if classify(message) is not None and message["message_id"] not in self.handled:
                latest = message
            wait = self.settle

    async def fill(self, max_steps: int = 200) -> dict[str, Any]:
        """Until the bot confirms the submission; the confirmation message."""
        self.seq = await self._current_seq()
        await self._say("/baocao")
        for _ in range(max_steps):
            message = await self.next_screen()
            kind = None if message is None else classify(message)
            if message is None or kind == "error":
                self.nudges += 1
                self.answered.clear()  # what the bot shows after /baocao is where things stand
                await self._say("/baocao")
                continue
            self.handled.add(message["message_id"])
            if kind == "question":
                field_id = question_field(message)
                assert field_id is not None
                if field_id in self.answered and "Chưa lưu" not in (message.get("text") or ""):
                    continue  # asked again by a screen sent before that answer was handled: not twice
                self.answered.add(field_id)
                await self._think()
                self.sent.append((field_id, self.answers[field_id]))
                await self._say(self.answers[field_id])
            elif kind == "review":
                submit = next(data for label, data in buttons(message) if "Gửi báo cáo" in label)
                await self._think()
                await self._tap(message["message_id"], submit)
            elif kind == "submitted":
                return message
            elif kind == "done-review":  # submitted already (the confirmation was lost): that is done too
                return message
            elif kind in {"soft", "reason"}:
                raise AssertionError(f"a balanced week raised a check: {message.get('text')!r}; sent {self.sent}; acknowledged {self.acknowledged}")
        raise AssertionError(f"chat {self.chat}: no submission after {max_steps} steps; sent {self.sent}")

    async def _current_seq(self) -> int:
        messages = await self.client.messages(self.chat)
        return max((int(m.get("seq", 0)) for m in messages), default=0)


async def draft_answers(database: Path, unit_code: str) -> tuple[dict[str, Any], str | None]:
    """The answers of the commune's current draft, and its status."""
    storage = await Storage.open(database)
    try:
        rows = await storage.db.fetch_all(
            "SELECT d.id, d.status FROM drafts d WHERE d.unit_code = ? ORDER BY d.id DESC LIMIT 1", (unit_code,))
        if not rows:
            return {}, None
        return await storage.drafts.values(rows[0]["id"]), rows[0]["status"]
    finally:
        await storage.close()


async def integrity(database: Path) -> list[str]:
    storage = await Storage.open(database)
    try:
        return [row[0] for row in await storage.db.fetch_all("PRAGMA integrity_check")]
    finally:
        await storage.close()


def labels_to_fields() -> dict[str, str]:
    from bot.domain.forms import load_forms
    from bot.settings import Settings

    form = load_forms(Settings(_env_file=None).forms_dir)[FORM_ID]  # type: ignore[call-arg]
    return {f.button_label: f.id for f in form.fields}

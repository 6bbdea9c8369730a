"""An official of ``demo --simulate`` on Zalo: acts through the sandbox's Zalo control API only,
typing what a person types on Zalo — the figures and texts one question at a time, and the key of
an option the bot offered (its number, or its letter while a figure is asked) instead of a tap
(handlers/zalo/outbox.py). A warning is kept with a reason; the report's file is a link on Zalo,
so no .docx is collected."""

from __future__ import annotations

import re
from typing import Any

from bot.chat.catalogue import say
from bot.demo.figures import format_thousands
from bot.demo.screens import shows
from bot.demo.script import script
from bot.domain.forms import Form
from sandbox.zalo.client import ZaloSandboxClient

OPTION = re.compile(r"^([0-9a-z]{1,3}) = (.+)$", re.MULTILINE)
QUESTION = re.compile(r"Câu \d+/\d+ · (.+)")
STEPS = 80  # more than a week's questions, warnings and the review
REPLY_TIMEOUT = 30.0


def options(message: dict[str, Any]) -> dict[str, str]:
    """The options a message offers, label → key."""
    return {label.strip(): key for key, label in OPTION.findall(message.get("text") or "")}


def option(message: dict[str, Any], *labels: str) -> str | None:
    """The key of the first option whose label begins with one of ``labels``."""
    offered = options(message)
    for wanted in labels:
        for label, key in offered.items():
            if label.startswith(wanted):
                return key
    return None


class ZaloOfficial:
    """One official on Zalo; ``report`` returns (submitted, messages seen, the checks kept, error)."""

    def __init__(self, zalo: ZaloSandboxClient, zalo_id: str, answers: dict[str, Any], form: Form) -> None:
        self.zalo = zalo
        self.zalo_id = zalo_id
        self.answers = answers
        self.form = form
        self.labels = {f.label: f.id for f in form.fields}
        self.seq = 0
        self.messages = 0
        self.kept = 0

    def _field(self, message: dict[str, Any]) -> str | None:
        found = QUESTION.search(message.get("text") or "")
        return self.labels.get(found[1].strip()) if found else None

    def _screen(self, message: dict[str, Any]) -> bool:
        text = message.get("text") or ""
        return (self._field(message) is not None or bool(options(message)) or shows(text, "reporting.submitted")
                or shows(text, "reporting.ask_reason") or shows(text, "reporting_entry.ask_reason_all"))

    async def _say(self, text: str) -> dict[str, Any]:
        sent = await self.zalo.send_text(self.zalo_id, text)
        found = await self.zalo.wait_for_bot_message(self.zalo_id, since=int(sent["seq"]), timeout=REPLY_TIMEOUT,
                                                     predicate=self._screen)
        self.seq = int(found["seq"])
        self.messages += 1
        return dict(found)

    async def report(self) -> bool:
        """Report the week from /baocao to the submit option; whether it was submitted."""
        screen = await self._say("/baocao")
        for _ in range(STEPS):
            text = screen.get("text") or ""
            if shows(text, "reporting.submitted"):
                return True
            field_id = self._field(screen)
            if field_id is not None:
                screen = await self._say(self._typed(field_id))
                continue
            if shows(text, "reporting.ask_reason") or shows(text, "reporting_entry.ask_reason_all"):
                screen = await self._say(script().typed.kept_reason)
                continue
            key = option(screen, say("reporting.submit"), say("reporting.keep_with_reason"),
                         say("reporting_entry.keep_all"), say("reporting.resume"))
            if key is None:
                raise TimeoutError(f"unexpected Zalo screen: {text[:80]!r}")
            if key == option(screen, say("reporting.keep_with_reason"), say("reporting_entry.keep_all")):
                self.kept += 1
            screen = await self._say(key)
        return False

    def _typed(self, field_id: str) -> str:
        value = self.answers.get(field_id)
        if self.form.field(field_id).kind == "count":
            return format_thousands(int(value or 0))
        return str(value or say("reporting.none_answer"))

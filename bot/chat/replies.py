"""What a journey answers, whatever the messenger: messages with their choices, files, pictures and
short answers to a tap. A channel (Telegram today, Zalo next) turns them into what it can show —
buttons or numbered options, a file or a link — and nothing here knows which one it is.

Texts are composed from the message catalogue (``bot.chat.catalogue.say``) by the journey; a choice
carries a typed :class:`bot.chat.actions.Action`, never a string."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bot.chat.actions import Action


@dataclass(frozen=True)
class Choice:
    """One option a person can pick: a button, or a numbered option where there are no buttons."""

    label: str
    action: Action


@dataclass(frozen=True)
class Message:
    """A message; ``choices`` are rows of options. ``replace`` asks the channel to change the message
    the tap came from instead of sending a new one, where it can (Telegram edits; Zalo sends anew)."""

    text: str
    choices: tuple[tuple[Choice, ...], ...] = ()
    replace: bool = False


@dataclass(frozen=True)
class Document:
    """A file to hand over (.docx, .xlsx); ``caption`` goes with it, and ``choices`` (rows of
    options) under it where the channel can (a template's preview: use it or not)."""

    filename: str
    content: bytes
    caption: str = ""
    choices: tuple[tuple[Choice, ...], ...] = ()


@dataclass(frozen=True)
class Picture:
    """A picture (a chart) as PNG bytes."""

    content: bytes
    caption: str = ""


@dataclass(frozen=True)
class TapAnswer:
    """The short answer to a tap (Telegram: the toast or alert over the chat); empty: just
    acknowledge it. A channel without taps sends a non-empty one as a message."""

    text: str = ""
    alert: bool = False


@dataclass(frozen=True)
class ClearChoices:
    """Take the options off the message the tap came from, so it is not tapped again; with
    ``text``, also change its text to that where the messenger can edit (nothing is sent anew)."""

    text: str | None = None


@dataclass(frozen=True)
class ToOthers:
    """A message to other people than the one who acted (the admins told that their template
    failed, say), by their chat ids; one who cannot be reached is skipped."""

    chat_ids: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class Later:
    """Replies that take long to make (a report's .docx through the render pool): the channel runs
    ``make`` beside the updates — no one else waits for it — and sends what it returns."""

    make: Callable[[], Awaitable[Sequence[Reply]]]


Reply = Message | Document | Picture | TapAnswer | ClearChoices | ToOthers | Later


@dataclass
class Replies:
    """The replies of one action, in order, collected by a journey as it goes."""

    items: list[Reply] = field(default_factory=list)

    def say(self, text: str, *rows: Sequence[Choice], replace: bool = False) -> None:
        self.items.append(Message(text, tuple(tuple(row) for row in rows), replace))

    def add(self, *replies: Reply) -> None:
        self.items.extend(replies)

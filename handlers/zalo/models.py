"""Zalo Bot API shapes as typed pydantic models: the update, its message, the bot, a sent message.

Ids are strings and dates milliseconds. The public clients disagree on two names, so both are read:
the sender's name is `display_name` (python-zalo-bot) or `name` (OpenClaw), the image's URL `photo_url`
or `photo`. Unknown fields are ignored, so a field Zalo adds breaks nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

EventName = Literal[
    "message.text.received",
    "message.image.received",
    "message.sticker.received",
    "message.unsupported.received",
]
Kind = Literal["text", "image", "sticker", "unsupported", "other"]
_KINDS: dict[str, Kind] = {
    "message.text.received": "text",
    "message.image.received": "image",
    "message.sticker.received": "sticker",
    "message.unsupported.received": "unsupported",
}


class ZaloModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, coerce_numbers_to_str=True, populate_by_name=True)


class ZaloSender(ZaloModel):
    id: str
    display_name: str | None = Field(default=None, validation_alias=AliasChoices("display_name", "name"))
    is_bot: bool = False


class ZaloChat(ZaloModel):
    id: str
    chat_type: str = "PRIVATE"


class ZaloMessage(ZaloModel):
    message_id: str
    date: int  # milliseconds since the epoch
    sender: ZaloSender = Field(validation_alias=AliasChoices("from", "sender"))
    chat: ZaloChat
    text: str | None = None
    photo_url: str | None = Field(default=None, validation_alias=AliasChoices("photo_url", "photo"))
    caption: str | None = None
    sticker: str | None = None

    @property
    def sent_at(self) -> datetime:
        return datetime.fromtimestamp(self.date / 1000, tz=UTC)


class ZaloUpdate(ZaloModel):
    """One update: `getUpdates` hands out one at a time, a webhook request carries one."""

    event_name: str  # an EventName; kept a plain string so an event Zalo adds later is not an error
    message: ZaloMessage | None = None

    @property
    def kind(self) -> Kind:
        return _KINDS.get(self.event_name, "other")


class ZaloBotInfo(ZaloModel):
    id: str
    account_name: str | None = None
    name: str | None = None
    account_type: str | None = None
    can_join_groups: bool | None = None


class ZaloSentMessage(ZaloModel):
    message_id: str
    date: int | None = None  # milliseconds


class ZaloWebhookInfo(ZaloModel):
    url: str = ""
    updated_at: int | None = None  # milliseconds

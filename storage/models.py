"""What the repositories return: frozen pydantic models, one per stored thing.

Datetimes are aware and in Asia/Ho_Chi_Minh (``VNDateTime``); people are referred to by
``people.id`` (``Person.id``), not by Telegram id, except in the audit log, which keeps the
actor's Telegram id so it stays readable after people are removed.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, JsonValue, SkipValidation, computed_field

from bot.domain.text import fold

from .codec import to_vn

VNDateTime = Annotated[datetime, AfterValidator(to_vn)]
"""An aware datetime, converted to Asia/Ho_Chi_Minh; naive values are refused."""


Messenger = Literal["telegram", "zalo"]
"""The messengers a person can use the bot on."""


def zalo_actor(zalo_id: str) -> int:
    """The number a Zalo user is kept under where a Telegram id is expected (the audit log's
    actor, per-chat state, a notice's chat key): negative, so it never meets a Telegram id, and
    the same after a restart."""
    digest = hashlib.sha256(zalo_id.encode()).digest()
    return -(int.from_bytes(digest[:7], "big") + 1)


class Role(StrEnum):
    REPORTER = "reporter"  # answers for a commune
    SUPERVISOR = "supervisor"  # follows a province
    ADMIN = "admin"  # runs the bot (everywhere, or for one province)


class UnitKind(StrEnum):
    PROVINCE = "province"
    COMMUNE = "commune"


class DraftStatus(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"


class SubmissionStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class NoticeStatus(StrEnum):
    PENDING = "pending"  # recorded, to be sent when due
    SENDING = "sending"  # claimed: the request is on its way to Telegram
    SENT = "sent"  # Telegram confirmed it
    UNKNOWN = "unknown"  # the answer never came (timeout, crash): maybe delivered, never sent again
    FAILED = "failed"  # Telegram refused it (blocked, bad request) or too many attempts
    DROPPED = "dropped"  # not sent on purpose (submitted meanwhile, on leave, stale after an outage)


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class Unit(_Record):
    """An administrative unit of the official list (QĐ 19/2025/QĐ-TTg)."""

    code: str  # official code as text: "19" for a province, "05929" for a commune
    name: str  # "Phước Giang", "Thái Nguyên"
    full_name: str  # "Xã Phước Giang", "Tỉnh Thái Nguyên", "Thành phố Hà Nội"
    kind: UnitKind
    division_type: str  # xã | phường | đặc khu | tỉnh | thành phố
    province_code: str  # the province; a province's own code for a province

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented use over a property
    @property
    def folded_name(self) -> str:
        """The full name without diacritics, lower case: "xa phuoc giang"."""
        return fold(self.full_name)


class ImportResult(_Record):
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


class Person(_Record):
    id: int
    telegram_id: int | None = None  # None: someone who only uses Zalo
    zalo_id: str | None = None  # Zalo's id of the user (a string); None: not on Zalo
    messenger: Messenger | None = None  # the messenger they used last; None: Telegram
    full_name: str
    username: str | None = None
    active: bool = True  # False once they blocked the bot
    created_at: VNDateTime
    blocked_at: VNDateTime | None = None
    reminders_paused_from: date | None = None  # leave: no reminders from … to … (inclusive)
    reminders_paused_to: date | None = None

    @property
    def actor(self) -> int:
        """Their Telegram id, or for someone only on Zalo the number derived from the Zalo id."""
        if self.telegram_id is not None:
            return self.telegram_id
        assert self.zalo_id is not None  # a person has one id or both
        return zalo_actor(self.zalo_id)

    def is_paused(self, on: date) -> bool:
        """Whether reminders are paused on that day (an open end means "until further notice")."""
        if self.reminders_paused_from is None and self.reminders_paused_to is None:
            return False
        starts = self.reminders_paused_from or date.min
        ends = self.reminders_paused_to or date.max
        return starts <= on <= ends


class Membership(_Record):
    id: int
    person_id: int
    role: Role
    unit_code: str | None  # a commune (reporter), a province (supervisor), None or a province (admin)
    created_at: VNDateTime
    revoked_at: VNDateTime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Invite(_Record):
    id: int
    token_hash: str  # SHA-256 hex of the token; the token itself is never stored
    role: Role
    unit_code: str | None
    created_by: int | None
    created_at: VNDateTime
    expires_at: VNDateTime
    used_at: VNDateTime | None = None
    used_by: int | None = None
    revoked_at: VNDateTime | None = None

    def is_usable(self, at: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and at < self.expires_at


class Period(_Record):
    id: int
    form_id: str  # "tthc-weekly"
    key: str  # "2025-W50"
    starts_on: date
    ends_on: date
    opens_at: VNDateTime
    deadline_at: VNDateTime
    deadline_note: str | None = None  # why the deadline moved, e.g. the holiday's name


class Draft(_Record):
    id: int
    period_id: int
    unit_code: str
    status: DraftStatus
    created_at: VNDateTime
    updated_at: VNDateTime


class AnswerRecord(_Record):
    """The current answer to one field of a draft, and who gave it when."""

    field_id: str
    value: JsonValue
    answered_by: int | None  # people.id
    answered_by_name: str | None = None
    answered_at: VNDateTime


class AnswerChange(_Record):
    """One entry of a draft's answer history; ``old_value`` None: there was no answer before,
    ``new_value`` None: the answer was cleared."""

    id: int
    draft_id: int
    field_id: str
    old_value: JsonValue = None
    new_value: JsonValue = None
    changed_by: int | None
    changed_by_name: str | None = None
    changed_at: VNDateTime


class Explanation(_Record):
    """The reason an official gave for keeping figures that break a soft check."""

    check_id: str
    reason: str
    given_by: int | None
    given_at: VNDateTime


class Cursor(_Record):
    """What one person is being asked now in one draft: the conversation's position."""

    draft_id: int
    person_id: int
    field_id: str | None = None
    mode: str = "answer"  # "answer" | "reason" | "review" | …
    check_id: str | None = None
    updated_at: VNDateTime
    # Telegram's date of the message that showed the question (None: not recorded, e.g. before v4).
    # A typed answer Telegram received earlier was sent before the question could be seen.
    shown_at: VNDateTime | None = None
    # Telegram's id of the last message a typed answer of this person came from: a message with this
    # id or an earlier one is one already taken, delivered again after the bot stopped (v7).
    answered_message: int | None = None


class Submission(_Record):
    """One submitted version of a commune's report for a period; versions are never overwritten."""

    id: int
    period_id: int
    unit_code: str
    version: int
    # Decoded from the JSON the repository wrote (checked when entered): not validated again value by
    # value, which was most of the time a rollup of 3,321 communes spent loading them.
    answers: SkipValidation[dict[str, JsonValue]]
    explanations: SkipValidation[dict[str, JsonValue]]
    submitted_by: int | None
    submitted_at: VNDateTime
    late: bool = False
    on_behalf: bool = False  # submitted by a supervisor/admin for the commune
    status: SubmissionStatus = SubmissionStatus.SUBMITTED
    status_by: int | None = None
    status_at: VNDateTime | None = None
    status_reason: str | None = None
    form_id: str  # the form it answered, in the version it answered (a report renders with that version)
    form_version: int
    untimed: bool = False  # imported without the moment it was sent: neither on time nor late


class FormVersionRecord(_Record):
    """One version of a form as the bot loaded it: its file's text, kept once."""

    form_id: str
    version: int
    title: str
    source: str
    recorded_at: VNDateTime


class Notice(_Record):
    id: int
    kind: str  # opening | reminder | deadline | escalation | …
    period_id: int | None
    person_id: int | None
    chat_id: int
    due_at: VNDateTime
    status: NoticeStatus = NoticeStatus.PENDING
    attempts: int = 0
    sent_at: VNDateTime | None = None
    last_error: str | None = None
    payload: JsonValue = None
    ref: str = ""  # what else tells two notices of one kind, chat and instant apart
    claimed_at: VNDateTime | None = None
    message_id: int | None = None  # Telegram's message id, once sent


class CalendarOverride(_Record):
    """What an admin changed of a form's ``period`` block in chat (keys of that block)."""

    form_id: str
    settings: dict[str, JsonValue]
    updated_by: int | None = None  # Telegram id
    updated_at: VNDateTime


class NoticeRun(_Record):
    """A planned moment of a period that was handled: fired, dropped (too old) or skipped."""

    period_id: int
    kind: str
    due_at: VNDateTime
    status: str  # fired | dropped | skipped
    recorded: int = 0
    at: VNDateTime


class AuditEntry(_Record):
    id: int
    at: VNDateTime
    actor: int | None  # Telegram id of who did it; None for the system
    action: str
    subject: str | None = None
    detail: JsonValue = None


class ReportSettings(_Record):
    """Per-unit settings printed in the report; every field optional until an admin sets it."""

    signer_authority: str | None = None  # "KT. CHỦ TỊCH" / "TM. ỦY BAN NHÂN DÂN"
    signer_title: str | None = None  # "PHÓ CHỦ TỊCH"
    signer_name: str | None = None
    recipient: str | None = None  # "Sở Khoa học và Công nghệ tỉnh Thái Nguyên"
    directive: str | None = None  # "Thực hiện Công văn số …"
    distribution: list[str] = Field(default_factory=list)  # "Nơi nhận" lines
    place_name: str | None = None  # place in the header date line, if not the unit's name
    extra: dict[str, JsonValue] = Field(default_factory=dict)


class UnitSettings(ReportSettings):
    unit_code: str
    updated_by: int | None = None
    updated_at: VNDateTime

    @property
    def settings(self) -> ReportSettings:
        return ReportSettings.model_validate(self.model_dump(include=set(ReportSettings.model_fields)))


class TemplateRecord(_Record):
    """One uploaded version of a report template (the bytes are read with ``TemplateRepo.content``)."""

    id: int
    name: str  # what it renders, e.g. "tthc-weekly" or "tthc-weekly-rollup"
    unit_code: str | None  # None: the default for every unit
    version: int
    filename: str
    size: int
    sha256: str
    uploaded_by: int | None
    uploaded_at: VNDateTime
    note: str | None = None

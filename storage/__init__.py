"""The storage layer: SQLite through aiosqlite, the only place that writes SQL.

    storage = await Storage.open("data/baocao.sqlite3")
    draft = await storage.drafts.get_or_create(period.id, unit.code, at=clock.now())
    await storage.drafts.set_answer(draft.id, "received_in_person", 12, by=person.id, at=clock.now())
    await storage.close()

Repositories return the pydantic models of ``storage.models``; every write runs in a
transaction (``Database.transaction``; nested ones join the outer one, so several repository
calls can be made atomic together). Time is always passed in by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .audit import AuditRepo
from .calendar import CalendarRepo
from .chat_options import ChatOptionsRepo
from .db import Database, DatabaseUnavailable
from .drafts import DraftRepo
from .form_versions import FormVersionRepo
from .inbox import InboxRepo
from .invites import InviteRepo, hash_token
from .migrations import MIGRATIONS, Migration, MigrationError, latest_version
from .missing import MissingRepo
from .models import (
    AnswerChange,
    AnswerRecord,
    AuditEntry,
    CalendarOverride,
    Cursor,
    Draft,
    DraftStatus,
    Explanation,
    ImportResult,
    Invite,
    Membership,
    Notice,
    NoticeRun,
    NoticeStatus,
    Period,
    Person,
    ReportSettings,
    Role,
    Submission,
    SubmissionStatus,
    TemplateRecord,
    Unit,
    UnitKind,
    UnitSettings,
)
from .notices import NoticeRepo
from .people import PersonRepo
from .periods import PeriodRepo
from .return_asks import ReturnAsk, ReturnAskRepo
from .submissions import SubmissionRepo
from .templates import TemplateRepo
from .unit_settings import UnitSettingsRepo
from .units import UnitRepo


@dataclass(frozen=True)
class Storage:
    """The database and one instance of every repository over it."""

    db: Database
    units: UnitRepo
    people: PersonRepo
    invites: InviteRepo
    periods: PeriodRepo
    drafts: DraftRepo
    submissions: SubmissionRepo
    notices: NoticeRepo
    audit: AuditRepo
    unit_settings: UnitSettingsRepo
    templates: TemplateRepo
    calendar: CalendarRepo
    missing: MissingRepo
    form_versions: FormVersionRepo
    return_asks: ReturnAskRepo
    chat_options: ChatOptionsRepo
    inbox: InboxRepo

    @classmethod
    def over(cls, db: Database) -> Storage:
        return cls(
            db=db,
            units=UnitRepo(db),
            people=PersonRepo(db),
            invites=InviteRepo(db),
            periods=PeriodRepo(db),
            drafts=DraftRepo(db),
            submissions=SubmissionRepo(db),
            notices=NoticeRepo(db),
            audit=AuditRepo(db),
            unit_settings=UnitSettingsRepo(db),
            templates=TemplateRepo(db),
            calendar=CalendarRepo(db),
            missing=MissingRepo(db),
            form_versions=FormVersionRepo(db),
            return_asks=ReturnAskRepo(db),
            chat_options=ChatOptionsRepo(db),
            inbox=InboxRepo(db),
        )

    @classmethod
    async def open(cls, path: str | Path) -> Storage:
        """Open (creating and migrating as needed) the database at ``path`` (or ":memory:")."""
        return cls.over(await Database.open(path))

    async def close(self) -> None:
        await self.db.close()

    async def __aenter__(self) -> Storage:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


__all__ = [
    "MIGRATIONS",
    "ChatOptionsRepo",
    "MissingRepo",
    "ReturnAsk",
    "ReturnAskRepo",
    "AnswerChange",
    "AnswerRecord",
    "AuditEntry",
    "AuditRepo",
    "CalendarOverride",
    "CalendarRepo",
    "Cursor",
    "Database",
    "DatabaseUnavailable",
    "Draft",
    "DraftRepo",
    "DraftStatus",
    "Explanation",
    "ImportResult",
    "Invite",
    "InviteRepo",
    "Membership",
    "Migration",
    "MigrationError",
    "Notice",
    "NoticeRepo",
    "NoticeRun",
    "NoticeStatus",
    "Period",
    "PeriodRepo",
    "Person",
    "PersonRepo",
    "ReportSettings",
    "Role",
    "Storage",
    "Submission",
    "SubmissionRepo",
    "SubmissionStatus",
    "TemplateRecord",
    "TemplateRepo",
    "Unit",
    "UnitKind",
    "UnitRepo",
    "UnitSettings",
    "UnitSettingsRepo",
    "hash_token",
    "latest_version",
]

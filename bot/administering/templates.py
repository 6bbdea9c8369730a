"""A replacement report template sent in chat by an admin: refused before it is fetched when it is
not a .docx or too big; checked in the render pool with sample answers (never on the event loop:
a template that loops or swells is stopped there), previewed, and kept only when the admin confirms
— as a new version, the previous ones staying available. An admin of a province replaces their
province's template, a configured admin the default one."""

from __future__ import annotations

from datetime import datetime

from bot.chat.access import Identity, person_of
from bot.chat.actions import DropTemplate, UseTemplate
from bot.chat.catalogue import say
from bot.chat.replies import Choice, ClearChoices, Document, Later, Message, Reply, TapAnswer
from bot.documents.pool import check_template, render_docx
from bot.documents.render import TemplateError, check_contexts, sample_context
from bot.domain.forms import WEEKLY_FORM_ID
from bot.services import Services
from storage import Storage

PENDING = ":pending"  # the name's suffix of an uploaded template waiting for the admin's answer
MAX_TEMPLATE_MEGABYTES = 5
MAX_TEMPLATE_BYTES = MAX_TEMPLATE_MEGABYTES * 1024 * 1024


def takes_uploads(identity: Identity) -> bool:
    """Whether a file this person sends is a template (an admin's) rather than stray media."""
    return identity.is_admin


def screen(filename: str, size: int | None) -> list[Reply]:
    """Why a file cannot be a template, known before it is fetched (``size`` as the messenger
    declares it; None: not declared); empty when it may be fetched."""
    if not filename.lower().endswith(".docx"):
        return [Message(say("report_template.not_docx"))]
    if size is not None and size > MAX_TEMPLATE_BYTES:
        return [Message(say("report_template.too_big", megabytes=MAX_TEMPLATE_MEGABYTES))]
    return []


def upload(services: Services, identity: Identity, filename: str, content: bytes, sender_name: str) -> list[Reply]:
    """A .docx the admin sent: said to be checked now, then checked and previewed beside the
    updates (the check may run up to the render time limit)."""
    if not takes_uploads(identity):
        return [Message(say("common.not_allowed"))]
    refused = screen(filename, len(content))
    if refused:
        return refused

    async def make() -> list[Reply]:
        return await _check_and_preview(services, identity, filename, content, sender_name)

    return [Message(say("render.checking")), Later(make)]


async def _check_and_preview(services: Services, identity: Identity, filename: str, content: bytes,
                             sender_name: str) -> list[Reply]:
    form = services.forms[WEEKLY_FORM_ID]
    try:
        await check_template(content, check_contexts(form))
        preview = await render_docx(content, sample_context(form))
    except TemplateError as exc:
        return [Message(say("report_template.refused", reason=exc.reason))]
    storage = services.storage
    scope = identity.admin_provinces  # None: the default template, for every province
    owner = scope[0] if scope else None
    now = services.clock.now()
    async with storage.db.transaction():
        person = await person_of(storage, identity, now, full_name=sender_name)
        pending = await storage.templates.add(
            WEEKLY_FORM_ID + PENDING, owner, filename, content, person.id, now, note=say("report_template.pending_note"),
        )
    choices = ((Choice(say("report_template.use"), UseTemplate(pending.id)),
                Choice(say("report_template.drop"), DropTemplate(pending.id))),)
    return [Document(say("report_template.preview_filename", date=f"{now:%Y%m%d}"), preview,
                     say("report_template.preview_caption"), choices)]


async def decide(storage: Storage, identity: Identity, action: UseTemplate | DropTemplate, *,
                 now: datetime) -> list[Reply]:
    """The admin's answer under a preview: the template kept as a new version (with its audit row,
    one transaction) or dropped; refused to others and out of the admin's provinces."""
    if not identity.is_admin:
        return [TapAnswer(say("common.not_allowed"), alert=True)]
    record = await storage.templates.get(action.template_id)
    if record is None or record.name != WEEKLY_FORM_ID + PENDING:
        return [TapAnswer(say("common.stale_button"), alert=True)]
    scope = identity.admin_provinces  # a province's admin confirms only that province's templates
    if scope is not None and record.unit_code not in scope:
        return [TapAnswer(say("common.not_allowed"), alert=True)]
    if isinstance(action, DropTemplate):
        return [TapAnswer(), ClearChoices(), Message(say("report_template.dropped"))]
    content = await storage.templates.content(record.id)
    if content is None:
        return [TapAnswer(say("common.stale_button"), alert=True)]
    async with storage.db.transaction():
        kept = await storage.templates.add(WEEKLY_FORM_ID, record.unit_code, record.filename, content,
                                           identity.person.id if identity.person else None, now,
                                           note=say("report_template.kept_note"))
        await storage.audit.log("template.replace", now, actor=identity.actor, subject=f"template:{kept.id}",
                                detail={"version": kept.version})
    return [TapAnswer(), ClearChoices(), Message(say("report_template.used", version=kept.version))]

"""A replacement report template sent in chat by an admin: refused before it is fetched when it is
not a .docx or too big; checked in the render pool with sample answers (never on the event loop:
a template that loops or swells is stopped there), previewed, and kept only when the admin confirms
— as a new version, the previous ones staying available. An admin of a province replaces their
province's template, a configured admin the default one. With several forms scheduled the admin is
first asked which report the template is for (the file waits as an unassigned upload); it is then
checked with that form's samples and kept for that form. A waiting upload is removed once answered
(a second tap finds it gone) or after a week unanswered."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.chat.access import Identity, person_of
from bot.chat.actions import DropTemplate, TemplateFor, UseTemplate
from bot.chat.catalogue import say
from bot.chat.replies import Choice, ClearChoices, Document, Later, Message, Reply, TapAnswer
from bot.documents.form_samples import form_check_contexts, form_preview_context
from bot.documents.pool import check_template, render_docx
from bot.documents.render import TemplateError
from bot.domain.forms import Form
from bot.services import Services
from bot.supervising.which_form import scheduled_forms
from storage import Storage
from storage.models import TemplateRecord

PENDING = ":pending"  # the name's suffix of an uploaded template waiting for the admin's answer
UNASSIGNED = "*" + PENDING  # the name of an upload waiting for the admin to say which report it is for
MAX_TEMPLATE_MEGABYTES = 5
MAX_TEMPLATE_BYTES = MAX_TEMPLATE_MEGABYTES * 1024 * 1024
WAITING = timedelta(days=7)  # how long an upload waits for the admin's answer


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

    forms = template_forms(services)
    if len(forms) > 1:
        async def ask() -> list[Reply]:
            return await _ask_form(services, identity, forms, filename, content, sender_name)

        return [Message(say("render.checking")), Later(ask)]
    return _checking(services, identity, forms[0], filename, content, sender_name)


def template_forms(services: Services) -> list[Form]:
    """The forms a template may be uploaded for: the scheduled ones (a variant has its own file)."""
    forms = [form for form in scheduled_forms(services) if not form.is_variant]
    return forms or scheduled_forms(services)


def _checking(services: Services, identity: Identity, form: Form, filename: str, content: bytes,
              sender_name: str) -> list[Reply]:
    async def make() -> list[Reply]:
        return await _check_and_preview(services, identity, form, filename, content, sender_name)

    return [Message(say("render.checking")), Later(make)]


async def _ask_form(services: Services, identity: Identity, forms: list[Form], filename: str, content: bytes,
                    sender_name: str) -> list[Reply]:
    """A file that is no Word document is refused at once (checked in the render pool); a document
    waits as an unassigned upload while the admin says which report it is for."""
    try:
        await check_template(content, [])
    except TemplateError as exc:
        return [Message(say("report_template.refused", reason=exc.reason))]
    scope = identity.admin_provinces
    waiting = await _keep_waiting(services, identity, UNASSIGNED, scope[0] if scope else None, filename, content,
                                  sender_name)
    rows = tuple((Choice(form.title, TemplateFor(waiting.id, form.id)),) for form in forms)
    return [Message(say("template_forms.ask", filename=filename), rows)]


async def choose_form(services: Services, identity: Identity, action: TemplateFor, sender_name: str) -> list[Reply]:
    """The report an unassigned upload is for: checked and previewed with that form's samples;
    refused to others, out of the admin's provinces, and for a form not scheduled."""
    storage = services.storage
    record = await _waiting(storage, identity, action.template_id, unassigned=True)
    if isinstance(record, list):
        return record
    form = next((form for form in template_forms(services) if form.id == action.form), None)
    if form is None:
        return [TapAnswer(say("common.stale_button"), alert=True)]
    content = await storage.templates.content(record.id)
    if content is None or not await storage.templates.remove(record.id):  # taken by a tap before this one
        return [TapAnswer(say("common.stale_button"), alert=True)]
    return [TapAnswer(), ClearChoices(say("template_forms.chosen", form=form.title)),
            *_checking(services, identity, form, record.filename, content, sender_name)]


async def _check_and_preview(services: Services, identity: Identity, form: Form, filename: str, content: bytes,
                             sender_name: str) -> list[Reply]:
    try:
        await check_template(content, form_check_contexts(form))
        preview = await render_docx(content, form_preview_context(form))
    except TemplateError as exc:
        return [Message(say("report_template.refused", reason=exc.reason))]
    scope = identity.admin_provinces  # None: the default template, for every province
    pending = await _keep_waiting(services, identity, form.id + PENDING, scope[0] if scope else None, filename,
                                  content, sender_name)
    now = services.clock.now()
    choices = ((Choice(say("report_template.use"), UseTemplate(pending.id)),
                Choice(say("report_template.drop"), DropTemplate(pending.id))),)
    return [Document(say("report_template.preview_filename", date=f"{now:%Y%m%d}"), preview,
                     say("report_template.preview_caption"), choices)]


async def _keep_waiting(services: Services, identity: Identity, name: str, owner: str | None, filename: str,
                        content: bytes, sender_name: str) -> TemplateRecord:
    """The upload stored to wait for the admin's answer; uploads unanswered for a week removed."""
    storage = services.storage
    now = services.clock.now()
    async with storage.db.transaction():
        await storage.templates.remove_older(PENDING, now - WAITING)
        person = await person_of(storage, identity, now, full_name=sender_name)
        return await storage.templates.add(name, owner, filename, content, person.id, now,
                                           note=say("report_template.pending_note"))


async def _waiting(storage: Storage, identity: Identity, template_id: int, *,
                   unassigned: bool) -> TemplateRecord | list[Reply]:
    """The upload a button answers for (``unassigned``: one waiting for its report, else one
    checked for a form), or the refusal: to others, for a stale button, and out of the admin's
    provinces (a province's admin answers only for that province's templates)."""
    if not identity.is_admin:
        return [TapAnswer(say("common.not_allowed"), alert=True)]
    record = await storage.templates.get(template_id)
    if record is None or not record.name.endswith(PENDING) or (record.name == UNASSIGNED) != unassigned:
        return [TapAnswer(say("common.stale_button"), alert=True)]
    scope = identity.admin_provinces
    if scope is not None and record.unit_code not in scope:
        return [TapAnswer(say("common.not_allowed"), alert=True)]
    return record


async def decide(storage: Storage, identity: Identity, action: UseTemplate | DropTemplate, *,
                 now: datetime) -> list[Reply]:
    """The admin's answer under a preview: the template kept as a new version (with its audit row,
    one transaction) or dropped; refused to others and out of the admin's provinces."""
    record = await _waiting(storage, identity, action.template_id, unassigned=False)
    if isinstance(record, list):
        return record
    stale: list[Reply] = [TapAnswer(say("common.stale_button"), alert=True)]
    if isinstance(action, DropTemplate):  # the file is not read to be dropped
        if not await storage.templates.remove(record.id):  # answered by a tap before this one
            return stale
        return [TapAnswer(), ClearChoices(), Message(say("report_template.dropped"))]
    content = await storage.templates.content(record.id)
    if content is None:
        return stale
    async with storage.db.transaction():
        if not await storage.templates.remove(record.id):  # answered by a tap before this one
            return stale
        kept = await storage.templates.add(record.name.removesuffix(PENDING), record.unit_code, record.filename, content,
                                           identity.person.id if identity.person else None, now,
                                           note=say("report_template.kept_note"))
        await storage.audit.log("template.replace", now, actor=identity.actor, subject=f"template:{kept.id}",
                                detail={"version": kept.version})
    return [TapAnswer(), ClearChoices(), Message(say("report_template.used", version=kept.version))]

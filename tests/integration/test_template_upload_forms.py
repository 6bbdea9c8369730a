"""A replacement template sent in chat while two reports are scheduled: the admin is asked which
report it is for, the template is checked with that report's samples (a monthly template refused
for the weekly report, accepted for the monthly one) and kept for that report only; with one form
scheduled nothing changes. Service level, over a real SQLite file and the real render pool."""

from __future__ import annotations

import io
from datetime import datetime

import docx

from bot.administering import templates
from bot.chat.actions import TemplateFor, UseTemplate
from bot.chat.catalogue import say
from bot.chat.replies import ClearChoices, Document, Message, TapAnswer
from bot.clock import VN_TZ, FakeClock
from bot.domain.forms import WEEKLY_FORM_ID
from bot.services import Services
from bot.settings import PROJECT_ROOT
from storage import Storage
from tests.conftest import ADMIN_ID
from tests.integration.test_reporting_service import actions, made, who

APRIL_22 = datetime(2026, 4, 22, 10, 0, tzinfo=VN_TZ)  # week 16 and April's monthly report both open
MONTHLY = (PROJECT_ROOT / "templates" / "bao-cao-thang-nq57.docx").read_bytes()
WEEKLY = (PROJECT_ROOT / "templates" / "bao-cao-tuan.docx").read_bytes()


async def test_the_admin_says_which_report_a_template_is_for_and_it_is_kept_for_that_one(
        services: Services, clock: FakeClock) -> None:
    clock.set(APRIL_22)
    admin = await who(services, ADMIN_ID)
    checking, asked = await made(templates.upload(services, admin, "mau-thang.docx", MONTHLY, "Quản trị"))
    assert checking == Message(say("render.checking")) and isinstance(asked, Message)
    assert asked.text == say("template_forms.ask", filename="mau-thang.docx")
    choices = actions(asked)
    assert [a.form for a in choices if isinstance(a, TemplateFor)] == [WEEKLY_FORM_ID, "nq57-monthly"]

    # for the weekly report the monthly template is refused: the weekly samples lack its tables
    weekly, monthly = choices
    assert isinstance(weekly, TemplateFor) and isinstance(monthly, TemplateFor)
    replies = await made(await templates.choose_form(services, admin, weekly, "Quản trị"))
    assert replies[:3] == [TapAnswer(), ClearChoices(say("template_forms.chosen", form=services.forms[
        WEEKLY_FORM_ID].title)), Message(say("render.checking"))]
    refused = replies[-1]
    assert isinstance(refused, Message) and refused.text.startswith("Mẫu chưa dùng được:") and "plans_rows" in refused.text

    # the answer taken, the upload is gone: another tap of the same question is stale (its choices
    # were cleared), so the admin sends the file again and chooses the monthly report
    assert await templates.choose_form(services, admin, monthly, "") == [TapAnswer(say("common.stale_button"),
                                                                                   alert=True)]
    _, asked = await made(templates.upload(services, admin, "mau-thang.docx", MONTHLY, "Quản trị"))
    assert isinstance(asked, Message)
    monthly = next(a for a in actions(asked) if isinstance(a, TemplateFor) and a.form == "nq57-monthly")
    replies = await made(await templates.choose_form(services, admin, monthly, "Quản trị"))
    assert await templates.choose_form(services, admin, monthly, "") == [TapAnswer(say("common.stale_button"),
                                                                                   alert=True)]  # tapped twice: one preview
    preview = replies[-1]
    assert isinstance(preview, Document)
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(preview.content)).paragraphs)
    assert "số lượng hồ sơ trực tuyến toàn trình: 1.247/1.484, tỷ lệ: 84,03%." in body
    assert f"Lý do: {say('template_forms.sample_reason')}" in body
    use = next(a for a in actions_of(preview) if isinstance(a, UseTemplate))
    (_, _, used) = await templates.decide(services.storage, admin, use, now=clock.now())
    assert isinstance(used, Message) and used.text == say("report_template.used", version=1)
    storage: Storage = services.storage
    kept = await storage.templates.effective("nq57-monthly", "05800")
    assert kept is not None and await storage.templates.content(kept.id) == MONTHLY
    assert await storage.templates.effective(WEEKLY_FORM_ID, "05800") is None  # the weekly one untouched

    # the upload waiting for its report cannot be confirmed as is, nor chosen twice for a form not scheduled
    stale = await templates.decide(storage, admin, UseTemplate(monthly.template_id), now=clock.now())
    assert stale == [TapAnswer(say("common.stale_button"), alert=True)]
    forged = TemplateFor(monthly.template_id, "nq99-nothing")
    assert await templates.choose_form(services, admin, forged, "") == [TapAnswer(say("common.stale_button"),
                                                                                  alert=True)]


async def test_a_file_that_is_no_word_document_is_refused_before_the_report_is_asked(
        services: Services, clock: FakeClock) -> None:
    clock.set(APRIL_22)
    admin = await who(services, ADMIN_ID)
    _, refused = await made(templates.upload(services, admin, "mau.docx", b"not a docx", "Quản trị"))
    assert isinstance(refused, Message) and refused.text.startswith("Mẫu chưa dùng được:") and not refused.choices
    assert await services.storage.templates.latest(templates.UNASSIGNED, None) is None


def actions_of(document: Document) -> list[object]:
    return [choice.action for row in document.choices for choice in row]


async def test_with_one_form_scheduled_the_upload_is_checked_for_it_at_once(services: Services) -> None:
    weekly_alone = Services(settings=services.settings, clock=services.clock,
                            forms={WEEKLY_FORM_ID: services.forms[WEEKLY_FORM_ID]})
    weekly_alone.attach_storage(services.storage)
    admin = await who(services, ADMIN_ID)
    first, *rest = await made(templates.upload(weekly_alone, admin, "mau-tuan.docx", WEEKLY, "Quản trị"))
    assert first == Message(say("render.checking"))
    (preview,) = rest
    assert isinstance(preview, Document)
    use = next(a for a in actions_of(preview) if isinstance(a, UseTemplate))
    await templates.decide(services.storage, admin, use, now=services.clock.now())
    kept = await services.storage.templates.effective(WEEKLY_FORM_ID, "05800")
    assert kept is not None and await services.storage.templates.content(kept.id) == WEEKLY

"""A replacement report template (bot.administering.templates) with no messenger: refused before it
is fetched when not a .docx or too big; checked in the render pool beside the updates, previewed
with the choice to use it or not, kept as a new version only when the admin confirms (with its
audit row, one transaction); refused to non-admins, out of an admin's provinces and on a stale
choice; a broken template refused with the reason and nothing kept."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.administering import templates
from bot.chat.actions import DropTemplate, UseTemplate, encode
from bot.chat.catalogue import say
from bot.chat.replies import ClearChoices, Document, Later, Message, Reply, TapAnswer
from bot.clock import FakeClock
from bot.domain.forms import WEEKLY_FORM_ID, load_forms
from bot.services import Services
from bot.settings import Settings
from storage import Storage
from storage.models import Role
from tests.journeys.conftest import CONFIGURED_ADMIN, Place, only_text, person, refused, who
from tests.journeys.test_one_transaction import fail_audit
from tests.render.docx_helpers import with_tag

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "bao-cao-tuan.docx"
LAN, QUAN, HA_ADMIN = 9301, 9302, 9303  # reporter, admin of Thái Nguyên, admin of Hà Nội
PENDING = "tthc-weekly:pending"


@pytest.fixture
async def services(settings: Settings, clock: FakeClock, storage: Storage) -> AsyncIterator[Services]:
    # The weekly form alone: with several forms scheduled the upload first asks which report it is
    # for (tests/integration/test_template_upload_forms.py); these tests check the weekly cycle.
    forms = {WEEKLY_FORM_ID: load_forms(settings.forms_dir)[WEEKLY_FORM_ID]}
    services = Services(settings=settings, clock=clock, forms=forms)
    services.attach_storage(storage)
    yield services


@pytest.fixture
async def people(storage: Storage, clock: FakeClock, place: Place) -> None:
    now = clock.now()
    await person(storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, place.phuc_loc, now)
    await person(storage, QUAN, "Phạm Quản Trị", Role.ADMIN, place.thai_nguyen, now)
    await person(storage, HA_ADMIN, "Lê Hà Nội", Role.ADMIN, place.ha_noi, now)


async def made(replies: list[Reply]) -> list[Reply]:
    """What the upload says at once (checking), then what it makes beside the updates."""
    checking, later = replies
    assert checking == Message(say("render.checking")) and isinstance(later, Later)
    return list(await later.make())


async def preview_of(services: Services, telegram_id: int, content: bytes | None = None) -> Document:
    admin = await who(services.storage, services.settings, telegram_id)
    [document] = await made(templates.upload(services, admin, "mau-moi.docx", content or TEMPLATE.read_bytes(),
                                             "Quản trị"))
    assert isinstance(document, Document)
    return document


def test_a_file_is_screened_before_it_is_fetched() -> None:
    assert templates.screen("mau.docx", 1000) == []
    assert templates.screen("MAU.DOCX", None) == []
    assert only_text(templates.screen("mau.pdf", 10)) == say("report_template.not_docx")
    assert only_text(templates.screen("mau.doc", 10)) == say("report_template.not_docx")
    assert only_text(templates.screen("mau.docx", 5 * 1024 * 1024 + 1)) == say("report_template.too_big",
                                                                              megabytes=5)


async def test_a_preview_is_offered_and_kept_only_when_confirmed(services: Services, place: Place, people: None,
                                                                 clock: FakeClock) -> None:
    storage = services.storage
    document = await preview_of(services, CONFIGURED_ADMIN)
    assert document.filename == "xem-truoc-20251215.docx" and document.content.startswith(b"PK")
    assert document.caption == say("report_template.preview_caption")
    pending = await storage.templates.latest(PENDING, None)  # a configured admin: the default template
    assert pending is not None and pending.filename == "mau-moi.docx"
    [(use, drop)] = document.choices
    assert (use.label, use.action) == (say("report_template.use"), UseTemplate(pending.id))
    assert (drop.label, drop.action) == (say("report_template.drop"), DropTemplate(pending.id))
    assert encode(use.action) == f"tp:y:{pending.id}"  # the string the bot has always sent
    assert await storage.templates.effective("tthc-weekly", place.phuc_loc.code, "19") is None

    admin = await who(storage, services.settings, CONFIGURED_ADMIN)
    replies = await templates.decide(storage, admin, UseTemplate(pending.id), now=clock.now())
    assert replies == [TapAnswer(), ClearChoices(), Message(say("report_template.used", version=1))]
    kept = await storage.templates.effective("tthc-weekly", place.phuc_loc.code, "19")
    assert kept is not None and kept.version == 1 and kept.unit_code is None
    assert await storage.templates.content(kept.id) == TEMPLATE.read_bytes()
    [entry] = await storage.audit.recent(action="template.replace")
    assert entry.actor == CONFIGURED_ADMIN and entry.detail == {"version": 1}

    # another one replaces it as version 2; the first stays stored
    second = await preview_of(services, CONFIGURED_ADMIN, with_tag(TEMPLATE.read_bytes(), "MẪU 2 ", "Trên đây là"))
    await templates.decide(storage, admin, second.choices[0][0].action, now=clock.now())  # type: ignore[arg-type]
    latest = await storage.templates.latest("tthc-weekly", None)
    assert latest is not None and latest.version == 2 and await storage.templates.get(kept.id) == kept


async def test_a_dropped_preview_keeps_the_template_in_use(services: Services, place: Place, people: None,
                                                           clock: FakeClock) -> None:
    storage = services.storage
    document = await preview_of(services, QUAN)
    pending = await storage.templates.latest(PENDING, "19")  # an admin of Thái Nguyên: that province's
    assert pending is not None and document.choices[0][1].action == DropTemplate(pending.id)
    quan = await who(storage, services.settings, QUAN)
    replies = await templates.decide(storage, quan, DropTemplate(pending.id), now=clock.now())
    assert replies == [TapAnswer(), ClearChoices(), Message(say("report_template.dropped"))]
    assert await storage.templates.effective("tthc-weekly", place.phuc_loc.code, "19") is None
    assert await storage.audit.recent(action="template.replace") == []


async def test_a_broken_template_is_refused_with_the_reason_and_nothing_kept(services: Services, place: Place,
                                                                             people: None) -> None:
    admin = await who(services.storage, services.settings, CONFIGURED_ADMIN)
    broken = with_tag(TEMPLATE.read_bytes(), "{{ broken( }}", "Trên đây là báo cáo")
    [message] = await made(templates.upload(services, admin, "hong.docx", broken, "Quản trị"))
    assert isinstance(message, Message) and message.text.startswith("Mẫu chưa dùng được: ")
    assert message.text.endswith("\nMẫu đang dùng được giữ nguyên.")
    huge = with_tag(TEMPLATE.read_bytes(), "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}"
                    "{% endfor %}", "Trên đây là báo cáo")
    [message] = await made(templates.upload(services, admin, "lon.docx", huge, "Quản trị"))
    assert isinstance(message, Message) and "range() quá lớn" in message.text
    assert await services.storage.templates.latest(PENDING, None) is None


async def test_an_upload_is_refused_to_a_non_admin_and_when_too_big(services: Services, place: Place,
                                                                    people: None) -> None:
    lan = await who(services.storage, services.settings, LAN)
    assert not templates.takes_uploads(lan)
    assert only_text(templates.upload(services, lan, "mau.docx", TEMPLATE.read_bytes(), "Lan")) == say(
        "common.not_allowed")
    admin = await who(services.storage, services.settings, CONFIGURED_ADMIN)
    assert templates.takes_uploads(admin)
    # a messenger that did not declare the size: the bytes fetched are measured
    assert only_text(templates.upload(services, admin, "mau.docx", b"PK" + bytes(5 * 1024 * 1024), "Quản trị")) == say(
        "report_template.too_big", megabytes=5)
    assert only_text(templates.upload(services, admin, "mau.odt", b"PK", "Quản trị")) == say(
        "report_template.not_docx")


async def test_a_choice_is_refused_to_others_out_of_scope_and_when_stale(services: Services, place: Place,
                                                                         people: None, clock: FakeClock) -> None:
    storage = services.storage
    await preview_of(services, QUAN)
    pending = await storage.templates.latest(PENDING, "19")
    assert pending is not None
    now = clock.now()
    lan = await who(storage, services.settings, LAN)
    ha_admin = await who(storage, services.settings, HA_ADMIN)
    for someone in (lan, ha_admin):
        for action in (UseTemplate(pending.id), DropTemplate(pending.id)):
            replies = await templates.decide(storage, someone, action, now=now)
            assert refused(replies) and replies[0] == TapAnswer(say("common.not_allowed"), alert=True)
    quan = await who(storage, services.settings, QUAN)
    await templates.decide(storage, quan, UseTemplate(pending.id), now=now)
    kept = await storage.templates.latest("tthc-weekly", "19")
    assert kept is not None
    for action in (UseTemplate(pending.id + 1000), UseTemplate(kept.id), DropTemplate(kept.id)):
        replies = await templates.decide(storage, quan, action, now=now)  # unknown, or not a preview
        assert refused(replies) and replies[0] == TapAnswer(say("common.stale_button"), alert=True)
    assert len(await storage.audit.recent(action="template.replace")) == 1


async def test_a_template_kept_without_its_audit_row_is_not_kept(services: Services, place: Place, people: None,
                                                                 clock: FakeClock) -> None:
    storage = services.storage
    await preview_of(services, CONFIGURED_ADMIN)
    pending = await storage.templates.latest(PENDING, None)
    assert pending is not None
    await fail_audit(storage, "template.replace")
    admin = await who(storage, services.settings, CONFIGURED_ADMIN)
    with pytest.raises(sqlite3.IntegrityError):
        await templates.decide(storage, admin, UseTemplate(pending.id), now=clock.now())
    assert await storage.templates.latest("tthc-weekly", None) is None


async def test_an_answered_preview_is_gone_so_a_second_tap_changes_nothing(services: Services, place: Place,
                                                                            people: None, clock: FakeClock) -> None:
    storage = services.storage
    admin = await who(storage, services.settings, CONFIGURED_ADMIN)
    stale = [TapAnswer(say("common.stale_button"), alert=True)]
    kept_one = await preview_of(services, CONFIGURED_ADMIN)
    use = kept_one.choices[0][0].action
    assert isinstance(use, UseTemplate)
    assert (await templates.decide(storage, admin, use, now=clock.now()))[-1] == Message(
        say("report_template.used", version=1))
    assert await storage.templates.get(use.template_id) is None  # the waiting upload removed with its answer
    assert await templates.decide(storage, admin, use, now=clock.now()) == stale
    assert await templates.decide(storage, admin, DropTemplate(use.template_id), now=clock.now()) == stale

    dropped = await preview_of(services, CONFIGURED_ADMIN, with_tag(TEMPLATE.read_bytes(), "MẪU 2 ", "Trên đây là"))
    drop = dropped.choices[0][1].action
    assert isinstance(drop, DropTemplate)
    assert (await templates.decide(storage, admin, drop, now=clock.now()))[-1] == Message(
        say("report_template.dropped"))
    assert await templates.decide(storage, admin, UseTemplate(drop.template_id), now=clock.now()) == stale
    assert [t.version for t in await storage.templates.versions("tthc-weekly", None)] == [1]
    assert len(await storage.audit.recent(action="template.replace")) == 1


async def test_an_upload_never_answered_is_removed_after_a_week(services: Services, place: Place, people: None,
                                                                clock: FakeClock) -> None:
    storage = services.storage
    first = await preview_of(services, QUAN)
    forgotten = first.choices[0][0].action
    assert isinstance(forgotten, UseTemplate)
    clock.advance(timedelta(days=6))
    await preview_of(services, CONFIGURED_ADMIN)
    assert await storage.templates.get(forgotten.template_id) is not None  # six days: still waiting
    clock.advance(timedelta(days=2))
    later = await preview_of(services, CONFIGURED_ADMIN, with_tag(TEMPLATE.read_bytes(), "MẪU 3 ", "Trên đây là"))
    assert await storage.templates.get(forgotten.template_id) is None  # eight days: removed by the next upload
    waiting = later.choices[0][0].action
    assert isinstance(waiting, UseTemplate) and await storage.templates.get(waiting.template_id) is not None
    quan = await who(storage, services.settings, QUAN)
    assert await templates.decide(storage, quan, forgotten, now=clock.now()) == [
        TapAnswer(say("common.stale_button"), alert=True)]

"""The supervisor's journey through Application.process_update on the generated province: /tonghop
(message, chart, .docx, .xlsx, progress), /chuanop, /xa, approving and returning (the reporter told,
correcting and resubmitting; approved reports locked), entering a report on a commune's behalf, and
scope: a supervisor of another province, and a reporter, are refused on every command and button."""

from __future__ import annotations

import io
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.domain.forms import WEEKLY_FORM_ID
from bot.domain.numbers import format_count
from bot.settings import PROJECT_ROOT, Settings
from bot.supervising import rollup_service
from handlers.supervising import rollup_chat
from handlers.supervising.on_behalf import entry_template
from storage import Storage
from storage.models import DraftStatus, Person, Role, SubmissionStatus, Unit, UnitKind
from tests.conftest import ADMIN_ID, BotHarness
from tests.fakes import as_update, callback_update, text_update
from tests.integration.seed import bind, load_units
from tests.rollup import scenario as sc

SUP, OTHER, REP, MAI, HAI = 7001, 7002, 7003, 7004, 7005
REP_INDEX = 40  # an ordinary commune that reported on time
NOT_ALLOWED = "Anh/Chị không có quyền dùng lệnh này."


@dataclass
class World:
    h: BotHarness
    scenario: sc.Scenario
    supervisor: Person
    reporter: Person

    @property
    def storage(self) -> Storage:
        return self.h.storage

    def code(self, index: int) -> str:
        return self.scenario.code(index)

    async def submission(self, index: int):
        period = self.scenario.periods[sc.WEEK]
        return await self.storage.submissions.latest(period.id, self.code(index))

    def texts(self, chat: int) -> list[str]:
        return [c.text for c in self.h.request.sent_to(chat) if c.method in ("sendMessage", "editMessageText")]

    def alerts(self) -> list[dict[str, Any]]:
        return [c.params for c in self.h.request.calls if c.method == "answerCallbackQuery"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The weekly cycle alone, whatever the shipped form files schedule: a forms folder with the
    weekly form only (the choice between reports is tests/supervising/test_per_form*.py's)."""
    folder = tmp_path / "forms"
    folder.mkdir()
    shutil.copy(PROJECT_ROOT / "templates" / "forms" / f"{WEEKLY_FORM_ID}.yaml", folder)
    return Settings(_env_file=None, database_path=tmp_path / "baocao.db", admin_ids=[ADMIN_ID],  # type: ignore[call-arg]
                    forms_dir=folder)


@pytest.fixture
async def world(harness: BotHarness, form, clock) -> World:
    storage = harness.storage
    communes = await load_units(storage)
    await load_units(storage, "01")
    now = clock.now()
    supervisor = await bind(storage, SUP, "Trần Văn Sơn", Role.SUPERVISOR, await storage.units.get("19"), now)
    await bind(storage, OTHER, "Hà Thị Nội", Role.SUPERVISOR, await storage.units.get("01"), now)
    reporter = await bind(storage, REP, "Nguyễn Thị Lan", Role.REPORTER, communes[REP_INDEX], now)
    await bind(storage, MAI, "Lò Thị Mai", Role.REPORTER, communes[0], now)
    scenario = await sc.build(storage, form, communes, supervisor=supervisor.id, reporter=reporter.id)
    # the reporter's draft, as the reporting journey leaves it after submitting
    period = scenario.periods[sc.WEEK]
    draft = await storage.drafts.get_or_create(period.id, communes[REP_INDEX].code, now)
    await storage.drafts.set_answers(draft.id, scenario.reported[communes[REP_INDEX].code], reporter.id, now)
    await storage.drafts.set_status(draft.id, DraftStatus.SUBMITTED, now)
    harness.request.clear()
    return World(harness, scenario, supervisor, reporter)


def button(call, starts: str) -> str:
    return next(data for label, data in call.buttons if label.startswith(starts))


# --- /tonghop ----------------------------------------------------------------------------------


async def test_tonghop_message_chart_docx_xlsx(world: World) -> None:
    h = world.h
    await h.send(text_update(SUP, "/tonghop"))
    calls = [c for c in h.request.sent_to(SUP) if c.method != "answerCallbackQuery"]
    methods = [c.method for c in calls]
    assert methods[0] == "sendMessage" and "Đang tổng hợp báo cáo Tuần 50/2025" in calls[0].text
    summary = next(c for c in calls if c.method == "editMessageText" and "TỔNG HỢP" in c.text)
    assert "Đã nộp 82/92 (đúng hạn 74, sau hạn 8); chưa nộp 10." in summary.text
    assert ("« Tuần 49/2025", "sv:t:19:2025-W49") in summary.buttons
    assert not any("Tuần 51" in label for label, _ in summary.buttons)  # W51 has not opened yet
    assert methods.count("sendPhoto") == 1
    photo = next(c for c in calls if c.method == "sendPhoto")
    picture = next(iter(photo.files.values()))[1]
    assert picture.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(picture)).size[1] <= 1280  # a phone's picture (issue 16, item 10)
    assert "• 5 đơn vị cao nhất: 1. " in summary.text and "• 5 đơn vị thấp nhất: " in summary.text  # item 13
    documents = h.request.documents_to(SUP)
    assert [name for name, _ in documents] == ["BC-tong-hop-2025-W50-tinh-thai-nguyen.docx",
                                               "BC-tong-hop-2025-W50-tinh-thai-nguyen.xlsx"]
    book = load_workbook(io.BytesIO(documents[1][1]))
    assert book["Theo xã"].max_row == 93

    h.request.clear()
    await h.send(callback_update(SUP, "sv:t:19:2025-W49"))
    assert any("TUẦN 49/2025" in t and "Đã nộp 92/92" in t for t in world.texts(SUP))


async def test_progress_is_shown_when_the_work_takes_a_while(world: World, monkeypatch) -> None:
    original = rollup_service.build_files

    def slow(data, **kwargs):
        kwargs["progress"].communes(45, 92)
        time.sleep(0.3)
        return original(data, **kwargs)

    monkeypatch.setattr(rollup_service, "build_files", slow)
    monkeypatch.setattr(rollup_chat, "PROGRESS_AFTER", 0.05)
    monkeypatch.setattr(rollup_chat, "PROGRESS_EVERY", 0.05)
    await world.h.send(text_update(SUP, "/tonghop"))
    edits = [c.text for c in world.h.request.sent_to(SUP) if c.method == "editMessageText"]
    assert edits[0] == "Đang tổng hợp 45/92 xã…" and "TỔNG HỢP" in edits[-1]


async def test_others_are_answered_while_a_rollup_is_made(world: World, monkeypatch) -> None:
    """Updates are handled one at a time: the rollup runs beside them, so a reporter's message is
    answered while it is made, and the same supervisor's second /tonghop is asked to wait."""
    original = rollup_service.build_files
    release = threading.Event()

    def held(data, **kwargs):
        assert release.wait(10), "the rollup was never released"
        return original(data, **kwargs)

    monkeypatch.setattr(rollup_service, "build_files", held)
    h = world.h
    await h.app.process_update(as_update(text_update(SUP, "/tonghop"), h.app.bot))  # not waited for
    await h.app.process_update(as_update(text_update(REP, "/help"), h.app.bot))
    await h.app.process_update(as_update(text_update(SUP, "/tonghop"), h.app.bot))
    assert h.request.sent_to(REP), "the reporter waited for the rollup"
    assert any("vui lòng chờ" in t for t in world.texts(SUP))
    assert not h.request.documents_to(SUP)
    release.set()
    await h.app.wait_background()
    assert len([name for name, _ in h.request.documents_to(SUP) if name.endswith(".xlsx")]) == 1
    await h.send(text_update(SUP, "/tonghop"))  # done: a new one is made
    assert len([name for name, _ in h.request.documents_to(SUP) if name.endswith(".xlsx")]) == 2


async def test_admin_national_rollup_by_province(world: World) -> None:
    h = world.h
    await h.send(text_update(ADMIN_ID, "/tonghop"))
    choice = h.request.last_to(ADMIN_ID)
    assert ("🇻🇳 Toàn quốc (theo tỉnh)", "sv:t:all:") in choice.buttons
    await h.send(text_update(ADMIN_ID, "/tonghop toanquoc 2025-W50"))
    text = next(t for t in world.texts(ADMIN_ID) if "TỔNG HỢP" in t)
    assert "Toàn quốc" in text and "Theo tỉnh (đã nộp/tổng số):" in text and "Thái Nguyên 82/92" in text
    docs = h.request.documents_to(ADMIN_ID)
    assert [name for name, _ in docs][-2:] == ["BC-tong-hop-2025-W50-toan-quoc.docx",
                                               "BC-tong-hop-2025-W50-toan-quoc.xlsx"]
    assert "Theo tỉnh" in load_workbook(io.BytesIO(docs[-1][1])).sheetnames
    await h.send(text_update(SUP, "/tonghop toanquoc"))
    assert "Chỉ quản trị viên" in h.request.last_to(SUP).text


# --- /chuanop ----------------------------------------------------------------------------------


async def test_chuanop_lists_the_missing_with_their_officials(world: World) -> None:
    h = world.h
    await h.send(text_update(SUP, "/chuanop"))
    reply = h.request.last_to(SUP)
    assert "Chưa nộp: 10/92 xã, phường." in reply.text
    # issue 16: names joined on a line; the button counts only the communes a nudge reaches
    assert f"Nhắc được qua bot (1 xã): {world.scenario.unit(0).full_name} (Lò Thị Mai)." in reply.text
    assert f"• chưa có cán bộ báo cáo (9): {world.scenario.unit(1).full_name}, " in reply.text
    period = world.scenario.periods[sc.WEEK]
    assert reply.buttons == [("🔔 Nhắc ngay (1 xã)", f"nudge:{period.id}:19")]
    await h.send(callback_update(SUP, f"nudge:{period.id}:19"))  # the calendar's exactly-once sending
    assert any("Đã gửi lời nhắc tới 1 cán bộ của 1 xã" in t for t in world.texts(SUP))
    notices = await world.storage.notices.list_for_period(period.id)
    assert [n.chat_id for n in notices] == [MAI]


async def test_chuanop_marks_a_reporter_who_blocked_the_bot(world: World, clock) -> None:
    mai = await world.storage.people.get_by_telegram_id(MAI)
    await world.storage.people.set_blocked(mai.id, clock.now())
    await world.h.send(text_update(SUP, "/chuanop"))
    reply = world.h.request.last_to(SUP)
    assert f"• cán bộ đã chặn bot (1): {world.scenario.unit(0).full_name} (Lò Thị Mai)." in reply.text


# --- /xa ---------------------------------------------------------------------------------------


async def test_xa_shows_the_report_versions_history_and_docx(world: World) -> None:
    h = world.h
    unit = world.scenario.unit(sc.CORRECTED)
    await h.send(text_update(SUP, f"/xa {unit.code}"))
    texts = world.texts(SUP)
    card = next(t for t in texts if "BÁO CÁO TUẦN 50/2025" in t)
    latest = await world.submission(sc.CORRECTED)
    assert f"lần 2 (mã báo cáo {latest.id})" in card
    answers = world.scenario.reported[unit.code]
    assert f"• Trực tiếp: {format_count(answers['received_in_person'])}" in card
    assert "• Lần 1: 09:00 15/12/2025 — Nguyễn Thị Lan" in card
    assert "• Lần 2: 17:00 18/12/2025 — Nguyễn Thị Lan (sau hạn)" in card
    assert "Trạng thái: Chờ duyệt" in card
    table = next(c for c in h.request.sent_to(SUP) if "<pre>" in c.text)
    assert table.params.get("parse_mode") == "HTML" and "T50/25" in table.text and "T45/25" in table.text
    assert h.request.documents_to(SUP)[-1][0].endswith(".docx")


async def test_xa_finds_a_commune_without_diacritics(world: World) -> None:
    unit = world.scenario.unit(REP_INDEX)
    from bot.domain.text import fold

    await world.h.send(text_update(SUP, f"/xa {fold(unit.name)}"))
    last = world.h.request.sent_to(SUP)
    assert any(unit.full_name in c.text for c in last) or any(unit.code in d for c in last for _, d in c.buttons)


async def test_xa_prefers_the_name_with_its_diacritics(world: World) -> None:
    def commune(code: str, name: str) -> Unit:
        return Unit(code=code, name=name, full_name=f"Xã {name}", kind=UnitKind.COMMUNE,
                    division_type="xã", province_code="19")

    await world.storage.units.upsert_many([commune("99901", "Văn Lang"), commune("99902", "Văn Lăng")])
    await world.h.send(text_update(SUP, "/xa Văn Lăng"))
    sent = world.h.request.sent_to(SUP)
    assert any("Xã Văn Lăng" in c.text for c in sent) and not any("Xã Văn Lang" in c.text for c in sent)
    world.h.request.clear()
    await world.h.send(text_update(SUP, "/xa van lang"))  # without diacritics both fit: the person chooses
    chooser = world.h.request.sent_to(SUP)[-1]
    assert len([d for _, d in chooser.buttons if d.endswith(("99901", "99902"))]) == 2


# --- approving and returning -------------------------------------------------------------------


async def test_approve_tells_the_reporter_and_locks_the_report(world: World) -> None:
    h = world.h
    unit = world.scenario.unit(REP_INDEX)
    await h.send(text_update(SUP, f"/xa {unit.code}"))
    card = next(c for c in h.request.sent_to(SUP) if "BÁO CÁO TUẦN 50/2025" in c.text)
    await h.send(callback_update(SUP, button(card, "✔ Duyệt")))
    assert (await world.submission(REP_INDEX)).status == SubmissionStatus.APPROVED
    assert any("đã được tỉnh duyệt" in t for t in world.texts(REP))
    assert any("Đã duyệt báo cáo Tuần 50/2025" in t and "Đã báo cho 1 cán bộ" in t for t in world.texts(SUP))

    # an approved report offers no correction (issue 16); a «Sửa báo cáo» tapped on an older screen
    # is refused, in Vietnamese
    await h.send(text_update(REP, "/baocao"))
    review = h.request.last_to(REP)
    assert [label for label, _ in review.buttons] == ["Xem chi tiết", "Tải tệp Word"]
    old_correct = button(review, "Xem chi tiết").rsplit(":", 1)[0] + ":m"
    await h.send(callback_update(REP, old_correct))
    menu = h.request.last_to(REP)
    await h.send(callback_update(REP, button(menu, "Bưu chính")))
    assert any("đã được tỉnh duyệt nên không sửa được nữa" in t for t in world.texts(REP))
    versions = await world.storage.submissions.versions(world.scenario.periods[sc.WEEK].id, unit.code)
    assert len(versions) == 1
    # approving twice says so
    await h.send(text_update(SUP, f"/duyet {versions[0].id}"))
    assert "đã được duyệt trước đó" in h.request.last_to(SUP).text


async def test_return_correct_resubmit_round_trip(world: World) -> None:
    h = world.h
    unit = world.scenario.unit(REP_INDEX)
    submission = await world.submission(REP_INDEX)
    await h.send(text_update(SUP, f"/tralai {submission.id}"))
    assert "ghi lý do" in h.request.last_to(SUP).text
    await h.send(text_update(SUP, f"/tralai {submission.id} Khó khăn ghi chưa rõ, đề nghị ghi cụ thể."))
    returned = await world.submission(REP_INDEX)
    assert returned.status == SubmissionStatus.RETURNED
    assert returned.status_reason == "Khó khăn ghi chưa rõ, đề nghị ghi cụ thể."
    told = h.request.last_to(REP)
    assert "được tỉnh trả lại để sửa" in told.text and "Lý do: Khó khăn ghi chưa rõ" in told.text

    await h.send(callback_update(REP, button(told, "✏ Sửa báo cáo")))
    menu = h.request.last_to(REP)
    await h.send(callback_update(REP, button(menu, "Khó khăn")))
    await h.send(text_update(REP, "Đường truyền internet yếu vào giờ cao điểm."))
    review = h.request.last_to(REP)
    await h.send(callback_update(REP, button(review, "✔ Gửi báo cáo")))
    assert any("(lần 2)" in t for t in world.texts(REP))
    resubmitted = await world.submission(REP_INDEX)
    assert resubmitted.version == 2 and resubmitted.status == SubmissionStatus.SUBMITTED
    assert resubmitted.answers["difficulties"] == "Đường truyền internet yếu vào giờ cao điểm."

    # the old version cannot be approved any more; the rollup shows the commune waiting again
    await h.send(text_update(SUP, f"/duyet {submission.id}"))
    assert "đã gửi bản mới hơn (lần 2" in h.request.last_to(SUP).text
    await h.send(text_update(SUP, "/tonghop"))
    xlsx = h.request.documents_to(SUP)[-1][1]
    sheet = load_workbook(io.BytesIO(xlsx))["Theo xã"]
    headers = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] == unit.code)
    assert row[headers.index("Duyệt")] == "Chờ duyệt" and row[headers.index("Lần nộp")] == 2


# --- entering a report on a commune's behalf -----------------------------------------------------


async def test_on_behalf_entry_from_chat(world: World, form) -> None:
    h = world.h
    unit = world.scenario.unit(3)  # missing in W50
    period = world.scenario.periods[sc.WEEK]
    await h.send(text_update(SUP, f"/nhapthay {unit.code}"))
    template = h.request.last_to(SUP).text
    assert template.startswith(f"/nhapthay {unit.code} 2025-W50\nKỳ trước chuyển sang: ")

    previous = world.scenario.answers[sc.PREVIOUS][unit.code]
    answers = sc.steady(3, 9, sc.pending_of(previous))
    broken = dict(answers, withdrawn=answers["withdrawn"] + 1)
    await h.send(text_update(SUP, entry_template(form, unit, period, broken)))
    reply = h.request.last_to(SUP)
    assert "Cần giải trình" in reply.text and reply.buttons == []
    await h.send(text_update(SUP, entry_template(form, unit, period, answers)))
    reply = h.request.last_to(SUP)
    assert "Số liệu đủ" in reply.text
    await h.send(callback_update(SUP, button(reply, "✔ Gửi báo cáo")))
    assert "(lần 1, nhập thay, sau hạn)" in h.request.last_to(SUP).text
    stored = await world.storage.submissions.latest(period.id, unit.code)
    assert stored.on_behalf and stored.submitted_by == world.supervisor.id and stored.answers == {
        k: v for k, v in answers.items() if k != "overdue_reasons" or answers["resolved_late"] + answers["pending_overdue"]}
    # the same figures again change nothing
    await h.send(text_update(SUP, entry_template(form, unit, period, answers)))
    await h.send(callback_update(SUP, button(h.request.last_to(SUP), "✔ Gửi báo cáo")))
    assert "không thay đổi" in h.request.last_to(SUP).text
    assert len(await world.storage.submissions.versions(period.id, unit.code)) == 1


async def test_a_returned_report_entered_on_behalf_tells_who_returned_it(world: World, form, clock) -> None:
    h = world.h
    unit, period = world.scenario.unit(REP_INDEX), world.scenario.periods[sc.WEEK]
    await bind(world.storage, HAI, "Trần Văn Hải", Role.SUPERVISOR, await world.storage.units.get("19"), clock.now())
    returned = await world.submission(REP_INDEX)
    await h.send(text_update(SUP, f"/tralai {returned.id} Số hồ sơ trực tuyến chưa khớp."))
    answers = dict(returned.answers, digitized=max(0, int(returned.answers["digitized"]) - 1))
    await h.send(text_update(HAI, entry_template(form, unit, period, answers)))  # a colleague enters it
    await h.send(callback_update(HAI, button(h.request.last_to(HAI), "✔ Gửi báo cáo")))
    assert "nhập thay" in h.request.last_to(HAI).text
    await h.app.reminders.broadcaster.wait_idle()
    [notice] = [t for t in world.texts(SUP) if t.startswith("📥")]
    assert unit.full_name in notice and "Số hóa" in notice
    assert not [t for t in world.texts(HAI) if t.startswith("📥")]  # not the one who entered it


# --- scope -------------------------------------------------------------------------------------


async def test_scope_on_every_command_and_button(world: World) -> None:
    h = world.h
    period = world.scenario.periods[sc.WEEK]
    target = await world.submission(REP_INDEX)
    code = world.code(REP_INDEX)
    name = world.scenario.unit(REP_INDEX).name
    before = [(s.id, s.status) for s in await world.storage.submissions.list_latest_for_period(period.id)]
    commands = ["/tonghop 19", "/tonghop toanquoc", "/chuanop 19", f"/xa {name}", f"/duyet {target.id}",
                f"/tralai {target.id} Sai số liệu tuần này.", f"/nhapthay {code}", f"/nhapthay {code}\nSố hóa: 3"]
    buttons = ["sv:t:19:2025-W50", "sv:t:all:2025-W50", "sv:c:19", f"sv:x:{code}", f"sv:a:{target.id}",
               f"sv:r:{target.id}", f"sv:w:{target.id}", f"sv:e:{code}", f"sv:s:{code}:{period.id}",
               f"sv:f:{target.id}", f"nudge:{period.id}:19"]
    for who in (OTHER, REP):
        for command in commands:
            h.request.clear()
            await h.send(text_update(who, command))
            reply = h.request.last_to(who).text
            assert (reply == NOT_ALLOWED or "Không thấy tỉnh" in reply or "Không tìm thấy" in reply
                    or "Chỉ quản trị viên" in reply), (who, command, reply)
            assert not h.request.documents_to(who) and not any(c.method == "sendPhoto" for c in h.request.calls)
        for data in buttons:
            if who == REP and data.startswith("sv:f:"):
                continue  # the reporter's own correction button (tested in the round trip)
            h.request.clear()
            await h.send(callback_update(who, data))
            alerts = world.alerts()
            assert alerts and alerts[-1].get("show_alert") and "không có quyền" in alerts[-1]["text"], (who, data)
            assert not [c for c in h.request.calls if c.method in ("sendMessage", "sendDocument", "sendPhoto")]
    after = [(s.id, s.status) for s in await world.storage.submissions.list_latest_for_period(period.id)]
    assert after == before
    # the other province's supervisor sees their own province only
    h.request.clear()
    await h.send(text_update(OTHER, "/tonghop"))
    assert any("Thành phố Hà Nội" in t and "Đã nộp 0/" in t for t in world.texts(OTHER))

"""Issue 14, item 9: a form is data. A small third form — a count, a decimal with its unit, a
percentage, a choice, a target and a table of rows the commune adds — and its .docx template are
put in a temporary folder; the services are built on that folder, and the form goes through chat
entry (questions, buttons, refusals, review, submission), the report's .docx and the province's
rollup with no code written for it."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document as WordDocument
from openpyxl import load_workbook

from bot.chat.actions import Action, AnswerZero, ChooseOption, ChooseText, FinishTable, Submit, decode, encode
from bot.chat.catalogue import say
from bot.chat.replies import Document, Later
from bot.clock import VN_TZ, FakeClock
from bot.reporting import submitting, tables, taps
from bot.reporting.documents import report_document
from bot.reporting.screens import Screen, render, review_text
from bot.reporting.session import ReportSession
from bot.reporting.steps import Ask, Refused, Review, Submitted
from bot.services import Services
from bot.settings import PROJECT_ROOT, Settings
from bot.supervising.rollup_service import produce
from storage.models import Role
from tests.integration.seed import bind, load_units
from tests.integration.third_form import FORM_ID, write_third_form
from tests.rollup.generate import ensure_period

LAN, TU = 8401, 8402


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The settings of a folder holding only the third form and its template (the ``services``
    fixture of tests/integration/conftest.py builds on them)."""
    templates = write_third_form(tmp_path / "templates")
    return Settings(_env_file=None, database_path=tmp_path / "baocao.db",
                    forms_dir=templates / "forms", templates_dir=templates)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 5, 2, 9, 0, tzinfo=VN_TZ))


def choices(screen: Screen) -> list[tuple[str, Action]]:
    return [(choice.label, choice.action) for row in screen.choices for choice in row]


def tap(screen: Screen, label: str) -> Action:
    found = [action for shown, action in choices(screen) if shown == label]
    assert found, (label, choices(screen))
    decoded = decode(encode(found[0]))  # as a messenger carries it
    assert decoded == found[0]
    return decoded


async def test_a_third_form_goes_through_chat_the_docx_and_the_rollup(services: Services) -> None:
    assert list(services.forms) == [FORM_ID]
    form = services.forms[FORM_ID]
    storage, clock = services.storage, services.clock
    communes = await load_units(storage)
    lan = await bind(storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, communes[0], clock.now())
    period = await ensure_period(storage, form, "2026-04")

    async def session() -> ReportSession:
        return await ReportSession.open(storage, form, clock, lan, communes[0], period=period)

    async def typed(text: str) -> Screen:
        current = await session()
        return render(current, await current.answer_text(text))

    async def tapped(action: Action) -> Screen:
        current = await session()
        if isinstance(action, ChooseOption):
            return render(current, await taps.choose_option(current, action.item, action.number))
        if isinstance(action, ChooseText):
            return render(current, await taps.choose_text(current, action.item, action.number))
        if isinstance(action, FinishTable):
            return render(current, await tables.finish_table(current, action.field))
        assert isinstance(action, Submit)
        return render(current, await submitting.submit(current))

    first = await session()
    screen = render(first, [await first.resume()])
    assert "Câu 1/7 · Số hộ được cấp nước sạch" in screen.parts[0]
    screen = await typed("1.250")
    assert "Kinh phí đã chi" in screen.parts[-1]
    assert say("kinds_chat.ask_decimal_unit", unit="triệu đồng", example="556 hoặc 12,5") in screen.parts[-1]
    screen = await typed("12,55")  # one decimal declared
    assert "tối đa 1 chữ số sau dấu phẩy" in screen.parts[0] and "Kinh phí đã chi" in screen.parts[-1]
    screen = await typed("12,5")
    assert "«Kinh phí»: 12,5 triệu đồng" in screen.parts[0]
    assert say("kinds_chat.ask_percent", minimum="0", maximum="100", example="98,5") in screen.parts[-1]
    screen = await typed("96,4")
    assert [label for label, _ in choices(screen)][:3] == ["Hoạt động bình thường", "Đang sửa chữa", "Ngừng hoạt động"]
    screen = await typed("mất điện")  # not an option, and the choice takes no other text
    assert "«mất điện» không phải là một lựa chọn" in screen.parts[0]
    screen = await tapped(tap(screen, "Đang sửa chữa"))
    assert "«Nhà máy»: Đang sửa chữa" in screen.parts[0]
    assert "Chỉ tiêu ≥ 98%." in screen.parts[-1]
    assert (await session()).answers["plant_state"] == "repair"  # the option's id is stored
    screen = await typed("98,5")
    assert "98,5% (mục tiêu ≥ 98%: đạt)" in screen.parts[0]
    assert "Mục 1/2: Số giếng đã kiểm tra" in screen.parts[-1]
    zero = tap(screen, say("reporting.zero"))  # «0» for a count row of a table asked row by row
    assert isinstance(zero, AnswerZero)
    current = await session()
    screen = render(current, await taps.use_value(current, zero.field, 0))
    assert "Mục 2/2: Số bể chứa đã vệ sinh" in screen.parts[-1]
    current = await session()
    screen = render(current, await current.back())  # «Quay lại»: the row before
    assert "Mục 1/2: Số giếng đã kiểm tra" in screen.parts[-1] and "Đang ghi: 0" in screen.parts[-1]
    screen = await typed("4")
    screen = await typed("-1")
    assert "Mục 2/2" in screen.parts[-1] and len(screen.parts) == 2  # refused, asked again
    screen = await typed("3")
    assert "Tên công trình | Tiến độ" in screen.parts[-1]
    screen = await typed("Trạm bơm Khe Mo | Đang thi công\nBể lọc xóm Na | Đã hoàn thành")
    screen = await typed("Đường ống 1 | xong\nĐường ống 2 | xong")  # over max_rows: refused, nothing lost
    assert "nhiều hơn giới hạn 3 dòng" in screen.parts[0]
    assert len((await session()).answers["works"]) == 2
    screen = await tapped(tap(screen, say("kinds_chat.finish")))
    review = screen.parts[-1]
    for shown in ("Hộ có nước sạch 1.250", "Kinh phí 12,5 triệu đồng", "Mẫu đạt chuẩn 96,4%", "Nhà máy Đang sửa chữa",
                  "Hộ dùng nước sạch 98,5% (mục tiêu ≥ 98%: đạt)", "Kiểm tra 2/2 mục", "Công trình 2 dòng"):
        assert shown in review
    screen = await tapped(tap(screen, say("reporting.submit")))
    assert "Đã gửi" in screen.parts[0] or "gửi" in screen.parts[0]
    current = await session()
    assert current.submitted

    # the .docx from the form's own template in the temporary folder
    later = report_document(services, current)
    assert isinstance(later, Later)
    (file,) = [reply for reply in await later.make() if isinstance(reply, Document)]
    paragraphs = [p.text for p in WordDocument(io.BytesIO(file.content)).paragraphs]
    for line in ("Số hộ được cấp nước sạch: 1.250", "Kinh phí đã chi: 12,5 triệu đồng",
                 "Tỷ lệ mẫu nước đạt chuẩn: 96,4%", "Nhà máy nước: Đang sửa chữa", "Tỷ lệ hộ dùng nước sạch: 98,5",
                 "Số giếng đã kiểm tra: 4", "Số bể chứa đã vệ sinh: 3",
                 "Công trình 1: Trạm bơm Khe Mo (Đang thi công)", "Công trình 2: Bể lọc xóm Na (Đã hoàn thành)"):
        assert line in paragraphs, (line, paragraphs)

    # a second commune's report, then the province's rollup as the form declares it
    tu = await bind(storage, TU, "Lê Văn Tú", Role.REPORTER, communes[1], clock.now())
    other = await ReportSession.open(storage, form, clock, tu, communes[1], period=period)
    await storage.drafts.set_answers(other.draft.id, {
        "households": 750, "spent": "3", "tested_pct": "99.2", "plant_state": "running", "coverage": "97",
        "inspections": {"wells": 2, "tanks": 1}, "works": [{"name": "Giếng khoan", "state": "done"}]},
        tu.id, clock.now())
    other = await ReportSession.open(storage, form, clock, tu, communes[1], period=period)
    steps = await submitting.submit(other)
    assert isinstance(steps[-1], Submitted), steps
    files = await produce(storage, form, period, "19", templates_dir=PROJECT_ROOT / "templates",
                          report_date=date(2026, 5, 6))
    totals = files.rollup.totals
    assert totals.counts["households"] == 2000
    spread = totals.spreads["tested"]
    assert spread is not None and (spread.lowest, spread.highest) == (Decimal("96.4"), Decimal("99.2"))
    assert (totals.targets["coverage_met"].met, totals.targets["coverage_met"].counted) == (1, 2)
    assert totals.statuses["works_state"] == {"done": 2, "in_progress": 1}
    assert "2.000" in files.message
    text = "\n".join(p.text for p in WordDocument(io.BytesIO(files.docx)).paragraphs)
    assert "Hộ được cấp nước sạch: 2.000; 1/2 xã đạt chỉ tiêu." in text
    assert load_workbook(io.BytesIO(files.xlsx)).sheetnames


ANSWERED = {"households": 5, "spent": "1", "tested_pct": "90"}  # the questions before the plant's state


async def at_the_choice(services: Services) -> Callable[[], Awaitable[ReportSession]]:
    """Lan's April report of the third form answered up to its choice (the plant's state): what
    opens her session anew, as each message does."""
    form = services.forms[FORM_ID]
    storage, clock = services.storage, services.clock
    communes = await load_units(storage)
    lan = await bind(storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, communes[0], clock.now())
    period = await ensure_period(storage, form, "2026-04")

    async def reopen() -> ReportSession:
        return await ReportSession.open(storage, form, clock, lan, communes[0], period=period)

    await storage.drafts.set_answers((await reopen()).draft.id, ANSWERED, lan.id, clock.now())
    return reopen


async def test_a_refused_answer_of_the_third_form_loses_nothing(services: Services) -> None:
    reopen = await at_the_choice(services)
    current = await reopen()
    assert isinstance(await current.resume(), Ask)
    steps = await current.answer_text("4")  # only three options
    assert isinstance(steps[0], Refused) and "Chỉ có 3 lựa chọn" in steps[0].reason
    steps = await (await reopen()).answer_text("bình thường")  # an alias
    current = await reopen()
    assert current.answers == {**ANSWERED, "plant_state": "running"}
    review = await current.show_review()
    assert isinstance(review, Review)
    assert "Nhà máy Hoạt động bình thường" in review_text(current, review)
    assert isinstance(steps[-1], Ask) and steps[-1].field.id == "coverage"
    assert [label for label, _ in choices(render(current, [steps[-1]]))][0] == "Không phát sinh"

    # the choice changed from the review: its answer kept on a button, another option tapped
    screen = render(current, await current.edit("plant_state"))
    assert "Đang ghi: Hoạt động bình thường" in screen.parts[-1]
    labels = [label for label, _ in choices(screen)]
    assert labels[:4] == ["Giữ nguyên: Hoạt động bình thường", "Hoạt động bình thường", "Đang sửa chữa",
                          "Ngừng hoạt động"]
    stopped = tap(screen, "Ngừng hoạt động")
    assert isinstance(stopped, ChooseOption)
    current = await reopen()
    await taps.choose_option(current, stopped.item, stopped.number)
    current = await reopen()
    assert current.answers["plant_state"] == "stopped"


async def test_an_unknown_word_or_a_zero_at_a_choice_is_refused_with_the_options(services: Services) -> None:
    """A word that names no option (the choice takes no other text) and a number out of range
    (0) are refused, each with the options listed; nothing is stored and the question stays."""
    reopen = await at_the_choice(services)
    assert isinstance(await (await reopen()).resume(), Ask)
    options = "1. Hoạt động bình thường; 2. Đang sửa chữa; 3. Ngừng hoạt động"
    for typed, reason in (("tốt lắm", say("form_kinds.choice_unknown", text="tốt lắm", options=options)),
                          ("0", say("form_kinds.choice_number", count=3, options=options))):
        current = await reopen()
        steps = await current.answer_text(typed)
        assert isinstance(steps[0], Refused) and steps[0].reason == reason
        assert isinstance(steps[-1], Ask) and steps[-1].field.id == "plant_state"
        shown = render(current, steps)
        assert reason in "\n".join(shown.parts)
        assert "Hoạt động bình thường" in [label for label, _ in choices(shown)]
    current = await reopen()
    assert current.answers == ANSWERED

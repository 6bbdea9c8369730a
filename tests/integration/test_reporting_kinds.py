"""The monthly Resolution 57 form answered in chat, kind by kind, at the session and screen level
(no messenger): a decimal with its unit, a percentage, the targets appendix asked row by row with
«Không phát sinh» as a button, the tasks appendix filled row by row until «Xong». Each bad answer
is refused with its Vietnamese reason and loses nothing; each answer is shown on the review, in
the edit menu, and offered again next month («Như kỳ trước»). A real SQLite file underneath."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from bot.chat.actions import (
    Action,
    ChooseOption,
    ChooseText,
    DropLastRow,
    FinishTable,
    KeepAnswer,
    UseSuggestion,
    decode,
    encode,
)
from bot.chat.catalogue import say
from bot.clock import VN_TZ, FakeClock
from bot.domain.answers import parse_json_answer
from bot.domain.forms import Form, load_form
from bot.reporting import tables, taps
from bot.reporting.screens import Screen, edit_menu, render, review_text
from bot.reporting.session import ReportSession
from bot.reporting.steps import Ask, Refused, RowsAdded, Saved, SoftBreak, Stale, Step
from bot.settings import PROJECT_ROOT
from storage import Storage
from storage.models import Period, Person, Role, Unit
from tests.integration.seed import bind, load_units
from tests.rollup.generate import ensure_period

FORM = PROJECT_ROOT / "templates" / "forms" / "nq57-monthly.yaml"
EXAMPLE = PROJECT_ROOT / "templates" / "samples" / "nq57-monthly-phu-thinh.json"
LAN = 8301


def stored_example(form: Form) -> dict[str, Any]:
    """The example report's answers as the chat stores them (decimals as canonical texts)."""
    raw = json.loads(EXAMPLE.read_text(encoding="utf-8"))["answers"]
    answers = {key: parse_json_answer(form.field(key), value) for key, value in raw.items()}
    for field in form.text_fields:  # the example leaves some assessments out: "Không" for them
        answers.setdefault(field.id, "Không")
    return answers


@dataclass
class Desk:
    storage: Storage
    form: Form
    clock: FakeClock
    person: Person
    unit: Unit
    period: Period

    async def session(self, period: Period | None = None) -> ReportSession:
        """The session as each update opens it anew: everything comes from SQLite."""
        return await ReportSession.open(self.storage, self.form, self.clock, self.person, self.unit,
                                        period=period or self.period)

    async def prefill(self, answers: dict[str, Any], period: Period | None = None) -> ReportSession:
        session = await self.session(period)
        await self.storage.drafts.set_answers(session.draft.id, answers, self.person.id, self.clock.now())
        return await self.session(period)


@pytest.fixture
async def desk(tmp_path: Any) -> AsyncIterator[Desk]:
    form = load_form(FORM)
    clock = FakeClock(datetime(2026, 5, 2, 9, 0, tzinfo=VN_TZ))
    storage = await Storage.open(tmp_path / "baocao.db")
    desk: Desk | None = None
    try:
        units = await load_units(storage)
        unit = units[0]
        person = await bind(storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, unit, clock.now())
        period = await ensure_period(storage, form, "2026-04")
        desk = Desk(storage, form, clock, person, unit, period)
        yield desk
    finally:
        await (storage if desk is None else desk.storage).close()  # a test may have reopened it


def screen_of(session: ReportSession, steps: list[Step]) -> Screen:
    return render(session, steps)


def text_of(screen: Screen) -> str:
    return "\n\n".join(screen.parts)


def choices(screen: Screen) -> list[tuple[str, Action]]:
    return [(choice.label, choice.action) for row in screen.choices for choice in row]


def tapped(screen: Screen, label: str) -> Action:
    """The action behind a choice, through the string a messenger carries (at most 64 bytes)."""
    found = [action for shown, action in choices(screen) if label in shown]
    assert found, (label, choices(screen), screen.parts)
    action = found[0]
    data = encode(action)
    assert len(data.encode()) <= 64
    decoded = decode(data)
    assert decoded == action
    return decoded


def without(answers: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in answers.items() if key not in keys}


async def test_a_decimal_is_asked_with_its_unit_refused_when_bad_and_shown_with_it(desk: Desk) -> None:
    example = stored_example(desk.form)
    session = await desk.prefill(without(example, "budget_allocated", "budget_disbursed"))
    steps = [await session.resume()]
    assert isinstance(steps[0], Ask) and steps[0].field.id == "budget_allocated"
    asked = text_of(screen_of(session, steps))
    assert "đơn vị triệu đồng" in asked and "VD: 556" in asked  # the form's help: unit and example

    session = await desk.session()
    steps = await session.answer_text("năm trăm")
    assert isinstance(steps[0], Refused)
    assert "không phải là một số" in steps[0].reason
    assert isinstance(steps[1], Ask) and steps[1].field.id == "budget_allocated"
    assert (await desk.session()).answers.get("budget_allocated") is None  # nothing stored, nothing lost

    session = await desk.session()
    steps = await session.answer_text("556")
    assert isinstance(steps[0], Saved) and steps[0].value == "556"
    assert "«Kinh phí đã phân bổ»: 556 triệu đồng" in text_of(screen_of(session, steps))

    # the hard check of the form, over decimals: disbursed cannot exceed allocated
    session = await desk.session()
    steps = await session.answer_text("600,5")
    assert isinstance(steps[0], Refused) and "không thể lớn hơn kinh phí đã được phân bổ" in steps[0].reason
    session = await desk.session()
    assert session.answers.get("budget_disbursed") is None and session.answers["budget_allocated"] == "556"
    steps = await session.answer_text("120,5")
    assert isinstance(steps[0], Saved) and steps[0].value == "120.5"
    assert "Tỷ lệ giải ngân kinh phí: 120,5/556 = 21,67%" in text_of(screen_of(session, steps))

    session = await desk.session()
    review = review_text(session, await session.show_review())
    assert "Kinh phí đã phân bổ 556 triệu đồng" in review
    assert "Kinh phí đã giải ngân 120,5 triệu đồng" in review
    assert "Giải ngân 21,67%" in review  # the rate over decimals, recomputed
    menu = choices(edit_menu(session))
    assert any(label.startswith("Kinh phí đã giải ngân: 120,5") for label, _ in menu)


async def test_a_percentage_over_100_is_refused_then_stored_and_shown(desk: Desk) -> None:
    example = stored_example(desk.form)
    session = await desk.prefill(without(example, "data_reuse_pct"))
    await session.edit("data_reuse_pct")
    session = await desk.session()
    steps = await session.answer_text("101")
    assert isinstance(steps[0], Refused) and "vượt quá giới hạn 100" in steps[0].reason
    assert (await desk.session()).answers.get("data_reuse_pct") is None
    session = await desk.session()
    steps = await session.answer_text("98,5 %")
    assert isinstance(steps[0], Saved) and steps[0].value == "98.5"
    session = await desk.session()
    assert "Tái sử dụng dữ liệu 98,5%" in review_text(session, await session.show_review())


async def test_the_targets_are_asked_row_by_row_with_their_target_and_declared_text(desk: Desk) -> None:
    example = stored_example(desk.form)
    session = await desk.prefill(without(example, "targets"))
    first = await session.resume()
    assert isinstance(first, Ask) and first.field.id == "targets" and first.row is not None
    assert first.row.id == "coverage_5g" and first.row_position == 1
    screen = screen_of(session, [first])
    asked = text_of(screen)
    assert "Mục 1/15: Tỷ lệ phủ sóng 5G trên dân số" in asked
    assert "Chỉ tiêu ≥ 90%." in asked and "Nhóm: Phát triển hạ tầng" in asked

    # a bad answer: refused with the reason, the row asked again, nothing lost
    session = await desk.session()
    steps = await session.answer_text("chưa biết")
    assert isinstance(steps[0], Refused) and "«Không phát sinh»" in steps[0].reason
    assert isinstance(steps[1], Ask) and steps[1].row is not None and steps[1].row.id == "coverage_5g"

    session = await desk.session()
    steps = await session.answer_text("72,5")
    assert isinstance(steps[0], Saved)
    assert "72,5% (mục tiêu ≥ 90%: chưa đạt)" in text_of(screen_of(session, steps))
    assert isinstance(steps[-1], Ask) and steps[-1].row is not None and steps[-1].row.id == "broadband_1gbps"

    # «Không phát sinh» as a button under the second row
    session = await desk.session()
    screen = screen_of(session, [await session.resume()])
    action = tapped(screen, "Không phát sinh")
    assert isinstance(action, ChooseText)
    steps = await taps.choose_text(await desk.session(), action.item, action.number)
    assert isinstance(steps[0], Saved) and steps[0].value == "Không phát sinh"
    # the same button tapped again, now under another row: stale, nothing changes
    session = await desk.session()
    before = dict(session.answers["targets"])
    steps = await taps.choose_text(session, action.item, action.number)
    assert isinstance(steps[0], Stale)
    assert (await desk.session()).answers["targets"] == before

    # several rows in one message
    session = await desk.session()
    steps = await session.answer_text("3: 100\n4: 98,5")
    assert isinstance(steps[0], RowsAdded) and steps[0].added == 2
    stored = (await desk.session()).answers["targets"]
    assert stored["fiber_hamlets"] == "100" and stored["coverage_5g"] == "72.5"

    # the rest from the example, then the review and the edit menu
    session = await desk.session()
    rest = {**example["targets"], **stored}
    steps = await session.answer_text("\n".join(f"{n}: {_typed(rest[row.id])}"
                                               for n, row in enumerate(desk.form.field("targets").rows, 1)
                                               if row.id not in stored))
    assert not isinstance(steps[-1], Ask) or steps[-1].field.id != "targets"
    session = await desk.session()
    review = review_text(session, await session.show_review())
    assert "Phụ lục mục tiêu 15/15 mục" in review
    details = review_text(session, await session.review(), details=True)
    assert "1. Tỷ lệ phủ sóng 5G trên dân số: 72,5% (mục tiêu ≥ 90%: chưa đạt)" in details
    assert "2. Người sử dụng có khả năng truy cập băng thông rộng cố định với tốc độ trên 1 Gb/s: Không phát sinh" \
        in details


def _typed(value: Any) -> str:
    return str(value).replace(".", ",")


async def test_the_tasks_are_added_row_by_row_until_done_and_the_mismatch_is_flagged(desk: Desk) -> None:
    example = stored_example(desk.form)
    session = await desk.prefill(without(example, "tasks"))
    step = await session.resume()
    assert isinstance(step, Ask) and step.field.id == "tasks"
    screen = screen_of(session, [step])
    assert "Chưa có dòng nào." in text_of(screen)
    assert [label for label, _ in choices(screen)][:1] == [say("kinds_chat.finish")]

    # a bad row: the reason names the line, nothing stored
    session = await desk.session()
    steps = await session.answer_text("| Đã hoàn thành")
    assert isinstance(steps[0], Refused) and "Dòng 1: thiếu «Tên nhiệm vụ»" in steps[0].reason
    assert (await desk.session()).answers.get("tasks") is None

    # one row, then several at once: the rows so far shown, the table still asked
    session = await desk.session()
    steps = await session.answer_text("Tập huấn kỹ năng số | Đang triển khai | tỉnh giao")
    assert isinstance(steps[0], RowsAdded) and steps[0].total == 1
    assert isinstance(steps[-1], Ask) and steps[-1].field.id == "tasks"
    done = [row for row in example["tasks"] if row["status"] == "done"]
    lines = "\n".join(f"{row['name'][:60]} | hoàn thành | tỉnh giao" for row in done)
    session = await desk.session()
    steps = await session.answer_text(lines + "\nNhầm dòng | xong")
    screen = screen_of(session, steps)
    assert f"Đã thêm {len(done) + 1} dòng" in text_of(screen)
    assert f"Đã nhập {len(done) + 2} dòng:" in text_of(screen)
    assert f"{len(done) + 2}. Nhầm dòng — Đã hoàn thành" in text_of(screen)

    # remove the last row
    action = tapped(screen, say("kinds_chat.drop_last"))
    assert isinstance(action, DropLastRow)
    steps = await tables.drop_last_row(await desk.session(), action.field)
    assert "Đã xóa dòng cuối: Nhầm dòng — Đã hoàn thành" in text_of(screen_of(session, steps))
    stored = (await desk.session()).answers["tasks"]
    assert len(stored) == len(done) + 1 and stored[0] == {"name": "Tập huấn kỹ năng số", "status": "in_progress",
                                                         "note": "province"}

    # «Xong»: the appendix lists 7 tasks done, 1.3 says 6 — the form's check asks about it
    session = await desk.session()
    action = tapped(screen_of(session, [await session.resume()]), say("kinds_chat.finish"))
    assert isinstance(action, FinishTable)
    steps = await tables.finish_table(await desk.session(), action.field)
    assert len(done) == 7 and example["tasks_done"] == 6
    assert isinstance(steps[0], SoftBreak) and steps[0].check.check_id == "tasks_table_matches"
    assert "Phụ lục nhiệm vụ ghi 7 nhiệm vụ «Đã hoàn thành», nhưng mục 1.3 ghi 6" in steps[0].check.message
    session = await desk.session()
    review = review_text(session, await session.review())
    assert "Phụ lục nhiệm vụ 8 dòng" in review
    assert "⚠ Phụ lục nhiệm vụ ghi 7 nhiệm vụ «Đã hoàn thành»" in review
    assert any(label == "Phụ lục nhiệm vụ: 8 dòng" for label, _ in choices(edit_menu(session)))

    # corrected from the review: the rows so far, one more, «Xong» again
    steps = await session.edit("tasks")
    screen = screen_of(session, steps)
    assert "Đã nhập 8 dòng:" in text_of(screen) and "1. Tập huấn kỹ năng số — Đang triển khai" in text_of(screen)
    steps = await (await desk.session()).answer_text("Họp giao ban | Chưa thực hiện")
    assert isinstance(steps[0], RowsAdded) and steps[0].total == 9
    steps = await tables.finish_table(await desk.session(), "tasks")
    assert not isinstance(steps[-1], Ask)
    assert len((await desk.session()).answers["tasks"]) == 9


async def test_a_tasks_table_may_be_finished_empty_and_a_stale_finish_changes_nothing(desk: Desk) -> None:
    example = stored_example(desk.form)
    session = await desk.prefill(without(example, "tasks", "plans"))
    step = await session.resume()
    assert isinstance(step, Ask) and step.field.id == "plans"
    steps = await tables.finish_table(await desk.session(), "tasks")  # not the table asked now
    assert isinstance(steps[0], Stale)
    steps = await tables.finish_table(await desk.session(), "plans")
    assert isinstance(steps[-1], Ask) and steps[-1].field.id == "tasks"
    assert (await desk.session()).answers["plans"] == []


async def test_last_month_is_offered_again_for_decimals_targets_and_tasks(desk: Desk) -> None:
    example = stored_example(desk.form)
    march = await ensure_period(desk.storage, desk.form, "2026-03")
    await desk.storage.submissions.add_version(
        march.id, desk.unit.code, example, {}, desk.person.id, desk.clock.now(), late=False, on_behalf=False,
        form_version=desk.form.version)
    session = await desk.prefill(without(example, "budget_allocated", "targets", "tasks"))

    screen = screen_of(session, [await session.resume()])
    action = tapped(screen, "Như kỳ trước: 556 triệu đồng")
    assert isinstance(action, UseSuggestion)
    steps = await taps.use_suggestion(await desk.session(), action.field)
    assert isinstance(steps[0], Saved) and steps[0].value == "556"

    session = await desk.session()
    screen = screen_of(session, [await session.resume()])
    action = tapped(screen, "Như kỳ trước: 72,5%")  # the first target's last month result
    steps = await taps.use_suggestion(await desk.session(), action.field if isinstance(action, UseSuggestion) else "")
    assert isinstance(steps[0], Saved) and steps[0].value == "72.5"
    assert (await desk.session()).answers["targets"] == {"coverage_5g": "72.5"}

    # the tasks: last month's rows copied, then still open to add to before «Xong»
    rest = "\n".join(f"{n}: {_typed(example['targets'][row.id])}"
                     for n, row in enumerate(desk.form.field("targets").rows, 1) if n > 1)
    steps = await (await desk.session()).answer_text(rest)
    assert isinstance(steps[-1], Ask) and steps[-1].field.id == "tasks"  # complete: the next question

    # corrected from the review: walked row by row, «Giữ nguyên» keeps one, «Xong» ends
    session = await desk.session()
    await session.edit("targets")
    session = await desk.session()
    screen = screen_of(session, [await session.resume()])
    keep = tapped(screen, "Giữ nguyên: 72,5%")
    assert isinstance(keep, KeepAnswer) and keep.field == "coverage_5g"
    steps = await taps.keep_answer(await desk.session(), keep.field)
    assert isinstance(steps[-1], Ask) and steps[-1].row is not None and steps[-1].row.id == "broadband_1gbps"
    finish = tapped(screen_of(session, steps), say("kinds_chat.finish"))
    assert isinstance(finish, FinishTable)
    steps = await tables.finish_table(await desk.session(), finish.field)
    assert isinstance(steps[-1], Ask) and steps[-1].field.id == "tasks"
    session = await desk.session()
    screen = screen_of(session, [await session.resume()])
    action = tapped(screen, "Như kỳ trước: 12 dòng")
    steps = await taps.use_suggestion(await desk.session(), action.field if isinstance(action, UseSuggestion) else "")
    assert isinstance(steps[0], RowsAdded) and steps[0].total == 12
    assert isinstance(steps[-1], Ask) and steps[-1].field.id == "tasks"
    assert (await desk.session()).answers["tasks"] == example["tasks"]


async def test_a_forged_option_or_text_is_not_stored(desk: Desk) -> None:
    example = stored_example(desk.form)
    session = await desk.prefill(without(example, "targets"))
    await session.resume()
    for steps in (await taps.choose_text(await desk.session(), "coverage_5g", 9),
                  await taps.choose_option(await desk.session(), "coverage_5g", 1),
                  await taps.use_value(await desk.session(), "targets", "72.5")):
        assert isinstance(steps[0], Stale)
    assert (await desk.session()).answers.get("targets") is None
    assert isinstance(ChooseOption(1, "x", 1), ChooseOption)


async def test_rows_delivered_twice_are_added_once(desk: Desk) -> None:
    """Telegram delivers a message again when the bot stopped before confirming it: the rows it
    added are not added a second time."""
    example = stored_example(desk.form)
    session = await desk.prefill(without(example, "tasks"))
    await session.resume()
    line = "Tập huấn kỹ năng số | Đang triển khai | tỉnh giao"
    steps = await (await desk.session()).answer_text(line, message=501)
    assert isinstance(steps[0], RowsAdded)
    steps = await (await desk.session()).answer_text(line, message=501)
    assert not isinstance(steps[0], RowsAdded)
    assert len((await desk.session()).answers["tasks"]) == 1
    steps = await (await desk.session()).answer_text(line, message=502)  # a new message: a new row
    assert isinstance(steps[0], RowsAdded) and len((await desk.session()).answers["tasks"]) == 2


async def test_a_restart_mid_table_asks_the_row_it_was_asking(desk: Desk, tmp_path: Any) -> None:
    """The bot restarts (the database closed and opened again) while the targets are asked row by
    row, first filling them, then correcting them from the review: each time the row asked before
    the restart is asked after it, and the rows answered are kept."""
    example = stored_example(desk.form)
    await (await desk.prefill(without(example, "targets"))).resume()
    steps = await (await desk.session()).answer_text("72,5")
    assert isinstance(steps[-1], Ask) and steps[-1].row is not None and steps[-1].row.id == "broadband_1gbps"

    async def restarted() -> ReportSession:
        await desk.storage.close()
        desk.storage = await Storage.open(tmp_path / "baocao.db")
        return await desk.session()

    session = await restarted()
    asked = await session.resume()
    assert isinstance(asked, Ask) and asked.row is not None and asked.row.id == "broadband_1gbps"
    assert asked.row_position == 2 and session.answers["targets"] == {"coverage_5g": "72.5"}

    # the table completed, then corrected from the review: walked row by row, and a restart keeps the walk
    rows = desk.form.field("targets").rows
    rest = {**example["targets"], "coverage_5g": "72.5"}
    await session.answer_text("\n".join(f"{n}: {_typed(rest[row.id])}" for n, row in enumerate(rows, 1)
                                        if row.id != "coverage_5g"))
    session = await desk.session()
    await session.show_review()
    steps = await (await desk.session()).edit("targets")
    assert isinstance(steps[-1], Ask) and steps[-1].row is not None and steps[-1].row.id == "coverage_5g"
    steps = await (await desk.session()).answer_text("91")
    assert isinstance(steps[-1], Ask) and steps[-1].row is not None and steps[-1].row.id == "broadband_1gbps"
    session = await restarted()
    asked = await session.resume()
    assert isinstance(asked, Ask) and asked.row is not None and asked.row.id == "broadband_1gbps"
    assert session.answers["targets"]["coverage_5g"] == "91"

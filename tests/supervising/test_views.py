"""The supervising service's views and entries without Telegram: /chuanop, /xa, /nhapthay and
/tonghop, each in scope and refused out of it."""

from __future__ import annotations

import pytest

from bot.chat.actions import (
    Approve,
    EnterOnBehalf,
    NudgeMissing,
    PickCommune,
    ReturnReport,
    ShowMissing,
    ShowRollup,
    SubmitOnBehalf,
)
from bot.chat.catalogue import say
from bot.chat.replies import Document, Message, Picture, TapAnswer
from bot.supervising import commune, missing, on_behalf, rollup
from bot.supervising.commune import HistoryTable
from bot.supervising.rollup_service import NATIONAL
from bot.supervising.scope import supervises
from tests.conftest import ADMIN_ID
from tests.rollup import scenario as sc
from tests.supervising.conftest import OTHER, REP, REP_INDEX, SUP, Desk

NOT_ALLOWED = TapAnswer(say("common.not_allowed"), alert=True)


def actions(message: Message) -> list[object]:
    return [choice.action for row in message.choices for choice in row]


async def test_missing_lists_the_province_and_offers_the_nudge(desk: Desk) -> None:
    [listing] = await missing.missing_command(desk.services, await desk.who(SUP), "")
    assert isinstance(listing, Message) and "Chưa nộp:" in listing.text
    [nudge] = actions(listing)
    assert isinstance(nudge, NudgeMissing) and nudge.province == "19"
    assert await missing.show_missing(desk.services, await desk.who(OTHER), "19") == [NOT_ALLOWED]
    [other] = await missing.missing_command(desk.services, await desk.who(OTHER), "thai nguyen")
    assert isinstance(other, Message) and other.text == "Không thấy tỉnh nào khớp «thai nguyen»."
    [admin] = await missing.missing_command(desk.services, await desk.who(ADMIN_ID), "")
    assert isinstance(admin, Message) and {a.province for a in actions(admin)} == {"01", "19"}  # type: ignore[attr-defined]
    assert all(isinstance(a, ShowMissing) for a in actions(admin))


async def test_the_commune_card_has_its_report_table_file_and_choices(desk: Desk) -> None:
    unit = desk.scenario.unit(sc.CORRECTED)
    card, table, document = await commune.commune_command(desk.services, await desk.who(SUP), unit.code)
    latest = await desk.submission(sc.CORRECTED)
    assert isinstance(card, Message) and f"lần 2 (mã báo cáo {latest.id})" in card.text
    assert actions(card) == [Approve(latest.id), ReturnReport(latest.id), EnterOnBehalf(unit.code)]
    assert isinstance(table, HistoryTable) and table.rows[1][0] == "T50/25" and len(table.rows) == 7
    assert isinstance(document, Document) and document.filename.endswith(".docx")
    assert await commune.show_commune(desk.services, await desk.who(OTHER), unit.code) == [NOT_ALLOWED]
    [nothing] = await commune.commune_command(desk.services, await desk.who(OTHER), unit.name)
    assert isinstance(nothing, Message) and nothing.text.startswith("Không tìm thấy xã, phường nào khớp")
    [help_] = await commune.commune_command(desk.services, await desk.who(SUP), " ")
    assert isinstance(help_, Message) and help_.text.startswith("Xem báo cáo của một xã")


async def test_several_communes_are_offered_to_choose(desk: Desk) -> None:
    [chooser] = await commune.commune_command(desk.services, await desk.who(SUP), "phu")
    assert isinstance(chooser, Message) and chooser.text == "Anh/Chị chọn xã, phường:"
    assert actions(chooser) and all(isinstance(a, PickCommune) for a in actions(chooser))


async def test_the_submission_file_in_scope_only(desk: Desk) -> None:
    target = await desk.submission(REP_INDEX)
    [document] = await commune.submission_file(desk.services, await desk.who(SUP), target.id)
    assert isinstance(document, Document) and document.content.startswith(b"PK")
    assert await commune.submission_file(desk.services, await desk.who(OTHER), target.id) == [NOT_ALLOWED]


async def test_on_behalf_template_entry_and_submission(desk: Desk) -> None:
    sup = await desk.who(SUP)
    unit = desk.scenario.unit(3)  # missing in W50
    period = desk.scenario.periods[sc.WEEK]
    intro, template = await on_behalf.on_behalf_command(desk.services, sup, f"/nhapthay {unit.code} {period.key}")
    assert isinstance(template, Message) and template.text.startswith(f"/nhapthay {unit.code} 2025-W50\n")
    assert isinstance(intro, Message) and intro.text.startswith("Nhập thay báo cáo Tuần 50/2025")
    previous = desk.scenario.answers[sc.PREVIOUS][unit.code]
    answers = sc.steady(3, 9, sc.pending_of(previous))
    form = desk.services.forms[period.form_id]
    [saved] = await on_behalf.on_behalf_command(desk.services, sup,
                                                on_behalf.entry_template(form, unit, period, answers))
    assert isinstance(saved, Message) and "Số liệu đủ" in saved.text
    assert actions(saved) == [SubmitOnBehalf(unit.code, period.id)]
    assert await on_behalf.submit_on_behalf(desk.services, await desk.who(OTHER), unit.code, period.id,
                                            desk.told) == [NOT_ALLOWED]
    resubmitted: list[object] = []

    async def remember(submission: object) -> None:
        resubmitted.append(submission)

    [done] = await on_behalf.submit_on_behalf(desk.services, sup, unit.code, period.id, desk.told, remember)
    assert isinstance(done, Message) and "(lần 1, nhập thay, sau hạn)" in done.text
    stored = await desk.storage.submissions.latest(period.id, unit.code)
    assert stored is not None and stored.on_behalf and len(resubmitted) == 1


async def test_on_behalf_is_refused_out_of_scope_and_explains_bad_input(desk: Desk) -> None:
    unit = desk.scenario.unit(3)
    assert await on_behalf.enter_on_behalf(desk.services, await desk.who(OTHER), unit.code) == [NOT_ALLOWED]
    assert await on_behalf.on_behalf_command(desk.services, await desk.who(OTHER), f"/nhapthay {unit.code}") == [
        NOT_ALLOWED]
    [help_] = await on_behalf.on_behalf_command(desk.services, await desk.who(SUP), "/nhapthay")
    assert isinstance(help_, Message) and help_.text.startswith("Nhập thay báo cáo cho xã")
    [week] = await on_behalf.on_behalf_command(desk.services, await desk.who(SUP), f"/nhapthay {unit.code} 2025-W60")
    assert isinstance(week, Message) and "không có tuần 60" in week.text
    [unread] = await on_behalf.on_behalf_command(desk.services, await desk.who(SUP),
                                                 f"/nhapthay {unit.code}\nabc\nSố hóa: 3")
    assert isinstance(unread, Message) and "không nhận ra các dòng: abc" in unread.text and "chưa lưu" in unread.text


async def test_rollup_scope_period_and_refusals(desk: Desk) -> None:
    sup = await desk.who(SUP)
    job = await rollup.rollup_command(desk.services, sup, [])
    assert isinstance(job, rollup.RollupJob) and job.scope == "19" and job.period.key == sc.WEEK
    assert job.started == "Đang tổng hợp báo cáo Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025) của Tỉnh Thái Nguyên…"
    assert await rollup.rollup_command(desk.services, sup, ["toanquoc"]) == [
        Message("Chỉ quản trị viên toàn hệ thống mới xem được tổng hợp cả nước.")]
    assert await rollup.rollup_tap(desk.services, await desk.who(OTHER), ShowRollup("19", sc.WEEK)) == [NOT_ALLOWED]
    assert await rollup.rollup_tap(desk.services, sup, ShowRollup(NATIONAL, sc.WEEK)) == [NOT_ALLOWED]
    [bad] = await rollup.rollup_tap(desk.services, sup, ShowRollup("19", "2025-W60"))
    assert isinstance(bad, TapAnswer) and bad.alert and "không có tuần 60" in bad.text
    [later] = await rollup.rollup_tap(desk.services, sup, ShowRollup("19", "2026-W10"))
    assert isinstance(later, Message) and later.text.endswith("chưa mở báo cáo.")
    [chooser] = await rollup.rollup_command(desk.services, await desk.who(ADMIN_ID), [])  # type: ignore[misc]
    assert isinstance(chooser, Message) and ShowRollup(NATIONAL) in actions(chooser)


@pytest.mark.parametrize("who", [REP, 999])
async def test_the_journey_is_for_supervisors(desk: Desk, who: int) -> None:
    assert not supervises(await desk.who(who)) and supervises(await desk.who(SUP))


async def test_the_rollup_is_made_as_replies_and_logged(desk: Desk) -> None:
    sup = await desk.who(SUP)
    job = await rollup.rollup_command(desk.services, sup, [sc.WEEK])
    assert isinstance(job, rollup.RollupJob)
    message, picture, docx, xlsx = await rollup.make_rollup(desk.services, sup, job)
    assert isinstance(message, Message) and "Đã nộp 82/92" in message.text
    assert ShowRollup("19", "2025-W49") in actions(message) and ShowMissing("19") in actions(message)
    assert isinstance(picture, Picture) and picture.content.startswith(b"\x89PNG")
    assert isinstance(docx, Document) and docx.filename.endswith(".docx")
    assert isinstance(xlsx, Document) and xlsx.filename.endswith(".xlsx")
    [entry] = await desk.storage.audit.recent(action="rollup.view")
    assert entry.actor == SUP and entry.subject == f"19:{sc.WEEK}"

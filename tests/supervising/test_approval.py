"""Approving and returning through the service, without Telegram: the reporters told, refusals out
of scope, a stale version, and each change with its audit row stored whole or not at all."""

from __future__ import annotations

import pytest

from bot.chat.actions import CorrectReturned
from bot.chat.catalogue import say
from bot.chat.replies import Message, TapAnswer
from bot.reporting.session import ReportSession
from bot.supervising import approval, return_reason
from storage.models import DraftStatus, Role, SubmissionStatus
from tests.integration.seed import bind
from tests.rollup import scenario as sc
from tests.supervising.conftest import MAI, OTHER, REP, REP_INDEX, SUP, Desk

NOT_ALLOWED = TapAnswer(say("common.not_allowed"), alert=True)


class AuditDown(RuntimeError):
    """The audit write failing half-way through an action."""


async def test_approve_stores_tells_the_reporter_and_logs(desk: Desk) -> None:
    target = await desk.submission(REP_INDEX)
    replies = await approval.approve(desk.services, await desk.who(SUP), target.id, desk.told)
    assert replies == [Message(f"Đã duyệt báo cáo Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025) của {desk.scenario.unit(REP_INDEX).full_name} "
                               "(lần 1). Đã báo cho 1 cán bộ của xã.")]
    assert (await desk.submission(REP_INDEX)).status == SubmissionStatus.APPROVED
    [told] = desk.told.to(REP)
    assert "đã được tỉnh duyệt" in told.text
    [entry] = await desk.storage.audit.recent(action="report.approve")
    assert entry.actor == SUP and entry.detail == {"submission": target.id, "version": 1}
    again = await approval.approve(desk.services, await desk.who(SUP), target.id, desk.told)
    assert isinstance(again[0], Message) and "đã được duyệt trước đó" in again[0].text


async def test_approve_counts_only_the_reporters_reached(desk: Desk) -> None:
    desk.told.unreachable.add(REP)
    target = await desk.submission(REP_INDEX)
    [reply] = await approval.approve(desk.services, await desk.who(SUP), target.id, desk.told)
    assert isinstance(reply, Message) and "Đã báo cho 0 cán bộ" in reply.text


@pytest.mark.parametrize("who", [OTHER, REP, MAI, 999])
async def test_approve_and_return_out_of_scope_are_refused_and_change_nothing(desk: Desk, who: int) -> None:
    target = await desk.submission(REP_INDEX)
    identity = await desk.who(who)
    assert await approval.approve(desk.services, identity, target.id, desk.told) == [NOT_ALLOWED]
    assert await approval.return_report(desk.services, identity, f"{target.id} Sai số liệu tuần này.",
                                        desk.told) == [NOT_ALLOWED]
    assert await return_reason.ask_reason(desk.services, identity, target.id) == [NOT_ALLOWED]
    assert (await desk.submission(REP_INDEX)).status == SubmissionStatus.SUBMITTED
    assert desk.told.messages == [] and await desk.storage.audit.recent(action="report.approve") == []


async def test_an_unknown_submission_is_refused(desk: Desk) -> None:
    assert await approval.approve(desk.services, await desk.who(SUP), 10**9, desk.told) == [NOT_ALLOWED]
    assert await approval.approve(desk.services, await desk.who(SUP), None, desk.told) == [NOT_ALLOWED]


async def test_an_older_version_is_not_approved(desk: Desk) -> None:
    period = desk.scenario.periods[sc.WEEK]
    first, latest = await desk.storage.submissions.versions(period.id, desk.scenario.code(sc.CORRECTED))
    [reply] = await approval.approve(desk.services, await desk.who(SUP), first.id, desk.told)
    assert isinstance(reply, Message) and f"đã gửi bản mới hơn (lần 2, mã báo cáo {latest.id})" in reply.text
    assert (await desk.storage.submissions.get(first.id)).status == SubmissionStatus.SUBMITTED  # type: ignore[union-attr]


async def test_return_asks_for_a_reason_then_returns_with_the_correct_choice(desk: Desk) -> None:
    target = await desk.submission(REP_INDEX)
    sup = await desk.who(SUP)
    [help_] = await approval.return_report(desk.services, sup, "", desk.told)
    assert isinstance(help_, Message) and help_.text.startswith("Trả lại báo cáo để xã sửa")
    [bad] = await approval.return_report(desk.services, sup, "abc lý do", desk.told)
    assert isinstance(bad, Message) and "chỉ gồm các chữ số 0–9" in bad.text
    [short] = await approval.return_report(desk.services, sup, f"{target.id}", desk.told)
    assert isinstance(short, Message) and "ghi lý do trả lại" in short.text
    [long] = await approval.return_report(desk.services, sup, f"{target.id} " + "Sai. " * 300, desk.told)
    assert isinstance(long, Message) and "Lý do trả lại dài" in long.text
    assert (await desk.submission(REP_INDEX)).status == SubmissionStatus.SUBMITTED

    [done] = await approval.return_report(desk.services, sup, f"{target.id}  Khó khăn  ghi chưa rõ.", desk.told)
    assert isinstance(done, Message) and "Đã trả lại báo cáo Tuần 50/2025" in done.text
    returned = await desk.submission(REP_INDEX)
    assert returned.status == SubmissionStatus.RETURNED and returned.status_reason == "Khó khăn ghi chưa rõ."
    [notice] = desk.told.to(REP)
    assert "Lý do: Khó khăn ghi chưa rõ." in notice.text
    assert [[choice.action for choice in row] for row in notice.choices] == [[CorrectReturned(target.id)]]
    [again] = await approval.return_report(desk.services, sup, f"{target.id} Vẫn chưa rõ.", desk.told)
    assert isinstance(again, Message) and "đã được trả lại trước đó" in again.text


async def test_ask_reason_asks_for_the_reason_in_chat(desk: Desk) -> None:
    """Issue 16, item 8: the tap no longer says to type "/tralai 13 <lý do>"; it asks the reason."""
    target = await desk.submission(REP_INDEX)
    replies = await return_reason.ask_reason(desk.services, await desk.who(SUP), target.id)
    assert replies[0] == TapAnswer() and isinstance(replies[1], Message)
    assert "/tralai" not in replies[1].text and "gửi lý do trong tin nhắn tiếp theo" in replies[1].text


async def test_a_failed_audit_write_leaves_no_approval_and_no_draft_change(desk: Desk, monkeypatch) -> None:
    target = await desk.submission(REP_INDEX)
    period = desk.scenario.periods[sc.WEEK]
    draft = await desk.storage.drafts.find(period.id, desk.scenario.code(REP_INDEX))
    assert draft is not None
    await desk.storage.drafts.set_status(draft.id, DraftStatus.OPEN, desk.services.clock.now())

    async def fail(*args: object, **kwargs: object) -> None:
        raise AuditDown

    monkeypatch.setattr(desk.storage.audit, "log", fail)
    with pytest.raises(AuditDown):
        await approval.approve(desk.services, await desk.who(SUP), target.id, desk.told)
    assert (await desk.submission(REP_INDEX)).status == SubmissionStatus.SUBMITTED
    assert (await desk.storage.drafts.find(period.id, desk.scenario.code(REP_INDEX))).status == DraftStatus.OPEN  # type: ignore[union-attr]
    assert desk.told.messages == []

    with pytest.raises(AuditDown):
        await approval.return_report(desk.services, await desk.who(SUP), f"{target.id} Sai số liệu tuần này.",
                                     desk.told)
    returned = await desk.submission(REP_INDEX)
    assert returned.status == SubmissionStatus.SUBMITTED and returned.status_reason is None
    assert desk.told.messages == []


async def test_the_reporter_corrects_a_returned_report_with_its_draft_resynced(desk: Desk) -> None:
    index = sc.RETURNED[0]  # returned, and seeded without a draft: the draft is made from the report
    returned = await desk.submission(index)
    assert returned.status == SubmissionStatus.RETURNED
    period = desk.scenario.periods[sc.WEEK]
    assert await desk.storage.drafts.find(period.id, returned.unit_code) is None
    stranger = await approval.open_correction(desk.services, await desk.who(REP), returned.id)
    assert stranger == [NOT_ALLOWED]  # REP reports for another commune
    await bind(desk.storage, 7099, "Đinh Văn Hòa", Role.REPORTER, desk.scenario.unit(index), desk.services.clock.now())
    opened = await approval.open_correction(desk.services, await desk.who(7099), returned.id)
    assert isinstance(opened, ReportSession)
    draft = await desk.storage.drafts.find(period.id, returned.unit_code)
    assert draft is not None and await desk.storage.drafts.values(draft.id) == returned.answers


async def test_an_approved_report_cannot_be_corrected(desk: Desk) -> None:
    target = await desk.submission(REP_INDEX)
    await approval.approve(desk.services, await desk.who(SUP), target.id, desk.told)
    assert await approval.open_correction(desk.services, await desk.who(REP), target.id) == [
        TapAnswer("Báo cáo này đã được duyệt nên không sửa được nữa.", alert=True)]

"""Issue 16, item 8: «↩ Trả lại để sửa» asks the reason in chat — through the service, on a real
SQLite file. The supervisor's next text is the reason (it may name the items to fix, on several
lines); the report is returned as /tralai returns it (one transaction with the end of the wait, the
reporters told); the wait survives reopening the database; «Hủy», /huy and another command end it
with nothing returned; a reason too short or too long is asked again; /tralai keeps working."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.chat.actions import CancelReturn, CorrectReturned
from bot.chat.catalogue import say
from bot.chat.replies import ClearChoices, Message, TapAnswer
from bot.clock import FakeClock
from bot.supervising import approval, return_reason
from storage import Storage
from storage.models import SubmissionStatus
from tests.rollup import scenario as sc
from tests.supervising.conftest import OTHER, REP, REP_INDEX, SUP, Desk

REASON = "Mục Hồ sơ kỳ trước chuyển sang chưa khớp với số tồn tuần trước.\n  Mục   Khó khăn: ghi cụ thể hơn.  "
TIDY = "Mục Hồ sơ kỳ trước chuyển sang chưa khớp với số tồn tuần trước.\nMục Khó khăn: ghi cụ thể hơn."


def text_of(replies: list[object]) -> str:
    return "\n".join(reply.text for reply in replies if isinstance(reply, Message))


async def test_the_tap_asks_and_the_next_text_returns_the_report(desk: Desk) -> None:
    target = await desk.submission(REP_INDEX)
    sup = await desk.who(SUP)
    assert await return_reason.take_reason(desk.services, sup, REASON, desk.told) is None  # nothing asked yet

    tap, ask = await return_reason.ask_reason(desk.services, sup, target.id)
    assert tap == TapAnswer() and isinstance(ask, Message)
    commune = desk.scenario.unit(REP_INDEX).full_name
    assert ask.text.startswith(f"↩ Trả lại báo cáo Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025) của {commune} (lần 1)")
    assert [[choice.action for choice in row] for row in ask.choices] == [[CancelReturn(target.id)]]
    assert (await desk.submission(REP_INDEX)).status == SubmissionStatus.SUBMITTED  # nothing returned by the tap

    # someone else's text is not taken for this supervisor's reason
    assert await return_reason.take_reason(desk.services, await desk.who(OTHER), REASON, desk.told) is None

    done = await return_reason.take_reason(desk.services, sup, REASON, desk.told)
    assert done is not None and "Đã trả lại báo cáo Tuần 50/2025" in text_of(done)  # the words of /tralai
    returned = await desk.submission(REP_INDEX)
    assert returned.status == SubmissionStatus.RETURNED and returned.status_reason == TIDY
    [notice] = desk.told.to(REP)
    assert f"Lý do: {TIDY}" in notice.text
    assert [[choice.action for choice in row] for row in notice.choices] == [[CorrectReturned(target.id)]]
    [entry] = await desk.storage.audit.recent(action="report.return")
    assert entry.actor == SUP and entry.detail == {"submission": target.id, "version": 1, "reason": TIDY}
    assert await desk.storage.return_asks.get(SUP) is None  # the wait is over: the next text is not a reason
    assert await return_reason.take_reason(desk.services, sup, "Thêm một ý nữa.", desk.told) is None


async def test_the_wait_survives_reopening_the_database(desk: Desk) -> None:
    target = await desk.submission(REP_INDEX)
    await return_reason.ask_reason(desk.services, await desk.who(SUP), target.id)
    await desk.storage.close()
    reopened = await Storage.open(desk.services.settings.database_path)
    try:
        desk.services.attach_storage(reopened)
        done = await return_reason.take_reason(desk.services, await desk.who(SUP), REASON, desk.told)
        assert done is not None and "Đã trả lại" in text_of(done)
        assert (await desk.submission(REP_INDEX)).status == SubmissionStatus.RETURNED
    finally:
        await reopened.close()


async def test_too_short_or_too_long_is_asked_again_and_nothing_is_lost(desk: Desk) -> None:
    target = await desk.submission(REP_INDEX)
    sup = await desk.who(SUP)
    await return_reason.ask_reason(desk.services, sup, target.id)
    short = await return_reason.take_reason(desk.services, sup, "sai", desk.told)
    assert short is not None and text_of(short).startswith("Lý do quá ngắn")
    long = await return_reason.take_reason(desk.services, sup, "Sai. " * 300, desk.told)
    assert long is not None and "Lý do trả lại dài" in text_of(long) and "ngắn gọn hơn" in text_of(long)
    assert (await desk.submission(REP_INDEX)).status == SubmissionStatus.SUBMITTED and desk.told.messages == []
    done = await return_reason.take_reason(desk.services, sup, REASON, desk.told)
    assert done is not None and (await desk.submission(REP_INDEX)).status == SubmissionStatus.RETURNED


async def test_cancel_by_tap_or_huy_returns_nothing(desk: Desk) -> None:
    target = await desk.submission(REP_INDEX)
    sup = await desk.who(SUP)
    await return_reason.ask_reason(desk.services, sup, target.id)
    tap, clear, said = await return_reason.cancel_tap(desk.services, sup, CancelReturn(target.id))
    assert tap == TapAnswer() and clear == ClearChoices() and isinstance(said, Message)
    assert said.text.startswith("Đã hủy: báo cáo Tuần 50/2025") and said.text.endswith("không bị trả lại.")
    assert await return_reason.take_reason(desk.services, sup, REASON, desk.told) is None
    assert await return_reason.cancel_tap(desk.services, sup, CancelReturn(target.id)) == [
        TapAnswer(say("supervising_ux.nothing_to_cancel")), ClearChoices()]

    await return_reason.ask_reason(desk.services, sup, target.id)
    cancelled = await return_reason.cancel(desk.services, sup)
    assert cancelled is not None and text_of(cancelled).startswith("Đã hủy")
    assert await return_reason.cancel(desk.services, sup) is None  # nothing awaited: /huy is the reporting's
    assert (await desk.submission(REP_INDEX)).status == SubmissionStatus.SUBMITTED and desk.told.messages == []


async def test_another_command_ends_the_wait_and_says_so(desk: Desk) -> None:
    target = await desk.submission(REP_INDEX)
    sup = await desk.who(SUP)
    await return_reason.ask_reason(desk.services, sup, target.id)
    [dropped] = await return_reason.drop(desk.services, sup)
    assert isinstance(dropped, Message) and dropped.text.startswith("Chưa trả lại báo cáo Tuần 50/2025")
    assert await return_reason.drop(desk.services, sup) == []
    assert await return_reason.take_reason(desk.services, sup, REASON, desk.told) is None

    # /tralai ID lý do keeps working, and ends a wait quietly
    await return_reason.ask_reason(desk.services, sup, target.id)
    assert await return_reason.drop(desk.services, sup, quietly=True) == []
    [done] = await approval.return_report(desk.services, sup, f"{target.id} {REASON}", desk.told)
    assert isinstance(done, Message) and "Đã trả lại" in done.text


async def test_an_hour_later_a_text_is_no_reason(desk: Desk, clock: FakeClock) -> None:
    target = await desk.submission(REP_INDEX)
    sup = await desk.who(SUP)
    await return_reason.ask_reason(desk.services, sup, target.id)
    clock.advance(return_reason.ASK_VALID + timedelta(seconds=1))
    assert await return_reason.take_reason(desk.services, sup, REASON, desk.told) is None
    assert await desk.storage.return_asks.get(SUP) is None
    assert (await desk.submission(REP_INDEX)).status == SubmissionStatus.SUBMITTED


async def test_a_report_returned_already_or_replaced_is_not_asked_about(desk: Desk) -> None:
    sup = await desk.who(SUP)
    returned = await desk.submission(sc.RETURNED[0])
    _, said = await return_reason.ask_reason(desk.services, sup, returned.id)
    assert isinstance(said, Message) and "đã được trả lại trước đó" in said.text
    period = desk.scenario.periods[sc.WEEK]
    first, latest = await desk.storage.submissions.versions(period.id, desk.scenario.code(sc.CORRECTED))
    _, stale = await return_reason.ask_reason(desk.services, sup, first.id)
    assert isinstance(stale, Message) and f"mã báo cáo {latest.id}" in stale.text
    assert await desk.storage.return_asks.get(SUP) is None


class AuditDown(RuntimeError):
    """The audit write failing half-way through the return."""


async def test_a_failed_write_returns_nothing_and_keeps_the_wait(desk: Desk, monkeypatch) -> None:
    target = await desk.submission(REP_INDEX)
    sup = await desk.who(SUP)
    await return_reason.ask_reason(desk.services, sup, target.id)

    async def fail(*args: object, **kwargs: object) -> None:
        raise AuditDown

    monkeypatch.setattr(desk.storage.audit, "log", fail)
    with pytest.raises(AuditDown):
        await return_reason.take_reason(desk.services, sup, REASON, desk.told)
    assert (await desk.submission(REP_INDEX)).status == SubmissionStatus.SUBMITTED and desk.told.messages == []
    ask = await desk.storage.return_asks.get(SUP)
    assert ask is not None and ask.submission_id == target.id  # the reason can be sent again

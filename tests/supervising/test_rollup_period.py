"""Issue 16, item 7: /tonghop without a week opens on the period open now when communes of the
scope have reported in it (marked "chưa hết hạn", with how many are still missing), else on the
latest period past its deadline — through the service, on a real SQLite file."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.chat.replies import Message
from bot.clock import VN_TZ, FakeClock
from bot.domain.periods import period_for
from bot.reporting.periods import ensure_period
from bot.supervising import rollup
from storage.models import Period
from tests.rollup import scenario as sc
from tests.supervising.conftest import SUP, Desk

OPEN_WEEK = "2025-W51"  # opens Monday 22/12/2025 08:00, due Thursday 25/12/2025 15:00


async def _open_week(desk: Desk, clock: FakeClock) -> Period:
    clock.set(datetime(2025, 12, 23, 9, 0, tzinfo=VN_TZ))
    form = desk.services.forms[desk.scenario.periods[sc.WEEK].form_id]
    return await ensure_period(desk.storage, period_for(form.period, OPEN_WEEK))


async def _report(desk: Desk, period: Period, code: str) -> None:
    answers = desk.scenario.answers[sc.WEEK].get(code) or next(iter(desk.scenario.answers[sc.WEEK].values()))
    await desk.storage.submissions.add_version(period.id, code, dict(answers), {}, desk.reporter.id,
                                               period.opens_at + timedelta(hours=2))


async def test_without_reports_in_the_open_period_the_latest_past_its_deadline(desk: Desk, clock: FakeClock) -> None:
    period = await _open_week(desk, clock)
    elsewhere = (await desk.storage.units.list_communes("01"))[0]
    await _report(desk, period, elsewhere.code)  # a commune of another province reported: not this scope's
    sup = await desk.who(SUP)
    job = await rollup.rollup_command(desk.services, sup, [])
    assert isinstance(job, rollup.RollupJob) and job.period.key == sc.WEEK
    message = (await rollup.make_rollup(desk.services, sup, job))[0]
    assert isinstance(message, Message) and "chưa hết hạn" not in message.text


async def test_the_open_period_with_reports_is_shown_marked_with_what_is_missing(desk: Desk,
                                                                                 clock: FakeClock) -> None:
    period = await _open_week(desk, clock)
    for index in (40, 41, 42):
        await _report(desk, period, desk.scenario.code(index))
    sup = await desk.who(SUP)
    job = await rollup.rollup_command(desk.services, sup, [])
    assert isinstance(job, rollup.RollupJob) and job.period.key == OPEN_WEEK and job.scope == "19"
    assert job.started.startswith("Đang tổng hợp báo cáo Tuần 51/2025")
    message = (await rollup.make_rollup(desk.services, sup, job))[0]
    assert isinstance(message, Message)
    assert message.text.startswith(
        "⏳ Kỳ này chưa hết hạn (hạn nộp 15:00 ngày 25/12/2025): số liệu còn thay đổi. "
        "Đã nộp 3/92, còn 89 xã, phường chưa nộp.\n\n")
    assert "Chưa nộp (89): " in message.text  # the missing named, as in every rollup
    assert desk.scenario.unit(0).full_name in message.text

    # a week asked by name is that week; once past the deadline the mark is gone
    named = await rollup.rollup_command(desk.services, sup, [sc.WEEK])
    assert isinstance(named, rollup.RollupJob) and named.period.key == sc.WEEK
    clock.set(period.deadline_at + timedelta(minutes=1))
    job = await rollup.rollup_command(desk.services, sup, [])
    assert isinstance(job, rollup.RollupJob) and job.period.key == OPEN_WEEK  # now the latest past its deadline
    message = (await rollup.make_rollup(desk.services, sup, job))[0]
    assert isinstance(message, Message) and "chưa hết hạn" not in message.text

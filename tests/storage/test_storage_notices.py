"""Notices: recorded once, sent at most once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from storage_helpers import World, at

from storage import NoticeStatus

GRACE = timedelta(hours=2)


async def test_a_notice_is_recorded_once(world: World) -> None:
    notices = world.storage.notices
    p = world.period.id
    assert await notices.record_due("reminder", 1001, at(60), period_id=p, person_id=world.lan.id)
    assert not await notices.record_due("reminder", 1001, at(60), period_id=p, person_id=world.lan.id)
    # any part of the key different: another notice
    assert await notices.record_due("reminder", 1001, at(120), period_id=p)
    assert await notices.record_due("deadline", 1001, at(60), period_id=p)
    assert await notices.record_due("reminder", 1002, at(60), period_id=p)
    # without a period, still only once
    assert await notices.record_due("welcome", 1001, at(60), payload={"text": "Xin chào"})
    assert not await notices.record_due("welcome", 1001, at(60))
    assert len(await notices.list_for_period(p)) == 4
    assert len(await notices.list_for_period(p, "reminder")) == 3


async def test_concurrent_recording_inserts_one(world: World) -> None:
    results = await asyncio.gather(
        *(world.storage.notices.record_due("opening", 1001, at(), period_id=world.period.id) for _ in range(10))
    )
    assert results.count(True) == 1


async def test_due_sent_once(world: World) -> None:
    notices = world.storage.notices
    p = world.period.id
    await notices.record_due("reminder", 1001, at(60), period_id=p, person_id=world.lan.id, payload={"missing": 3})
    await notices.record_due("reminder", 1002, at(90), period_id=p)
    assert await notices.due(at(30), GRACE) == []
    [due] = await notices.due(at(60), GRACE)
    assert due.chat_id == 1001 and due.payload == {"missing": 3} and due.status is NoticeStatus.PENDING
    assert [n.chat_id for n in await notices.due(at(100), GRACE)] == [1001, 1002]
    assert await notices.mark_sent(due.id, at(61))
    assert not await notices.mark_sent(due.id, at(62))  # never twice
    assert [n.chat_id for n in await notices.due(at(100), GRACE)] == [1002]
    sent = await notices.sent_for("reminder", p)
    assert [(n.chat_id, n.sent_at, n.attempts, n.status) for n in sent] == [(1001, at(61), 1, NoticeStatus.SENT)]
    assert await notices.sent_for("deadline", p) == []


async def test_failures_are_retried_then_given_up(world: World) -> None:
    notices = world.storage.notices
    await notices.record_due("reminder", 1001, at(), period_id=world.period.id)
    [notice] = await notices.due(at(1), GRACE)
    first = await notices.mark_failed(notice.id, "timed out", max_attempts=2)
    assert first is not None and first.status is NoticeStatus.PENDING and first.attempts == 1
    assert [n.id for n in await notices.due(at(2), GRACE)] == [notice.id]  # retried
    second = await notices.mark_failed(notice.id, "timed out again", max_attempts=2)
    assert second is not None and second.status is NoticeStatus.FAILED and second.last_error == "timed out again"
    assert await notices.due(at(3), GRACE) == []
    assert await notices.mark_failed(notice.id, "x") is None
    assert not await notices.mark_sent(notice.id, at(4))


async def test_dropping(world: World) -> None:
    notices = world.storage.notices
    p = world.period.id
    await notices.record_due("reminder", 1001, at(), period_id=p)
    await notices.record_due("reminder", 1002, at(days=1), period_id=p)
    await notices.record_due("reminder", 1003, at(days=1, minutes=1), period_id=p)
    now = at(days=1, minutes=5)
    # the first is a day old: stale, not sent after an outage
    assert [n.chat_id for n in await notices.due(now, GRACE)] == [1002, 1003]
    assert await notices.drop_stale(now, GRACE) == 1
    [stale] = [n for n in await notices.list_for_period(p) if n.chat_id == 1001]
    assert stale.status is NoticeStatus.DROPPED and stale.last_error == "stale"
    [submitted_meanwhile, _] = await notices.due(now, GRACE)
    assert await notices.mark_dropped(submitted_meanwhile.id, "already submitted")
    assert not await notices.mark_dropped(submitted_meanwhile.id)
    assert not await notices.mark_sent(submitted_meanwhile.id, now)
    assert (await notices.get(submitted_meanwhile.id)).last_error == "already submitted"  # type: ignore[union-attr]

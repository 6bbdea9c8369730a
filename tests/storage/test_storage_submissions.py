"""Submissions: every version kept, the latest current."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import date, timedelta

import pytest
from storage_helpers import DUC_XUAN, PHUOC_GIANG, QUANG_NGAI, World, at

from bot.administering.units import import_units
from storage import DraftStatus, Storage, SubmissionStatus
from storage.codec import dt_text


async def test_versions_increment_and_old_ones_are_kept(world: World) -> None:
    subs = world.storage.submissions
    p = world.period.id
    v1 = await subs.add_version(p, PHUOC_GIANG.code, {"received_in_person": 179}, {}, world.lan.id, at(10))
    v2 = await subs.add_version(p, PHUOC_GIANG.code, {"received_in_person": 1794}, {"balance": "đã kiểm tra"},
                                world.minh.id, at(20), late=True)
    v3 = await subs.add_version(p, PHUOC_GIANG.code, {"received_in_person": 180}, {}, world.hoa.id, at(30),
                                on_behalf=True)
    assert [v1.version, v2.version, v3.version] == [1, 2, 3]
    assert v2.late and not v2.on_behalf and v3.on_behalf
    assert v2.explanations == {"balance": "đã kiểm tra"}
    assert await subs.versions(p, PHUOC_GIANG.code) == [v1, v2, v3]
    assert await subs.latest(p, PHUOC_GIANG.code) == v3
    assert await subs.get(v1.id) == v1
    assert (await subs.get(v1.id)).answers == {"received_in_person": 179}  # type: ignore[union-attr]
    assert await subs.latest(p, DUC_XUAN.code) is None
    # another unit starts at 1
    assert (await subs.add_version(p, DUC_XUAN.code, {}, {}, None, at(40))).version == 1


async def test_a_version_can_be_neither_overwritten_nor_deleted(world: World) -> None:
    subs = world.storage.submissions
    v1 = await subs.add_version(world.period.id, PHUOC_GIANG.code, {"digitized": 1}, {}, world.lan.id, at())
    with pytest.raises(sqlite3.IntegrityError, match="never overwritten"):
        await world.storage.db.execute("UPDATE submissions SET answers = '{}' WHERE id = ?", (v1.id,))
    with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
        await world.storage.db.execute("DELETE FROM submissions WHERE id = ?", (v1.id,))
    with pytest.raises(sqlite3.IntegrityError):  # UNIQUE (period, unit, version)
        await world.storage.db.execute(
            "INSERT INTO submissions (period_id, unit_code, version, answers, explanations, submitted_at)"
            " VALUES (?, ?, 1, '{}', '{}', ?)",
            (world.period.id, PHUOC_GIANG.code, dt_text(at())),
        )
    assert await subs.get(v1.id) == v1


async def test_concurrent_submissions_get_distinct_versions(world: World) -> None:
    subs = world.storage.submissions
    results = await asyncio.gather(
        *(subs.add_version(world.period.id, PHUOC_GIANG.code, {"n": i}, {}, world.lan.id, at(i)) for i in range(10))
    )
    assert sorted(s.version for s in results) == list(range(1, 11))


async def test_submitting_marks_the_draft_submitted(world: World) -> None:
    draft = await world.storage.drafts.get_or_create(world.period.id, PHUOC_GIANG.code, at())
    await world.storage.submissions.add_version(world.period.id, PHUOC_GIANG.code, {}, {}, world.lan.id, at(5))
    stored = await world.storage.drafts.get(draft.id)
    assert stored is not None and stored.status is DraftStatus.SUBMITTED and stored.updated_at == at(5)


async def test_a_failed_submission_leaves_the_draft_open(world: World) -> None:
    draft = await world.storage.drafts.get_or_create(world.period.id, PHUOC_GIANG.code, at())
    with pytest.raises(sqlite3.IntegrityError):  # unknown person: foreign key
        async with world.storage.db.transaction():
            await world.storage.submissions.add_version(world.period.id, PHUOC_GIANG.code, {}, {}, 9999, at(5))
    assert (await world.storage.drafts.get(draft.id)).status is DraftStatus.OPEN  # type: ignore[union-attr]
    assert await world.storage.submissions.versions(world.period.id, PHUOC_GIANG.code) == []


async def test_status_changes_keep_the_content(world: World) -> None:
    subs = world.storage.submissions
    v1 = await subs.add_version(world.period.id, PHUOC_GIANG.code, {"digitized": 1}, {}, world.lan.id, at())
    returned = await subs.set_status(v1.id, SubmissionStatus.RETURNED, world.hoa.id, at(60), "Số liệu chưa cân đối")
    assert returned.status is SubmissionStatus.RETURNED and returned.status_by == world.hoa.id
    assert returned.status_reason == "Số liệu chưa cân đối" and returned.status_at == at(60)
    assert returned.answers == v1.answers and returned.version == 1
    approved = await subs.set_status(v1.id, SubmissionStatus.APPROVED, world.hoa.id, at(70))
    assert approved.status is SubmissionStatus.APPROVED and approved.status_reason is None
    with pytest.raises(LookupError):
        await subs.set_status(9999, SubmissionStatus.APPROVED, None, at())


async def test_list_latest_for_period(world: World) -> None:
    subs = world.storage.submissions
    p = world.period.id
    await subs.add_version(p, PHUOC_GIANG.code, {"v": 1}, {}, None, at(1))
    await subs.add_version(p, PHUOC_GIANG.code, {"v": 2}, {}, None, at(2))
    await subs.add_version(p, DUC_XUAN.code, {"v": 1}, {}, None, at(3))
    latest = await subs.list_latest_for_period(p)
    assert [(s.unit_code, s.version) for s in latest] == [(DUC_XUAN.code, 1), (PHUOC_GIANG.code, 2)]
    assert [(s.unit_code, s.version) for s in await subs.list_latest_for_period(p, "51")] == [(PHUOC_GIANG.code, 2)]
    assert await subs.list_latest_for_period(p, "01") == []


async def test_list_latest_for_all_3321_communes_is_fast(storage: Storage) -> None:
    await import_units(storage)
    period = await storage.periods.upsert("tthc-weekly", "2025-W50", date(2025, 12, 8), date(2025, 12, 14),
                                          at(), at(days=3))
    communes = await storage.units.list_communes()
    rows = [
        (period.id, unit.code, version, f'{{"v":{version}}}', "{}", dt_text(at(version)))
        for unit in communes
        for version in ((1, 2) if int(unit.code) % 3 == 0 else (1,))
    ]
    await storage.db.execute_many(
        "INSERT INTO submissions (period_id, unit_code, version, answers, explanations, submitted_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )
    started = time.perf_counter()
    latest = await storage.submissions.list_latest_for_period(period.id)
    province = await storage.submissions.list_latest_for_period(period.id, "19")
    elapsed = time.perf_counter() - started
    assert len(latest) == 3321
    assert all(s.version == (2 if int(s.unit_code) % 3 == 0 else 1) for s in latest)
    assert len(province) == 92
    assert elapsed < 2.0
    plan = " ".join(
        row["detail"] for row in await storage.db.fetch_all(
            "EXPLAIN QUERY PLAN SELECT s.id FROM submissions s WHERE s.period_id = ? AND s.version ="
            " (SELECT MAX(v.version) FROM submissions v WHERE v.period_id = s.period_id AND v.unit_code = s.unit_code)",
            (period.id,),
        )
    )
    assert "SCAN" not in plan.replace("SCAN CONSTANT ROW", ""), plan


async def test_recent_for_unit(world: World) -> None:
    storage = world.storage
    periods = [world.period]
    for i in range(1, 4):
        start = world.period.starts_on + timedelta(weeks=i)
        periods.append(await storage.periods.upsert(
            "tthc-weekly", f"2025-W{50 + i}", start, start + timedelta(days=6),
            world.period.opens_at + timedelta(weeks=i), world.period.deadline_at + timedelta(weeks=i),
        ))
    for i, period in enumerate(periods):
        await storage.submissions.add_version(period.id, PHUOC_GIANG.code, {"n": i}, {}, None, period.opens_at)
        await storage.submissions.add_version(period.id, PHUOC_GIANG.code, {"n": i * 10}, {}, None, period.opens_at)
    recent = await storage.submissions.recent_for_unit(PHUOC_GIANG.code, "tthc-weekly")
    assert [s.answers["n"] for s in recent] == [30, 20, 10, 0]
    before = await storage.submissions.recent_for_unit(PHUOC_GIANG.code, "tthc-weekly", before=periods[2].opens_at,
                                                       limit=1)
    assert [s.answers["n"] for s in before] == [10]
    assert await storage.submissions.recent_for_unit(PHUOC_GIANG.code, "other") == []
    answers = await storage.submissions.recent_answers(PHUOC_GIANG.code, "tthc-weekly")
    assert [(a.submission_id, a.period_id, a.answers) for a in answers] == [(s.id, s.period_id, s.answers) for s in recent]
    assert [a.key for a in answers] == ["2025-W53", "2025-W52", "2025-W51", world.period.key]
    before_answers = await storage.submissions.recent_answers(PHUOC_GIANG.code, "tthc-weekly",
                                                              before=periods[2].opens_at, limit=1)
    assert [(a.submission_id, a.answers) for a in before_answers] == [(s.id, s.answers) for s in before]
    assert await storage.submissions.recent_answers(PHUOC_GIANG.code, "other") == []



async def test_forms_submitted_names_the_forms_these_units_sent_in_one_query(world: World) -> None:
    storage = world.storage
    assert await storage.submissions.forms_submitted([PHUOC_GIANG.code, DUC_XUAN.code]) == set()
    monthly = await storage.periods.upsert("nq57-monthly", "2025-12", date(2025, 12, 1), date(2025, 12, 31),
                                           world.period.opens_at, world.period.deadline_at)
    await storage.submissions.add_version(monthly.id, DUC_XUAN.code, {"n": 1}, {}, None, at(10))
    await storage.submissions.add_version(world.period.id, PHUOC_GIANG.code, {"n": 2}, {}, None, at(10))
    assert await storage.submissions.forms_submitted([PHUOC_GIANG.code]) == {"tthc-weekly"}
    assert await storage.submissions.forms_submitted([PHUOC_GIANG.code, DUC_XUAN.code]) == {"tthc-weekly",
                                                                                            "nq57-monthly"}
    assert await storage.submissions.forms_submitted([]) == set()


async def test_any_for_period_says_whether_the_scope_reported(world: World) -> None:
    subs, p = world.storage.submissions, world.period.id
    assert await subs.any_for_period(p) is False
    await subs.add_version(p, PHUOC_GIANG.code, {"received_in_person": 179}, {}, world.lan.id, at(10))
    assert await subs.any_for_period(p) is True
    assert await subs.any_for_period(p, PHUOC_GIANG.province_code) is True
    assert PHUOC_GIANG.province_code == QUANG_NGAI.code
    assert await subs.any_for_period(p, "19") is False  # another province reported nothing

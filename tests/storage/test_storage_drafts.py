"""Drafts: the conversation's state, written on every answer."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from storage_helpers import DUC_XUAN, PHUOC_GIANG, World, at

from storage import DraftStatus, Storage


async def test_get_or_create_is_idempotent(world: World) -> None:
    drafts = world.storage.drafts
    draft = await drafts.get_or_create(world.period.id, PHUOC_GIANG.code, at(1))
    assert draft.status is DraftStatus.OPEN and draft.created_at == at(1) == draft.updated_at
    assert await drafts.get_or_create(world.period.id, PHUOC_GIANG.code, at(2)) == draft
    assert await drafts.get(draft.id) == draft
    assert await drafts.find(world.period.id, PHUOC_GIANG.code) == draft
    assert await drafts.find(world.period.id, DUC_XUAN.code) is None
    await drafts.get_or_create(world.period.id, DUC_XUAN.code, at(3))
    assert [d.unit_code for d in await drafts.list_for_period(world.period.id)] == [DUC_XUAN.code, PHUOC_GIANG.code]
    assert [d.unit_code for d in await drafts.list_for_period(world.period.id, "51")] == [PHUOC_GIANG.code]


async def test_set_answer_returns_what_it_replaced_and_who_gave_it(world: World) -> None:
    drafts = world.storage.drafts
    draft = await drafts.get_or_create(world.period.id, PHUOC_GIANG.code, at())
    assert await drafts.set_answer(draft.id, "received_in_person", 179, world.lan.id, at(5)) is None
    previous = await drafts.set_answer(draft.id, "received_in_person", 1794, world.minh.id, at(9))
    assert previous is not None
    assert previous.value == 179
    assert previous.answered_by == world.lan.id and previous.answered_by_name == "Nguyễn Thị Lan"
    assert previous.answered_at == at(5)
    await drafts.set_answer(draft.id, "difficulties", "Đường truyền chậm; thiếu máy quét", world.lan.id, at(10))
    answers = await drafts.answers(draft.id)
    assert answers["received_in_person"].value == 1794 and answers["received_in_person"].answered_by == world.minh.id
    assert await drafts.values(draft.id) == {"received_in_person": 1794, "difficulties": "Đường truyền chậm; thiếu máy quét"}
    assert (await drafts.get(draft.id)).updated_at == at(10)  # type: ignore[union-attr]
    await drafts.set_answer(draft.id, "digitized", None, world.lan.id, at(11))  # a blank: answered, not 0
    assert (await drafts.values(draft.id))["digitized"] is None
    assert "digitized" in await drafts.values(draft.id)
    await drafts.clear_answer(draft.id, "digitized", world.lan.id, at(12))
    assert "digitized" not in await drafts.values(draft.id)
    with pytest.raises(LookupError):
        await drafts.set_answer(9999, "x", 1, world.lan.id, at(11))


async def test_answers_survive_closing_and_reopening(world: World, db_path: Path) -> None:
    drafts = world.storage.drafts
    draft = await drafts.get_or_create(world.period.id, PHUOC_GIANG.code, at())
    await drafts.set_answer(draft.id, "carried_over", 53, world.lan.id, at(1))
    await drafts.set_answer(draft.id, "received_online_full", 49, world.lan.id, at(2))
    await drafts.set_explanation(draft.id, "balance", "Số liệu kỳ trước chưa cập nhật", world.lan.id, at(3))
    await drafts.set_cursor(draft.id, world.lan.id, "received_online_partial", at(3))
    await world.storage.close()

    reopened = await Storage.open(db_path)
    try:
        assert await reopened.drafts.values(draft.id) == {"carried_over": 53, "received_online_full": 49}
        assert (await reopened.drafts.explanations(draft.id))["balance"].reason == "Số liệu kỳ trước chưa cập nhật"
        cursor = await reopened.drafts.get_cursor(draft.id, world.lan.id)
        assert cursor is not None and cursor.field_id == "received_online_partial" and cursor.mode == "answer"
        assert [c.draft_id for c in await reopened.drafts.cursors_of(world.lan.id)] == [draft.id]
    finally:
        await reopened.close()


async def test_two_officials_answering_at_once_both_land(world: World) -> None:
    drafts = world.storage.drafts
    draft = await drafts.get_or_create(world.period.id, PHUOC_GIANG.code, at())
    await asyncio.gather(
        drafts.set_answer(draft.id, "received_in_person", 12, world.lan.id, at(1)),
        drafts.set_answer(draft.id, "received_in_person", 21, world.minh.id, at(1)),
        drafts.set_answer(draft.id, "digitized", 7, world.minh.id, at(1)),
    )
    history = await drafts.history(draft.id, "received_in_person")
    assert len(history) == 2
    assert {(h.new_value, h.changed_by, h.changed_by_name) for h in history} == {
        (12, world.lan.id, "Nguyễn Thị Lan"),
        (21, world.minh.id, "Trần Văn Minh"),
    }
    first, second = history
    assert first.old_value is None and second.old_value == first.new_value  # serialised, nothing lost
    assert (await drafts.values(draft.id))["received_in_person"] == second.new_value
    assert len(await drafts.history(draft.id)) == 3


async def test_two_processes_answering_at_once_both_land(world: World, db_path: Path) -> None:
    draft = await world.storage.drafts.get_or_create(world.period.id, PHUOC_GIANG.code, at())
    other = await Storage.open(db_path)
    try:
        await asyncio.gather(
            *(
                (world.storage if i % 2 else other).drafts.set_answer(draft.id, f"f{i}", i, world.lan.id, at(i))
                for i in range(20)
            )
        )
    finally:
        await other.close()
    assert await world.storage.drafts.values(draft.id) == {f"f{i}": i for i in range(20)}
    assert len(await world.storage.drafts.history(draft.id)) == 20


async def test_clear_answer_and_history(world: World) -> None:
    drafts = world.storage.drafts
    draft = await drafts.get_or_create(world.period.id, PHUOC_GIANG.code, at())
    await drafts.set_answer(draft.id, "withdrawn", 2, world.lan.id, at(1))
    removed = await drafts.clear_answer(draft.id, "withdrawn", world.minh.id, at(2))
    assert removed is not None and removed.value == 2
    assert await drafts.clear_answer(draft.id, "withdrawn", world.minh.id, at(3)) is None
    assert await drafts.values(draft.id) == {}
    [given, cleared] = await drafts.history(draft.id)
    assert (given.old_value, given.new_value, given.changed_at) == (None, 2, at(1))
    assert (cleared.old_value, cleared.new_value, cleared.changed_by) == (2, None, world.minh.id)


async def test_set_answers_in_one_go(world: World) -> None:
    drafts = world.storage.drafts
    draft = await drafts.get_or_create(world.period.id, PHUOC_GIANG.code, at())
    await drafts.set_answer(draft.id, "legal", "cũ", world.lan.id, at(1))
    previous = await drafts.set_answers(draft.id, {"legal": "như kỳ trước", "carried_over": 483}, None, at(2))
    assert previous["legal"] is not None and previous["legal"].value == "cũ"
    assert previous["carried_over"] is None
    assert await drafts.values(draft.id) == {"legal": "như kỳ trước", "carried_over": 483}


async def test_explanations(world: World) -> None:
    drafts = world.storage.drafts
    draft = await drafts.get_or_create(world.period.id, PHUOC_GIANG.code, at())
    await drafts.set_explanation(draft.id, "balance", "first", world.lan.id, at(1))
    await drafts.set_explanation(draft.id, "balance", "second", world.minh.id, at(2))
    await drafts.set_explanation(draft.id, "continuity", "kỳ trước sai", world.minh.id, at(3))
    explanations = await drafts.explanations(draft.id)
    assert list(explanations) == ["balance", "continuity"]
    assert explanations["balance"].reason == "second" and explanations["balance"].given_by == world.minh.id
    assert await drafts.clear_explanation(draft.id, "continuity")
    assert not await drafts.clear_explanation(draft.id, "continuity")
    assert list(await drafts.explanations(draft.id)) == ["balance"]


async def test_cursors_per_person(world: World) -> None:
    drafts = world.storage.drafts
    draft = await drafts.get_or_create(world.period.id, PHUOC_GIANG.code, at())
    await drafts.set_cursor(draft.id, world.lan.id, "carried_over", at(1))
    await drafts.set_cursor(draft.id, world.minh.id, "digitized", at(1))
    moved = await drafts.set_cursor(draft.id, world.lan.id, None, at(2), mode="reason", check_id="balance")
    assert (moved.field_id, moved.mode, moved.check_id, moved.updated_at) == (None, "reason", "balance", at(2))
    assert (await drafts.get_cursor(draft.id, world.minh.id)).field_id == "digitized"  # type: ignore[union-attr]
    assert await drafts.clear_cursor(draft.id, world.lan.id)
    assert await drafts.get_cursor(draft.id, world.lan.id) is None
    assert await drafts.cursors_of(world.lan.id) == []


async def test_set_status(world: World) -> None:
    drafts = world.storage.drafts
    draft = await drafts.get_or_create(world.period.id, PHUOC_GIANG.code, at())
    submitted = await drafts.set_status(draft.id, DraftStatus.SUBMITTED, at(30))
    assert submitted.status is DraftStatus.SUBMITTED and submitted.updated_at == at(30)
    reopened = await drafts.set_status(draft.id, DraftStatus.OPEN, at(40))
    assert reopened.status is DraftStatus.OPEN


async def test_cursors_with_their_drafts_in_one_read(world: World) -> None:
    drafts = world.storage.drafts
    draft = await drafts.get_or_create(world.period.id, PHUOC_GIANG.code, at())
    await drafts.set_cursor(draft.id, world.lan.id, "carried_over", at(1))
    await drafts.set_cursor(draft.id, world.minh.id, "digitized", at(1))
    await drafts.set_status(draft.id, DraftStatus.SUBMITTED, at(2))
    found = await drafts.cursors_with_drafts(world.lan.id)
    assert [cursor for cursor, _ in found] == await drafts.cursors_of(world.lan.id)
    assert [d for _, d in found] == [await drafts.get(draft.id)]
    assert found[0][1].status == DraftStatus.SUBMITTED and found[0][0].field_id == "carried_over"
    assert await drafts.cursors_with_drafts(world.minh.id + 1000) == []

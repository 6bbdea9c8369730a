"""Faults on Zalo, through the sandbox's control API: a 429 waits as told and sends again, a 5xx
or an answer that never comes is tried again, getUpdates failing backs off and polls again, and a
user who cannot be reached holds no one else. The official's answer arrives every time and nothing
answered is lost."""

from __future__ import annotations

from typing import Any

from tests.e2e.zalo_world import ZALO_BINH, ZALO_LAN, field_of
from tests.zalo.conftest import ZaloWorld


async def _statuses(world: ZaloWorld, method: str) -> list[Any]:
    return [entry["status"] for entry in await world.client.zalo.requests(method=method)]


async def test_a_429_on_send_waits_and_sends_again(zalo_world: ZaloWorld) -> None:
    await zalo_world.client.zalo.inject_fault("sendMessage", "429", count=2, retry_after=1)
    question = await zalo_world.chat(ZALO_LAN).ask("/baocao", lambda m: field_of(m) is not None, timeout=15)
    assert field_of(question) == "carried_over"
    assert (await _statuses(zalo_world, "sendMessage"))[:3] == [429, 429, 200]


async def test_a_5xx_on_send_is_tried_again(zalo_world: ZaloWorld) -> None:
    for kind in ("500", "502"):
        await zalo_world.client.zalo.inject_fault("sendMessage", kind, count=1)
    lan = zalo_world.chat(ZALO_LAN)
    await lan.ask("/baocao", lambda m: field_of(m) is not None, timeout=15)
    answered = await lan.ask("53", lambda m: field_of(m) is not None)
    assert field_of(answered) == "received_online_full"
    assert (await _statuses(zalo_world, "sendMessage"))[:2] == [500, 502]


async def test_get_updates_failing_backs_off_and_polls_again(zalo_world: ZaloWorld) -> None:
    await zalo_world.client.zalo.inject_fault("getUpdates", "502", count=2)
    await zalo_world.client.zalo.inject_fault("getUpdates", "429", count=1, retry_after=1)
    question = await zalo_world.chat(ZALO_LAN).ask("/baocao", lambda m: field_of(m) is not None, timeout=20)
    assert field_of(question) == "carried_over"
    statuses = await _statuses(zalo_world, "getUpdates")
    assert 502 in statuses and 429 in statuses


async def test_slow_answers_and_timeouts_lose_nothing(zalo_world: ZaloWorld) -> None:
    lan = zalo_world.chat(ZALO_LAN)
    await zalo_world.client.zalo.inject_fault("sendMessage", "slow", count=1, delay=1.5)
    await lan.ask("/baocao", lambda m: field_of(m) is not None, timeout=15)
    # the answer to the next send never comes within the client's 3 s (and was not carried out)
    await zalo_world.client.zalo.inject_fault("sendMessage", "timeout", count=1, delay=4, executed=False)
    answered = await lan.ask("53", lambda m: field_of(m) is not None, timeout=20)
    assert field_of(answered) == "received_online_full"
    draft = (await zalo_world.storage.drafts.cursors_with_drafts(zalo_world.people["lan"].id))[0][1]
    assert await zalo_world.storage.drafts.values(draft.id) == {"carried_over": 53}


async def test_an_unreachable_user_holds_no_one_else(zalo_world: ZaloWorld) -> None:
    await zalo_world.client.zalo.set_unreachable(ZALO_BINH)
    await zalo_world.client.zalo.send_text(ZALO_BINH, "/baocao")  # the answer to Bình is refused (403)
    question = await zalo_world.chat(ZALO_LAN).ask("/baocao", lambda m: field_of(m) is not None, timeout=15)
    assert field_of(question) == "carried_over"
    assert 403 in await _statuses(zalo_world, "sendMessage")

"""Faults on Zalo, through the sandbox's control API: a 429 waits as told and sends again, a 5xx
or an answer that never comes is tried again, getUpdates failing backs off and polls again, and a
user who cannot be reached holds no one else. The official's answer arrives every time and nothing
answered is lost."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.clock import VN_TZ
from bot.domain.forms import load_form
from bot.domain.periods import current_open_period
from bot.reporting.periods import ensure_period
from tests.e2e.zalo_world import ZALO_BINH, ZALO_LAN, ZALO_SON, field_of, has
from tests.rollup import scenario as sc
from tests.rollup.conftest import FORM_PATH
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


async def test_an_unreachable_user_is_marked_and_holds_no_one_else(zalo_world: ZaloWorld) -> None:
    await zalo_world.client.zalo.set_unreachable(ZALO_BINH)
    await zalo_world.client.zalo.send_text(ZALO_BINH, "/baocao")  # the answer to Bình is refused (403)
    question = await zalo_world.chat(ZALO_LAN).ask("/baocao", lambda m: field_of(m) is not None, timeout=15)
    assert field_of(question) == "carried_over"
    assert 403 in await _statuses(zalo_world, "sendMessage")
    binh = await zalo_world.storage.people.get_by_zalo_id(ZALO_BINH)
    assert binh is not None and not binh.active  # marked like a Telegram user who blocked the bot
    await zalo_world.client.zalo.set_unreachable(ZALO_BINH, False)
    await zalo_world.chat(ZALO_BINH).ask("/baocao", lambda m: field_of(m) is not None, timeout=15)
    binh = await zalo_world.storage.people.get_by_zalo_id(ZALO_BINH)
    assert binh is not None and binh.active  # they wrote again: reachable


async def test_a_reporter_who_cannot_be_reached_is_marked_when_told(zalo_world: ZaloWorld) -> None:
    storage = zalo_world.storage
    form = load_form(FORM_PATH)
    period = await ensure_period(storage, current_open_period(form.period, datetime.now(VN_TZ)))
    submission = await storage.submissions.add_version(period.id, zalo_world.units["mine"].code,
                                                       sc.steady(40, 1, 12), {}, None, datetime.now(VN_TZ))
    await zalo_world.client.zalo.set_unreachable(ZALO_LAN)
    done = await zalo_world.chat(ZALO_SON).ask(f"/tralai {submission.id} Mục Khó khăn: ghi cụ thể hơn.",
                                              has("Đã trả lại"))
    assert "Đã báo cho 0 cán bộ" in done["text"], done["text"]
    lan = await storage.people.get_by_zalo_id(ZALO_LAN)
    assert lan is not None and not lan.active and lan.blocked_at is not None

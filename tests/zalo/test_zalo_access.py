"""Access on Zalo: the same rules as on Telegram, by any input. A Zalo official cannot reach another
commune's report — not by typing the keys of options offered to someone else (options are kept per
chat), not by an option row forged into their own chat (the journeys check the action again), not
by typing an action's encoded form, not by a supervisor's commands."""

from __future__ import annotations

import re
from datetime import datetime

from bot.chat.actions import PastReportFile, Submit, UseSuggestion, encode
from bot.chat.catalogue import say
from bot.clock import VN_TZ
from storage.chat_options import OfferedOption
from tests.e2e.zalo_world import ZALO_BINH, ZALO_LAN, ZALO_SON, field_of, has
from tests.rollup import scenario as sc
from tests.zalo.conftest import ZaloWorld


def draft_key(message: dict[str, str]) -> str:
    """The period key in a file name, from the week the message names ("Tuần 49/2026" → "2026-W49")."""
    found = re.search(r"Tuần (\d+)/(\d{4})", message["text"])
    assert found is not None
    return f"{found[2]}-W{found[1]}"


async def _lans_draft(world: ZaloWorld) -> int:
    [(cursor, draft)] = await world.storage.drafts.cursors_with_drafts(world.people["lan"].id)
    assert cursor.field_id == "carried_over"
    return draft.id


async def test_options_offered_to_someone_else_mean_nothing_in_another_chat(zalo_world: ZaloWorld) -> None:
    lan, binh = zalo_world.chat(ZALO_LAN), zalo_world.chat(ZALO_BINH)
    question = await lan.ask("/baocao", lambda m: field_of(m) is not None)
    assert "b = Tạm dừng" in question["text"]
    draft_id = await _lans_draft(zalo_world)

    for typed in ("b", "1", "2", "0", "tam dung"):  # Lan's keys and words, typed by Bình
        answer = await binh.ask(typed)
        assert "Phúc Lộc" not in answer["text"]
    assert await zalo_world.storage.drafts.values(draft_id) == {}  # nothing of Lan's changed
    [(cursor, _)] = await zalo_world.storage.drafts.cursors_with_drafts(zalo_world.people["lan"].id)
    assert cursor.mode == "answer" and cursor.field_id == "carried_over"  # not paused by Bình's «b»


async def test_a_forged_option_is_checked_again_by_the_journey(zalo_world: ZaloWorld) -> None:
    lan, binh = zalo_world.chat(ZALO_LAN), zalo_world.chat(ZALO_BINH)
    await lan.ask("/baocao", lambda m: field_of(m) is not None)
    draft_id = await _lans_draft(zalo_world)
    draft = await zalo_world.storage.drafts.get(draft_id)
    assert draft is not None
    mine = zalo_world.units["mine"].code
    await zalo_world.storage.submissions.add_version(draft.period_id, mine, sc.steady(40, 1, 12), {}, None,
                                                     datetime.now(VN_TZ))  # a report of Lan's, sent
    forged = [OfferedOption("1", "Gửi báo cáo", encode(Submit(draft_id))),
              OfferedOption("2", "Như kỳ trước", encode(UseSuggestion(draft_id, "carried_over"))),
              OfferedOption("3", "Tệp", encode(PastReportFile(draft.period_id, mine)))]
    for key in ("1", "2"):  # (an answer without options forgets the offer: it is forged again each time)
        await zalo_world.storage.chat_options.offer("zalo", ZALO_BINH, forged, datetime.now(VN_TZ))
        assert say("reporting.not_yours") in (await binh.ask(key))["text"]
    await zalo_world.storage.chat_options.offer("zalo", ZALO_BINH, forged, datetime.now(VN_TZ))
    assert (await binh.ask("3"))["text"] == say("reporting.not_yours")
    assert await zalo_world.storage.drafts.values(draft_id) == {}
    # the same option, Lan's own: her report's file (offered as a link once files are served)
    await lan.ask("/baocaocu", lambda m: "1 = " in (m["text"] or ""))
    sent = await lan.ask("1", has(".docx"), timeout=30)
    assert say("zalo.file_not_linked", name=f"BC-tuan-{draft_key(sent)}-xa-phuc-loc.docx") in sent["text"]


async def test_typed_action_data_and_supervisor_commands_are_refused(zalo_world: ZaloWorld) -> None:
    lan, binh = zalo_world.chat(ZALO_LAN), zalo_world.chat(ZALO_BINH)
    await lan.ask("/baocao", lambda m: field_of(m) is not None)
    draft_id = await _lans_draft(zalo_world)
    typed = await binh.ask(encode(Submit(draft_id)))  # an action's encoded form is only text
    assert "Phúc Lộc" not in typed["text"]
    code = zalo_world.units["mine"].code
    for command in (f"/xa {code}", "/xa Phúc Lộc", "/tonghop", "/chuanop", "/duyet 1", "/tralai 1 sai số",
                    f"/nhapthay {code}"):
        assert say("common.not_allowed") in (await binh.ask(command))["text"], command
    assert await zalo_world.storage.drafts.values(draft_id) == {}


async def test_a_zalo_supervisor_sees_only_their_province(zalo_world: ZaloWorld) -> None:
    son = zalo_world.chat(ZALO_SON)
    elsewhere = zalo_world.units["elsewhere"]
    card = await son.ask(f"/xa {elsewhere.code}")
    assert card["text"].startswith("Không tìm thấy xã, phường nào khớp") and "tỉnh của Anh/Chị" in card["text"]
    mine = await son.ask(f"/xa {zalo_world.units['mine'].code}", has("Phúc Lộc"))
    assert mine


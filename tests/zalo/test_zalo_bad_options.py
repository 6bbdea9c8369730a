"""Bad input on Zalo: a number typed that names none of the options offered is answered in
Vietnamese and the options stay (typed again right, they still work); on a question a letter
that names no option is a bad answer, said so, and nothing is saved."""

from __future__ import annotations

from bot.chat.actions import decode
from bot.chat.catalogue import say
from tests.e2e.zalo_world import ZALO_LAN, ZALO_SON, has, option_key, options
from tests.zalo.conftest import ZaloWorld


async def test_an_option_number_out_of_range_is_answered_and_the_options_kept(zalo_world: ZaloWorld) -> None:
    son = zalo_world.chat(ZALO_SON)
    menu = await son.ask("/xa phuc", has("Xã Phúc Lộc"))
    offered = options(menu)
    assert len(offered) == 4
    told = await son.ask("99")
    assert told["text"] == say("zalo_bad_input.no_such_option", key="99", keys="1, 2, 3, 4", example="1")
    assert len((await zalo_world.storage.chat_options.offered("zalo", ZALO_SON)).options) == 4
    card = await son.ask(option_key(menu, "Xã Phúc Lộc"), has("Phúc Lộc"))
    assert say("common.stray_text") not in card["text"]


async def test_a_letter_naming_no_option_on_a_question_saves_nothing(zalo_world: ZaloWorld) -> None:
    lan = zalo_world.chat(ZALO_LAN)
    question = await lan.ask("/baocao", has("Câu 1/"))
    assert "z" not in options(question).values()
    told = await lan.ask("z", has("Câu 1/"))
    assert "Chưa lưu" in told["text"]
    offer = await zalo_world.storage.chat_options.offered("zalo", ZALO_LAN)
    draft_id = next(decode(o.action).draft_id for o in offer.options  # type: ignore[union-attr]
                    if hasattr(decode(o.action), "draft_id"))
    assert await zalo_world.storage.drafts.values(draft_id) == {}
    assert "Câu 2/" in (await lan.ask("53", has("Câu 2/")))["text"]  # the question still takes its answer

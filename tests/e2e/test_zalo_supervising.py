"""The supervisor's journey on Zalo, end to end (the real bot process, the sandbox's Zalo side over
HTTP): /tonghop on the open period, /xa and its options, a return with its reason typed in chat —
the commune's reporter told on Zalo, with the option that opens the correction — and an approval."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import VN_TZ
from bot.domain.forms import load_form
from bot.domain.periods import current_open_period
from bot.notices.plan import effective_spec
from bot.reporting.periods import ensure_period
from storage import Storage
from storage.models import Role, SubmissionStatus, zalo_actor
from tests.e2e.botprocess import buttons
from tests.e2e.test_supervising_ux import ALWAYS_OPEN, open_period
from tests.e2e.zalo_world import (
    ZALO_BINH,
    ZALO_HA,
    ZALO_LAN,
    ZALO_SON,
    ZaloChat,
    has,
    option_key,
    seed_world,
    zalo_bot,
)
from tests.integration.seed import bind
from tests.rollup import scenario as sc
from tests.rollup.conftest import FORM_PATH

TELEGRAM_SUP, TELEGRAM_HUNG = 3401, 3402
ZALO_HUNG = "d00dd00dd00dd00dd00d"


async def test_supervisor_on_zalo_rolls_up_returns_and_approves(sandbox, tmp_path) -> None:
    server, client = sandbox
    database = tmp_path / "baocao.db"
    units = await seed_world(database)
    ids = {key: await _one_report(database, units, key) for key in ("mine", "other")}
    open_period(datetime.now(VN_TZ))

    async with zalo_bot(server.base_url, database) as bot:
        son, lan, binh = (ZaloChat(client.zalo, uid) for uid in (ZALO_SON, ZALO_LAN, ZALO_BINH))
        await son.join("Sơn")
        await lan.join("Lan")
        await binh.join("Bình")
        summary = await son.ask("/tonghop", has("TỔNG HỢP"), timeout=60)
        assert "Đã nộp 2/92" in summary["text"], summary["text"]

        card = await son.ask(f"/xa {units['mine'].code}", has("Trả lại để sửa"), timeout=30)
        asked = await son.ask("tra lai de sua", has("gửi lý do"))  # the option, by its words
        assert asked
        returned = await son.ask("Mục Hồ sơ kỳ trước chuyển sang chưa khớp.", has("Đã trả lại"))
        assert "Đã trả lại" in returned["text"]
        told = await lan.reply(has("trả lại để sửa"))  # the reporter, on Zalo, with the option to correct
        menu = await lan.ask(option_key(told, "Sửa báo cáo"), has("chọn mục"))
        assert "1 = " in menu["text"]

        card = await son.ask(f"/xa {units['other'].code}", has("Duyệt"), timeout=30)
        approved = await son.ask(option_key(card, "✔ Duyệt"), has("Đã duyệt"))
        assert "Đã báo cho 1 cán bộ" in approved["text"], approved["text"]
        assert "đã được tỉnh duyệt" in (await binh.reply(has("duyệt")))["text"]
        assert await bot.stop() == 0

    storage = await Storage.open(database)
    try:
        mine = await storage.submissions.get(ids["mine"])
        other = await storage.submissions.get(ids["other"])
        assert mine is not None and mine.status == SubmissionStatus.RETURNED
        assert other is not None and other.status == SubmissionStatus.APPROVED
    finally:
        await storage.close()


async def test_officials_on_both_messengers_one_rollup_and_each_told_on_their_own(sandbox, tmp_path) -> None:
    """A commune on Telegram and one on Zalo report the same week: the supervisor on either sees one
    rollup of both; a return from Zalo reaches the Telegram official on Telegram, an approval from
    Telegram reaches the Zalo official on Zalo."""
    server, client = sandbox
    database = tmp_path / "baocao.db"
    units = await seed_world(database)
    storage = await Storage.open(database)
    try:
        now = datetime.now(VN_TZ)
        await bind(storage, TELEGRAM_SUP, "Hoàng Minh Tuấn", Role.SUPERVISOR, units["province"], now)
        await bind(storage, TELEGRAM_HUNG, "Trần Văn Hùng", Role.REPORTER, units["third"], now)
    finally:
        await storage.close()
    ids = {key: await _one_report(database, units, key) for key in ("other", "third")}  # Bình's (Zalo), Hùng's (Telegram)

    async with zalo_bot(server.base_url, database) as bot:
        son, binh = ZaloChat(client.zalo, ZALO_SON), ZaloChat(client.zalo, ZALO_BINH)
        await son.join("Sơn")
        await binh.join("Bình")
        await client.add_user(TELEGRAM_SUP, "Tuấn", "Hoàng Minh")
        await client.add_user(TELEGRAM_HUNG, "Hùng", "Trần Văn")
        on_zalo = await son.ask("/tonghop", has("TỔNG HỢP"), timeout=60)
        sent = await client.send_text(TELEGRAM_SUP, "/tonghop")
        on_telegram = await client.wait_for_bot_message(TELEGRAM_SUP, after_message_id=sent["message_id"], timeout=60,
                                                        predicate=lambda m: "TỔNG HỢP" in (m.get("text") or ""))
        for summary in (on_zalo["text"], on_telegram["text"]):
            assert "Đã nộp 2/92" in summary, summary

        returned = await son.ask(f"/tralai {ids['third']} Mục Hồ sơ kỳ trước chuyển sang chưa khớp.",
                                 has("Đã trả lại"))
        assert "Đã trả lại" in returned["text"], returned["text"]
        told = await client.wait_for_bot_message(TELEGRAM_HUNG, after_message_id=0, timeout=20,
                                                 predicate=lambda m: "trả lại để sửa" in (m.get("text") or ""))
        assert any("Sửa báo cáo" in label for label, _ in buttons(told))  # a button, on Telegram

        sent = await client.send_text(TELEGRAM_SUP, f"/duyet {ids['other']}")
        await client.wait_for_bot_message(TELEGRAM_SUP, after_message_id=sent["message_id"], timeout=20,
                                          predicate=lambda m: "Đã duyệt" in (m.get("text") or ""))
        assert "đã được tỉnh duyệt" in (await binh.reply(has("duyệt")))["text"]  # on Zalo
        assert await bot.stop() == 0


async def _one_report(database, units, key: str = "mine") -> int:  # type: ignore[no-untyped-def]
    storage = await Storage.open(database)
    try:
        info = current_open_period(effective_spec(load_form(FORM_PATH).period, ALWAYS_OPEN), datetime.now(VN_TZ))
        period = await ensure_period(storage, info)
        version = await storage.submissions.add_version(period.id, units[key].code, sc.steady(40, 1, 12), {}, None,
                                                        period.opens_at + timedelta(minutes=5))
        return version.id
    finally:
        await storage.close()


async def test_the_return_reason_is_asked_across_a_kill_9_and_huy_cancels(sandbox, tmp_path) -> None:
    """Twin of the Telegram «Trả lại để sửa» journey: the reason awaited survives a kill -9 (it is in
    SQLite), a short one is asked again, the reporter is told on Zalo; /huy cancels another return."""
    server, client = sandbox
    database = tmp_path / "baocao.db"
    units = await seed_world(database)
    returned_id = await _one_report(database, units, "mine")
    kept_id = await _one_report(database, units, "other")
    async with zalo_bot(server.base_url, database) as bot:
        son, lan = ZaloChat(client.zalo, ZALO_SON), ZaloChat(client.zalo, ZALO_LAN)
        await son.join("Sơn")
        await lan.join("Lan")
        card = await son.ask(f"/xa {units['mine'].code}", has("Trả lại để sửa"), timeout=30)
        ask = await son.ask(option_key(card, "↩ Trả lại để sửa"), has("gửi lý do"))
        assert "/tralai" not in ask["text"] and "1 = ✖ Hủy" in ask["text"]
        bot.kill()  # between the choice and the reason, without warning
        bot.start()
        await son.ask("sai", has("Lý do quá ngắn"), timeout=40)  # too short: asked again, nothing returned
        done = await son.ask("Mục Hồ sơ kỳ trước chuyển sang chưa khớp.\nMục Khó khăn: ghi cụ thể hơn.",
                             has("Đã trả lại"))
        assert f"của {units['mine'].full_name} (lần 1). Đã báo cho 1 cán bộ của xã" in done["text"]
        told = await lan.reply(has("trả lại để sửa"))
        assert "Lý do: Mục Hồ sơ kỳ trước chuyển sang chưa khớp.\nMục Khó khăn: ghi cụ thể hơn." in told["text"]
        assert "1 = ✏ Sửa báo cáo" in told["text"]

        card = await son.ask(f"/xa {units['other'].code}", has("Trả lại để sửa"), timeout=30)
        await son.ask(option_key(card, "↩ Trả lại để sửa"), has("gửi lý do"))
        cancelled = await son.ask("/huy")
        assert "Đã trả lại" not in cancelled["text"]
        after = await son.ask("Cảm ơn.")  # no reason awaited any more: not taken as one
        assert "Đã trả lại" not in after["text"]
        assert await bot.stop() == 0

    storage = await Storage.open(database)
    try:
        returned = await storage.submissions.get(returned_id)
        kept = await storage.submissions.get(kept_id)
        assert returned is not None and returned.status == SubmissionStatus.RETURNED
        assert kept is not None and kept.status == SubmissionStatus.SUBMITTED
        assert await storage.return_asks.get(zalo_actor(ZALO_SON)) is None
    finally:
        await storage.close()


async def test_chuanop_on_zalo_and_its_nudge(sandbox, tmp_path) -> None:
    """Twin of /chuanop: the short list and «Nhắc ngay», chosen by its number, for reporters on both messengers
    (the notice itself goes out by the calendar's sender, out of quiet hours)."""
    server, client = sandbox
    database = tmp_path / "baocao.db"
    units = await seed_world(database)
    storage = await Storage.open(database)
    try:
        await bind(storage, TELEGRAM_HUNG, "Trần Văn Hùng", Role.REPORTER, units["third"], datetime.now(VN_TZ))
    finally:
        await storage.close()
    async with zalo_bot(server.base_url, database) as bot:
        son = ZaloChat(client.zalo, ZALO_SON)
        await son.join("Sơn")
        await client.add_user(TELEGRAM_HUNG, "Hùng", "Trần Văn")
        listing = await son.ask("/chuanop", has("Chưa nộp:"), timeout=30)
        assert "Chưa nộp: 92/92 xã, phường." in listing["text"]
        told = await son.ask(option_key(listing, "🔔 Nhắc ngay"), has("lời nhắc"))
        # Lan and Bình on Zalo, Hùng on Telegram: each recorded once (delivery by messenger: the notices)
        assert "Đã gửi lời nhắc tới 3 cán bộ của 3 xã, phường" in told["text"], told["text"]
        ha = ZaloChat(client.zalo, ZALO_HA)  # the admin's calendar, seen and changed from Zalo
        await ha.join("Hà")
        shown = await ha.ask("/lich", has("23:59"))
        assert "Chủ nhật" in shown["text"] or "chủ nhật" in shown["text"], shown["text"]
        assert await bot.stop() == 0


async def test_someone_on_both_messengers_is_told_on_the_one_used_last(sandbox, tmp_path) -> None:
    server, client = sandbox
    database = tmp_path / "baocao.db"
    units = await seed_world(database)
    storage = await Storage.open(database)
    try:
        hung = await bind(storage, TELEGRAM_HUNG, "Trần Văn Hùng", Role.REPORTER, units["third"], datetime.now(VN_TZ))
        await storage.db.execute("UPDATE people SET zalo_id = ? WHERE id = ?", (ZALO_HUNG, hung.id))  # linked
    finally:
        await storage.close()
    first = await _one_report(database, units, "third")
    async with zalo_bot(server.base_url, database) as bot:
        son, hung_zalo = ZaloChat(client.zalo, ZALO_SON), ZaloChat(client.zalo, ZALO_HUNG)
        await son.join("Sơn")
        await hung_zalo.join("Hùng")
        await client.add_user(TELEGRAM_HUNG, "Hùng", "Trần Văn")
        await hung_zalo.ask("/help")  # Hùng writes on Zalo: told there
        await son.ask(f"/tralai {first} Mục Hồ sơ kỳ trước chuyển sang chưa khớp.", has("Đã trả lại"))
        assert "1 = ✏ Sửa báo cáo" in (await hung_zalo.reply(has("trả lại để sửa")))["text"]

        second = await _one_report(database, units, "third")  # sent again
        sent = await client.send_text(TELEGRAM_HUNG, "/help")  # then on Telegram: told there
        await client.wait_for_bot_message(TELEGRAM_HUNG, after_message_id=sent["message_id"], timeout=20)
        await son.ask(f"/tralai {second} Mục Khó khăn: ghi cụ thể hơn.", has("Đã trả lại"))
        told = await client.wait_for_bot_message(TELEGRAM_HUNG, after_message_id=sent["message_id"], timeout=20,
                                                 predicate=lambda m: "trả lại để sửa" in (m.get("text") or ""))
        assert "ghi cụ thể hơn" in told["text"]
        assert await bot.stop() == 0
    storage = await Storage.open(database)
    try:
        person = await storage.people.get_by_zalo_id(ZALO_HUNG)
        assert person is not None and person.messenger == "telegram" and person.telegram_id == TELEGRAM_HUNG
    finally:
        await storage.close()

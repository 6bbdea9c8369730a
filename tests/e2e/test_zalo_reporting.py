"""The weekly report on Zalo, end to end: the real bot process (`python -m bot run` with the Zalo
channel) against the sandbox's Zalo side over HTTP — the twins of the Telegram journeys: every
question one at a time with the bot killed (-9) in the middle and restarted, the typed options
(by key, by words), review and submit, a correction; one-message entry with a soft check kept
with a reason."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

from bot.chat.catalogue import say
from bot.clock import VN_TZ
from storage import Storage
from storage.models import Submission
from tests.e2e.zalo_world import (
    ANSWERS,
    ZALO_LAN,
    ZaloChat,
    field_of,
    form,
    has,
    option_key,
    options,
    seed_world,
    zalo_bot,
)
from tests.integration.busy_week import BUSY_LINES, TEXT_LINES, TEXTS, seed_usual_weeks
from tests.integration.test_reporting_one_pass import BALANCED_LINES, REASON


async def test_a_week_on_zalo_one_question_at_a_time_survives_kill_9(sandbox, tmp_path) -> None:
    server, client = sandbox
    units = await seed_world(tmp_path / "baocao.db")
    async with zalo_bot(server.base_url, tmp_path / "baocao.db") as bot:
        lan = ZaloChat(client.zalo, ZALO_LAN)
        await lan.join("Lan")
        question = await lan.ask("/baocao", lambda m: field_of(m) is not None, timeout=30)
        assert "a = " in question["text"] and "Tạm dừng" in question["text"]  # a question's options: letters
        answered: list[str] = []
        for _ in range(40):
            field = field_of(question)
            if field is None:
                break
            await lan.say(ANSWERS[field])
            answered.append(field)
            question = await lan.reply(lambda m: field_of(m) is not None or "Gửi báo cáo" in (m["text"] or ""),
                                       timeout=40)
            if len(answered) == 5:
                # Killed mid-form, no warning (between two answers: an update Zalo handed out is
                # confirmed by that hand-out, so one taken by a process that dies is not sent again).
                bot.kill()
                bot.start()
                # the options offered before the kill are still known: pause by its letter, resume by its number
                paused = await lan.ask(option_key(question, "Tạm dừng"), has("Tiếp tục"), timeout=40)
                question = await lan.ask(option_key(paused, "Tiếp tục"), lambda m: field_of(m) is not None)
                assert field_of(question) == "resolved_early", (answered, question["text"], paused["text"])
        review = question
        assert answered[:3] == ["carried_over", "received_online_full", "received_online_partial"]
        assert len(answered) == len(ANSWERS), answered
        assert "1.794" in review["text"] and "2.692" in review["text"]
        assert option_key(review, "✔ Gửi báo cáo") == "1"  # the review's options: numbers

        done = await lan.ask("1", has("Đã gửi"))
        assert "lần 1" in done["text"]
        assert "Zalo không gửi được tệp" in (await lan.reply(has("Tệp")))["text"]  # the .docx: a link, later

        # a correction, choosing by words without diacritics: version 2
        review = await lan.ask("/baocao", has("Sửa báo cáo"))
        menu = await lan.ask("sua bao cao", has("chọn mục"))
        withdrawn = next(label for label in options(menu) if label.startswith(("Đã rút", "Rút")))
        ask = await lan.ask(option_key(menu, withdrawn), lambda m: field_of(m) == "withdrawn")
        assert options(ask)  # the question still offers its options, by letter
        review2 = await lan.ask("0", has("Gửi báo cáo"))  # a bare number is the answer, not an option
        done2 = await lan.ask(option_key(review2, "✔ Gửi báo cáo"), has("Đã gửi"))
        assert "lần 2" in done2["text"]
        assert await bot.stop() == 0

    storage = await Storage.open(tmp_path / "baocao.db")
    try:
        period = await storage.periods.current("tthc-weekly", datetime.now(VN_TZ))
        assert period is not None
        versions = await storage.submissions.versions(period.id, units["mine"].code)
        assert [v.version for v in versions] == [1, 2]
        assert versions[1].answers["received_online_full"] == 1794 and versions[1].answers["withdrawn"] == 0
        lan = await storage.people.get_by_zalo_id(ZALO_LAN)
        assert lan is not None and lan.messenger == "zalo"
    finally:
        await storage.close()


async def test_one_message_entry_with_warnings_kept_for_one_reason(sandbox, tmp_path) -> None:
    """Twin of the Telegram one-pass journey: the figures in one message, the texts one by one,
    three soft checks listed together and kept — chosen by the option's words — with one reason."""
    server, client = sandbox
    database = tmp_path / "baocao.db"
    units = await seed_world(database, always_open=False)
    storage = await Storage.open(database)
    try:
        await seed_usual_weeks(storage, form(), units["mine"], datetime.now(VN_TZ))
    finally:
        await storage.close()
    async with zalo_bot(server.base_url, database) as bot:
        lan = ZaloChat(client.zalo, ZALO_LAN)
        await lan.join("Lan")
        await lan.ask("/baocao", lambda m: field_of(m) is not None, timeout=30)
        shown = await lan.ask(BUSY_LINES.replace("chuyển sang: 48", "chuyển sang: 50"),
                              lambda m: field_of(m) is not None or bool(options(m)))
        while (field := field_of(shown)) is not None:
            shown = await lan.ask(TEXTS[field], lambda m: field_of(m) is not None or bool(options(m)))
        assert say("reporting_entry.warnings_title", count=3) in shown["text"], shown["text"]
        assert list(options(shown).values()) == ["1", "2", "3", "4"]
        assert list(options(shown)) == ["✏ Sửa mục 1", "✏ Sửa mục 2", "✏ Sửa mục 3", "Giữ nguyên tất cả, ghi một lý do"]
        asked = await lan.ask("giu nguyen tat ca, ghi mot ly do",  # the option's words, without diacritics
                              has(say("reporting_entry.ask_reason_all", count=3)))
        assert asked
        review = await lan.ask(REASON, has("Gửi báo cáo"))
        whole = await lan.answer_text()  # the review is over 2,000 characters: in parts, cut at line ends
        assert say("reporting_entry.reasons_kept", count=3) in whole and "BÁO CÁO TUẦN" in whole
        parts = [m["text"] for m in await client.zalo.bot_messages(ZALO_LAN, since=lan.asked)]
        assert len(parts) >= 2 and all(len(part) <= 2000 for part in parts)
        done = await lan.ask(option_key(review, "Gửi báo cáo"), has("Đã gửi"))
        assert "lần 1" in done["text"]
        reviews = [m for m in await client.zalo.bot_messages(ZALO_LAN) if "BÁO CÁO TUẦN" in (m["text"] or "")]
        assert len(reviews) == 1  # the review was shown once, and sent at its first «Gửi báo cáo»
        assert await bot.stop() == 0
    submission = await _latest_submission(database, units["mine"].code)
    assert {k: str(v) for k, v in submission.explanations.items()} == {
        "balance": REASON, "continuity": REASON, "outlier:received_online_full": REASON}


async def test_an_update_taken_by_a_process_killed_is_handled_at_the_next_start(sandbox, tmp_path) -> None:
    """Zalo confirms an update by handing it out: the bot keeps it in SQLite until it is handled,
    so a kill -9 while its answer is on the way loses nothing — the next start handles it again."""
    server, client = sandbox
    await seed_world(tmp_path / "baocao.db")
    async with zalo_bot(server.base_url, tmp_path / "baocao.db") as bot:
        lan = ZaloChat(client.zalo, ZALO_LAN)
        await lan.join("Lan")
        await lan.ask("/baocao", lambda m: field_of(m) is not None, timeout=30)
        # the answer to the next message never comes back (and is not carried out)
        await client.zalo.inject_fault("sendMessage", "timeout", count=1, delay=15, executed=False)
        before = len(await client.zalo.requests(method="sendMessage"))
        await lan.say("53")
        for _ in range(100):  # until the bot is waiting for Zalo's answer to its reply
            if len(await client.zalo.requests(method="sendMessage")) > before:
                break
            await asyncio.sleep(0.05)
        bot.kill()
        bot.start()
        question = await lan.reply(lambda m: field_of(m) is not None, timeout=40)
        assert field_of(question) == "received_online_full"  # «53» was kept: the form goes on
        assert await bot.stop() == 0
    storage = await Storage.open(tmp_path / "baocao.db")
    try:
        person = await storage.people.get_by_zalo_id(ZALO_LAN)
        assert person is not None
        [(_, draft)] = await storage.drafts.cursors_with_drafts(person.id)
        assert await storage.drafts.values(draft.id) == {"carried_over": 53}
        assert await storage.inbox.left("zalo") == []
    finally:
        await storage.close()


async def test_labelled_lines_before_baocao_fill_the_report(sandbox, tmp_path) -> None:
    """Twin of the Telegram one-message entry before /baocao: figures and texts in one message."""
    server, client = sandbox
    database = tmp_path / "baocao.db"
    units = await seed_world(database, always_open=False)
    async with zalo_bot(server.base_url, database) as bot:
        lan = ZaloChat(client.zalo, ZALO_LAN)
        await lan.join("Lan")
        await lan.ask("/help", has(say("zalo.help_options")), timeout=30)
        assert say("reporting_entry.help_one_message") in await lan.answer_text()
        review = await lan.ask(f"{BALANCED_LINES}\n{TEXT_LINES}", has("Gửi báo cáo"))  # no /baocao first
        assert (await lan.answer_text()).startswith("Đã điền 19 mục")
        done = await lan.ask(option_key(review, "Gửi báo cáo"), has("Đã gửi"))
        assert "lần 1" in done["text"]
        assert await bot.stop() == 0
    submission = await _latest_submission(database, units["mine"].code)
    assert submission.answers["resources"] == "03 công chức tiếp nhận; 01 công chức kiêm nhiệm."


async def _latest_submission(database: Path, code: str) -> Submission:
    """The commune's latest report of the open week, read after the bot stopped."""
    storage = await Storage.open(database)
    try:
        period = await storage.periods.current("tthc-weekly", datetime.now(VN_TZ))
        assert period is not None
        submission = await storage.submissions.latest(period.id, code)
        assert submission is not None
        return submission
    finally:
        await storage.close()

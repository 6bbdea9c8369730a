"""Issue 16, officials' items 1–3, end to end: the bot as a process (`python -m bot run`) and an official
in the sandbox. Several warnings asked together and one reason for them all, a busy week's high
figures asked once, and "label: value" lines sent before /baocao, texts included."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from bot.chat.catalogue import say
from bot.clock import VN_TZ
from bot.domain.forms import load_forms
from sandbox import SandboxClient
from storage import Storage
from tests.e2e.botprocess import ROOT, BotProcess, buttons
from tests.e2e.test_reporting_journey import LAN, field_of, seed
from tests.integration.busy_week import BUSY_LINES, TEXT_LINES, TEXTS, seed_usual_weeks
from tests.integration.test_reporting_one_pass import BALANCED_LINES, REASON

Message = dict[str, Any]


async def _begin(client: SandboxClient, bot_process: BotProcess, *, history: bool) -> None:
    token = await seed(bot_process.database)
    if history:
        storage = await Storage.open(bot_process.database)
        try:
            unit = (await storage.units.search("phuc loc", province_code="19"))[0]
            form = load_forms(ROOT / "templates" / "forms")["tthc-weekly"]
            await seed_usual_weeks(storage, form, unit, datetime.now(VN_TZ))
        finally:
            await storage.close()
    bot_process.start()
    await client.add_user(LAN, "Lan", "Nguyễn Thị")
    await client.send_text(LAN, f"/start {token}")
    await client.wait_for_bot_message(LAN, timeout=30)


def _has(label: str) -> Any:
    return lambda m: any(label in text for text, _ in buttons(m))


async def _after_texts(client: SandboxClient, lines: str) -> Message:
    """/baocao, the figures in one message, the texts one by one: the screen after the last text."""
    await client.send_text(LAN, "/baocao")
    shown = await client.wait_for_bot_message(LAN, timeout=30, predicate=lambda m: field_of(m) is not None)
    await client.send_text(LAN, lines)
    for _ in range(10):
        shown = await client.wait_for_bot_message(
            LAN, after_message_id=shown["message_id"], timeout=30,
            predicate=lambda m: field_of(m) is not None or bool(buttons(m)))
        field = field_of(shown)
        if field is None:
            return shown
        await client.send_text(LAN, TEXTS[field])
    raise AssertionError("the texts were never all asked")


async def _tap(client: SandboxClient, shown: Message, label: str, predicate: Any) -> Message:
    data = next(d for text, d in buttons(shown) if label in text)
    await client.tap(LAN, shown["message_id"], data=data)
    return await client.wait_for_bot_message(LAN, after_message_id=shown["message_id"], timeout=30,
                                             predicate=predicate)


def _text(predicate_text: str) -> Any:
    return lambda m: predicate_text in (m.get("text") or "")


async def _submission(database: Path) -> Any:
    storage = await Storage.open(database)
    try:
        unit = (await storage.units.search("phuc loc", province_code="19"))[0]
        period = await storage.periods.current("tthc-weekly", datetime.now(VN_TZ))
        return await storage.submissions.latest(period.id, unit.code)
    finally:
        await storage.close()


async def test_several_warnings_one_reason_one_review(sandbox, bot_process: BotProcess) -> None:
    _, client = sandbox
    await _begin(client, bot_process, history=True)
    shown = await _after_texts(client, BUSY_LINES.replace("chuyển sang: 48", "chuyển sang: 50"))
    assert say("reporting_entry.warnings_title", count=3) in shown["text"], shown["text"]
    assert [text for text, _ in buttons(shown)] == ["✏ Sửa mục 1", "✏ Sửa mục 2", "✏ Sửa mục 3",
                                                    "Giữ nguyên tất cả, ghi một lý do"]
    asked = await _tap(client, shown, "Giữ nguyên tất cả", _text(say("reporting_entry.ask_reason_all", count=3)))
    await client.send_text(LAN, REASON)
    review = await client.wait_for_bot_message(LAN, after_message_id=asked["message_id"], timeout=30,
                                               predicate=_has("Gửi báo cáo"))
    assert say("reporting_entry.reasons_kept", count=3) in review["text"]
    done = await _tap(client, review, "Gửi báo cáo", _text("Đã gửi"))
    assert "lần 1" in done["text"]
    reviews = [m for m in await client.bot_messages(LAN) if "BÁO CÁO TUẦN" in (m.get("text") or "")]
    assert len(reviews) == 1  # the review was shown once, and sent at its first «Gửi báo cáo»
    assert await bot_process.stop() == 0
    submission = await _submission(bot_process.database)
    assert {k: str(v) for k, v in submission.explanations.items()} == {
        "balance": REASON, "continuity": REASON, "outlier:received_online_full": REASON}


async def test_a_busy_week_is_one_outlier_question(sandbox, bot_process: BotProcess) -> None:
    _, client = sandbox
    await _begin(client, bot_process, history=True)
    shown = await _after_texts(client, BUSY_LINES)
    assert shown["text"].count("⚠") == 1 and "6 số cùng cao hơn thường lệ" in shown["text"], shown["text"]
    assert [text for text, _ in buttons(shown)] == ["Sửa", "Giữ nguyên, ghi lý do"]
    asked = await _tap(client, shown, "Giữ nguyên", _text(say("reporting.ask_reason")))
    await client.send_text(LAN, REASON)
    review = await client.wait_for_bot_message(LAN, after_message_id=asked["message_id"], timeout=30,
                                               predicate=_has("Gửi báo cáo"))
    done = await _tap(client, review, "Gửi báo cáo", _text("Đã gửi"))
    assert "lần 1" in done["text"]
    assert await bot_process.stop() == 0
    assert list((await _submission(bot_process.database)).explanations) == ["outlier:received_online_full"]


async def test_labelled_lines_before_baocao_fill_the_report(sandbox, bot_process: BotProcess) -> None:
    _, client = sandbox
    await _begin(client, bot_process, history=False)
    await client.send_text(LAN, "/help")
    helped = await client.wait_for_bot_message(LAN, timeout=30, predicate=_text("/baocao"))
    assert say("reporting_entry.help_one_message") in helped["text"]
    await client.send_text(LAN, f"{BALANCED_LINES}\n{TEXT_LINES}")  # no /baocao first
    review = await client.wait_for_bot_message(LAN, after_message_id=helped["message_id"], timeout=30,
                                               predicate=_has("Gửi báo cáo"))
    assert review["text"].startswith("Đã điền 19 mục") and "Không nhận ra" not in review["text"]
    done = await _tap(client, review, "Gửi báo cáo", _text("Đã gửi"))
    assert "lần 1" in done["text"]
    assert await bot_process.stop() == 0
    answers = (await _submission(bot_process.database)).answers
    assert answers["overdue_reasons"] == "Chờ ý kiến của cơ quan thuế: 02 hồ sơ đất đai."
    assert answers["resources"] == "03 công chức tiếp nhận; 01 công chức kiêm nhiệm."

"""Honest blanks end to end (issue 15, item 3): the bot as a process and an official in the
sandbox taps «Không có số liệu» for the full-online split, types "-" for the partial one, gives the
online total, types "không rõ" for digitization, sends the report, and gets a .docx that says
"chưa có số liệu" rather than "0 hồ sơ, chiếm 0,00%"."""

from __future__ import annotations

import asyncio
import io

from docx import Document

from bot.chat.catalogue import say
from tests.e2e.botprocess import BotProcess, buttons
from tests.e2e.test_reporting_journey import ANSWERS, LAN, field_of, seed

TYPED = {**ANSWERS, "received_online_partial": "-", "received_online": "2.681", "digitized": "không rõ"}


async def test_blanks_through_the_sandbox(sandbox, bot_process: BotProcess) -> None:
    _, client = sandbox
    token = await seed(bot_process.database)
    bot_process.start()
    await client.add_user(LAN, "Lan", "Nguyễn Thị")
    await client.send_text(LAN, f"/start {token}")
    await client.wait_for_bot_message(LAN, timeout=30)
    await client.send_text(LAN, "/baocao")
    question = await client.wait_for_bot_message(LAN, timeout=15, predicate=lambda m: field_of(m) is not None)
    asked: list[str] = []
    for _ in range(40):
        field = field_of(question)
        if field is None:
            break
        asked.append(field)
        if field == "received_online_full":
            blank = next(data for label, data in buttons(question) if label == say("blanks.button"))
            await client.tap(LAN, question["message_id"], data=blank)
        else:
            await client.send_text(LAN, TYPED[field])
        question = await client.wait_for_bot_message(
            LAN, after_message_id=question["message_id"], timeout=30,
            predicate=lambda m: field_of(m) is not None or "Gửi báo cáo" in str(buttons(m)))
    assert "received_online" in asked
    review = question["text"]
    assert "không có số liệu" in review and say("blanks.checks_skipped", figures="«Số hóa»") in review

    await client.tap(LAN, question["message_id"], data=next(d for label, d in buttons(question) if "Gửi báo cáo" in label))
    await client.wait_for_bot_message(LAN, after_message_id=question["message_id"], timeout=15,
                                      predicate=lambda m: "Đã gửi" in (m.get("text") or ""))
    documents: list[dict] = []
    for _ in range(100):
        documents = [m for m in await client.bot_messages(LAN) if m.get("document")]
        if documents:
            break
        await asyncio.sleep(0.1)
    assert documents
    text = "\n".join(p.text for p in Document(io.BytesIO(await client.download(documents[-1]["document"]["file_id"]))).paragraphs)
    assert "trực tuyến 2.681 hồ sơ" in text and "(chưa có số liệu toàn trình, một phần)" in text
    assert "Hồ sơ được số hóa: chưa có số liệu" in text
    assert "chiếm 0,00%" not in text.split("bưu chính")[0]
    assert await bot_process.stop() == 0
    assert "Traceback" not in bot_process.output()

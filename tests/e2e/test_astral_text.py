"""An official whose name and every text answer hold emoji and other characters beyond the Basic
Multilingual Plane ("𝔸", "👍🏽"): Telegram counts those as two UTF-16 units each, so a review that
is under 4,096 characters can be over 4,096 units. Through the sandbox (which refuses what Telegram
refuses): every question, a kept soft check with such a reason, the review and its details, «Gửi báo cáo»,
the .docx."""

from __future__ import annotations

import asyncio

from bot.domain.message_length import MAX_TEXT, utf16_len
from tests.e2e.botprocess import BotProcess, buttons
from tests.e2e.test_reporting_journey import ANSWERS, field_of, seed

LAN = 2101
ASTRAL = "𝔸😀👍🏽 "  # 5 characters, 9 UTF-16 units
TEXT = (ASTRAL * 200)[:2000].strip()  # the form's limit for a text: 2,000 characters
REASON = (ASTRAL * 80)[:990].strip()
COUNTS = {**ANSWERS, "withdrawn": "5"}  # unbalanced by 5: the soft check fires


def is_step(message: dict) -> bool:
    labels = str(buttons(message))
    return field_of(message) is not None or "Gửi báo cáo" in labels or "Giữ nguyên, ghi lý do" in labels \
        or "lý do giữ nguyên số liệu" in message.get("text", "")


async def test_an_official_with_emoji_everywhere_submits_and_gets_the_review_and_the_docx(
        sandbox, bot_process: BotProcess) -> None:
    _, client = sandbox
    token = await seed(bot_process.database)
    bot_process.start()
    await client.add_user(LAN, "𝔸nh 👍🏽", "Nguyễn 😀")
    await client.send_text(LAN, f"/start {token}")
    await client.wait_for_bot_message(LAN, timeout=30)
    await client.send_text(LAN, "/baocao")
    step = await client.wait_for_bot_message(LAN, timeout=10, predicate=lambda m: field_of(m) is not None)
    texts = 0
    for _ in range(40):
        labels = str(buttons(step))
        if "Gửi báo cáo" in labels:
            break
        if "Giữ nguyên, ghi lý do" in labels:
            await client.tap(LAN, step["message_id"], text="Giữ nguyên, ghi lý do")
        elif field_of(step) is None:  # asked for the reason
            await client.send_text(LAN, REASON)
        else:
            field = field_of(step)
            is_text = not COUNTS[field][0].isdigit()
            texts += is_text
            await client.send_text(LAN, TEXT if is_text else COUNTS[field])
        step = await client.wait_for_bot_message(LAN, after_message_id=step["message_id"], timeout=20,
                                                 predicate=is_step)
    assert "Gửi báo cáo" in str(buttons(step)), bot_process.output()[-3000:]
    assert texts >= 5
    review = [m for m in await client.bot_messages(LAN)
              if step["message_id"] - 5 < m["message_id"] <= step["message_id"] and m.get("text")]
    shown = "\n".join(m["text"] for m in review)
    assert "𝔸😀👍🏽 𝔸😀" in shown and "Lý do: 𝔸😀👍🏽" in shown
    assert all(utf16_len(m["text"]) <= MAX_TEXT for m in review)
    # The review fits a phone screen; its details show every text up to 200 characters (360 units
    # here), in as many parts as Telegram's limit needs, the choices under the last.
    await client.tap(LAN, step["message_id"], text="Xem chi tiết")
    last = await client.wait_for_bot_message(LAN, after_message_id=step["message_id"], timeout=15,
                                             predicate=lambda m: "Gửi báo cáo" in str(buttons(m)))
    details = [m for m in await client.bot_messages(LAN)
               if step["message_id"] < m["message_id"] <= last["message_id"] and m.get("text")]
    long_text = (ASTRAL * 40)[:150]  # shown in the details only: the review cuts texts at 60
    assert long_text not in step["text"].split("BÁO CÁO", 1)[1] and long_text in "\n".join(m["text"] for m in details)
    assert all(utf16_len(m["text"]) <= MAX_TEXT for m in details)
    step = last

    await client.tap(LAN, step["message_id"], text="✔ Gửi báo cáo")
    done = await client.wait_for_bot_message(LAN, after_message_id=step["message_id"], timeout=15,
                                             predicate=lambda m: "Đã gửi" in (m.get("text") or ""))
    assert "lần 1" in done["text"]
    for _ in range(100):
        documents = [m for m in await client.bot_messages(LAN) if m.get("document")]
        if documents:
            break
        await asyncio.sleep(0.1)
    assert documents and documents[-1]["document"]["file_name"].endswith(".docx")
    assert await bot_process.stop() == 0
    assert "Traceback" not in bot_process.output() and "message is too long" not in bot_process.output()

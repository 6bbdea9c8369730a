"""The kinds beyond counts and texts end to end: the bot as a process (`python -m bot run`) built on
a templates folder holding only a small third form (FORMS_DIR, TEMPLATES_DIR), an official in the
sandbox answering a decimal with its unit, a percentage, a choice by its button, a target, a table
asked row by row («0» as a button), a table of rows with «Xong», then the review and the .docx of the report sent."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

from docx import Document as WordDocument

from bot.administering.tokens import create_invite
from bot.chat.catalogue import say
from bot.clock import VN_TZ
from sandbox import SandboxClient
from storage import Storage
from storage.models import Role
from tests.e2e.botprocess import BotProcess, buttons
from tests.integration.seed import load_units
from tests.integration.third_form import write_third_form

LAN = 2301
Message = dict[str, Any]


async def _seed(database: Path) -> str:
    storage = await Storage.open(database)
    try:
        communes = await load_units(storage)
        unit = next(u for u in communes if u.name == "Phúc Lộc")
        token, _ = await create_invite(storage, Role.REPORTER, unit, created_by=None, now=datetime.now(VN_TZ))
        return token
    finally:
        await storage.close()


async def _next(client: SandboxClient, after: Message, contains: str) -> Message:
    return await client.wait_for_bot_message(LAN, after_message_id=after["message_id"], timeout=30,
                                             predicate=lambda m: contains in (m.get("text") or ""))


async def _say(client: SandboxClient, after: Message, text: str, contains: str) -> Message:
    await client.send_text(LAN, text)
    return await _next(client, after, contains)


async def _tap(client: SandboxClient, shown: Message, label: str, contains: str) -> Message:
    data = next(d for text, d in buttons(shown) if text == label)
    assert len(data.encode()) <= 64
    await client.tap(LAN, shown["message_id"], data=data)
    return await _next(client, shown, contains)


async def test_an_official_answers_every_kind_of_a_third_form_in_the_sandbox(
        sandbox: Any, bot_process: BotProcess, tmp_path: Path) -> None:
    _, client = sandbox
    bot_process.templates = write_third_form(tmp_path / "templates")
    token = await _seed(bot_process.database)
    bot_process.start()
    await client.add_user(LAN, "Lan", "Nguyễn Thị")
    await client.send_text(LAN, f"/start {token}")
    welcome = await client.wait_for_bot_message(LAN, timeout=30)
    await client.send_text(LAN, "/baocao")
    shown = await _next(client, welcome, "Số hộ được cấp nước sạch")
    shown = await _say(client, shown, "1.250", "Kinh phí đã chi")
    assert "Anh/Chị vui lòng nhập số liệu (triệu đồng), ví dụ: 556 hoặc 12,5." in shown["text"]
    shown = await _say(client, shown, "mười hai", "không phải là một số")
    shown = await _say(client, shown, "12,5", "Tỷ lệ mẫu nước đạt chuẩn")
    assert "12,5 triệu đồng" in shown["text"]
    shown = await _say(client, shown, "96,4", "Tình trạng nhà máy nước")
    assert [text for text, _ in buttons(shown)][:3] == ["Hoạt động bình thường", "Đang sửa chữa", "Ngừng hoạt động"]
    shown = await _tap(client, shown, "Đang sửa chữa", "Tỷ lệ hộ dùng nước sạch")
    assert "Chỉ tiêu ≥ 98%." in shown["text"]
    shown = await _say(client, shown, "98,5", "Mục 1/2: Số giếng đã kiểm tra")
    shown = await _tap(client, shown, say("reporting.zero"), "Mục 2/2: Số bể chứa đã vệ sinh")
    shown = await _say(client, shown, "3", "Công trình đang thi công")
    shown = await _say(client, shown, "Trạm bơm Khe Mo | Đang thi công\nBể lọc xóm Na | Đã hoàn thành",
                       "Đã nhập 2 dòng")
    review = await _tap(client, shown, say("kinds_chat.finish"), "Nhà máy Đang sửa chữa")
    for line in ("Kinh phí 12,5 triệu đồng", "Mẫu đạt chuẩn 96,4%", "Hộ dùng nước sạch 98,5% (mục tiêu ≥ 98%: đạt)",
                 "Kiểm tra 2/2 mục", "Công trình 2 dòng"):
        assert line in review["text"]
    data = next(d for text, d in buttons(review) if text == say("reporting.submit"))
    await client.tap(LAN, review["message_id"], data=data)
    sent = await client.wait_for_bot_message(LAN, after_message_id=review["message_id"], timeout=60,
                                             predicate=lambda m: "document" in m)
    content = await client.download(sent["document"]["file_id"])
    paragraphs = [p.text for p in WordDocument(io.BytesIO(content)).paragraphs]
    assert "Kinh phí đã chi: 12,5 triệu đồng" in paragraphs
    assert "Công trình 2: Bể lọc xóm Na (Đã hoàn thành)" in paragraphs
    assert await bot_process.stop() == 0

"""The whole reporting journey end to end: invitation → /start → every question → review → submit
→ correct, with the bot process killed (-9) in the middle of the form and restarted."""

from __future__ import annotations

from datetime import datetime

from bot.administering.tokens import create_invite
from bot.clock import VN_TZ
from storage import Storage
from storage.models import Role
from tests.e2e.botprocess import BotProcess, buttons
from tests.integration.seed import load_units

LAN = 2001
ANSWERS = {
    "carried_over": "53", "received_online_full": "1.794", "received_online_partial": "887",
    "received_in_person": "11", "received_postal": "0", "resolved_early": "2.000", "resolved_on_time": "600",
    "resolved_late": "2", "pending_in_time": "140", "pending_overdue": "3", "withdrawn": "0",
    "digitized": "2.692", "e_results": "2.500", "overdue_reasons": "Chờ ý kiến của cơ quan liên quan.",
    "legal": "Đã ban hành kế hoạch.", "infrastructure": "Thiếu máy scan.", "resources": "03 công chức.",
    "difficulties": "Mạng chập chờn.", "proposals": "Hỗ trợ kinh phí.",
}


def field_of(message: dict) -> str | None:
    for _, data in buttons(message):
        parts = data.split(":")
        if len(parts) == 4 and parts[2] in {"z", "s", "n", "k"}:
            return parts[3]
    return None


async def seed(database) -> str:
    storage = await Storage.open(database)
    try:
        communes = await load_units(storage)
        unit = next(u for u in communes if u.name == "Phúc Lộc")
        token, _ = await create_invite(storage, Role.REPORTER, unit, created_by=None, now=datetime.now(VN_TZ))
        return token
    finally:
        await storage.close()


async def test_journey_survives_kill_9(sandbox, bot_process: BotProcess) -> None:
    _, client = sandbox
    token = await seed(bot_process.database)
    bot_process.start()
    await client.add_user(LAN, "Lan", "Nguyễn Thị")
    await client.send_text(LAN, f"/start {token}")
    welcome = await client.wait_for_bot_message(LAN, timeout=30)
    assert "Xã Phúc Lộc" in welcome["text"]

    await client.send_text(LAN, "/baocao")
    question = await client.wait_for_bot_message(LAN, timeout=10, predicate=lambda m: field_of(m) is not None)
    answered: list[str] = []
    for _ in range(40):
        field = field_of(question)
        if field is None:
            break
        await client.send_text(LAN, ANSWERS[field])
        answered.append(field)
        if len(answered) == 5:
            bot_process.kill()  # mid-form, no warning
            bot_process.start()
        question = await client.wait_for_bot_message(
            LAN, after_message_id=question["message_id"], timeout=30,
            predicate=lambda m: field_of(m) is not None or "Gửi báo cáo" in str(buttons(m)),
        )
    assert "Gửi báo cáo" in str(buttons(question)), question["text"]
    assert answered[:6] == ["carried_over", "received_online_full", "received_online_partial",
                            "received_in_person", "received_postal", "resolved_early"]
    assert "1.794" in question["text"] and "2.692" in question["text"]

    submit = next(data for label, data in buttons(question) if "Gửi báo cáo" in label)
    await client.tap(LAN, question["message_id"], data=submit)
    done = await client.wait_for_bot_message(LAN, after_message_id=question["message_id"], timeout=10,
                                             predicate=lambda m: "Đã gửi" in (m.get("text") or ""))
    assert "lần 1" in done["text"]

    # correct one figure: version 2
    await client.send_text(LAN, "/baocao")
    review = await client.wait_for_bot_message(LAN, after_message_id=done["message_id"], timeout=10,
                                               predicate=lambda m: "Sửa báo cáo" in str(buttons(m)))
    await client.tap(LAN, review["message_id"], text="Sửa báo cáo")
    menu = await client.wait_for_bot_message(LAN, after_message_id=review["message_id"], timeout=10,
                                             predicate=lambda m: "chọn mục" in (m.get("text") or ""))
    target = next(label for label, _ in buttons(menu) if label.startswith("Đã rút") or label.startswith("Rút"))
    await client.tap(LAN, menu["message_id"], text=target)
    ask = await client.wait_for_bot_message(LAN, after_message_id=menu["message_id"], timeout=10,
                                            predicate=lambda m: field_of(m) == "withdrawn")
    await client.send_text(LAN, "0")
    review2 = await client.wait_for_bot_message(LAN, after_message_id=ask["message_id"], timeout=10,
                                                predicate=lambda m: "Gửi báo cáo" in str(buttons(m)))
    await client.tap(LAN, review2["message_id"], text="✔ Gửi báo cáo")
    done2 = await client.wait_for_bot_message(LAN, after_message_id=review2["message_id"], timeout=10,
                                              predicate=lambda m: "Đã gửi" in (m.get("text") or ""))
    assert "lần 2" in done2["text"]
    assert await bot_process.stop() == 0

    storage = await Storage.open(bot_process.database)
    try:
        period = await storage.periods.current("tthc-weekly", datetime.now(VN_TZ))
        unit = (await storage.units.search("phuc loc", province_code="19"))[0]
        versions = await storage.submissions.versions(period.id, unit.code)
        assert [v.version for v in versions] == [1, 2]
        assert versions[1].answers["received_online_full"] == 1794
        assert len(versions[1].answers) == len(ANSWERS)
    finally:
        await storage.close()

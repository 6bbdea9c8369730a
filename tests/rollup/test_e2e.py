"""Approval and return end to end: the real bot process (`python -m bot run`) against the sandbox.
A supervisor returns a commune's report with a reason, the reporter is told, corrects it and sends it
again; the supervisor approves the new version and the reporter is told."""

from __future__ import annotations

from datetime import datetime

from bot.administering.tokens import create_invite
from bot.clock import VN_TZ
from storage import Storage
from storage.models import Role, SubmissionStatus
from tests.e2e.botprocess import BotProcess, buttons
from tests.integration.seed import load_units
from tests.rollup import scenario as sc
from tests.rollup.conftest import FORM_PATH
from tests.rollup.generate import seed_period

SUPERVISOR, REPORTER = 3101, 3102


async def seed(database) -> tuple[str, str, str, int]:
    from bot.domain.forms import load_form

    storage = await Storage.open(database)
    try:
        communes = await load_units(storage)
        unit = communes[40]
        now = datetime.now(VN_TZ)
        supervisor, _ = await create_invite(storage, Role.SUPERVISOR, await storage.units.get("19"), created_by=None,
                                            now=now)
        reporter, _ = await create_invite(storage, Role.REPORTER, unit, created_by=None, now=now)
        seeded = await seed_period(storage, load_form(FORM_PATH), sc.WEEK, {unit.code: sc.steady(40, 1, 12)})
        submission = await storage.submissions.latest(seeded.period.id, unit.code)
        assert submission is not None
        return supervisor, reporter, unit.code, submission.id
    finally:
        await storage.close()


async def test_return_correct_resubmit_approve(sandbox, bot_process: BotProcess) -> None:
    _, client = sandbox
    supervisor_token, reporter_token, code, submission_id = await seed(bot_process.database)
    bot_process.start()
    await client.add_user(SUPERVISOR, "Sơn", "Trần Văn")
    await client.add_user(REPORTER, "Lan", "Nguyễn Thị")
    await client.send_text(SUPERVISOR, f"/start {supervisor_token}")
    await client.wait_for_bot_message(SUPERVISOR, timeout=30, predicate=lambda m: "theo dõi" in (m.get("text") or ""))
    await client.send_text(REPORTER, f"/start {reporter_token}")
    await client.wait_for_bot_message(REPORTER, timeout=10, predicate=lambda m: "cán bộ báo cáo" in (m.get("text") or ""))

    await client.send_text(SUPERVISOR, f"/tralai {submission_id} Khó khăn ghi chưa rõ, đề nghị ghi cụ thể.")
    told = await client.wait_for_bot_message(REPORTER, timeout=10,
                                             predicate=lambda m: "trả lại để sửa" in (m.get("text") or ""))
    assert "Lý do: Khó khăn ghi chưa rõ" in told["text"]
    await client.tap(REPORTER, told["message_id"], text="✏ Sửa báo cáo")
    menu = await client.wait_for_bot_message(REPORTER, after_message_id=told["message_id"], timeout=10,
                                             predicate=lambda m: "chọn mục" in (m.get("text") or ""))
    target = next(label for label, _ in buttons(menu) if label.startswith("Khó khăn"))
    await client.tap(REPORTER, menu["message_id"], text=target)
    await client.wait_for_bot_message(REPORTER, after_message_id=menu["message_id"], timeout=10,
                                      predicate=lambda m: "Khó khăn" in (m.get("text") or ""))
    await client.send_text(REPORTER, "Đường truyền internet yếu vào giờ cao điểm.")
    review = await client.wait_for_bot_message(REPORTER, after_message_id=menu["message_id"], timeout=10,
                                               predicate=lambda m: "Gửi báo cáo" in str(buttons(m)))
    await client.tap(REPORTER, review["message_id"], text="✔ Gửi báo cáo")
    done = await client.wait_for_bot_message(REPORTER, after_message_id=review["message_id"], timeout=10,
                                             predicate=lambda m: "Đã gửi" in (m.get("text") or ""))
    assert "lần 2" in done["text"]

    await client.send_text(SUPERVISOR, f"/xa {code}")
    card = await client.wait_for_bot_message(SUPERVISOR, timeout=10,
                                             predicate=lambda m: "✔ Duyệt" in str(buttons(m)))
    assert "lần 2" in card["text"] and "Trạng thái: Chờ duyệt" in card["text"]
    await client.tap(SUPERVISOR, card["message_id"], text="✔ Duyệt")
    approved = await client.wait_for_bot_message(REPORTER, after_message_id=done["message_id"], timeout=10,
                                                 predicate=lambda m: "đã được tỉnh duyệt" in (m.get("text") or ""))
    assert "(lần 2)" in approved["text"]
    assert await bot_process.stop() == 0

    storage = await Storage.open(bot_process.database)
    try:
        period = await storage.periods.get("tthc-weekly", sc.WEEK)
        versions = await storage.submissions.versions(period.id, code)
        assert [(v.version, v.status) for v in versions] == [(1, SubmissionStatus.RETURNED),
                                                             (2, SubmissionStatus.APPROVED)]
        assert versions[1].answers["difficulties"] == "Đường truyền internet yếu vào giờ cao điểm."
    finally:
        await storage.close()

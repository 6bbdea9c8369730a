"""A newcomer's first minute: the real bot process answers /start in the sandbox, and stops cleanly."""

from __future__ import annotations

from tests.e2e.botprocess import BotProcess


async def test_a_user_gets_the_greeting_and_shutdown_is_clean(sandbox, bot_process: BotProcess) -> None:
    _, client = sandbox
    bot_process.start()
    await client.add_user(1001, "Lan")
    await client.send_text(1001, "/start")
    reply = await client.wait_for_bot_message(1001, timeout=30)
    assert "Xin chào" in reply["text"] and "quản trị viên" in reply["text"]
    menu = await client.commands()
    assert "start" in str(menu) and "help" in str(menu)
    code = await bot_process.stop()
    assert code == 0, bot_process.output()
    assert "Traceback" not in bot_process.output()
    assert "123456:TEST" not in bot_process.output()

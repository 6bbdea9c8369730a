"""`python -m bot run` with ZALO_BOT_TOKEN and no TELEGRAM_BOT_TOKEN: the process serves Zalo
alone — a Zalo official's /baocao gets the first question, Telegram is never asked anything, and
SIGTERM stops the process cleanly."""

from __future__ import annotations

from tests.e2e.botprocess import BotProcess
from tests.e2e.zalo_world import ZALO_LAN, ZaloChat, field_of, seed_world


async def test_run_serves_zalo_alone_without_a_telegram_token(sandbox, tmp_path) -> None:
    server, client = sandbox
    await seed_world(tmp_path / "baocao.db")
    bot = BotProcess(server.base_url, tmp_path / "baocao.db", zalo=True, telegram=False)
    bot.start()
    try:
        lan = ZaloChat(client.zalo, ZALO_LAN)
        await lan.join("Lan")
        question = await lan.ask("/baocao", lambda m: field_of(m) is not None, timeout=30)
        assert field_of(question) == "carried_over", question["text"]
        assert await bot.stop() == 0
    except BaseException:
        print(bot.output()[-6000:])
        raise
    finally:
        if bot.process is not None and bot.process.poll() is None:
            bot.kill()
    log = bot.output()
    assert "serving Zalo only" in log and "Traceback" not in log, log[-4000:]

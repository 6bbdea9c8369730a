"""`python -m bot run` with ZALO_BOT_TOKEN and no TELEGRAM_BOT_TOKEN: the process serves Zalo
alone, by long polling unless ZALO_WEBHOOK_URL is set — a newcomer's /start gets the greeting (an
invitation on Zalo is a code to type), a Zalo official's /baocao gets the first question, Telegram
is never asked anything, and SIGTERM stops the process cleanly, its token never in the log. The
Zalo twin of tests/e2e/test_greeting.py and of test_webhook.py::test_long_polling_is_the_default."""

from __future__ import annotations

from bot.chat.catalogue import say
from tests.e2e.botprocess import ZALO_TOKEN, BotProcess
from tests.e2e.zalo_world import ZALO_LAN, ZaloChat, field_of, seed_world

NEWCOMER = "f1f2f3f4f5f6f7f8f9f0"


async def test_run_serves_zalo_alone_without_a_telegram_token(sandbox, tmp_path) -> None:
    server, client = sandbox
    await seed_world(tmp_path / "baocao.db")
    bot = BotProcess(server.base_url, tmp_path / "baocao.db", zalo=True, telegram=False)
    bot.start()
    try:
        newcomer = ZaloChat(client.zalo, NEWCOMER)
        await newcomer.join("Hoa")
        greeting = await newcomer.ask("/start", timeout=30)
        assert greeting["text"] == say("zalo_strangers.greeting"), greeting["text"]
        assert "Xin chào" in greeting["text"] and "quản trị viên" in greeting["text"] and "mã mời" in greeting["text"]
        lan = ZaloChat(client.zalo, ZALO_LAN)
        await lan.join("Lan")
        question = await lan.ask("/baocao", lambda m: field_of(m) is not None, timeout=30)
        assert field_of(question) == "carried_over", question["text"]
        assert await client.zalo.requests(method="getUpdates")  # long polling, the default
        assert not await client.zalo.requests(method="setWebhook")
        assert not await client.requests()  # Telegram never asked
        assert await bot.stop() == 0
    except BaseException:
        print(bot.output()[-6000:])
        raise
    finally:
        if bot.process is not None and bot.process.poll() is None:
            bot.kill()
    log = bot.output()
    assert "serving Zalo only" in log and "Traceback" not in log, log[-4000:]
    assert ZALO_TOKEN not in log and ZALO_TOKEN.split(":")[1] not in log

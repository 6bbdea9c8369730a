"""`python -m bot run` with ZALO_BOT_TOKEN and no TELEGRAM_BOT_TOKEN: the process serves Zalo
alone, by long polling unless ZALO_WEBHOOK_URL is set — a newcomer's /start gets the greeting (an
invitation on Zalo is a code to type), a Zalo official's /baocao gets the first question, Telegram
is never asked anything, and SIGTERM stops the process cleanly, its token never in the log. The
Zalo twin of tests/e2e/test_greeting.py and of test_webhook.py::test_long_polling_is_the_default."""

from __future__ import annotations

from bot.chat.catalogue import say
from handlers.zalo.webhook import SECRET_HEADER
from tests.e2e.botprocess import ZALO_TOKEN
from tests.e2e.test_webhook import _rss_kb, free_port
from tests.e2e.webhook_probe import strangers_pushing_refused, strangers_refused_at_once, too_big_refused
from tests.e2e.zalo_world import ZALO_LAN, ZaloChat, field_of, seed_world, zalo_bot

NEWCOMER = "f1f2f3f4f5f6f7f8f9f0"
SECRET = "e2e-zalo-webhook_Secret-42"


async def test_run_serves_zalo_alone_without_a_telegram_token(sandbox, tmp_path) -> None:
    server, client = sandbox
    await seed_world(tmp_path / "baocao.db")
    async with zalo_bot(server.base_url, tmp_path / "baocao.db", telegram=False) as bot:
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
    log = bot.output()
    assert "serving Zalo only" in log and "Traceback" not in log, log[-4000:]
    assert ZALO_TOKEN not in log and ZALO_TOKEN.split(":")[1] not in log


async def test_run_serves_zalo_by_webhook_and_refuses_strangers_before_their_body(sandbox, tmp_path) -> None:
    """Twin of test_webhook.py's webhook mode and issue 12's test, for Zalo: with ZALO_WEBHOOK_URL
    and its secret the process registers the URL (no getUpdates), answers the official's messages
    Zalo POSTs there, refuses a request without the secret (403, its body never read: strangers'
    90 MB bodies do not grow the process) and a body over 1 MB with it (413), and its secret and
    token never reach the log, even at LOG_LEVEL=DEBUG."""
    server, client = sandbox
    await seed_world(tmp_path / "baocao.db")
    port = free_port()
    hook = f"http://127.0.0.1:{port}/zalo/hook"
    env = {"ZALO_WEBHOOK_URL": hook, "ZALO_WEBHOOK_SECRET": SECRET, "WEBHOOK_LISTEN": "127.0.0.1",
       "ZALO_WEBHOOK_PORT": str(port), "LOG_LEVEL": "DEBUG"}
    async with zalo_bot(server.base_url, tmp_path / "baocao.db", telegram=False, env=env) as bot:
        lan = ZaloChat(client.zalo, ZALO_LAN)
        await lan.join("Lan")
        question = await lan.ask("/baocao", lambda m: field_of(m) is not None, timeout=30)
        assert field_of(question) == "carried_over", question["text"]
        assert (await client.zalo.webhook())["info"]["url"] == hook
        assert not await client.zalo.requests(method="getUpdates")

        assert bot.process is not None
        before = _rss_kb(bot.process.pid)
        await strangers_refused_at_once(port, "zalo/hook", SECRET_HEADER, "wrong-secret-zalo")
        await strangers_pushing_refused(port, "zalo/hook", strangers=8, each=90 * 1024 * 1024)
        grown = _rss_kb(bot.process.pid) - before
        assert grown < 30_000, f"the bot grew by {grown} KB"
        await too_big_refused(port, "zalo/hook", SECRET_HEADER, SECRET, chunked=False)

        answered = await lan.ask("53", lambda m: field_of(m) is not None)  # still answered
        assert field_of(answered) == "received_online_full"
        assert await bot.stop() == 0
    log = bot.output()
    assert "Traceback" not in log and " ERROR " not in log, log[-4000:]
    assert SECRET not in log and ZALO_TOKEN.split(":")[1] not in log

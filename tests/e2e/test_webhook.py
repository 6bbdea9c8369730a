"""Both ways `python -m bot run` gets its updates, end to end with the real bot process: long polling
by default, and a webhook when WEBHOOK_URL and WEBHOOK_SECRET are set (the sandbox's setWebhook
then POSTs each update to the bot's own server on 127.0.0.1 with the secret header)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys

from bot.commands.run import webhook_path
from sandbox.webhook import SECRET_HEADER
from tests.e2e.botprocess import TOKEN, BotProcess
from tests.e2e.webhook_probe import (
    forged_refused,
    strangers_pushing_refused,
    strangers_refused_at_once,
    too_big_refused,
)

SECRET = "e2e-webhook_Secret-42"


class WebhookBotProcess(BotProcess):
    """The bot process with extra settings in its environment (webhook mode)."""

    def __init__(self, base_url: str, database, extra: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
        super().__init__(base_url, database)
        self.extra = extra

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_", "WEBHOOK_"))}
        env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_API_BASE_URL": self.base_url,
                    "DATABASE_PATH": str(self.database), "ADMIN_IDS": "", "LOG_LEVEL": "DEBUG",
                    "FORMS_DIR": str(self.forms_folder()), **self.extra})
        handle = self.log.open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=self.database.parent, env=env,
                                        stdout=handle, stderr=subprocess.STDOUT)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_webhook_path() -> None:
    assert webhook_path("https://bot.example.vn/telegram/hook") == "telegram/hook"
    assert webhook_path("https://bot.example.vn/") == ""
    assert webhook_path("https://bot.example.vn:8443/a/b?x=1") == "a/b"


async def test_long_polling_is_the_default(sandbox, bot_process: BotProcess) -> None:
    server, client = sandbox
    bot_process.start()
    await client.add_user(1001, "Lan")
    await client.send_text(1001, "/start")
    reply = await client.wait_for_bot_message(1001, timeout=30)
    assert "Xin chào" in reply["text"]
    assert await client.requests(method="getUpdates")
    assert not await client.requests(method="setWebhook")
    assert await bot_process.stop() == 0


async def test_webhook_mode_end_to_end(sandbox, tmp_path) -> None:
    server, client = sandbox
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram/hook"
    bot = WebhookBotProcess(server.base_url, tmp_path / "baocao.db", {
        "WEBHOOK_URL": hook, "WEBHOOK_SECRET": SECRET, "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_PORT": str(port),
    })
    bot.start()
    try:
        await client.add_user(1001, "Lan")
        sent = await client.send_text(1001, "/start")
        reply = await client.wait_for_bot_message(1001, after_message_id=sent["message_id"], timeout=30)
        assert "Xin chào" in reply["text"], bot.output()

        # The bot registered its URL with the secret; the update came by POST, not by getUpdates.
        webhook = await client.webhook()
        assert webhook["info"]["url"] == hook and webhook["secret_token_set"]
        assert any(a["status"] == 200 and a["update_id"] == sent["update_id"] for a in webhook["attempts"])
        assert not await client.requests(method="getUpdates")

        # A request without the right secret is refused and never reaches the handlers.
        forged = {"update_id": 10_000, "message": {
            "message_id": 99, "date": 1_700_000_000, "chat": {"id": 1001, "type": "private", "first_name": "Lan"},
            "from": {"id": 1001, "is_bot": False, "first_name": "Lan"}, "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}
        before = len(await client.bot_messages(1001))
        await forged_refused(hook, port, forged, SECRET_HEADER, "wrong-secret", SECRET)
        await asyncio.sleep(0.5)
        assert len(await client.bot_messages(1001)) == before

        assert await bot.stop() == 0
        output = bot.output()
        assert " ERROR " not in output
        assert "Traceback" not in output  # a refused request is no error
        assert SECRET not in output and TOKEN not in output  # not even at LOG_LEVEL=DEBUG
    finally:
        if bot.process is not None and bot.process.poll() is None:
            bot.kill()


def _rss_kb(pid: int) -> int:
    for line in open(f"/proc/{pid}/status", encoding="ascii"):  # noqa: SIM115, PTH123 - one short read
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


async def test_webhook_refuses_a_stranger_before_reading_the_body_and_caps_it(sandbox, tmp_path) -> None:
    """Issue 12: 8 requests of 90 MB without the secret made the bot hold 883 MB. Now the secret
    is checked from the headers alone (403 at once, the body never read), and with the secret a
    body over 1 MB is refused (413)."""
    server, client = sandbox
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram/hook"
    bot = WebhookBotProcess(server.base_url, tmp_path / "baocao.db", {
        "WEBHOOK_URL": hook, "WEBHOOK_SECRET": SECRET, "WEBHOOK_LISTEN": "127.0.0.1", "WEBHOOK_PORT": str(port),
        "LOG_LEVEL": "INFO"})
    bot.start()
    try:
        await client.add_user(1001, "Lan")
        sent = await client.send_text(1001, "/start")
        await client.wait_for_bot_message(1001, after_message_id=sent["message_id"], timeout=30)
        assert bot.process is not None
        pid = bot.process.pid
        before = _rss_kb(pid)

        # Content-Length 90 MB and only 64 KB sent: the answer comes without waiting for the rest
        await strangers_refused_at_once(port, "telegram/hook", SECRET_HEADER, "wrong-secret")

        # 8 strangers pushing 90 MB each: refused, their bodies never held
        await strangers_pushing_refused(port, "telegram/hook", strangers=8, each=90 * 1024 * 1024)
        grown = _rss_kb(pid) - before
        assert grown < 30_000, f"the bot grew by {grown} KB"

        # with the secret: a body over 1 MB is refused, declared or chunked
        await too_big_refused(port, "telegram/hook", SECRET_HEADER, SECRET)

        # and the bot still answers
        sent = await client.send_text(1001, "/help")
        reply = await client.wait_for_bot_message(1001, after_message_id=sent["message_id"], timeout=30)
        assert reply["text"]
        assert await bot.stop() == 0
        assert "Traceback" not in bot.output()
    finally:
        if bot.process is not None and bot.process.poll() is None:
            bot.kill()

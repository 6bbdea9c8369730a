"""The real bot as a separate process (`python -m bot run`) talking HTTP to an in-process sandbox."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST"
ZALO_TOKEN = "654321:ZALOTEST"


class BotProcess:
    def __init__(self, base_url: str, database: Path, admin_ids: str = "", *, zalo: bool = False) -> None:
        """``zalo``: the Zalo channel runs too, on the sandbox's Zalo side."""
        self.base_url = base_url
        self.zalo = zalo
        self.database = database
        self.admin_ids = admin_ids
        self.process: subprocess.Popen[bytes] | None = None
        self.log = database.with_suffix(".log")

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_", "WEBHOOK_", "ZALO_"))}
        if self.zalo:
            env.update({"ZALO_BOT_TOKEN": ZALO_TOKEN, "ZALO_API_BASE_URL": f"{self.base_url}/zalo"})
        env.update({
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "BOT_API_BASE_URL": self.base_url,
            "DATABASE_PATH": str(self.database),
            "ADMIN_IDS": self.admin_ids,
            "LOG_LEVEL": "INFO",
        })
        handle = self.log.open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=self.database.parent, env=env,
                                        stdout=handle, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        """kill -9: no clean-up, no chance to flush anything."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    async def stop(self, timeout: float = 15.0) -> int:  # noqa: ASYNC109
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        for _ in range(int(timeout * 10)):
            if self.process.poll() is not None:
                return self.process.returncode
            await asyncio.sleep(0.1)
        self.process.kill()
        raise AssertionError(f"the bot did not stop within {timeout} s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    markup = message.get("reply_markup") or {}
    return [(b["text"], b.get("callback_data", "")) for row in markup.get("inline_keyboard", []) for b in row]

"""The real bot as a separate process (`python -m bot run`) talking HTTP to an in-process sandbox."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456:TEST"
FORMS = ROOT / "templates" / "forms"


def weekly_forms(folder: Path) -> Path:
    """A forms folder with the weekly form alone. The bot process runs on the real clock, and from
    the 20th to the 24th of a month the monthly NQ57 report is open too (/baocao then asks which
    report): the weekly journey's tests must not depend on the day they run. The test of both forms
    open passes the real folder (tests/e2e/test_two_forms_open.py)."""
    target = folder / "forms-weekly"
    target.mkdir(exist_ok=True)
    shutil.copy2(FORMS / "tthc-weekly.yaml", target / "tthc-weekly.yaml")
    return target


ZALO_TOKEN = "654321:ZALOTEST"


class BotProcess:
    def __init__(self, base_url: str, database: Path, admin_ids: str = "", forms_dir: Path | None = None,
                 templates: Path | None = None, *, zalo: bool = False, telegram: bool = True) -> None:
        """``zalo``: the Zalo channel runs too, on the sandbox's Zalo side; not ``telegram``: no
        TELEGRAM_BOT_TOKEN (a Zalo-only process)."""
        self.base_url = base_url
        self.zalo = zalo
        self.telegram = telegram
        self.database = database
        self.admin_ids = admin_ids
        self.forms_dir = forms_dir  # None: the weekly form alone (see weekly_forms)
        self.templates = templates  # a templates folder (its forms/ and .docx) instead of the project's
        self.env: dict[str, str] = {}  # more settings for the process (webhook mode …)
        self.process: subprocess.Popen[bytes] | None = None
        self.log = database.with_suffix(".log")

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_", "WEBHOOK_", "ZALO_"))}
        if self.zalo:
            env.update({"ZALO_BOT_TOKEN": ZALO_TOKEN, "ZALO_API_BASE_URL": f"{self.base_url}/zalo"})
        if self.telegram:
            env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "BOT_API_BASE_URL": self.base_url})
        env.update({
            "DATABASE_PATH": str(self.database),
            "ADMIN_IDS": self.admin_ids,
            "LOG_LEVEL": "INFO",
            "FORMS_DIR": str(self.forms_folder()),
        })
        if self.templates is not None:
            env.update({"FORMS_DIR": str(self.templates / "forms"), "TEMPLATES_DIR": str(self.templates)})
        env.update(self.env)
        handle = self.log.open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=self.database.parent, env=env,
                                        stdout=handle, stderr=subprocess.STDOUT)

    def forms_folder(self) -> Path:
        return self.forms_dir or weekly_forms(self.database.parent)

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

"""The Telegram bot of a Zalo-only process: started without asking Telegram, and any request it
would make is refused inside the process (nothing leaves for api.telegram.org)."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram.error import InvalidToken

from bot.app import build_application
from bot.settings import Settings
from handlers.absent_bot import AbsentTelegramBot


async def test_a_zalo_only_bot_asks_telegram_nothing(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, database_path=tmp_path / "b.db", zalo_bot_token="123456:zaloTOKEN")
    application = build_application(settings)
    bot = application.bot
    assert isinstance(bot, AbsentTelegramBot) and application.updater is None and not application.telegram_runs
    await bot.initialize()  # no getMe
    assert bot.id == 0
    with pytest.raises(InvalidToken, match="Zalo only"):
        await bot.send_message(chat_id=1, text="xin chào")

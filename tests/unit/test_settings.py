"""Settings: defaults, parsing, and one clear line for each kind of bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.logs import RedactFilter
from bot.settings import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "ADMIN_IDS", "TIMEZONE", "DATABASE_PATH", "WEBHOOK_URL", "WEBHOOK_SECRET",
                 "DEFAULT_PROVINCE", "BOT_API_BASE_URL", "LOG_LEVEL", "BOT_USERNAME",
                 "ZALO_BOT_TOKEN", "ZALO_API_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here


def test_defaults() -> None:
    settings = load_settings()
    assert settings.telegram_bot_token is None
    assert settings.database_path == Path("data/baocao.db")
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.admin_ids == [] and not settings.uses_webhook
    assert settings.zalo_bot_token is None and settings.zalo_api_base_url is None


def test_values_from_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ADMIN_IDS=11, 22\nDEFAULT_PROVINCE=8\nTELEGRAM_BOT_TOKEN=123:abc-DEF\n")
    monkeypatch.setenv("BOT_API_BASE_URL", "http://127.0.0.1:8081")
    settings = load_settings()
    assert settings.admin_ids == [11, 22]
    assert settings.default_province == "08"
    assert settings.telegram_bot_token is not None
    assert "abc-DEF" not in repr(settings) and "abc-DEF" not in str(settings.model_dump())
    assert str(settings.bot_api_base_url).startswith("http://127.0.0.1:8081")


def test_zalo_settings_are_optional_and_checked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ZALO_BOT_TOKEN=738499441022218443:HcapvQPP\nZALO_API_BASE_URL=\n")
    settings = load_settings()
    assert settings.zalo_bot_token is not None and settings.zalo_api_base_url is None
    assert "HcapvQPP" not in repr(settings)
    monkeypatch.setenv("ZALO_API_BASE_URL", "http://127.0.0.1:8081/zalo")
    assert str(load_settings().zalo_api_base_url) == "http://127.0.0.1:8081/zalo"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ADMIN_IDS", "12,abc", "ADMIN_IDS"),
        ("TIMEZONE", "Mars/Olympus", "TIMEZONE"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token", "TELEGRAM_BOT_TOKEN"),
        ("DEFAULT_PROVINCE", "Thai Nguyen", "DEFAULT_PROVINCE"),
        ("BOT_API_BASE_URL", "not a url", "BOT_API_BASE_URL"),
        ("WEBHOOK_URL", "https://bot.example.vn/hook", "WEBHOOK_SECRET"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL"),
        ("ZALO_BOT_TOKEN", "not-a-token", "ZALO_BOT_TOKEN"),
        ("ZALO_API_BASE_URL", "not a url", "ZALO_API_BASE_URL"),
        ("ZALO_WEBHOOK_URL", "https://bot.example.vn/zalo", "ZALO_WEBHOOK_SECRET"),
    ],
)
def test_a_bad_setting_is_one_clear_line(monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                         expected: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert expected in message and "\n" not in message


def test_zalo_webhook_secret_is_8_to_256_characters() -> None:
    settings = Settings(_env_file=None, zalo_webhook_url="https://bot.example.vn/zalo",  # type: ignore[call-arg]
                        zalo_webhook_secret="s3cret-zalo")
    assert settings.zalo_webhook_port == 8444
    with pytest.raises(ValueError, match="8 to 256"):
        Settings(_env_file=None, zalo_webhook_url="https://bot.example.vn/zalo",  # type: ignore[call-arg]
                 zalo_webhook_secret="short")


def test_the_file_links_and_zalos_webhook_never_share_a_port() -> None:
    """Under Telegram's long polling the file links get a server of their own: with Zalo's webhook
    on the same port the bot could not start."""
    links = {"public_base_url": "https://bot.example.vn", "file_link_secret": "k" * 32,
             "zalo_webhook_url": "https://bot.example.vn/zalo", "zalo_webhook_secret": "s3cret-zalo"}
    settings = Settings(_env_file=None, **links)  # type: ignore[arg-type]
    assert settings.file_link_port != settings.zalo_webhook_port  # the defaults
    with pytest.raises(ValueError, match="FILE_LINK_PORT and ZALO_WEBHOOK_PORT"):
        Settings(_env_file=None, file_link_port=9000, zalo_webhook_port=9000, **links)  # type: ignore[arg-type]


def test_webhook_with_secret() -> None:
    settings = Settings(_env_file=None, webhook_url="https://bot.example.vn/hook", webhook_secret="s3cr-et_")  # type: ignore[call-arg]
    assert settings.uses_webhook


def test_the_log_never_shows_the_token() -> None:
    import logging

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "POST https://api/bot%s/getMe", ("123:SECRET",), None)
    RedactFilter(["123:SECRET"]).filter(record)
    assert "SECRET" not in record.getMessage()

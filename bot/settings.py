"""Settings from the environment and .env, checked at start-up (pydantic-settings)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
MIN_LINK_SECRET = 32  # characters of FILE_LINK_SECRET (e.g. `python -c "import secrets; print(secrets.token_urlsafe(32))"`)


class SettingsError(Exception):
    """A missing or malformed setting: one line that says which and why."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = Field(
        default=None, description="Token from @BotFather; without it `make run` uses the local sandbox."
    )
    bot_username: str | None = Field(
        default=None, description="The bot's @username without @, for invitation links made offline."
    )
    database_path: Path = Field(default=Path("data/baocao.db"), description="SQLite file, created on first run.")
    timezone: str = Field(default="Asia/Ho_Chi_Minh", description="Time zone of deadlines and reminders.")
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Telegram user ids of admins, comma-separated."
    )
    default_province: str | None = Field(default=None, description="Official code of the default province, e.g. 19.")
    bot_api_base_url: AnyHttpUrl | None = Field(
        default=None, description="Bot API server, e.g. http://127.0.0.1:8081 for the sandbox; empty for Telegram."
    )
    zalo_bot_token: SecretStr | None = Field(
        default=None,
        description="Token of the Zalo bot (bot.zaloplatforms.com), 123456789:abcXYZ; optional (Zalo channel).",
    )
    zalo_api_base_url: AnyHttpUrl | None = Field(
        default=None,
        description="Zalo Bot API server, e.g. http://127.0.0.1:8081/zalo for the sandbox; "
        "empty for Zalo's (https://bot-api.zaloplatforms.com).",
    )
    zalo_webhook_url: AnyHttpUrl | None = Field(
        default=None, description="Public HTTPS URL for Zalo's updates; set to use Zalo's webhook instead of polling."
    )
    zalo_webhook_secret: SecretStr | None = Field(
        default=None, description="Secret Zalo sends back in X-Bot-Api-Secret-Token (8 to 256 characters)."
    )
    zalo_webhook_port: int = Field(
        default=8444, ge=1, le=65535, description="Port Zalo's webhook server listens on (at WEBHOOK_LISTEN)."
    )
    forms_dir: Path = Field(default=PROJECT_ROOT / "templates" / "forms", description="Folder of form YAML files.")
    templates_dir: Path = Field(default=PROJECT_ROOT / "templates", description="Folder of report templates.")
    webhook_url: AnyHttpUrl | None = Field(default=None, description="Public HTTPS URL; set to use a webhook.")
    webhook_secret: SecretStr | None = Field(default=None, description="Secret token Telegram sends back.")
    webhook_listen: str = Field(default="127.0.0.1", description="Address the webhook server listens on.")
    webhook_port: int = Field(default=8443, ge=1, le=65535, description="Port the webhook server listens on.")
    sandbox_port: int = Field(default=8081, ge=0, le=65535, description="Port of the local sandbox in demo mode.")
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR.")
    render_timeout_seconds: float = Field(
        default=10.0, gt=0, le=300, description="Wall time one template render may take before its worker is killed."
    )
    render_memory_mb: int = Field(
        default=512, ge=64, le=16384, description="Memory one render worker may add before the render fails."
    )
    render_workers: int = Field(default=2, ge=1, le=16, description="Worker processes that render templates at once.")
    # Files as links (Zalo sends no files): bot.files
    public_base_url: AnyHttpUrl | None = Field(
        default=None, description="The bot's public address (https) under which it serves file links, "
        "e.g. https://baocao.example.vn; empty: no file links."
    )
    file_link_secret: SecretStr | None = Field(
        default=None, description="Key that signs file links (at least 32 characters); required with PUBLIC_BASE_URL."
    )
    file_link_days: float = Field(default=7.0, gt=0, le=90, description="Days a file link stays valid.")
    file_link_listen: str = Field(default="127.0.0.1", description="Address the file server listens on.")
    file_link_port: int = Field(
        default=8445, ge=0, le=65535, description="Port of the file server when no webhook server runs."
    )
    zalo_send_rate: float = Field(
        default=5.0, gt=0, le=100, description="Notices sent to Zalo per second at most (its limits are unpublished)."
    )

    @field_validator(
        "telegram_bot_token", "webhook_secret", "zalo_bot_token", "zalo_webhook_secret", "bot_api_base_url",
        "webhook_url", "default_province", "bot_username", "zalo_api_base_url", "zalo_webhook_url",
        "public_base_url", "file_link_secret", mode="before"
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        """A setting left empty in .env (``NAME=``) is not set."""
        return None if value == "" else value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN.match(value.get_secret_value()):
            raise ValueError("expected the form 123456789:ABC-xyz from @BotFather")
        return value

    @field_validator("zalo_bot_token")
    @classmethod
    def _zalo_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN.match(value.get_secret_value()):
            raise ValueError("expected the form 123456789:abcXYZ given by Zalo Bot Creator")
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
            for part in parts:
                if not part.lstrip("-").isdigit():
                    raise ValueError(f"'{part}' is not a Telegram user id (digits only)")
            return [int(p) for p in parts]
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone '{value}'") from exc
        return value

    @field_validator("default_province")
    @classmethod
    def _province_code(cls, value: str | None) -> str | None:
        if value is not None:
            value = value.strip()
            if not value.isdigit() or len(value) > 3:
                raise ValueError("expected an official province code such as 19")
            value = value.zfill(2)
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("expected DEBUG, INFO, WARNING or ERROR")
        return value

    @model_validator(mode="after")
    def _zalo_webhook_needs_secret(self) -> Settings:
        if self.zalo_webhook_url is not None:
            if self.zalo_webhook_secret is None:
                raise ValueError("ZALO_WEBHOOK_SECRET is required when ZALO_WEBHOOK_URL is set")
            if not 8 <= len(self.zalo_webhook_secret.get_secret_value()) <= 256:
                raise ValueError("ZALO_WEBHOOK_SECRET must be 8 to 256 characters")
        return self

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url is not None:
            if self.webhook_secret is None:
                raise ValueError("WEBHOOK_SECRET is required when WEBHOOK_URL is set")
            if not _SECRET.match(self.webhook_secret.get_secret_value()):
                raise ValueError("WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - (1 to 256 characters)")
        return self

    @model_validator(mode="after")
    def _links_need_secret(self) -> Settings:
        if self.public_base_url is not None:
            if self.file_link_secret is None:
                raise ValueError("FILE_LINK_SECRET is required when PUBLIC_BASE_URL is set")
            if len(self.file_link_secret.get_secret_value()) < MIN_LINK_SECRET:
                raise ValueError(f"FILE_LINK_SECRET must be at least {MIN_LINK_SECRET} characters")
            own_server = self.webhook_url is None  # under Telegram's polling the links get a server of their own
            if own_server and self.zalo_webhook_url is not None and self.file_link_port == self.zalo_webhook_port:
                raise ValueError("FILE_LINK_PORT and ZALO_WEBHOOK_PORT must differ: both servers would listen on it")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def uses_webhook(self) -> bool:
        return self.webhook_url is not None


def load_settings(**overrides: object) -> Settings:
    """Read the settings; raise SettingsError with one clear line when one is wrong."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # pydantic-settings takes any field by name
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(part) for part in first["loc"]).upper()
        message = first["msg"].removeprefix("Value error, ")
        if not name:
            raise SettingsError(f"Invalid settings: {message}") from None
        raise SettingsError(f"Setting {name} is invalid: {message}") from None

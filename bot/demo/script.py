"""The demo's data (templates/demo.yaml), read once at start: the demo officials (on Telegram and
on Zalo), the names the
simulated officials are drawn from, and what they type into their reports."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from bot.domain.yaml_files import load_yaml
from storage.models import Role

SCRIPT_PATH = Path(__file__).resolve().parents[2] / "templates" / "demo.yaml"


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PersonData(_Data):
    telegram_id: int
    first_name: str
    last_name: str
    role: Role
    title: str
    commune: int | None = None  # index into the demo's chosen communes; None: the province


class ZaloPersonData(_Data):
    zalo_id: str  # Zalo's ids are strings
    display_name: str
    role: Role
    title: str
    commune: int | None = None  # index into the demo's chosen communes; None: the province


class Names(_Data):
    family: tuple[str, ...] = Field(min_length=1)
    middle_female: tuple[str, ...] = Field(min_length=1)
    middle_male: tuple[str, ...] = Field(min_length=1)
    given_female: tuple[str, ...] = Field(min_length=1)
    given_male: tuple[str, ...] = Field(min_length=1)


class Colleague(_Data):
    first_name: str
    last_name: str
    title: str


class Typed(_Data):
    figure_with_unit: str  # "{value} hồ sơ"
    explain_reason: str
    kept_reason: str


class Texts(_Data):
    legal: tuple[str, ...] = Field(min_length=1)
    infrastructure: tuple[str, ...] = Field(min_length=1)
    resources: tuple[str, ...] = Field(min_length=1)
    difficulties: tuple[str, ...] = Field(min_length=1)
    proposals: tuple[str, ...] = Field(min_length=1)
    overdue_reasons: tuple[str, ...] = Field(min_length=1)


class DemoScript(_Data):
    preferred_communes: dict[str, tuple[str, ...]]
    people: tuple[PersonData, ...] = Field(min_length=1)
    zalo_people: tuple[ZaloPersonData, ...] = ()
    names: Names
    reporter_title: str
    colleague: Colleague
    typed: Typed
    texts: Texts


@lru_cache(maxsize=1)
def script() -> DemoScript:
    """The demo's data (read once); a file that does not fit raises pydantic's ValidationError."""
    with SCRIPT_PATH.open(encoding="utf-8") as handle:
        return DemoScript.model_validate(load_yaml(handle))

"""The commands each person may use, by role, with their descriptions from the catalogue; a
channel shows them as its menu (Telegram: setMyCommands) and /help lists them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.chat.access import Identity
from bot.chat.catalogue import say


@dataclass(frozen=True)
class Command:
    """A command as a person types it (without the slash) and what it does."""

    name: str
    description: str


def _commands(*pairs: tuple[str, str]) -> tuple[Command, ...]:
    return tuple(Command(name, say(key)) for name, key in pairs)


def common() -> tuple[Command, ...]:
    """What everyone sees, strangers included."""
    return _commands(("start", "onboarding.command_start"), ("help", "onboarding.command_help"))


def _reporter() -> tuple[Command, ...]:
    return _commands(
        ("baocao", "onboarding.command_baocao"),
        ("huy", "onboarding.command_huy"),
        ("baocaocu", "onboarding.command_baocaocu"),
        ("caidat", "onboarding.command_caidat_reporter"),
        ("nghiphep", "onboarding.command_nghiphep"),
    )


def _supervisor() -> tuple[Command, ...]:
    return _commands(
        ("tonghop", "onboarding.command_tonghop"),
        ("chuanop", "onboarding.command_chuanop"),
        ("xa", "onboarding.command_xa"),
        ("nhapthay", "onboarding.command_nhapthay"),
        ("caidat", "onboarding.command_caidat_supervisor"),
    )


def _admin() -> tuple[Command, ...]:
    return _commands(
        ("moi", "onboarding.command_moi"),
        ("nguoidung", "onboarding.command_nguoidung"),
        ("lich", "onboarding.command_lich"),
        ("caidat", "onboarding.command_caidat_reporter"),
    )


def commands_for(identity: Identity) -> list[Command]:
    """The person's commands, each once (the first role's description of a shared one)."""
    groups = [common()]
    if identity.communes:
        groups.append(_reporter())
    if identity.provinces or identity.is_admin:
        groups.append(_supervisor())
    if identity.is_admin:
        groups.append(_admin())
    if identity.is_known:  # one person on both messengers (bot.onboarding.linking)
        groups.append(_commands(("lienket", "codes.command_lienket")))
    seen: dict[str, Command] = {}
    for group in groups:
        for command in group:
            seen.setdefault(command.name, command)
    return list(seen.values())


def describe(identity: Identity) -> str:
    """/help: one line per command the person may use."""
    return "\n".join(say("onboarding.help_line", command=c.name, description=c.description)
                     for c in commands_for(identity))

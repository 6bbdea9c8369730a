"""The communes missing a report told in a few lines: those a nudge reaches, then those it cannot
and why (storage.missing's one definition), each group's names joined on one line; the lists are
shortened ("… và 40 xã khác") so that the whole message fits in one Telegram message."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from bot.chat.catalogue import say
from bot.domain.message_length import MAX_TEXT, utf16_len
from bot.domain.numbers import format_count
from bot.supervising.basics import official
from storage.missing import UNREACHABLE, MissingCommune, Unreachable

MARGIN = 16  # UTF-16 units kept free under Telegram's limit
Line = Callable[[str], str]  # a line of the message, given its names joined


def named(commune: MissingCommune, with_reporters: bool) -> str:
    """«Xã Phúc Lộc», or «Xã Phúc Lộc (Nguyễn Thị Lan (@lan))» with its reporters."""
    if not with_reporters or not commune.reporters:
        return commune.unit.full_name
    return f"{commune.unit.full_name} ({', '.join(official(person) for person in commune.reporters)})"


def join_within(names: Sequence[str], budget: int) -> str:
    """``names`` joined with commas when they fit in ``budget`` UTF-16 units, else as many as fit
    followed by "và N xã khác"."""
    joined = ", ".join(names)
    if utf16_len(joined) <= budget:
        return joined
    shown: list[str] = []
    for index, name in enumerate(names):
        rest = say("supervising_ux.and_more", count=format_count(len(names) - index - 1))
        if utf16_len(", ".join([*shown, name]) + rest) > budget:
            break
        shown.append(name)
    return ", ".join(shown) + say("supervising_ux.and_more", count=format_count(len(names) - len(shown)))


def fit(head: str, lines: Sequence[tuple[Line, Sequence[str]]], tail: str = "", limit: int = MAX_TEXT) -> str:
    """``head``, then each line with its names joined, then ``tail``: within ``limit`` UTF-16 units,
    the room left shared fairly between the lists (a short list leaves its unused share to the others)."""
    fixed = utf16_len(head) + utf16_len(tail) + sum(utf16_len(line("")) + 1 for line, _ in lines) + 1
    room = max(limit - fixed - MARGIN, 0)
    budgets: dict[int, int] = {}
    order = sorted(range(len(lines)), key=lambda i: utf16_len(", ".join(lines[i][1])))
    for position, index in enumerate(order):
        share = room // (len(order) - position)
        budgets[index] = min(utf16_len(", ".join(lines[index][1])), share)
        room -= budgets[index]
    body = [line(join_within(names, budgets[index])) for index, (line, names) in enumerate(lines)]
    return "\n".join([head, *body, *([tail] if tail else [])])


def by_reason(communes: Sequence[MissingCommune], on: date) -> dict[Unreachable, list[MissingCommune]]:
    """The communes nobody can be reached in on ``on``, by why (in the order they are told)."""
    grouped: dict[Unreachable, list[MissingCommune]] = {reason: [] for reason in UNREACHABLE}
    for commune in communes:
        reason = commune.unreachable_because(on)
        if reason is not None:
            grouped[reason].append(commune)
    return {reason: found for reason, found in grouped.items() if found}


def reason_label(reason: Unreachable) -> str:
    labels = {"no_reporter": say("supervising_ux.no_reporter"), "blocked": say("supervising_ux.blocked"),
              "on_leave": say("supervising_ux.on_leave")}
    return labels[reason]


def unreachable_lines(communes: Sequence[MissingCommune], on: date) -> list[tuple[Line, Sequence[str]]]:
    """One line per reason: «• chưa có cán bộ báo cáo (85): Xã A, Xã B, …»."""
    lines: list[tuple[Line, Sequence[str]]] = []
    for reason, found in by_reason(communes, on).items():
        label, count = reason_label(reason), format_count(len(found))

        def line(names: str, label: str = label, count: str = count) -> str:
            return say("supervising_ux.unreachable_line", reason=label, count=count, names=names)

        lines.append((line, [named(commune, reason != "no_reporter") for commune in found]))
    return lines

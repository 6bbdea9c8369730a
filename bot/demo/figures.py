"""Realistic weekly figures of a commune, for the demo's history and the simulated week.

Every commune gets a profile (how many dossiers a week, how much online, how fast) drawn from a
random generator seeded by the commune's code, so the same seed gives the same province. A week's
figures balance (received_total = resolved + pending + withdrawn) and carry last week's pending over,
as a careful official's would."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from bot.demo.script import script
from storage.models import Unit

COUNT_FIELDS = (
    "carried_over", "received_online_full", "received_online_partial", "received_in_person", "received_postal",
    "resolved_early", "resolved_on_time", "resolved_late", "pending_in_time", "pending_overdue", "withdrawn",
    "digitized", "e_results",
)
TEXT_FIELDS = ("legal", "infrastructure", "resources", "difficulties", "proposals")

@dataclass(frozen=True)
class CommuneProfile:
    code: str
    weekly: int  # usual number of new dossiers a week
    share_full: float
    share_partial: float
    share_postal: float
    early: float  # share of on-time resolutions that are early
    late_chance: float
    backlog: float  # share of what must be handled that is still pending at the end of the week


def rng_for(seed: int, *parts: object) -> random.Random:
    """A generator that depends only on the seed and the parts (a commune's code, a week)."""
    return random.Random("|".join([str(seed), *map(str, parts)]))


def profile_for(unit: Unit, seed: int = 0) -> CommuneProfile:
    rng = rng_for(seed, "profile", unit.code)
    urban = unit.division_type == "phường"
    weekly = rng.randint(70, 240) if urban else rng.randint(18, 90)
    share_full = rng.uniform(0.35, 0.7) if urban else rng.uniform(0.2, 0.55)
    return CommuneProfile(
        code=unit.code, weekly=weekly, share_full=share_full,
        share_partial=rng.uniform(0.1, min(0.35, 0.95 - share_full)), share_postal=rng.uniform(0.0, 0.03),
        early=rng.uniform(0.3, 0.7), late_chance=rng.uniform(0.05, 0.4), backlog=rng.uniform(0.2, 0.4),
    )


def opening_backlog(profile: CommuneProfile) -> int:
    return round(profile.weekly * profile.backlog * 1.4)


def week_counts(profile: CommuneProfile, carried_over: int, rng: random.Random) -> dict[str, int]:
    """A balanced week: what came in, what was resolved (early, on time, late), what is pending."""
    new = max(4, round(rng.gauss(profile.weekly, profile.weekly * 0.15)))
    full = round(new * profile.share_full)
    partial = min(new - full, round(new * profile.share_partial))
    postal = max(0, min(new - full - partial, rng.choice((0, 0, 0, 1)) + round(new * profile.share_postal)))
    in_person = new - full - partial - postal
    total = carried_over + new
    withdrawn = min(total // 10, rng.choice((0, 0, 0, 1, 2)))
    pending = round(total * profile.backlog)
    resolved = total - pending - withdrawn
    late = min(resolved, rng.randint(1, 3)) if rng.random() < profile.late_chance else 0
    early = round((resolved - late) * profile.early)
    on_time = resolved - late - early
    overdue = min(pending, rng.randint(1, 2)) if rng.random() < profile.late_chance / 2 else 0
    return {
        "carried_over": carried_over,
        "received_online_full": full,
        "received_online_partial": partial,
        "received_in_person": in_person,
        "received_postal": postal,
        "resolved_early": early,
        "resolved_on_time": on_time,
        "resolved_late": late,
        "pending_in_time": pending - overdue,
        "pending_overdue": overdue,
        "withdrawn": withdrawn,
        "digitized": round(new * rng.uniform(0.8, 1.0)),
        "e_results": round(resolved * rng.uniform(0.55, 0.95)),
    }


def week_texts(counts: dict[str, int], rng: random.Random) -> dict[str, str]:
    """The week's texts, each drawn from the demo's (templates/demo.yaml)."""
    choices = script().texts
    texts = {
        "legal": rng.choice(choices.legal),
        "infrastructure": rng.choice(choices.infrastructure),
        "resources": rng.choice(choices.resources),
        "difficulties": rng.choice(choices.difficulties),
        "proposals": rng.choice(choices.proposals),
    }
    if counts["resolved_late"] + counts["pending_overdue"] > 0:
        texts["overdue_reasons"] = rng.choice(choices.overdue_reasons)
    return texts


def week_answers(profile: CommuneProfile, carried_over: int, rng: random.Random) -> dict[str, Any]:
    counts = week_counts(profile, carried_over, rng)
    return {**counts, **week_texts(counts, rng)}


def pending_of(answers: dict[str, Any]) -> int:
    return int(answers.get("pending_in_time", 0)) + int(answers.get("pending_overdue", 0))


def bulk_message(counts: dict[str, int], labels: dict[str, str]) -> str:
    """The one-message entry an official copying from the procedures system sends: "label: number"."""
    return "\n".join(f"{labels[field]}: {format_thousands(counts[field])}" for field in COUNT_FIELDS)


def format_thousands(value: int) -> str:
    return f"{value:,}".replace(",", ".")

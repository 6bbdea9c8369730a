"""The demo province: real communes, demo people bound by invitations, earlier weeks; seeding twice
changes nothing."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from bot.clock import VN_TZ
from bot.demo.seed import DEMO_PEOPLE, seed_demo
from bot.domain.forms import load_forms
from bot.settings import Settings
from storage import Storage
from storage.models import Role

NOW = datetime(2025, 12, 16, 9, 0, tzinfo=VN_TZ)  # a Tuesday: the week 2025-W50 is open


def dump(path: Path) -> dict[str, list[str]]:
    with sqlite3.connect(path) as conn:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: sorted(map(repr, conn.execute(f"SELECT * FROM {table}"))) for table in tables}


async def seed(path: Path):  # type: ignore[no-untyped-def]
    forms = load_forms(Settings(_env_file=None).forms_dir)  # type: ignore[call-arg]
    storage = await Storage.open(path)
    try:
        return await seed_demo(storage, NOW, form=forms["tthc-weekly"], history_weeks=4)
    finally:
        await storage.close()


async def test_the_demo_province_and_its_people(tmp_path: Path) -> None:
    world = await seed(tmp_path / "demo.db")
    assert world.province.full_name == "Tỉnh Thái Nguyên"
    assert len(world.communes) == 92
    by_id = {p.demo.telegram_id: p for p in world.people}
    assert set(by_id) == {p.telegram_id for p in DEMO_PEOPLE}
    reporters = [p for p in world.people if p.demo.role == Role.REPORTER]
    communes = [p.unit.code for p in reporters]
    assert len(set(communes)) == 3 and len(communes) == 4  # two officials share one commune
    assert {p.unit.kind for p in reporters} == {"commune"}
    assert all(p.unit.province_code == "19" for p in reporters)
    staff = [p for p in world.people if p.demo.role in (Role.SUPERVISOR, Role.ADMIN)]
    assert {p.unit.code for p in staff} == {"19"} and {p.demo.role for p in staff} == {Role.SUPERVISOR, Role.ADMIN}
    assert world.history_added == 3 * 4

    storage = await Storage.open(tmp_path / "demo.db")
    try:
        # bound by real invitations: each one used, by the person it was for
        for p in world.people:
            memberships = await storage.people.memberships_of(p.person.id)
            assert [(m.role, m.unit_code) for m in memberships] == [(p.demo.role, p.unit.code)]
        rows = await storage.db.fetch_all("SELECT used_by, used_at FROM invites")
        assert len(rows) == len(DEMO_PEOPLE) and all(r["used_at"] is not None for r in rows)
        # earlier weeks carry on: each week's carried_over is the week before's pending
        code = communes[0]
        recent = await storage.submissions.recent_for_unit(code, "tthc-weekly", limit=4)
        assert len(recent) == 4
        for newer, older in zip(recent, recent[1:], strict=False):
            pending = older.answers["pending_in_time"] + older.answers["pending_overdue"]
            assert newer.answers["carried_over"] == pending
    finally:
        await storage.close()


async def test_seeding_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    first = await seed(path)
    before = dump(path)
    second = await seed(path)
    assert dump(path) == before
    assert all(p.created for p in first.people) and not any(p.created for p in second.people)
    assert second.history_added == 0 and second.units_added == 0

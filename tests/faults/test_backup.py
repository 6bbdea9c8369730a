"""`python -m bot backup --out FILE` while another process keeps writing: the backup is one
consistent instant of the database (every table as it was, the writer's rows a prefix of what it
wrote), it opens with Storage.open, passes integrity_check, and restoring it gives the same data."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import pytest

from bot.clock import VN_TZ
from storage import Storage
from storage.models import Role
from tests.integration.seed import load_units

WRITER = textwrap.dedent("""
    import asyncio, sys
    from datetime import datetime
    from pathlib import Path
    from bot.clock import VN_TZ
    from storage import Storage

    async def main(path, stop):
        storage = await Storage.open(path)
        period = await storage.periods.get("tthc-weekly", "2025-W50")
        drafts = [await storage.drafts.get_or_create(period.id, code, datetime.now(VN_TZ))
                  for code in sys.argv[3].split(",")]
        n = 0
        print("writing", flush=True)
        while not Path(stop).exists():
            n += 1
            draft = drafts[n % len(drafts)]
            async with storage.db.transaction():  # an answer and its audit line, together
                await storage.drafts.set_answer(draft.id, "received_in_person", n, None, datetime.now(VN_TZ))
                await storage.audit.log("bench.write", datetime.now(VN_TZ), subject=str(n), detail={"n": n})
        await storage.close()
        print(n, flush=True)

    asyncio.run(main(sys.argv[1], sys.argv[2]))
""")


def _environment(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_", "WEBHOOK_"))}
    env["DATABASE_PATH"] = str(database)
    return env


def _backup(database: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", "backup", "--out", str(out)], cwd=database.parent,
                          env=_environment(database), capture_output=True, text=True, timeout=120)


def _tables(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        names = [row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in names}
    finally:
        conn.close()


async def _seed(database: Path) -> list[str]:
    now = datetime(2025, 12, 15, 9, 0, tzinfo=VN_TZ)
    storage = await Storage.open(database)
    try:
        communes = await load_units(storage)
        period = await storage.periods.upsert("tthc-weekly", "2025-W50", now.date(), now.date(), now, now)
        for index, unit in enumerate(communes[:30]):
            person = await storage.people.get_or_create(5000 + index, now, full_name=f"Cán bộ {unit.name}")
            await storage.people.add_membership(person.id, Role.REPORTER, unit.code, now)
            await storage.submissions.add_version(period.id, unit.code, {"carried_over": index}, {}, person.id, now)
        return [u.code for u in communes[30:34]]
    finally:
        await storage.close()


def _backups_while_writing(database: Path, codes: list[str], folder: Path) -> tuple[list[Path], int]:
    """Three backups taken while another process writes; and how many writes it made."""
    stop = folder / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(database), str(stop), ",".join(codes)],
                              cwd=folder, env=_environment(database), stdout=subprocess.PIPE, text=True)
    backups = []
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        time.sleep(0.3)
        for index in range(3):
            out = folder / "backups" / f"baocao-{index}.db"
            result = _backup(database, out)
            assert result.returncode == 0, result.stderr
            assert "kiểm tra toàn vẹn: ok" in result.stdout
            assert not Path(f"{out}-wal").exists() and not Path(f"{out}.part").exists()
            backups.append(out)
            time.sleep(0.2)
    finally:
        stop.touch()
        written = int((writer.communicate(timeout=30)[0] or "0").split()[-1])
    assert writer.returncode == 0
    return backups, written


async def test_backup_while_another_process_writes(tmp_path: Path) -> None:
    database = tmp_path / "baocao.db"
    codes = await _seed(database)
    backups, written = _backups_while_writing(database, codes, tmp_path)
    source = _tables(database)
    assert written > 10
    snapshots = []
    for out in backups:
        copy = _tables(out)
        # everything the writer does not touch is identical
        for name in source:
            if name not in {"audit_log", "draft_answers", "answer_history", "drafts"}:
                assert copy[name] == source[name], name
        # the writer's rows: one instant — its audit lines 1…k exactly, and the answer it wrote with line k
        lines = [row for row in copy["audit_log"] if row[3] == "bench.write"]  # id, at, actor, action, subject
        numbers = sorted(int(row[4]) for row in lines)
        assert numbers == list(range(1, len(numbers) + 1)), numbers[:5]
        source_lines = {row[0]: row for row in source["audit_log"]}
        assert all(source_lines[row[0]] == row for row in copy["audit_log"])
        history = [row for row in copy["answer_history"] if row[2] == "received_in_person"]
        assert len(history) == len(numbers)
        if numbers:
            assert max(int(row[4]) for row in history) == numbers[-1]
        snapshots.append(len(numbers))
        # it opens as the bot opens its database, intact and at the same schema version
        storage = await Storage.open(out)
        try:
            assert [row[0] for row in await storage.db.fetch_all("PRAGMA integrity_check")] == ["ok"]
            assert await storage.db.current_version() == await _version(database)
            assert await storage.units.count() == 93
        finally:
            await storage.close()
    assert snapshots == sorted(snapshots) and snapshots[-1] > 0, snapshots


async def test_restoring_a_backup_gives_the_same_data(tmp_path: Path) -> None:
    database = tmp_path / "baocao.db"
    await _seed(database)
    out = tmp_path / "baocao-backup.db"
    assert _backup(database, out).returncode == 0
    restored = tmp_path / "restored" / "baocao.db"
    restored.parent.mkdir()
    shutil.copyfile(out, restored)
    storage = await Storage.open(restored)  # as the bot would start on it
    try:
        period = await storage.periods.get("tthc-weekly", "2025-W50")
        assert period is not None
        unit = (await storage.units.list_communes("19"))[0]
        latest = await storage.submissions.latest(period.id, unit.code)
        assert latest is not None and latest.answers == {"carried_over": 0}
        assert await storage.people.get_by_telegram_id(5000) is not None
    finally:
        await storage.close()
    assert _tables(restored) == _tables(database)


@pytest.mark.parametrize("case", ["missing", "same-file"])
def test_backup_refuses_what_it_cannot_do(tmp_path: Path, case: str) -> None:
    database = tmp_path / "baocao.db"
    if case == "same-file":
        sqlite3.connect(database).close()
        out = database
    else:
        out = tmp_path / "b.db"
    result = _backup(database, out)
    assert result.returncode == 1
    assert result.stderr.startswith("error: sao lưu không thành công")
    assert len(result.stderr.strip().splitlines()) == 1


async def _version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()

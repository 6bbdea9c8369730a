"""`python -m bot demo --simulate` at the scale of one district (12 communes): the whole week is played
through the sandbox by the real bot on a fake clock, and what it leaves behind is checked."""

from __future__ import annotations

import asyncio
import json
import sqlite3

import docx
import openpyxl
import pytest

from bot.chat.catalogue import say
from bot.demo.simulate import (
    EXPLAIN,
    EXPLAIN_REASON,
    HARD,
    LATE,
    NEVER,
    ON_TIME,
    TYPO,
    SimulationResult,
    simulate_week,
)
from bot.settings import Settings

COMMUNES = 12


@pytest.fixture(scope="module")
def week(tmp_path_factory: pytest.TempPathFactory) -> SimulationResult:
    out = tmp_path_factory.mktemp("simulation")
    settings = Settings(_env_file=None, database_path=out / "unused.db")
    return asyncio.run(simulate_week(settings, province="19", communes=COMMUNES, out=out, seed=7))


def test_everyone_did_what_the_plan_said(week: SimulationResult) -> None:
    assert len(week.plans) == COMMUNES
    assert [r.error for r in week.results.values() if r.error] == []
    assert week.planned == week.actual
    assert week.planned[ON_TIME] >= 6 and week.planned[LATE] >= 1 and week.planned[NEVER] >= 1
    assert sum(week.planned.values()) == COMMUNES
    late = [p for p in week.plans if p.timing == LATE]
    assert all(p.at is not None and p.at > week.period.deadline_at for p in late)
    on_time = [p for p in week.plans if p.timing == ON_TIME]
    assert all(p.at is not None and week.period.opens_at <= p.at < week.period.deadline_at for p in on_time)


def test_the_checks_caught_the_slips(week: SimulationResult) -> None:
    slips = {r.plan.slip: r for r in week.results.values() if r.plan.slip}
    assert {HARD, TYPO, EXPLAIN} <= set(slips)
    assert slips[HARD].refused >= 1 and slips[HARD].submitted
    assert any(c.startswith("outlier") for c in slips[TYPO].caught) and slips[TYPO].submitted
    assert any(c.startswith("balance") for c in slips[EXPLAIN].caught)
    assert EXPLAIN_REASON in slips[EXPLAIN].explained
    # no warning that was not planned
    clean = [r for r in week.results.values() if not r.plan.slip and r.plan.timing != NEVER]
    assert all(not r.caught and not r.refused for r in clean)

    db = sqlite3.connect(week.out / "mo-phong.db")
    explanation = db.execute("SELECT s.explanations FROM submissions s WHERE s.unit_code = ? AND s.period_id = ?",
                             (slips[EXPLAIN].plan.unit.code, week.period.id)).fetchone()[0]
    assert EXPLAIN_REASON in explanation
    stored = db.execute("SELECT answers FROM submissions WHERE unit_code = ? AND period_id = ?",
                        (slips[TYPO].plan.unit.code, week.period.id)).fetchone()[0]
    typo_field, wrong = next(iter(slips[TYPO].plan.first_tries.items()))
    assert json.loads(stored)[typo_field] == slips[TYPO].plan.answers[typo_field] != wrong


def test_the_calendar_prompted_reminded_and_escalated(week: SimulationResult) -> None:
    if any("scheduler" in m for m in week.missing):
        pytest.skip("the reminder scheduler is not in the tree yet")
    reporters = COMMUNES + 1  # two officials share the first commune
    assert week.notices["opening"] == reporters
    assert week.notices.get("reminder", 0) > 0
    missing_at_deadline = week.planned[LATE] + week.planned[NEVER]
    assert week.notices["deadline"] >= missing_at_deadline
    assert week.notices["escalation"] == 1  # the supervisor


def test_each_commune_got_its_report_file(week: SimulationResult) -> None:
    """Each Telegram official got the .docx in chat (on Zalo a file is a link: not collected)."""
    files = sorted((week.out / "bao-cao-xa").glob("*.docx"))
    submitted = [r for r in week.results.values() if r.submitted]
    assert len(submitted) == week.actual[ON_TIME] + week.actual[LATE]
    on_telegram = [r for r in submitted if r.plan.zalo_id is None]
    assert len(files) == len(on_telegram) < len(submitted)
    for result in on_telegram:
        assert result.docx is not None and result.docx.exists()
        text = "\n".join(p.text for p in docx.Document(str(result.docx)).paragraphs)
        assert "BÁO CÁO" in text
        tables = " ".join(c.text for t in docx.Document(str(result.docx)).tables for row in t.rows for c in row.cells)
        assert result.plan.unit.name.upper() in (text + tables).upper()
    summary = (week.out / "tom-tat.txt").read_text(encoding="utf-8")
    assert str(week.out) in summary and f"{week.actual[ON_TIME]} đúng hạn" in summary


def test_the_summary_lists_every_file_written(week: SimulationResult) -> None:
    """What the simulation left in its folder is all named in its summary (printed and in tom-tat.txt);
    the communes' reports are counted under their folder's name."""
    summary = (week.out / "tom-tat.txt").read_text(encoding="utf-8")
    files_part = summary.split(say("demo.summary_files", folder=week.out))[1].split("\n\n")[0]
    listed = {line.split()[0] for line in files_part.splitlines() if line.strip()}
    written = {p.relative_to(week.out).as_posix() for p in week.out.rglob("*")
               if p.is_file() and not p.name.endswith(("-wal", "-shm", "-journal"))}
    unlisted = {f for f in written if f not in listed and f.split("/")[0] + "/" not in listed}
    assert unlisted == set(), summary
    assert all((week.out / name).exists() for name in listed), listed


def test_the_rollup_files(week: SimulationResult) -> None:
    assert not [m for m in week.missing if "tổng hợp" in m], week.missing
    for kind in ("docx", "xlsx", "chart"):
        assert week.files[kind].exists() and week.files[kind].stat().st_size > 0
    assert "BÁO CÁO" in "\n".join(p.text for p in docx.Document(str(week.files["docx"])).paragraphs)
    sheet = openpyxl.load_workbook(week.files["xlsx"]).active
    assert sheet is not None and sheet.max_row >= COMMUNES
    assert week.files["chart"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if week.rollup_counts is not None:
        assert week.rollup_counts == week.actual


def test_the_supervisor_approved_every_report(week: SimulationResult) -> None:
    if any("duyệt" in m for m in week.missing):
        pytest.skip("the bot has no approval step yet")
    submitted = week.actual[ON_TIME] + week.actual[LATE]
    assert week.approved == submitted
    assert week.rollup_approved == submitted
    db = sqlite3.connect(week.out / "mo-phong.db")
    statuses = db.execute("SELECT status, COUNT(*) FROM submissions WHERE period_id = ? GROUP BY status",
                          (week.period.id,)).fetchall()
    assert statuses == [("approved", submitted)]


def test_a_share_of_the_communes_reported_on_zalo(week: SimulationResult) -> None:
    """The default --zalo-share: some communes' officials typed the options on Zalo, their reports
    are in the rollup, and reminders reached them there."""
    on_zalo = [p for p in week.plans if p.zalo_id is not None]
    assert len(on_zalo) == round(COMMUNES * 0.3)
    submitted = [p for p in on_zalo if week.results[p.unit.code].submitted]
    assert submitted and all(week.results[p.unit.code].started_from == "zalo" for p in submitted)
    assert len(submitted) == sum(1 for p in on_zalo if p.timing != NEVER)
    db = sqlite3.connect(week.out / "mo-phong.db")
    for plan in submitted:
        submitter = db.execute("SELECT p.zalo_id FROM submissions s JOIN people p ON p.id = s.submitted_by"
                               " WHERE s.unit_code = ? AND s.period_id = ?",
                               (plan.unit.code, week.period.id)).fetchone()
        assert submitter == (plan.zalo_id,)
    zalo_notices = db.execute("SELECT COUNT(*) FROM notices n JOIN people p ON p.id = n.person_id"
                              " WHERE p.zalo_id IS NOT NULL AND n.status = 'sent'").fetchone()[0]
    assert zalo_notices >= len(on_zalo)  # the opening prompt, at least, on Zalo
    assert week.rollup_counts is not None
    assert week.rollup_counts[ON_TIME] + week.rollup_counts[LATE] == len(
        [p for p in week.plans if p.timing != NEVER])  # Zalo's reports are in the rollup with Telegram's
    summary = (week.out / "tom-tat.txt").read_text(encoding="utf-8")
    assert say("zalo_simulation.summary_zalo", communes=len(on_zalo), submitted=len(submitted)) in summary

"""Reports entered for communes from files: the reporter's checks row by row, a result per row,
nothing changed by importing the same file twice, and the rollup's .xlsx importing back."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

from bot.clock import VN_TZ
from bot.importing.entry import Row, check_answers, import_rows, read_rows
from bot.settings import PROJECT_ROOT
from bot.supervising.rollup_service import produce
from storage import Storage
from tests.integration.seed import load_units
from tests.rollup import scenario as sc
from tests.rollup.conftest import TEMPLATES

NOW = datetime(2025, 12, 19, 9, 0, tzinfo=VN_TZ)


async def count_versions(storage: Storage) -> int:
    return int(await storage.db.fetch_value("SELECT count(*) FROM submissions") or 0)


def good(index: int = 3) -> dict:
    return sc.steady(index, 1, 12)


async def test_json_rows_checked_and_idempotent(tmp_path: Path, form) -> None:
    storage = await Storage.open(tmp_path / "db.sqlite3")
    try:
        communes = await load_units(storage)
        a, b = communes[0].code, communes[1].code
        broken = dict(good(), digitized=10_000)  # more digitized than received: a hard rule
        balance = dict(good(), withdrawn=good()["withdrawn"] + 3)  # a soft rule, explained
        path = tmp_path / "reports.json"
        path.write_text(json.dumps([
            {"unit": a, "period": "2025-W49", "answers": good()},
            {"unit": int(b), "period": "2025W49", "answers": {**good(), "received_in_person": "1.234"}},
            {"unit": a, "period": "2025-W50", "answers": balance, "explanations": {"balance": "Rút bổ sung."}},
            {"unit": b, "period": "2025-W50", "answers": broken},
            {"unit": "99999", "period": "2025-W50", "answers": good()},
            {"unit": a, "period": "tuần 50", "answers": good()},
            {"unit": b, "period": "2025-W51", "answers": {"carried_over": 1}},
        ], ensure_ascii=False), encoding="utf-8")
        rows = read_rows(path, form, VN_TZ)
        first = await import_rows(storage, form, rows, now=NOW)
        assert [r.outcome for r in first] == ["added", "added", "added", "error", "error", "error", "error"]
        assert "lần 1 (nhập thay)" in first[0].message
        assert "không thể lớn hơn" in first[3].message and "10.000" in first[3].message
        assert "không tìm thấy" in first[4].message and "kỳ «tuần 50» không hợp lệ" in first[5].message
        assert first[6].message.startswith("không lưu: thiếu ")
        assert any("giải trình: Rút bổ sung." in w for w in first[2].warnings)
        stored = await storage.submissions.latest((await storage.periods.get(form.id, "2025-W49")).id, b)
        # imported after the deadline without the moment it was sent: neither on time nor late (issue 15, item 6)
        assert stored.on_behalf and stored.answers["received_in_person"] == 1234 and stored.untimed and not stored.late
        assert first[0].line().startswith(f"mục 1 · {a} ")
        versions = await count_versions(storage)
        audit = len(await storage.audit.recent(500))

        second = await import_rows(storage, form, read_rows(path, form, VN_TZ), now=NOW)
        assert [r.outcome for r in second][:3] == ["unchanged"] * 3
        assert await count_versions(storage) == versions and len(await storage.audit.recent(500)) == audit
    finally:
        await storage.close()


async def test_an_approved_report_is_not_overwritten(tmp_path: Path, form) -> None:
    storage = await Storage.open(":memory:")
    try:
        communes = await load_units(storage)
        code = communes[0].code
        [result] = await import_rows(storage, form, [Row("mục 1", code, "2025-W50", good())], now=NOW)
        assert result.submission is not None
        await storage.submissions.set_status(result.submission.id, "approved", None, NOW)  # type: ignore[arg-type]
        changed = dict(good(), received_postal=good()["received_postal"] + 1, pending_in_time=good()["pending_in_time"] + 1)
        [again] = await import_rows(storage, form, [Row("mục 1", code, "2025-W50", changed)], now=NOW)
        assert again.outcome == "error" and "đã được duyệt" in again.message
    finally:
        await storage.close()


def test_checks_are_the_reporters(form) -> None:
    answers = good()
    checked = check_answers(form, {**answers, "received_postal": "1,5"}, None, [])
    assert checked.errors and "thập phân" in checked.errors[0]
    checked = check_answers(form, {k: v for k, v in answers.items() if k != "legal"}, None, [])
    assert checked.missing == ["Pháp lý"]
    overdue = check_answers(form, {**answers, "resolved_late": 0, "pending_overdue": 0,
                                   "overdue_reasons": "x"}, None, [])
    assert "overdue_reasons" not in overdue.answers  # a question that no longer applies is dropped


async def test_rollup_xlsx_imports_back(tmp_path: Path, form) -> None:
    source = await Storage.open(":memory:")
    try:
        communes = await load_units(source)
        scenario = await sc.build(source, form, communes)
        files = await produce(source, form, scenario.periods[sc.WEEK], sc.PROVINCE, templates_dir=TEMPLATES,
                              report_date=date(2025, 12, 19), tz=VN_TZ)
        path = tmp_path / files.xlsx_name
        path.write_bytes(files.xlsx)
        rows = list(read_rows(path, form, VN_TZ))
        assert len(rows) == 92
        # into the same database: nothing changes
        versions = await count_versions(source)
        same = await import_rows(source, form, rows, now=NOW)
        outcomes = [r.outcome for r in same]
        assert outcomes.count("skipped") == 10 and outcomes.count("unchanged") == 82, [r.line() for r in same
                                                                                        if r.outcome == "error"]
        assert await count_versions(source) == versions
    finally:
        await source.close()
    fresh = await Storage.open(":memory:")
    try:
        await load_units(fresh)
        results = await import_rows(fresh, form, rows, now=NOW)
        assert [r.outcome for r in results].count("added") == 82  # the unexplained balance break too, with a warning
        period = await fresh.periods.get(form.id, sc.WEEK)
        stored = {s.unit_code: s for s in await fresh.submissions.list_latest_for_period(period.id)}
        for code, answers in scenario.reported.items():
            if code == scenario.code(sc.OUTLIER):
                continue  # no history in a fresh database: its outlier explanation does not apply
            assert stored[code].answers == answers, code
        assert stored[scenario.code(sc.BALANCE_EXPLAINED)].explanations == {
            "balance": "02 hồ sơ rút từ hệ thống cũ trước sáp nhập."}
        late = stored[scenario.code(sc.LATE[0])]
        assert late.late and late.submitted_at == scenario.periods[sc.WEEK].deadline_at.replace(hour=18)
        again = await import_rows(fresh, form, rows, now=NOW)
        assert {r.outcome for r in again} <= {"unchanged", "skipped"}
    finally:
        await fresh.close()


def test_import_and_rollup_from_the_command_line(tmp_path: Path) -> None:
    database = tmp_path / "cli.db"
    env = {"DATABASE_PATH": str(database), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LOG_LEVEL": "WARNING"}
    reports = tmp_path / "reports.json"
    reports.write_text(json.dumps([{"unit": "01894", "period": "2025-W50", "answers": good()}]), encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bot", *args], cwd=PROJECT_ROOT, env=env, capture_output=True,
                              text=True, timeout=120)

    first = run("import", str(reports))
    assert first.returncode == 0, first.stderr
    assert "mục 1 · 01894" in first.stdout and "lưu mới 1" in first.stdout
    second = run("import", str(reports))
    assert second.returncode == 0 and "không đổi (giống bản nộp lần 1)" in second.stdout
    out = tmp_path / "out"
    rollup = run("rollup", "--province", "19", "--period", "2025-W50", "--out", str(out))
    assert rollup.returncode == 0, rollup.stderr
    assert "Đã nộp 1/92" in rollup.stdout
    names = sorted(p.name for p in out.iterdir())
    assert names == ["BC-tong-hop-2025-W50-tinh-thai-nguyen.docx", "BC-tong-hop-2025-W50-tinh-thai-nguyen.xlsx",
                     "bieu-do-2025-W50-tinh-thai-nguyen.png", "bieu-do-day-du-2025-W50-tinh-thai-nguyen.png"]
    bad = run("rollup", "--province", "x", "--out", str(out))
    assert bad.returncode == 2 and "không hợp lệ" in bad.stderr
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    refused = run("import", str(broken))
    assert refused.returncode == 1 and "mục 1 · ?: không lưu: mục này không phải JSON hợp lệ" in refused.stdout

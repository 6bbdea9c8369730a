"""Issue 14, item 8: every command that concerns a form takes ``--form ID`` (the weekly report by
default, said in --help), reads a period key as that form's and refuses one of another kind in
Vietnamese; `python -m bot rollup --form nq57-monthly --period 2026-04` writes the monthly rollup
of the reports stored in a real SQLite file."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import pytest

from bot.clock import VN_TZ, FakeClock
from bot.settings import Settings
from tests.cli.test_cli import run_cli
from tests.supervising.monthly import open_monthly_desk, scheduled_forms_dir
from tests.supervising.test_per_form import check_monthly_files


@pytest.mark.parametrize("command", ["render", "import", "rollup", "calendar"])
def test_every_form_command_documents_its_form_option(tmp_path: Path, command: str) -> None:
    result = run_cli(tmp_path, command, "--help")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "--form FORM_ID" in text and "default: tthc-weekly" in text and "nq57-monthly" in text


async def _stored_reports(database: Path, folder: Path) -> None:
    settings = Settings(_env_file=None, database_path=database)  # type: ignore[call-arg]
    clock = FakeClock(datetime(2026, 5, 20, 9, 0, tzinfo=VN_TZ))
    storage, _ = await open_monthly_desk(settings, clock, scheduled_forms_dir(folder))
    await storage.close()


def test_rollup_of_the_monthly_form_from_the_command_line(tmp_path: Path) -> None:
    asyncio.run(_stored_reports(tmp_path / "cli.db", tmp_path / "forms"))
    out = tmp_path / "out"
    result = run_cli(tmp_path, "rollup", "--form", "nq57-monthly", "--period", "2026-04", "--province", "19",
                     "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "• Tỷ lệ hồ sơ trực tuyến toàn trình: 82,35%" in result.stdout
    assert "• Tỷ lệ nhiệm vụ đã hoàn thành: 55,00%" in result.stdout
    check_monthly_files((out / "BC-tong-hop-2026-04-tinh-thai-nguyen.docx").read_bytes(),
                        (out / "BC-tong-hop-2026-04-tinh-thai-nguyen.xlsx").read_bytes())


def test_a_period_of_another_kind_is_refused_in_vietnamese(tmp_path: Path) -> None:
    weekly = run_cli(tmp_path, "rollup", "--period", "2026-04", "--province", "19", "--out", str(tmp_path / "o"))
    assert weekly.returncode == 2
    assert "Kỳ «2026-04» không hợp lệ cho biểu tthc-weekly: không phải là kỳ của biểu này" in weekly.stderr and "VD: 2026-W" in weekly.stderr
    answers = tmp_path / "rows.json"
    answers.write_text("[]", encoding="utf-8")
    monthly = run_cli(tmp_path, "import", str(answers), "--form", "nq57-monthly", "--period", "2026-W15")
    assert monthly.returncode == 2
    assert "Kỳ «2026-W15» không hợp lệ cho biểu nq57-monthly: không phải là kỳ của biểu này" in monthly.stderr and "VD: 2026-04" in monthly.stderr
    rendered = run_cli(tmp_path, "render", "--form", "nq57-monthly", "--unit", "5800", "--period", "2026-W15",
                       "--answers", str(answers), "--out", str(tmp_path / "bc.docx"))
    assert rendered.returncode != 0
    assert "không hợp lệ cho biểu nq57-monthly" in rendered.stderr


def test_calendar_of_the_monthly_form(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "calendar", "--form", "nq57-monthly", "--from", "10/04/2026", "--weeks", "2")
    assert result.returncode == 0, result.stderr
    assert "(nq57-monthly)" in result.stdout and "2026-04 · Tháng 4/2026" in result.stdout
    weekly = run_cli(tmp_path, "calendar", "--from", "10/04/2026", "--weeks", "1")
    assert "(tthc-weekly)" in weekly.stdout

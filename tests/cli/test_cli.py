"""The command line as others script it: `python -m bot …` in a subprocess, on a temporary database."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_cli(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_", "WEBHOOK_", "ZALO_"))}
    environment.update({"DATABASE_PATH": str(tmp_path / "cli.db"), **(env or {})})
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_help_lists_the_subcommands(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "--help")
    assert result.returncode == 0
    for command in ("run", "demo", "units", "invite", "render", "migrate"):
        assert command in result.stdout


def test_units_import_twice_changes_nothing(tmp_path: Path) -> None:
    first = run_cli(tmp_path, "units", "import", "--province", "19")
    assert first.returncode == 0, first.stderr
    assert "thêm 93" in first.stdout
    second = run_cli(tmp_path, "units", "import", "--province", "19")
    assert "thêm 0, cập nhật 0, không đổi 93" in second.stdout


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_invite_writes_one_link_per_commune(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"moi.{suffix}"
    result = run_cli(tmp_path, "invite", "--province", "19", "--role", "reporter", "--out", str(out),
                     "--bot-username", "baocao_bot")
    assert result.returncode == 0, result.stderr
    if suffix == "csv":
        with out.open(encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))[1:]
    else:
        sheet = openpyxl.load_workbook(out).active
        rows = [[str(c.value) for c in row] for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == 92
    links = {row[3] for row in rows}
    assert len(links) == 92 and all(link.startswith("https://t.me/baocao_bot?start=") for link in links)
    assert all(len(link.split("start=")[1]) <= 64 for link in links)


def test_a_malformed_setting_stops_with_one_line(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "migrate", env={"ADMIN_IDS": "12,abc"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "ADMIN_IDS" in lines[0]


def test_run_without_a_token_says_what_to_do(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "run")
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr and "make run" in result.stderr
    assert "ZALO_BOT_TOKEN" in result.stderr  # either token serves the real messenger


def test_a_zalo_share_out_of_range_is_refused_in_vietnamese(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "demo", "--simulate", "--zalo-share", "30%")
    assert result.returncode == 2
    assert "Tỷ lệ xã dùng Zalo «30%» không hợp lệ" in result.stderr and "0.3" in result.stderr


def test_the_token_never_reaches_the_log(tmp_path: Path) -> None:
    token = "123456789:SECRETSECRETSECRET"
    result = run_cli(tmp_path, "migrate", env={"TELEGRAM_BOT_TOKEN": token, "LOG_LEVEL": "DEBUG"})
    assert result.returncode == 0, result.stderr
    assert "SECRETSECRET" not in result.stdout + result.stderr

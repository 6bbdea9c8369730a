"""A DATABASE_PATH the bot cannot use (a read-only folder, a folder that is a file, a folder, a file it
cannot write, a file that is not a database) stops `python -m bot run` and `migrate` with one line
naming DATABASE_PATH and the reason, exit code 2 like every other bad setting, and no traceback.

Tests run as root in CI, where chmod stops nothing: the read-only places are under /proc (a
kernel file system nobody can create files in); only the chmod case needs a user that is not root."""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

import pytest

from tests.cli.test_cli import run_cli

TOKEN = "123456789:TESTTESTTEST"
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ (DEBUG|INFO|WARNING) ")


def _bad_paths(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name → (DATABASE_PATH, a word of the reason the line must give)."""
    plain = tmp_path / "ghichu.txt"
    plain.write_text("không phải cơ sở dữ liệu\n" * 200, encoding="utf-8")
    return {
        "read-only folder": (Path("/proc/baocao.db"), "không ghi được"),
        "read-only missing folder": (Path("/proc/baocao/baocao.db"), "không tạo được thư mục"),
        "folder is a file": (plain / "baocao.db", "không phải là thư mục"),
        "a folder": (tmp_path, "là một thư mục"),
        "unwritable file": (Path("/proc/version"), "không"),
        "not a database": (plain, "không phải cơ sở dữ liệu SQLite"),
    }


CASES = ["read-only folder", "read-only missing folder", "folder is a file", "a folder", "unwritable file",
         "not a database"]


def _assert_one_line(result, path: Path, reason: str) -> None:  # type: ignore[no-untyped-def]
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output, output
    assert " ERROR " not in output and " CRITICAL " not in output, output
    # besides the log's INFO lines (`run` logs how it starts), one line
    lines = [line for line in result.stderr.strip().splitlines() if not LOG_LINE.match(line)]
    assert len(lines) == 1, output
    assert "DATABASE_PATH" in lines[0] and str(path) in lines[0], lines[0]
    assert reason in lines[0], lines[0]


@pytest.mark.parametrize("case", CASES)
def test_migrate_says_what_is_wrong_with_database_path(tmp_path: Path, case: str) -> None:
    path, reason = _bad_paths(tmp_path)[case]
    result = run_cli(tmp_path, "migrate", env={"DATABASE_PATH": str(path)})
    _assert_one_line(result, path, reason)


@pytest.mark.parametrize("case", ["read-only folder", "folder is a file", "a folder"])
def test_run_says_what_is_wrong_with_database_path(tmp_path: Path, case: str) -> None:
    path, reason = _bad_paths(tmp_path)[case]
    # the database is opened before anything is asked of Telegram: an address nobody answers is fine
    result = run_cli(tmp_path, "run", env={"DATABASE_PATH": str(path), "TELEGRAM_BOT_TOKEN": TOKEN,
                                          "BOT_API_BASE_URL": "http://127.0.0.1:9"})
    _assert_one_line(result, path, reason)


@pytest.mark.skipif(os.geteuid() == 0, reason="chmod does not stop root from writing (the /proc cases cover root)")
def test_a_database_in_a_folder_without_write_permission(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "baocao.db"
    sqlite3.connect(path).close()
    path.chmod(0o444)
    folder.chmod(0o555)
    try:
        result = run_cli(tmp_path, "migrate", env={"DATABASE_PATH": str(path)})
    finally:
        folder.chmod(0o755)
    _assert_one_line(result, path, "không")

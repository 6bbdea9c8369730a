"""The command line imports only the chosen command's module: `python -m bot import` does not load
Telegram or document rendering (tens of megabytes and seconds it does not need), while --help still
lists every command with its help text and each command's --help works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import COMMAND_MODULES

ROOT = Path(__file__).resolve().parents[2]


def python(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_PATH": str(tmp_path / "bot.db"),
                   "TELEGRAM_BOT_TOKEN": ""}
    return subprocess.run([sys.executable, *args], cwd=tmp_path, env=environment, capture_output=True, text=True,
                          timeout=120)


def test_the_import_command_loads_neither_telegram_nor_document_rendering(tmp_path: Path) -> None:
    script = ("import sys\n"
              "from bot.cli import build_parser\n"
              "args = build_parser(['import', 'x.xlsx']).parse_args(['import', 'x.xlsx'])\n"
              "print(args.command, sorted(m for m in ('telegram', 'docxtpl', 'handlers') if m in sys.modules))\n")
    result = python(tmp_path, "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["import", "[]"]


def test_help_lists_every_command_with_its_help_text(tmp_path: Path) -> None:
    result = python(tmp_path, "-m", "bot", "--help")
    assert result.returncode == 0, result.stderr
    for name in COMMAND_MODULES:
        assert f"    {name} " in result.stdout
    assert "nhập báo cáo của nhiều xã" in result.stdout  # the import command's help text
    assert "tạo hoặc nâng cấp cơ sở dữ liệu" in result.stdout  # migrate's


@pytest.mark.parametrize("name", list(COMMAND_MODULES))
def test_each_command_has_its_own_help(tmp_path: Path, name: str) -> None:
    result = python(tmp_path, "-m", "bot", name, "--help")
    assert result.returncode == 0, result.stderr
    assert f"usage: python -m bot {name}" in result.stdout


def test_an_unknown_command_is_named_with_the_list_of_commands(tmp_path: Path) -> None:
    result = python(tmp_path, "-m", "bot", "imprt", "x.xlsx")
    assert result.returncode == 2
    assert "imprt" in result.stderr and "import" in result.stderr

"""`python -m bot import FILE --form nq57-monthly` with a file it cannot take: a broken .xlsx, a
JSON that is no list, another kind of file, a missing file, an unknown form, a period of the
weekly form: each refused with a Vietnamese reason (exit 2, or 1 for a refused row) and nothing
stored."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.cli.test_cli import run_cli

WEEKLY_ROW = [{"unit": "01894", "period": "2025-W50", "answers": {}}]


def _write(folder: Path, name: str) -> Path:
    path = folder / name
    if name == "broken.xlsx":
        path.write_bytes(b"PK\x03\x04not a workbook")
    elif name == "not-a-list.json":
        path.write_text(json.dumps({"unit": "01894"}), encoding="utf-8")
    elif name == "rows.csv":
        path.write_text("unit,period\n01894,2026-04\n", encoding="utf-8")
    elif name == "weekly.json":
        path.write_text(json.dumps(WEEKLY_ROW), encoding="utf-8")
    return path


def _stored(folder: Path) -> int:
    database = folder / "cli.db"
    if not database.exists():
        return 0
    with sqlite3.connect(database) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0])


@pytest.mark.parametrize(("name", "extra", "code", "said"), [
    ("broken.xlsx", (), 2, "Không đọc được tệp Excel broken.xlsx"),
    ("not-a-list.json", (), 2, "Tệp not-a-list.json phải là một danh sách"),
    ("rows.csv", (), 2, "Tệp rows.csv: chỉ nhận .xlsx hoặc .json."),
    ("missing.xlsx", (), 2, "Không có tệp missing.xlsx."),
    ("weekly.json", ("--period", "2025-W50"), 2,
     "Kỳ «2025-W50» không hợp lệ cho biểu nq57-monthly: không phải là kỳ của biểu này."),
    ("weekly.json", (), 1, "mục 1 · 01894 Xã Phúc Lộc: không lưu: kỳ «2025-W50» không hợp lệ (VD: 2026-11)"),
])
def test_import_of_the_monthly_form_refuses_a_file_it_cannot_take(tmp_path: Path, name: str, extra: tuple[str, ...],
                                                                   code: int, said: str) -> None:
    _write(tmp_path, name)
    result = run_cli(tmp_path, "import", name, "--form", "nq57-monthly", *extra)  # named as typed in its folder
    assert result.returncode == code, result.stderr
    assert said in (result.stderr if code == 2 else result.stdout)
    assert _stored(tmp_path) == 0


def test_import_with_a_form_that_does_not_exist(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "import", _write(tmp_path, "weekly.json").name, "--form", "nq99-monthly")
    assert result.returncode == 2
    assert "Không có biểu «nq99-monthly» trong" in result.stderr
    assert _stored(tmp_path) == 0

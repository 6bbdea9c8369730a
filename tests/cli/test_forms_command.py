"""`python -m bot forms list` names each form with its period kind and version; `forms check`
prints each problem of a form file with its line, and exits 1 on problems."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

UNSCHEDULED = """\
id: draft-survey
title: Khảo sát (đang chuẩn bị)
scheduled: false
fields:
  - id: answered
    label: Số phiếu
    help: Anh/Chị vui lòng nhập số phiếu. VD 12
    kind: count
period:
  kind: monthly
"""

BAD = """\
id: bad-form
title: Thử
fields:
  - id: money
    label: Tiền
    kind: decimal
    unit: triệu đồng
    max_length: 20
  - id: status
    label: Kết quả
    kind: choice
  - id: tasks
    label: Nhiệm vụ
    kind: table
    columns:
      - {id: name, label: Tên, kind: text}
      - {id: state, label: Kết quả, kind: text}
checks:
  - id: done_matches
    severity: soft
    require:
      eq: [money, {rows: [tasks, state, done]}]
    message: Sai.
"""


def bot(tmp_path: Path, *args: str, forms: Path = ROOT / "templates" / "forms") -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_PATH": str(tmp_path / "bot.db"),
                   "TELEGRAM_BOT_TOKEN": "", "FORMS_DIR": str(forms)}
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=environment, capture_output=True,
                          text=True, timeout=120)


def test_forms_list_prints_id_period_kind_version_and_title(tmp_path: Path) -> None:
    forms = tmp_path / "forms"
    shutil.copytree(ROOT / "templates" / "forms", forms)
    (forms / "draft-survey.yaml").write_text(UNSCHEDULED, encoding="utf-8")
    result = bot(tmp_path, "forms", "list", forms=forms)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() [:2] == ["Mã", "biểu"]
    monthly = next(line for line in lines if line.startswith("nq57-monthly"))
    weekly = next(line for line in lines if line.startswith("tthc-weekly"))
    survey = next(line for line in lines if line.startswith("draft-survey"))
    # the monthly report runs on its own calendar beside the weekly one; a form being prepared does not
    assert "hằng tháng" in monthly and "chưa chạy lịch" not in monthly and "  2  " in monthly
    assert "Nghị quyết số 57-NQ/TW" in monthly
    assert "hằng tuần" in weekly and "Báo cáo tuần" in weekly
    assert "hằng tháng (chưa chạy lịch)" in survey


def test_forms_check_names_each_problem_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    result = bot(tmp_path, "forms", "check", str(path))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert f"{path}:8: field 'money': max_length applies to text fields only, not to a decimal" in lines
    assert f"{path}:9: field 'status': a choice needs options (id and label of each answer)" in lines
    assert f"{path}:19: check 'done_matches' rows: 'state' is not a choice column of table 'tasks'" in lines
    assert lines[-1] == "Tệp biểu mẫu có 3 lỗi, chưa dùng được."


def test_forms_check_points_at_broken_yaml_and_passes_a_good_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("id: x\ntitle: [unclosed\nfields: []\n", encoding="utf-8")
    result = bot(tmp_path, "forms", "check", str(path))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{path}:3: not valid YAML at line 3")
    good = bot(tmp_path, "forms", "check", str(ROOT / "templates" / "forms" / "nq57-monthly.yaml"))
    assert good.returncode == 0, good.stderr
    assert "biểu mẫu hợp lệ (nq57-monthly, phiên bản 2" in good.stdout
    missing = bot(tmp_path, "forms", "check", str(tmp_path / "none.yaml"))
    assert missing.returncode == 2 and "Không đọc được tệp" in missing.stderr


def test_forms_check_refuses_a_rollup_that_names_what_the_form_lacks(tmp_path: Path) -> None:
    """/tonghop would refuse it: a rollup figure naming a rate the form does not have (a variant's
    rollup still naming the weekly form's old second full-online rate)."""
    source = (ROOT / "templates" / "forms" / "tthc-weekly-theo-muc.yaml").read_text(encoding="utf-8")
    assert "{share_online_full}" in source
    path = tmp_path / "tthc-weekly-theo-muc.yaml"
    path.write_text(source.replace("{share_online_full}", "{full_online_rate}"), encoding="utf-8")
    result = bot(tmp_path, "forms", "check", str(path))
    assert result.returncode == 1, result.stdout
    problem = next(line for line in result.stderr.splitlines() if "full_online_rate" in line)
    assert problem.startswith(f"{path}:") and "rollup: docx.figures" in problem
    assert result.stderr.splitlines()[-1].endswith("lỗi, chưa dùng được.")

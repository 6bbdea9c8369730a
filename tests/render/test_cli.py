"""`python -m bot render`: a JSON of answers or the stored report into a .docx, printing the
checks the answers break."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.clock import VN_TZ
from bot.documents.render import sample_answers
from bot.domain.forms import load_form
from bot.domain.periods import period_for
from tests.render.conftest import FORM_PATH, ROOT
from tests.render.docx_helpers import full_text, open_docx


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary database path (not created) and a working directory without a .env."""
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "data" / "baocao.db"
    monkeypatch.setenv("DATABASE_PATH", str(db))
    return db


def _answers_file(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_renders_a_json_of_answers_and_prints_the_broken_checks(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = {
        **sample_answers(),
        "received_online_full": "1.794",  # typed the way officials type it
        "digitized": 2_000,
        "ghi_chu": "không thuộc biểu",
    }
    out = tmp_path / "out" / "bc.docx"
    code = main(
        ["render", "--unit", "21370", "--period", "2025-W50", "--answers", str(_answers_file(tmp_path, answers)),
         "--out", str(out), "--date", "2025-12-16"]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "Xã Phước Giang (mã 21370), Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025)" in printed
    assert "Kiểm tra: 2 quy tắc không đạt" in printed
    assert "[bắt buộc] digitized_le_received_new: Số hồ sơ số hóa (2.000) không thể lớn hơn tổng số tiếp nhận mới (1.812)" in printed
    assert "[cảnh báo] balance: Số liệu chưa cân đối: tổng số hồ sơ phải giải quyết là 1.865" in printed
    assert "Bỏ qua «ghi_chu»" in printed
    assert "BC-tuan-2025-W50-xa-phuoc-giang.docx" in printed
    text = full_text(open_docx(out.read_bytes()))
    assert "trực tuyến toàn trình 1.794 hồ sơ" in text
    assert "Phước Giang, ngày 16 tháng 12 năm 2025" in text
    assert not env.exists()  # a preview from a file does not create the database


def test_settings_file_and_explanations_in_the_answers_file(
    env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = {"answers": {**sample_answers(), "withdrawn": 2}, "explanations": {"balance": "Hồ sơ của hệ thống cũ."}}
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"signer_name": "Lê Văn Cường", "signer_titles": ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]}))
    out = tmp_path / "bc.docx"
    code = main(
        ["render", "--unit", "21370", "--period", "2025-W50", "--answers", str(_answers_file(tmp_path, data)),
         "--out", str(out), "--settings", str(settings)]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "Giải trình: Hồ sơ của hệ thống cũ." in printed
    text = full_text(open_docx(out.read_bytes()))
    assert "Lý do: Hồ sơ của hệ thống cũ." in text
    assert "Lê Văn Cường" in text and "TM. ỦY BAN NHÂN DÂN" in text


async def _seed(db: Path) -> None:
    from bot.administering.units import official_units
    from storage import ReportSettings, Storage

    form = load_form(FORM_PATH)
    storage = await Storage.open(db)
    try:
        await storage.units.upsert_many(official_units("51"))
        at = datetime(2025, 12, 16, 10, 15, tzinfo=VN_TZ)
        for key, pending_in_time in (("2025-W49", 40), ("2025-W50", 53)):
            info = period_for(form.period, key)
            period = await storage.periods.upsert(form.id, key, info.starts_on, info.ends_on, info.opens_at,
                                                  info.deadline_at)
            answers = {**sample_answers(), "pending_in_time": pending_in_time}
            explanations = {"continuity": "Có 12 hồ sơ chuyển từ hệ thống cũ sang."} if key == "2025-W50" else {}
            await storage.submissions.add_version(period.id, "21370", answers, explanations, None, at)
        await storage.unit_settings.put(
            "21370",
            ReportSettings(signer_authority="TM. ỦY BAN NHÂN DÂN", signer_title="CHỦ TỊCH", signer_name="Trần Thị Bình"),
            None,
            at,
        )
    finally:
        await storage.close()


def test_renders_the_stored_report(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(_seed(env))
    out = tmp_path / "stored.docx"
    code = main(["render", "--unit", "21370", "--period", "2025-W50", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "bản nộp số 1 lúc 10:15 ngày 16/12/2025" in printed
    assert "[cảnh báo] continuity: Số hồ sơ kỳ trước chuyển sang (53) khác số hồ sơ đang giải quyết cuối kỳ trước (41)" in printed
    assert "Giải trình: Có 12 hồ sơ chuyển từ hệ thống cũ sang." in printed
    document = open_docx(out.read_bytes())
    text = full_text(document)
    assert "Phước Giang, ngày 16 tháng 12 năm 2025" in text
    assert "Lý do: Có 12 hồ sơ chuyển từ hệ thống cũ sang." in text
    assert "(41)" in text
    signer = [p.text for p in document.tables[-1].rows[0].cells[1].paragraphs if p.text]
    assert signer == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Trần Thị Bình"]


def test_errors_are_one_line_with_exit_code_2(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "x.docx")
    assert main(["render", "--unit", "21370", "--period", "2025-W50", "--out", out]) == 2
    assert "Không có cơ sở dữ liệu" in capsys.readouterr().err

    bad = _answers_file(tmp_path, {"received_in_person": "1,5", "withdrawn": -1})
    assert main(["render", "--unit", "21370", "--period", "2025-W50", "--answers", str(bad), "--out", out]) == 2
    err = capsys.readouterr().err
    assert "«received_in_person»" in err and "«withdrawn»" in err

    good = _answers_file(tmp_path, sample_answers())
    assert main(["render", "--unit", "99999", "--period", "2025-W50", "--answers", str(good), "--out", out]) == 2
    assert "Không có xã, phường nào mã 99999" in capsys.readouterr().err
    assert main(["render", "--unit", "21370", "--period", "2025-12", "--answers", str(good), "--out", out]) == 2
    assert "Kỳ «2025-12» không hợp lệ" in capsys.readouterr().err

    broken = tmp_path / "broken.json"
    broken.write_text('{"carried_over": 53,', encoding="utf-8")
    assert main(["render", "--unit", "21370", "--period", "2025-W50", "--answers", str(broken), "--out", out]) == 2
    assert f"Tệp {broken} không phải JSON hợp lệ (dòng 1, cột 21)" in capsys.readouterr().err
    missing = tmp_path / "missing.json"
    assert main(["render", "--unit", "21370", "--period", "2025-W50", "--answers", str(good),
                 "--settings", str(missing), "--out", out]) == 2
    assert f"Không đọc được tệp thiết lập {missing}" in capsys.readouterr().err
    assert not Path(out).exists()


def test_python_dash_m_bot_render(env: Path, tmp_path: Path) -> None:
    answers = _answers_file(tmp_path, {**sample_answers(), "withdrawn": 3})
    out = tmp_path / "bc.docx"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "render", "--unit", "21370", "--period", "2025-W50", "--answers", str(answers),
         "--out", str(out)],
        capture_output=True, text=True, cwd=tmp_path,
        env={"DATABASE_PATH": str(env), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "[cảnh báo] balance" in result.stdout
    assert out.exists()


def test_blanks_in_the_answers_file(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """null or "-" for a figure the commune does not have (issue 15, item 3): not 0 in the report,
    not listed as unanswered, and the checks that need it are said not made."""
    answers = {**sample_answers(), "received_online_full": None, "received_online_partial": "-",
               "received_online": 43, "digitized": None}
    out = tmp_path / "bc.docx"
    code = main(["render", "--unit", "21370", "--period", "2025-W50", "--answers",
                 str(_answers_file(tmp_path, answers)), "--out", str(out), "--date", "2025-12-16"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "Chưa trả lời" not in printed and "chưa trả lời" not in printed
    assert "Chưa kiểm tra các điều kiện cần «Số hóa» vì chưa có số liệu." in printed
    text = full_text(open_docx(out.read_bytes()))
    assert "trực tuyến 43 hồ sơ, chiếm 87,76% (chưa có số liệu toàn trình, một phần)" in text
    assert "- Hồ sơ được số hóa: chưa có số liệu;" in text and "toàn trình 0 hồ sơ" not in text

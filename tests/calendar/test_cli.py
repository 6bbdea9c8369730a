"""`python -m bot calendar`: the coming periods in Vietnamese, as an admin checks them."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from bot.clock import VN_TZ
from storage import Storage

ROOT = Path(__file__).resolve().parents[2]


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_", "WEBHOOK_"))}
    environment["DATABASE_PATH"] = str(tmp_path / "cli.db")
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=environment,
                          capture_output=True, text=True, timeout=60)


def test_calendar_around_30_4_2026(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "calendar", "--from", "20/04/2026", "--weeks", "3")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Lịch báo cáo: Báo cáo tuần" in out and "(tthc-weekly), 3 kỳ từ ngày 20/4/2026" in out
    assert "2026-W16 · Tuần 16/2026 (từ ngày 13/4 đến 19/4/2026)" in out
    assert (
        "2026-W17 · Tuần 17/2026 (từ ngày 20/4 đến 26/4/2026)\n"
        "   Mở báo cáo: 08:00 thứ Ba 28/4/2026\n"
        "      ↳ Ngày mở báo cáo chuyển từ thứ Hai 27/4/2026 sang thứ Ba 28/4/2026 do trùng ngày nghỉ: "
        "Ngày Giỗ Tổ Hùng Vương (nghỉ bù) (27/4).\n"
        "   Nhắc: 09:00 thứ Tư 29/4/2026; 09:00 thứ Hai 04/5/2026\n"
        "   Hạn nộp: 15:00 thứ Hai 04/5/2026\n"
        "      ↳ Hạn nộp báo cáo chuyển từ thứ Năm 30/4/2026 sang thứ Hai 04/5/2026 do trùng ngày nghỉ: "
        "Ngày Chiến thắng (30/4), Ngày Quốc tế Lao động (01/5).\n"
    ) in out
    assert "2026-W18" in out and "2026-W19" not in out
    assert "Giờ gửi tin: 07:00–21:00" in out
    assert not (tmp_path / "cli.db").exists()  # a preview creates nothing


def test_calendar_shows_the_change_made_in_chat(tmp_path: Path) -> None:
    import asyncio

    async def change() -> None:
        storage = await Storage.open(tmp_path / "cli.db")
        try:
            await storage.calendar.set_override(
                "tthc-weekly", {"deadline": {"weekday": "friday", "time": "22:00"}}, by=1,
                at=datetime(2026, 2, 1, 9, 0, tzinfo=VN_TZ))
        finally:
            await storage.close()

    asyncio.run(change())
    result = run_cli(tmp_path, "calendar", "--from", "2026-02-09", "--weeks", "2")
    assert result.returncode == 0, result.stderr
    assert "Hạn nộp: 22:00 thứ Sáu tuần sau" in result.stdout
    # Tết: the Friday 20/2 deadline moves to Monday 23/2; at 22:00 it is announced at 07:00 next morning
    assert ("Hạn nộp: 22:00 thứ Hai 23/2/2026 (gửi lúc 07:00 thứ Ba 24/2/2026 do ngoài giờ gửi tin 07:00–21:00)"
            in result.stdout)
    assert "Tết Nguyên Đán" in result.stdout
    assert "thay đổi đặt trong chat lúc 09:00 Chủ nhật 01/2/2026 (deadline)" in result.stdout


def test_calendar_refuses_a_bad_date_and_form(tmp_path: Path) -> None:
    bad = run_cli(tmp_path, "calendar", "--from", "31/02/2026")
    assert bad.returncode == 2 and "không có trong lịch" in bad.stderr
    unknown = run_cli(tmp_path, "calendar", "--form", "khong-co")
    assert unknown.returncode == 2 and "không có biểu mẫu «khong-co»" in unknown.stderr


def test_help_lists_calendar(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "calendar", "--help")
    assert result.returncode == 0 and "--weeks" in result.stdout and "--from" in result.stdout

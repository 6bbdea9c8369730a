"""Makes README's pictures again: docs/review.png (the review of a week reported in the web chat, on a
390 × 844 phone screen, headless Chromium) and docs/chart.png (the rollup picture the chat gets, from a
simulated week). Run from the repository's root: `.venv/bin/python docs/screenshots.py`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Literal

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from bot.administering.units import official_units
from bot.demo.figures import COUNT_FIELDS, format_thousands, profile_for, rng_for, week_counts
from bot.domain.forms import load_forms

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}
LAST_BOT = """
const all = document.querySelectorAll('.msg.bot');
const m = all[all.length - 1];
return m ? {count: all.length, id: m.dataset.messageId, text: m.querySelector('.bubble').innerText,
            buttons: [...m.querySelectorAll('.keyboard button')].map((b) => b.textContent)} : null;
"""


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_", "WEBHOOK_", "DATABASE_"))}
    return {**env, "DATABASE_PATH": str(folder / "baocao.db"), "PYTHONPATH": str(ROOT)}


def chart(folder: Path) -> None:
    out = folder / "simulated"
    subprocess.run([sys.executable, "-m", "bot", "demo", "--simulate", "--communes", "30", "--seed", "3",
                    "--out", str(out)], cwd=folder, env=_env(folder), check=True, stdout=subprocess.DEVNULL)
    shutil.copy(next((out / "tong-hop").glob("bieu-do-*.png")), DOCS / "chart.png")


def _last(driver: webdriver.Chrome, predicate: object, timeout: float = 20) -> dict[str, object]:
    def check(d: webdriver.Chrome) -> dict[str, object] | Literal[False]:
        state: dict[str, object] | None = d.execute_script(LAST_BOT)
        return state if state is not None and predicate(state) else False  # type: ignore[operator]
    result: dict[str, object] = WebDriverWait(driver, timeout, poll_frequency=0.2).until(check)
    return result


def _send(driver: webdriver.Chrome, text: str) -> None:
    box = driver.find_element(By.ID, "text")
    driver.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))",
                          box, text)
    driver.find_element(By.ID, "send").click()


def _figures(carried: int) -> str:
    """The rest of Xã Đại Từ's week in one message, as the demo's officials write it."""
    form = load_forms(ROOT / "templates" / "forms")["tthc-weekly"]
    unit = next(u for u in official_units("19") if u.name == "Đại Từ")
    counts = week_counts(profile_for(unit), carried, rng_for(0, "webchat"))
    labels = {f.id: (f.short_label or f.label) for f in form.count_fields}
    return "\n".join(f"{labels[f]}: {format_thousands(counts[f])}" for f in COUNT_FIELDS[1:])


def review(folder: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = folder / "demo.log"
    with log.open("wb") as out:
        demo = subprocess.Popen([sys.executable, "-m", "bot", "demo", "--port", str(port)], cwd=folder,
                                env=_env(folder), stdout=out, stderr=subprocess.STDOUT)
    options = webdriver.ChromeOptions()
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=390,844",
                 f"--user-data-dir={folder / 'profile'}"):
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    service = webdriver.ChromeService(executable_path=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=options)
    try:
        while f"127.0.0.1:{port}/chat" not in log.read_text(errors="replace"):
            time.sleep(0.2)
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
        driver.get(f"http://127.0.0.1:{port}/chat#u=1001")
        _send(driver, "/baocao")
        first = _last(driver, lambda m: "Câu 1/" in m["text"] and any("Như kỳ trước" in b for b in m["buttons"]))
        suggestion = next(b for b in first["buttons"] if "Như kỳ trước" in b)  # type: ignore[attr-defined]
        _send(driver, str(suggestion).split(":")[1].strip())
        first = _last(driver, lambda m: "Câu 2/" in m["text"])
        _send(driver, _figures(int(str(suggestion).split(":")[1].strip().replace(".", ""))))
        screen = _last(driver, lambda m, n=first["count"]: m["count"] > n)
        for _ in range(15):
            buttons = " ".join(screen["buttons"])  # type: ignore[arg-type]
            if "Gửi báo cáo" in buttons:
                break
            if "lý do" in str(screen["text"]):
                _send(driver, "Tuần cao điểm cấp giấy chứng nhận quyền sử dụng đất.")
            else:
                _send(driver, "Không có vướng mắc phát sinh trong tuần.")
            screen = _last(driver, lambda m, n=screen["count"]: m["count"] > n and bool(
                m["buttons"] or "lý do" in m["text"]))
        driver.execute_script(f"document.querySelector('.msg.bot[data-message-id=\"{screen['id']}\"]')"
                              ".scrollIntoView({block: 'start'})")
        time.sleep(0.5)
        driver.save_screenshot(str(DOCS / "review.png"))
    finally:
        driver.quit()
        demo.terminate()
        demo.wait(timeout=15)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        chart(Path(tmp))
        review(Path(tmp))
    print("docs/chart.png, docs/review.png")

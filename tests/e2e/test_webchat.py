"""The web chat in headless Chromium (Debian's chromium and chromium-driver, driven by selenium),
against the real `python -m bot demo`: pick an official on a phone-sized screen, report a week (one
tap, all figures in one message, then the texts), see the review, submit, download the .docx."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest

from bot.administering.units import official_units
from bot.demo.figures import COUNT_FIELDS, format_thousands, profile_for, rng_for, week_counts
from bot.domain.forms import load_forms
from bot.settings import Settings
from tests.e2e.botprocess import weekly_forms

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True}

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (make test installs it)")
if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
    pytest.skip("chromium and chromedriver are needed (make test installs them with apt-get when run as root)",
                allow_module_level=True)

from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[str]:
    """`python -m bot demo` on a free port, in a folder of its own (no .env), until the test ends."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_", "WEBHOOK_", "DATABASE_"))}
    # the weekly form alone: on the real clock the monthly report is open from the 20th to the 24th
    env.update({"DATABASE_PATH": str(tmp_path / "baocao.db"), "PYTHONPATH": str(ROOT),
                "FORMS_DIR": str(weekly_forms(tmp_path))})
    log = (tmp_path / "demo.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "bot", "demo", "--port", str(port)], cwd=tmp_path, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/chat"
    try:
        for _ in range(300):
            if url in (tmp_path / "demo.log").read_text(errors="replace"):
                break
            assert process.poll() is None, (tmp_path / "demo.log").read_text(errors="replace")
            time.sleep(0.1)
        else:
            raise AssertionError("the demo did not print the web chat's address")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
    output = (tmp_path / "demo.log").read_text(errors="replace")
    assert process.returncode == 0, output
    assert "Traceback" not in output, output


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    options.add_argument("--window-size=390,844")
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.set_script_timeout(10)
    try:
        yield driver
    finally:
        driver.quit()


LAST_BOT = """
const all = document.querySelectorAll('.msg.bot');
const m = all[all.length - 1];
if (!m) return null;
return {count: all.length, id: m.dataset.messageId, text: m.querySelector('.bubble').innerText,
        buttons: [...m.querySelectorAll('.keyboard button')].map((b) => b.textContent)};
"""


def wait_bot(driver, predicate, timeout: float = 15) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The latest bot message (text, buttons) once it satisfies predicate(state)."""
    def check(d):  # type: ignore[no-untyped-def]
        state = d.execute_script(LAST_BOT)
        return state if state is not None and predicate(state) else False
    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(check)


def send(driver, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type (or paste, for several lines) into the message box and press Gửi."""
    box = driver.find_element(By.ID, "text")
    driver.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))",
                          box, text)
    driver.find_element(By.ID, "send").click()


def tap(driver, message_id: str, label: str) -> None:  # type: ignore[no-untyped-def]
    """Tap the inline button of that bot message whose label contains `label`."""
    def click(d):  # type: ignore[no-untyped-def]
        for button in d.find_elements(By.CSS_SELECTOR, f'.msg.bot[data-message-id="{message_id}"] .keyboard button'):
            if label in button.text:
                button.click()
                return True
        return False
    WebDriverWait(driver, 5, ignored_exceptions=(StaleElementReferenceException,)).until(click)


def test_an_official_reports_a_week_in_the_web_chat(demo: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    driver = browser
    driver.get(demo)
    # the picker lists the demo people with their roles
    cards = WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".person"))
    texts = [c.text for c in cards]
    assert any("Nguyễn Thị Lan" in t and "CÁN BỘ BÁO CÁO" in t.upper() and "Xã Đại Từ" in t for t in texts), texts
    assert any("GIÁM SÁT" in t.upper() for t in texts) and any("QUẢN TRỊ" in t.upper() for t in texts)
    driver.find_element(By.CSS_SELECTOR, '.person[data-id="1001"]').click()
    assert "Nguyễn Thị Lan" in driver.find_element(By.ID, "whoami").text
    # a phone-sized screen: nothing wider than the viewport
    assert driver.execute_script("return document.documentElement.scrollWidth") <= PHONE["width"]

    send(driver, "/start")
    wait_bot(driver, lambda m: "Xin chào Nguyễn Thị Lan" in m["text"])
    send(driver, "/baocao")
    first = wait_bot(driver, lambda m: "Câu 1/" in m["text"] and any("Như kỳ trước" in b for b in m["buttons"]))
    suggestion = next(b for b in first["buttons"] if "Như kỳ trước" in b)
    carried = int(suggestion.split(":")[1].strip().replace(".", ""))
    tap(driver, first["id"], "Như kỳ trước")  # an inline button: the tap goes through the control API
    wait_bot(driver, lambda m: "Câu 2/" in m["text"])
    # the edit that took the buttons off the answered question shows
    WebDriverWait(driver, 5).until(lambda d: not d.execute_script(
        f"return document.querySelector('.msg.bot[data-message-id=\"{first['id']}\"] .keyboard')"))

    # all the figures in one message, as copied from the procedures system
    form = load_forms(Settings(_env_file=None).forms_dir)["tthc-weekly"]
    unit = next(u for u in official_units("19") if u.name == "Đại Từ")
    counts = week_counts(profile_for(unit), carried, rng_for(0, "webchat"))
    labels = {f.id: (f.short_label or f.label) for f in form.count_fields}
    send(driver, "\n".join(f"{labels[f]}: {format_thousands(counts[f])}" for f in COUNT_FIELDS[1:]))
    screen = wait_bot(driver, lambda m: "Đã điền 12 mục" in m["text"])

    # then the texts, one question at a time, until the review
    for _ in range(12):
        if any("Gửi báo cáo" in b for b in screen["buttons"]):
            break
        if any("Giữ nguyên, ghi lý do" in b for b in screen["buttons"]):
            tap(driver, screen["id"], "Giữ nguyên, ghi lý do")
        elif "lý do giữ nguyên" in screen["text"]:
            send(driver, "Số liệu đã đối chiếu với hệ thống một cửa.")
        else:
            send(driver, "Không có vướng mắc phát sinh trong tuần.")
        screen = wait_bot(driver, lambda m, n=screen["count"]: m["count"] > n and bool(m["buttons"] or "lý do" in m["text"]))
    review = screen["text"]
    assert "BÁO CÁO TUẦN" in review and "Xã Đại Từ" in review
    assert format_thousands(counts["received_online_full"]) in review
    assert "Tỷ lệ" in review
    driver.save_screenshot(str(tmp_path / "review.png"))

    tap(driver, screen["id"], "Gửi báo cáo")
    done = wait_bot(driver, lambda m: "Đã gửi báo cáo" in m["text"] or ".docx" in m["text"], timeout=20)
    link = WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".msg.bot a.file"))[-1]
    name = link.get_attribute("download")
    assert name.endswith(".docx") and "dai-tu" in name, name
    assert done is not None
    link.click()
    downloads = tmp_path / "downloads"
    target = downloads / name
    WebDriverWait(driver, 15).until(lambda d: target.exists() and not list(downloads.glob("*.crdownload")))
    document = docx.Document(str(target))
    body = "\n".join(p.text for p in document.paragraphs)
    header = " ".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "BÁO CÁO" in body and "ĐẠI TỪ" in header.upper()
    assert format_thousands(counts["received_online_full"]) in body

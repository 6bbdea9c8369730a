"""The web chat's Zalo side in headless Chromium, against `python -m sandbox`: the picker offers
people on either messenger; a Zalo person's chat has Zalo's look, no command menu, and carries typed
text to the sandbox's Zalo side and the bot's Zalo messages (text, a photo by URL) back."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import test_webchat as webchat

browser = webchat.browser  # the same headless Chromium (skipped with the same reasons)
ROOT = Path(__file__).resolve().parents[2]

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def http(base: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        return json.loads(resp.read())


@pytest.fixture
def sandbox_url(tmp_path: Path) -> Iterator[str]:
    port = webchat.free_port()
    log = (tmp_path / "sandbox.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "sandbox", "--port", str(port)], cwd=ROOT,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                http(base, "GET", "/control/zalo")
                break
            except OSError:
                assert process.poll() is None, (tmp_path / "sandbox.log").read_text(errors="replace")
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
    assert "Traceback" not in (tmp_path / "sandbox.log").read_text(errors="replace")


def test_a_zalo_person_in_the_web_chat(sandbox_url: str, browser) -> None:  # type: ignore[no-untyped-def]
    base, driver = sandbox_url, browser
    http(base, "POST", "/control/people", {"id": 1001, "first_name": "Lan", "last_name": "Nguyễn Thị",
                                            "role": "reporter", "units": ["Xã Đại Từ"]})
    binh = http(base, "POST", "/control/zalo/people", {"id": "b1nh", "display_name": "Trần Văn Bình",
                                                        "role": "reporter", "units": ["Xã Hà Thượng"]})
    assert binh["messenger"] == "zalo" and binh["role_label"] == "Cán bộ báo cáo"
    driver.get(base + "/chat")
    cards = WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".person"))
    assert sorted(c.get_attribute("data-messenger") for c in cards) == ["telegram", "zalo"]
    driver.find_element(By.CSS_SELECTOR, '#messengers button[data-filter="zalo"]').click()
    WebDriverWait(driver, 5).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".person")) == 1)
    driver.find_element(By.CSS_SELECTOR, '.person[data-messenger="zalo"]').click()
    WebDriverWait(driver, 5).until(lambda d: "Trần Văn Bình" in d.find_element(By.ID, "whoami").text)
    assert "zalo" in driver.find_element(By.TAG_NAME, "body").get_attribute("class")
    assert not driver.find_element(By.ID, "menu").is_displayed()  # Zalo has no command menu
    box = driver.find_element(By.ID, "text")
    box.send_keys("/baocao")
    driver.find_element(By.ID, "send").click()
    WebDriverWait(driver, 5).until(lambda d: http(base, "GET", "/control/zalo/updates/pending")["count"] == 1)
    update = http(base, "GET", "/control/zalo/updates/pending")["updates"][0]
    assert update["message"]["text"] == "/baocao" and update["message"]["from"]["id"] == "b1nh"
    # the bot answers through Zalo's Bot API: a text and a photo by URL show up in the page
    api = base + "/zalo/bot123:abc"
    for method, params in (("sendMessage", {"chat_id": "b1nh", "text": "1 = Như kỳ trước, 2 = Không có"}),
                           ("sendPhoto", {"chat_id": "b1nh", "photo": "https://example.vn/chart.png",
                                          "caption": "Biểu đồ"})):
        request = urllib.request.Request(f"{api}/{method}", data=json.dumps(params).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as resp:
            assert json.loads(resp.read())["ok"]
    WebDriverWait(driver, 10).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".msg.bot")) == 2)
    bubbles = [e.text for e in driver.find_elements(By.CSS_SELECTOR, ".msg .bubble")]
    assert "/baocao" in bubbles[0] and "1 = Như kỳ trước" in bubbles[1] and "Biểu đồ" in bubbles[2]
    photo = driver.find_element(By.CSS_SELECTOR, ".msg.bot img.photo")
    assert photo.get_attribute("src") == "https://example.vn/chart.png"
    assert driver.current_url.endswith("#z=b1nh")

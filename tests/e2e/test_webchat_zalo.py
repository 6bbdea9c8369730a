"""The web chat's Zalo side in headless Chromium, against `python -m sandbox`: the picker offers
people on either messenger; a Zalo person's chat has Zalo's look, no command menu, and carries typed
text to the sandbox's Zalo side and the bot's Zalo messages (text, a photo by URL) back."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest

from bot.administering.units import official_units
from bot.demo.figures import COUNT_FIELDS, format_thousands, profile_for, rng_for, week_counts
from bot.domain.forms import load_forms
from bot.settings import Settings
from tests.e2e import test_webchat as webchat

browser = webchat.browser  # the same headless Chromium (skipped with the same reasons)
demo = webchat.demo
ROOT = Path(__file__).resolve().parents[2]

from selenium.common.exceptions import TimeoutException  # noqa: E402
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


OPTION = re.compile(r"^([0-9a-z]{1,3}) = (.+)$", re.MULTILINE)
BOT_TEXTS = "return [...document.querySelectorAll('.msg.bot .bubble')].map((b) => b.innerText);"


def _option(text: str, starts: str) -> tuple[str, str]:
    """The key and label of the option (typed) whose label begins with ``starts``."""
    found = [(key, label) for key, label in OPTION.findall(text) if label.startswith(starts)]
    assert found, f"no option «{starts}» in: {text}"
    return found[0]


def _said_after(driver, count: int, predicate, timeout: float = 20) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """What the bot said after its first ``count`` messages (joined), once ``predicate`` holds on
    the last of them; and how many messages there are then."""
    def check(d):  # type: ignore[no-untyped-def]
        texts = d.execute_script(BOT_TEXTS)
        return (texts, len(texts)) if len(texts) > count and predicate(texts[-1]) else False
    try:
        texts, total = WebDriverWait(driver, timeout, poll_frequency=0.1).until(check)
    except TimeoutException:
        raise AssertionError("\n---\n".join(driver.execute_script(BOT_TEXTS)[count:])) from None
    return "\n".join(texts[count:]), total


def test_a_zalo_official_reports_a_week_in_the_web_chat(demo: str, browser) -> None:  # type: ignore[no-untyped-def]
    """Twin of test_webchat.py's week in the web chat, on the demo's Zalo official: the first
    figure by its typed option, all the others in one message, the texts, the review, «Gửi báo
    cáo» typed by its number, and the .docx by the link the bot serves, opened."""
    driver = browser
    driver.get(demo + "#z=demo-zalo-trang")
    WebDriverWait(driver, 10).until(lambda d: "Đỗ Thu Trang" in d.find_element(By.ID, "whoami").text)
    assert "zalo" in driver.find_element(By.TAG_NAME, "body").get_attribute("class")
    assert driver.execute_script("return document.documentElement.scrollWidth") <= webchat.PHONE["width"]

    webchat.send(driver, "/start")
    greeting, seen = _said_after(driver, 0, lambda t: "Xin chào Đỗ Thu Trang" in t)
    found = re.search(r"cán bộ báo cáo của Xã (.+?)\.", greeting)
    assert found is not None, greeting
    unit = next(u for u in official_units("19") if u.name == found[1])
    webchat.send(driver, "/baocao")
    first, seen = _said_after(driver, seen, lambda t: "Câu 1/" in t)
    if "= Như kỳ trước" in first:  # the commune reported last week: its figure, by the typed option
        key, label = _option(first, "Như kỳ trước")
        carried = int(label.split(":")[1].strip().replace(".", ""))
        webchat.send(driver, key)
    else:
        carried = 48
        webchat.send(driver, str(carried))
    _, seen = _said_after(driver, seen, lambda t: "Câu 2/" in t)

    form = load_forms(Settings(_env_file=None).forms_dir)["tthc-weekly"]
    counts = week_counts(profile_for(unit), carried, rng_for(0, "webchat-zalo"))
    labels = {f.id: (f.short_label or f.label) for f in form.count_fields}
    webchat.send(driver, "\n".join(f"{labels[f]}: {format_thousands(counts[f])}" for f in COUNT_FIELDS[1:]))
    said, seen = _said_after(driver, seen, lambda t: bool(OPTION.search(t)) or "lý do" in t)
    assert "Đã điền 12 mục" in said, said
    last = driver.execute_script(BOT_TEXTS)[-1]
    for _ in range(12):
        if "Gửi báo cáo" in last:
            break
        if "Giữ nguyên, ghi lý do" in last:
            webchat.send(driver, _option(last, "Giữ nguyên, ghi lý do")[0])
        elif "lý do giữ nguyên" in last:
            webchat.send(driver, "Số liệu đã đối chiếu với hệ thống một cửa.")
        else:
            webchat.send(driver, "Không có vướng mắc phát sinh trong tuần.")
        said, seen = _said_after(driver, seen, lambda t: bool(OPTION.search(t)) or "lý do" in t)
        last = driver.execute_script(BOT_TEXTS)[-1]
    assert "BÁO CÁO TUẦN" in said and unit.full_name in said, said
    assert format_thousands(counts["received_online_full"]) in said
    assert all(len(text) <= 2000 for text in driver.execute_script(BOT_TEXTS))

    webchat.send(driver, _option(last, "✔ Gửi báo cáo")[0])
    said, seen = _said_after(driver, seen, lambda t: ".docx" in t and "http" in t, timeout=30)
    assert "Đã gửi báo cáo" in said, said
    link = re.search(r"http://\S+\.docx", said)
    assert link is not None, said
    with urllib.request.urlopen(link[0], timeout=10) as resp:
        content = resp.read()
    document = docx.Document(io.BytesIO(content))
    body = "\n".join(p.text for p in document.paragraphs)
    header = " ".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "BÁO CÁO" in body and unit.name.upper() in header.upper()
    assert format_thousands(counts["received_online_full"]) in body

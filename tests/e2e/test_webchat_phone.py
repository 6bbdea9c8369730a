"""The web chat on a phone, in headless Chromium: the answer to a tap higher up is shown (or a «Tin mới»
hint leads to it), Enter makes a new line on a touch screen and «Gửi» sends (Enter still sends with a
mouse and keyboard), and an invitation link the bot made with /moi opens the invited person's chat."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

from tests.e2e import test_webchat as webchat
from tests.e2e import test_webchat_zalo as zalo_chat

browser = webchat.browser  # the same headless Chromium (skipped with the same reasons)
demo = webchat.demo
sandbox_url = zalo_chat.sandbox_url
http = zalo_chat.http

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

BOT = "/bot123456:TEST"
LAN = 1001

VISIBLE = """
const node = document.querySelector(`.msg[data-message-id="${arguments[0]}"] .bubble`);
if (!node) return null;
const box = node.getBoundingClientRect(), view = document.getElementById('messages').getBoundingClientRect();
return box.top >= view.top - 1 && box.top < view.bottom - 20;
"""


def bot_send(base: str, text: str, **params: Any) -> int:
    """The bot (played by the test) sends through the sandbox's Bot API."""
    request = urllib.request.Request(f"{base}{BOT}/sendMessage", method="POST",
                                     data=json.dumps({"chat_id": LAN, "text": text, **params}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        answer = json.loads(resp.read())
    assert answer["ok"], answer
    return int(answer["result"]["message_id"])


def user_texts(base: str) -> list[str]:
    return [m["text"] for m in http(base, "GET", f"/control/chats/{LAN}/messages")["messages"] if m["from"] == "user"]


def add_lan(base: str) -> None:
    http(base, "POST", "/control/limits", {"enforce": False})  # the test's bot sends faster than Telegram allows
    http(base, "POST", "/control/people", {"id": LAN, "first_name": "Lan", "last_name": "Nguyễn Thị",
                                            "role": "reporter", "units": ["Xã Đại Từ"]})


def open_lan(base: str, driver) -> None:  # type: ignore[no-untyped-def]
    driver.get(f"{base}/chat#u={LAN}")
    WebDriverWait(driver, 10).until(lambda d: "Nguyễn Thị Lan" in d.find_element(By.ID, "whoami").text)


def test_the_answer_to_a_tap_higher_up_is_shown(sandbox_url: str, browser) -> None:  # type: ignore[no-untyped-def]
    base, driver = sandbox_url, browser
    add_lan(base)
    question = bot_send(base, "Câu 1/12: Số hồ sơ kỳ trước chuyển qua?",
                        reply_markup={"inline_keyboard": [[{"text": "Như kỳ trước: 12", "callback_data": "ans:prev"}]]})
    last = question
    for n in range(25):  # a long chat: the question is far above the bottom
        last = bot_send(base, f"Tin nhắn {n}\n" + "Dòng nội dung dài của một màn hình báo cáo.\n" * 3)
    open_lan(base, driver)
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(VISIBLE, last))

    # the person scrolls up to the question and taps its button; the answer comes at the bottom
    driver.execute_script("document.getElementById('messages').scrollTop = 0")
    assert driver.execute_script(VISIBLE, question)
    driver.find_element(By.CSS_SELECTOR, f'.msg[data-message-id="{question}"] .keyboard button').click()
    WebDriverWait(driver, 5).until(lambda d: http(base, "GET", "/control/updates/pending")["updates"])
    answer = bot_send(base, "Câu 2/12: Số hồ sơ tiếp nhận mới trong kỳ?")
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(VISIBLE, answer))

    # reading higher up without a tap: a message that comes is not forced on the person, a hint leads to it
    driver.execute_script("document.getElementById('messages').scrollTop = 0")
    time.sleep(0.3)
    notice = bot_send(base, "Nhắc: hạn nộp báo cáo là 15:00 thứ Năm.")
    hint = WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "new-hint") if d.find_element(
        By.ID, "new-hint").is_displayed() else False)
    assert "Tin mới" in hint.text
    assert not driver.execute_script(VISIBLE, notice)
    assert driver.execute_script(VISIBLE, question)  # where the person was reading
    hint.click()
    WebDriverWait(driver, 5).until(lambda d: d.execute_script(VISIBLE, notice))
    assert not driver.find_element(By.ID, "new-hint").is_displayed()


def test_enter_makes_a_new_line_on_a_phone_and_sends_with_a_keyboard(sandbox_url: str, browser) -> None:  # type: ignore[no-untyped-def]
    base, driver = sandbox_url, browser
    add_lan(base)
    open_lan(base, driver)
    box = driver.find_element(By.ID, "text")
    # a mouse and a keyboard: Enter sends
    box.send_keys("xin chào", Keys.ENTER)
    WebDriverWait(driver, 5).until(lambda d: user_texts(base) == ["xin chào"])

    # a touch screen: Enter makes a new line, «Gửi» sends the lines as one message
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    assert driver.execute_script("return matchMedia('(pointer: coarse)').matches")
    box.send_keys("Tiếp nhận mới: 1.794", Keys.ENTER, "Đã giải quyết: 1.203")
    time.sleep(0.5)
    assert user_texts(base) == ["xin chào"]
    assert box.get_attribute("value") == "Tiếp nhận mới: 1.794\nĐã giải quyết: 1.203"
    assert box.get_attribute("enterkeyhint") == "enter"
    driver.find_element(By.ID, "send").click()
    WebDriverWait(driver, 5).until(lambda d: user_texts(base) == ["xin chào",
                                                                  "Tiếp nhận mới: 1.794\nĐã giải quyết: 1.203"])
    assert box.get_attribute("value") == ""


def test_an_invitation_link_opens_the_invited_persons_chat(demo: str, browser) -> None:  # type: ignore[no-untyped-def]
    driver = browser
    driver.get(demo + "#u=9001")  # the demo's admin
    WebDriverWait(driver, 10).until(lambda d: "Vũ Thị Hà" in d.find_element(By.ID, "whoami").text)
    webchat.send(driver, "/moi đại từ")
    choice = webchat.wait_bot(driver, lambda m: any("Đại Từ" in b for b in m["buttons"]))
    webchat.tap(driver, choice["id"], "Đại Từ")
    invitation = webchat.wait_bot(driver, lambda m: "t.me/" in m["text"] and "?start=" in m["text"])
    token = invitation["text"].split("?start=")[1].split()[0]
    link = driver.find_element(By.CSS_SELECTOR, f'.msg.bot[data-message-id="{invitation["id"]}"] a.invite')
    assert link.get_attribute("data-start") == token
    link.click()
    # a new person, the invited one, whose chat starts with /start <token>; the bot welcomes them to the commune
    WebDriverWait(driver, 10).until(lambda d: "Người được mời" in d.find_element(By.ID, "whoami").text)
    assert "#u=" in driver.current_url and not driver.current_url.endswith("#u=9001")
    first = driver.find_element(By.CSS_SELECTOR, ".msg.user .bubble").text
    assert f"/start {token}" in first
    welcome = webchat.wait_bot(driver, lambda m: "Đại Từ" in m["text"], timeout=15)
    assert "không hợp lệ" not in welcome["text"].lower()

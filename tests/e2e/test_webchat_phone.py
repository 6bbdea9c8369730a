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
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

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


# --- the Zalo look's twins -----------------------------------------------------------------------
# Zalo has no buttons, so "the answer to a tap higher up" has no Zalo meaning: an option is typed in
# the box at the bottom (a stale one typed is answered as tests/zalo/test_zalo_stale_options.py
# shows). What the Zalo look shares: a message that comes while the person reads higher up is not
# forced on them (a «Tin mới» hint leads to it), what they type is answered at the bottom, Enter
# on a touch screen makes a new line; an invitation is a code typed in a new Zalo person's chat.

HOA = "h0a0h0a0h0a0h0a0h0a0"


def zalo_bot_send(base: str, text: str) -> str:
    """The bot (played by the test) sends through the sandbox's Zalo Bot API."""
    request = urllib.request.Request(f"{base}/zalo/bot123:abc/sendMessage", method="POST",
                                     data=json.dumps({"chat_id": HOA, "text": text}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        answer = json.loads(resp.read())
    assert answer["ok"], answer
    return str(answer["result"]["message_id"])


def zalo_user_texts(base: str) -> list[str]:
    return [m["text"] for m in http(base, "GET", f"/control/zalo/chats/{HOA}/messages")["messages"]
            if m["from"] == "user"]


def add_hoa(base: str) -> None:
    http(base, "POST", "/control/zalo/people", {"id": HOA, "display_name": "Lê Thị Hoa", "role": "reporter",
                                                 "units": ["Xã Hà Thượng"]})


def open_hoa(base: str, driver) -> None:  # type: ignore[no-untyped-def]
    driver.get(f"{base}/chat#z={HOA}")
    WebDriverWait(driver, 10).until(lambda d: "Lê Thị Hoa" in d.find_element(By.ID, "whoami").text)


def test_on_zalo_a_message_read_higher_up_is_not_forced_and_a_typed_option_is_answered_below(
        sandbox_url: str, browser) -> None:  # type: ignore[no-untyped-def]
    base, driver = sandbox_url, browser
    add_hoa(base)
    question = zalo_bot_send(base, "Câu 1/12 · Số hồ sơ kỳ trước chuyển qua\n\n"
                                   "Anh/Chị gõ câu trả lời; hoặc gõ chữ cái để chọn (ví dụ: a):\na = Như kỳ trước: 12")
    last = question
    for n in range(25):  # a long chat: the question is far above the bottom
        last = zalo_bot_send(base, f"Tin nhắn {n}\n" + "Dòng nội dung dài của một màn hình báo cáo.\n" * 3)
    open_hoa(base, driver)
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(VISIBLE, last))

    # reading higher up: a message that comes is not forced on the person, a hint leads to it
    driver.execute_script("document.getElementById('messages').scrollTop = 0")
    assert driver.execute_script(VISIBLE, question)
    time.sleep(0.3)
    notice = zalo_bot_send(base, "Nhắc: hạn nộp báo cáo là 15:00 thứ Năm.")
    hint = WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "new-hint") if d.find_element(
        By.ID, "new-hint").is_displayed() else False)
    assert "Tin mới" in hint.text
    assert not driver.execute_script(VISIBLE, notice)
    assert driver.execute_script(VISIBLE, question)  # where the person was reading
    hint.click()
    WebDriverWait(driver, 5).until(lambda d: d.execute_script(VISIBLE, notice))

    # the option of the question higher up, typed in the box: sent, and its answer shown below
    driver.execute_script("document.getElementById('messages').scrollTop = 0")
    webchat.send(driver, "a")
    WebDriverWait(driver, 5).until(lambda d: zalo_user_texts(base) == ["a"])
    answer = zalo_bot_send(base, "Câu 2/12 · Số hồ sơ tiếp nhận mới trong kỳ")
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(VISIBLE, answer))


def test_on_zalo_enter_makes_a_new_line_on_a_phone_and_sends_with_a_keyboard(
        sandbox_url: str, browser) -> None:  # type: ignore[no-untyped-def]
    base, driver = sandbox_url, browser
    add_hoa(base)
    open_hoa(base, driver)
    box = driver.find_element(By.ID, "text")
    box.send_keys("xin chào", Keys.ENTER)
    WebDriverWait(driver, 5).until(lambda d: zalo_user_texts(base) == ["xin chào"])
    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})
    box.send_keys("Tiếp nhận mới: 1.794", Keys.ENTER, "Đã giải quyết: 1.203")
    time.sleep(0.5)
    assert zalo_user_texts(base) == ["xin chào"]
    driver.find_element(By.ID, "send").click()
    WebDriverWait(driver, 5).until(lambda d: zalo_user_texts(base) == [
        "xin chào", "Tiếp nhận mới: 1.794\nĐã giải quyết: 1.203"])  # one Zalo message of two lines
    assert box.get_attribute("value") == ""


def test_an_invitation_code_typed_in_a_new_zalo_persons_chat(demo: str, browser) -> None:  # type: ignore[no-untyped-def]
    """Twin of the invitation link: Zalo has no deep links, so the invited person, new on Zalo in
    the web chat, types the invitation's code; the bot welcomes them to the commune."""
    driver = browser
    driver.get(demo + "#u=9001")  # the demo's admin
    WebDriverWait(driver, 10).until(lambda d: "Vũ Thị Hà" in d.find_element(By.ID, "whoami").text)
    webchat.send(driver, "/moi đại từ")
    choice = webchat.wait_bot(driver, lambda m: any("Đại Từ" in b for b in m["buttons"]))
    webchat.tap(driver, choice["id"], "Đại Từ")
    invitation = webchat.wait_bot(driver, lambda m: "gõ mã mời" in m["text"])
    code = invitation["text"].split("gõ mã mời:")[1].split()[0]

    driver.find_element(By.ID, "back").click()
    details = WebDriverWait(driver, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "details:has(#new-person)"))
    driver.execute_script("arguments[0].open = true", details)
    form = driver.find_element(By.ID, "new-person")
    form.find_element(By.NAME, "first_name").send_keys("Hoa")
    Select(form.find_element(By.NAME, "messenger")).select_by_value("zalo")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: "#z=" in d.current_url)
    assert "zalo" in driver.find_element(By.TAG_NAME, "body").get_attribute("class")
    webchat.send(driver, "/baocao")  # a stranger: told to type the invitation's code
    told = webchat.wait_bot(driver, lambda m: "mã mời" in m["text"], timeout=15)
    assert "liên kết" not in told["text"]
    webchat.send(driver, code.lower())
    welcome = webchat.wait_bot(driver, lambda m: "Đại Từ" in m["text"], timeout=15)
    assert "không đúng" not in welcome["text"] and "Xin chào" in welcome["text"], welcome["text"]

"""Zalo twins of the Telegram end-to-end journeys that had none (issue 17: "every journey of the
Telegram e2e suite has its Zalo twin"), each through the sandbox's Zalo side over real HTTP with
the Zalo channel in the test's process (tests/zalo/conftest.py running_world: a real SQLite file;
the report's .docx offered as a link the bot serves, fetched and opened with python-docx):

| Telegram journey (tests/e2e/…) | its twin here |
|---|---|
| test_astral_text | test_an_official_with_emoji_everywhere_submits_and_fetches_the_docx |
| test_reporting_blanks | test_blanks_on_zalo_and_the_docx_says_no_data |
| test_reporting_one_pass::…busy_week… | test_a_busy_week_is_one_outlier_question_on_zalo |
| test_reporting_kinds | test_every_kind_of_a_third_form_on_zalo |
| test_two_forms_open | test_the_monthly_report_chosen_on_zalo_and_answered |
| test_supervising_ux::test_tonghop_opens… | test_tonghop_on_zalo_opens_on_the_open_period_with_reports |
| test_supervising_ux::test_chuanop… (the list) | test_chuanop_on_zalo_is_one_short_message_that_counts_who_can_be_reached |
| test_supervising_ux::test_huy_cancels_the_return | test_huy_on_zalo_cancels_the_return |

Zalo has no buttons: every choice is a typed option ("1 = …", "a = …") found by its label."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from docx import Document as WordDocument
from docx.document import Document

from bot.chat.catalogue import say
from bot.clock import VN_TZ
from bot.domain.forms import WEEKLY_FORM_ID, load_form, load_forms
from bot.domain.periods import current_open_period, period_for
from bot.reporting.periods import ensure_period
from storage.models import Role, Submission
from tests.domain.conftest import FORMS_DIR
from tests.e2e.test_astral_text import ASTRAL, COUNTS, TEXT
from tests.e2e.test_astral_text import REASON as ASTRAL_REASON
from tests.e2e.test_reporting_blanks import TYPED
from tests.e2e.test_supervising_ux import ALWAYS_OPEN, open_period
from tests.e2e.zalo_world import (
    ZALO_LAN,
    ZALO_SON,
    ZaloChat,
    field_of,
    form,
    has,
    option_key,
    options,
    zalo_official,
)
from tests.integration.busy_week import BUSY_LINES, TEXTS, seed_usual_weeks
from tests.integration.test_reporting_one_pass import REASON
from tests.integration.third_form import write_third_form
from tests.rollup import scenario as sc
from tests.rollup.conftest import FORM_PATH
from tests.zalo.conftest import ZaloWorld, running_world

Message = dict[str, Any]
LINK = re.compile(r"https?://\S+")


def _submit_shown(message: Message) -> bool:
    return "Gửi báo cáo" in (message.get("text") or "")


async def _submit(chat: ZaloChat, review: Message) -> Message:
    done = await chat.ask(option_key(review, "Gửi báo cáo"), has("Đã gửi"))
    assert "lần 1" in done["text"], done["text"]
    return done


async def _fetched_docx(world: ZaloWorld, chat: ZaloChat) -> Document:
    """The report's file as the official gets it on Zalo: a link in a message after «Đã gửi»,
    fetched over HTTP from the bot's file server and opened."""
    offered = await chat.reply(has(".docx"), timeout=60)
    found = LINK.search(offered["text"])
    assert found is not None, offered["text"]
    async with aiohttp.ClientSession() as http, http.get(found[0]) as resp:
        assert resp.status == 200, await resp.text()
        assert resp.headers["Content-Disposition"].startswith("attachment;")
        content = await resp.read()
    assert await world.storage.audit.recent(action="file_link.fetch")  # the fetch is logged
    return WordDocument(io.BytesIO(content))


def _paragraphs(document: Document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


async def _latest(world: ZaloWorld, code: str) -> Submission:
    period = await world.storage.periods.current(WEEKLY_FORM_ID, datetime.now(VN_TZ))
    assert period is not None
    submission = await world.storage.submissions.latest(period.id, code)
    assert submission is not None
    return submission


# --- twin of test_astral_text ------------------------------------------------------------------

EMOJI_ID = "e0e0e0e0e0e0e0e0e0e0"


def _is_step(message: Message) -> bool:
    text = message.get("text") or ""
    return (field_of(message) is not None or "Gửi báo cáo" in text or "Giữ nguyên, ghi lý do" in text
            or "lý do giữ nguyên số liệu" in text)


async def test_an_official_with_emoji_everywhere_submits_and_fetches_the_docx(tmp_path: Path) -> None:
    """Zalo counts 2,000 characters (not UTF-16 units): a 2,000-character text of emoji is taken
    whole, every message the bot sends stays within Zalo's limit (the sandbox refuses more), the
    review and its details show the emoji, and the .docx holds them."""
    async with running_world(tmp_path, file_links=True) as world:
        await zalo_official(world.storage, EMOJI_ID, "𝔸nh 👍🏽 Nguyễn 😀", Role.REPORTER, world.units["mine"])
        await world.client.zalo.add_user(EMOJI_ID, "𝔸nh 👍🏽")
        chat = world.chat(EMOJI_ID)
        step = await chat.ask("/baocao", _is_step, timeout=30)
        texts = 0
        for _ in range(40):
            labels = options(step)
            if any("Gửi báo cáo" in label for label in labels):
                break
            if any("Giữ nguyên, ghi lý do" in label for label in labels):
                step = await chat.ask(option_key(step, "Giữ nguyên, ghi lý do"), _is_step)
            elif (field := field_of(step)) is None:  # asked for the reason
                step = await chat.ask(ASTRAL_REASON, _is_step)
            else:
                is_text = not COUNTS[field][0].isdigit()
                texts += is_text
                step = await chat.ask(TEXT if is_text else COUNTS[field], _is_step)
        assert any("Gửi báo cáo" in label for label in options(step)), step["text"]
        assert texts >= 5
        shown = await chat.answer_text()
        assert "𝔸😀👍🏽 𝔸😀" in shown and "Lý do: 𝔸😀👍🏽" in shown, shown

        # the details show every text up to 200 characters, in as many parts as Zalo's limit needs
        last = await chat.ask(option_key(step, "Xem chi tiết"), _submit_shown)
        details = await chat.answer_text()
        long_text = (ASTRAL * 40)[:150]  # shown in the details only: the review cuts texts at 60
        assert long_text not in shown.split("BÁO CÁO", 1)[1] and long_text in details
        sent = await world.client.zalo.bot_messages(EMOJI_ID)
        assert sent and all(len(m["text"] or "") <= 2000 for m in sent)

        await _submit(chat, last)
        document = await _fetched_docx(world, chat)
        assert "𝔸😀👍🏽 𝔸😀" in _paragraphs(document)
        submission = await _latest(world, world.units["mine"].code)
        assert submission.answers["legal"] == TEXT and str(submission.explanations["balance"]) == ASTRAL_REASON


# --- twin of test_reporting_blanks -------------------------------------------------------------



async def test_blanks_on_zalo_and_the_docx_says_no_data(tmp_path: Path) -> None:
    """«Không có số liệu» chosen by its typed option for the full-online split, "-" typed for the
    partial one, the online total given, "không rõ" for digitization: the review and the .docx say
    "no data" rather than "0 hồ sơ, chiếm 0,00%"."""
    async with running_world(tmp_path, file_links=True) as world:
        lan = world.chat(ZALO_LAN)
        question = await lan.ask("/baocao", lambda m: field_of(m) is not None, timeout=30)
        asked: list[str] = []
        for _ in range(40):
            field = field_of(question)
            if field is None:
                break
            asked.append(field)
            typed = option_key(question, say("blanks.button")) if field == "received_online_full" else TYPED[field]
            question = await lan.ask(typed, lambda m: field_of(m) is not None or _submit_shown(m))
        assert "received_online" in asked
        review = await lan.answer_text()
        assert "không có số liệu" in review and say("blanks.checks_skipped", figures="«Số hóa»") in review

        await _submit(lan, question)
        text = _paragraphs(await _fetched_docx(world, lan))
        assert "trực tuyến 2.681 hồ sơ" in text and "(chưa có số liệu toàn trình, một phần)" in text
        assert "Hồ sơ được số hóa: chưa có số liệu" in text
        assert "chiếm 0,00%" not in text.split("bưu chính")[0]


# --- twin of test_reporting_one_pass::test_a_busy_week_is_one_outlier_question -------------------


async def test_a_busy_week_is_one_outlier_question_on_zalo(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        await seed_usual_weeks(world.storage, form(), world.units["mine"], datetime.now(VN_TZ))
        lan = world.chat(ZALO_LAN)
        await lan.ask("/baocao", lambda m: field_of(m) is not None, timeout=30)
        shown = await lan.ask(BUSY_LINES, lambda m: field_of(m) is not None or bool(options(m)))
        while (field := field_of(shown)) is not None:
            shown = await lan.ask(TEXTS[field], lambda m: field_of(m) is not None or bool(options(m)))
        assert shown["text"].count("⚠") == 1 and "6 số cùng cao hơn thường lệ" in shown["text"], shown["text"]
        assert list(options(shown)) == ["Sửa", "Giữ nguyên, ghi lý do"]
        await lan.ask(option_key(shown, "Giữ nguyên"), has(say("reporting.ask_reason")))
        review = await lan.ask(REASON, _submit_shown)
        await _submit(lan, review)
        submission = await _latest(world, world.units["mine"].code)
        assert list(submission.explanations) == ["outlier:received_online_full"]


# --- twin of test_reporting_kinds --------------------------------------------------------------


async def test_every_kind_of_a_third_form_on_zalo(tmp_path: Path) -> None:
    """A templates folder holding only a small third form: a decimal with its unit, a percentage,
    a choice by its typed option, a target, a table asked row by row («0» as an option), a table of
    rows ended by «Xong», the review and the .docx."""
    async with running_world(tmp_path, templates=write_third_form(tmp_path / "templates"),
                             file_links=True) as world:
        lan = world.chat(ZALO_LAN)
        shown = await lan.ask("/baocao", has("Số hộ được cấp nước sạch"), timeout=30)
        shown = await lan.ask("1.250", has("Kinh phí đã chi"))
        assert "Anh/Chị vui lòng nhập số liệu (triệu đồng), ví dụ: 556 hoặc 12,5." in shown["text"]
        shown = await lan.ask("mười hai", has("không phải là một số"))
        shown = await lan.ask("12,5", has("Tỷ lệ mẫu nước đạt chuẩn"))
        assert "12,5 triệu đồng" in await lan.answer_text()
        shown = await lan.ask("96,4", has("Tình trạng nhà máy nước"))
        assert list(options(shown))[:3] == ["Hoạt động bình thường", "Đang sửa chữa", "Ngừng hoạt động"]
        shown = await lan.ask(option_key(shown, "Đang sửa chữa"), has("Tỷ lệ hộ dùng nước sạch"))
        assert "Chỉ tiêu ≥ 98%." in shown["text"]
        shown = await lan.ask("98,5", has("Mục 1/2: Số giếng đã kiểm tra"))
        shown = await lan.ask(option_key(shown, say("reporting.zero")), has("Mục 2/2: Số bể chứa đã vệ sinh"))
        shown = await lan.ask("3", has("Công trình đang thi công"))
        shown = await lan.ask("Trạm bơm Khe Mo | Đang thi công\nBể lọc xóm Na | Đã hoàn thành", has("Đã nhập 2 dòng"))
        review = await lan.ask(option_key(shown, say("kinds_chat.finish")), _submit_shown)
        whole = await lan.answer_text()
        for line in ("Nhà máy Đang sửa chữa", "Kinh phí 12,5 triệu đồng", "Mẫu đạt chuẩn 96,4%",
                     "Hộ dùng nước sạch 98,5% (mục tiêu ≥ 98%: đạt)", "Kiểm tra 2/2 mục", "Công trình 2 dòng"):
            assert line in whole, whole
        await lan.ask(option_key(review, say("reporting.submit")), has("Đã gửi"))
        paragraphs = [p.text for p in (await _fetched_docx(world, lan)).paragraphs]
        assert "Kinh phí đã chi: 12,5 triệu đồng" in paragraphs
        assert "Công trình 2: Bể lọc xóm Na (Đã hoàn thành)" in paragraphs


# --- twin of test_two_forms_open ---------------------------------------------------------------


async def test_the_monthly_report_chosen_on_zalo_and_answered(tmp_path: Path) -> None:
    """Both forms, as deployed; the commune's monthly report begun beforehand keeps it offered
    whatever the day. /baocao asks which report; the monthly one chosen by its typed option is
    asked, answered in one message, its draft filled — the weekly report untouched."""
    async with running_world(tmp_path, all_forms=True) as world:
        now, code = datetime.now(VN_TZ), world.units["mine"].code
        monthly = load_forms(FORMS_DIR)["nq57-monthly"]
        period = await ensure_period(world.storage, current_open_period(monthly.period, now))
        draft = await world.storage.drafts.get_or_create(period.id, code, now)
        lan = world.chat(ZALO_LAN)
        which = await lan.ask("/baocao", has("Anh/Chị muốn nhập báo cáo nào?"), timeout=30)
        labels = list(options(which))
        assert len([label for label in labels if label.startswith("📝 Báo cáo")]) == 2, which["text"]
        assert any(label.startswith("📝 Báo cáo Tuần ") for label in labels), labels
        question = await lan.ask(option_key(which, "NQ57"), has("Câu 1/"))
        assert question["text"].startswith("📋 Báo cáo tháng NQ57 tháng "), question["text"]
        assert "Kế hoạch thực hiện Nghị quyết số 57-NQ/TW" in question["text"]
        filled = await lan.ask("Cuộc họp BCĐ: 2\nNhiệm vụ được giao: 12", has("Đã điền"))
        assert filled["text"].startswith("Đã điền 2 mục: 1.2. Cuộc họp BCĐ, Nhiệm vụ được giao."), filled["text"]
        assert await world.storage.drafts.values(draft.id) == {"meetings": 2, "tasks_assigned": 12}
        week = current_open_period(world.channel.services.forms[WEEKLY_FORM_ID].period, now)
        weekly_period = await world.storage.periods.get(WEEKLY_FORM_ID, str(week.key))
        weekly = await world.storage.drafts.find(weekly_period.id, code) if weekly_period is not None else None
        assert weekly is None or await world.storage.drafts.values(weekly.id) == {}


# --- twin of test_supervising_ux::test_tonghop_opens_on_the_open_period_with_reports -------------


async def test_tonghop_on_zalo_opens_on_the_open_period_with_reports(tmp_path: Path) -> None:
    """Reports in the open period (2) and in the one before (1): /tonghop opens on the open
    period, says it is not due yet, and offers the period before as a typed option."""
    async with running_world(tmp_path) as world:
        storage, now = world.storage, datetime.now(VN_TZ)
        await storage.calendar.set_override(WEEKLY_FORM_ID, ALWAYS_OPEN, by=None, at=now)
        info = open_period(now)
        current = await ensure_period(storage, info)
        before = await ensure_period(storage, period_for(load_form(FORM_PATH).period, info.key.previous()))
        communes = await storage.units.list_communes("19")
        for period, commune in ((before, communes[41]), (current, communes[40]), (current, communes[42])):
            await storage.submissions.add_version(period.id, commune.code, sc.steady(40, 1, 12), {}, None,
                                                  period.opens_at + timedelta(minutes=5))
        son = world.chat(ZALO_SON)
        summary = await son.ask("/tonghop", has("TỔNG HỢP"), timeout=60)
        assert info.key.short_label.upper() in summary["text"], summary["text"]
        assert summary["text"].startswith("⏳ Kỳ này chưa hết hạn (hạn nộp 23:59 ngày "), summary["text"]
        assert "Đã nộp 2/92, còn 90 xã, phường chưa nộp." in summary["text"]
        said = await son.answer_text()
        earlier = option_key({"text": said}, f"« {info.key.previous().short_label}")
        shown = await son.ask(earlier, has("TỔNG HỢP"), timeout=60)
        assert info.key.previous().short_label.upper() in shown["text"], shown["text"]
        assert "Đã nộp 1/92" in shown["text"], shown["text"]


# --- twins of test_supervising_ux::test_chuanop… and ::test_huy_cancels_the_return ----------------

ZALO_DUNG = "d0d0d0d0d0d0d0d0d0d0"


async def test_chuanop_on_zalo_is_one_short_message_that_counts_who_can_be_reached(
        tmp_path: Path) -> None:
    """Lan reachable on Zalo, Bình unreachable on Zalo (marked as having blocked the bot), Dũng on
    leave: the short list says so, and offers «Nhắc ngay» for Lan's commune alone. (The nudge
    itself needs the calendar's timetable, which this in-process world does not run: it is sent
    in the bot process, test_zalo_supervising.py::test_chuanop_on_zalo_and_its_nudge.)"""
    async with running_world(tmp_path) as world:
        storage, now, units = world.storage, datetime.now(VN_TZ), world.units
        await storage.people.set_blocked(world.people["binh"].id, now)
        third = next(u for u in await storage.units.list_communes("19")
                     if u.code not in (units["mine"].code, units["other"].code))
        dung = await zalo_official(storage, ZALO_DUNG, "Vũ Thị Dung", Role.REPORTER, third)
        await storage.people.set_pause(dung.id, now.date() - timedelta(days=1), now.date() + timedelta(days=6))
        son = world.chat(ZALO_SON)
        listing = await son.ask("/chuanop", has("Chưa nộp:"), timeout=30)
        lines = listing["text"].split("\n")
        assert "Chưa nộp: 92/92 xã, phường." in lines, lines
        assert f"🔔 Nhắc được qua bot (1 xã): {units['mine'].full_name} (Nguyễn Thị Lan)." in lines
        assert "✖ Không nhắc được qua bot (91 xã):" in lines
        assert f"• cán bộ đã chặn bot (1): {units['other'].full_name} (Lê Văn Bình)." in lines
        assert f"• cán bộ đang nghỉ phép (1): {third.full_name} (Vũ Thị Dung)." in lines
        assert any(line.startswith("• chưa có cán bộ báo cáo (89): ") for line in lines)
        assert list(options(listing)) == ["🔔 Nhắc ngay (1 xã)"]
        body = listing["text"].split("\n\n" + say("zalo_options.head_numbers"))[0]
        assert len(body.split("\n")) <= 8  # one short message, as on Telegram (its option under it)


async def test_huy_on_zalo_cancels_the_return(tmp_path: Path) -> None:
    async with running_world(tmp_path) as world:
        storage, now, commune = world.storage, datetime.now(VN_TZ), world.units["mine"]
        await storage.calendar.set_override(WEEKLY_FORM_ID, ALWAYS_OPEN, by=None, at=now)
        period = await ensure_period(storage, open_period(now))
        submission = await storage.submissions.add_version(period.id, commune.code, sc.steady(40, 1, 12), {}, None,
                                                           period.opens_at + timedelta(minutes=5))
        son = world.chat(ZALO_SON)
        card = await son.ask(f"/xa {commune.code}", has("Trả lại để sửa"), timeout=30)
        ask = await son.ask(option_key(card, "↩ Trả lại để sửa"), has("gửi lý do"))
        assert list(options(ask)) == ["✖ Hủy"] and "/tralai" not in ask["text"]
        cancelled = await son.ask("/huy", has("hủy"))
        assert cancelled["text"].startswith("Đã hủy: báo cáo") and cancelled["text"].endswith("không bị trả lại.")
        kept = await storage.submissions.get(submission.id)
        assert kept is not None and str(kept.status) == "submitted"

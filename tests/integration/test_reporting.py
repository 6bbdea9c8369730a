"""The reporting journey through Application.process_update, on a real SQLite file."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import build_application
from bot.chat.catalogue import say
from storage.models import Role
from tests.conftest import BotHarness
from tests.fakes import RecordingRequest, as_update, callback_update, media_update, text_update
from tests.integration.seed import BALANCED, bind, load_units

LAN, HUNG, OTHER = 8001, 8002, 8003



@pytest.fixture
async def commune(harness: BotHarness, clock):
    communes = await load_units(harness.storage)
    unit = next(u for u in communes if u.name == "Phúc Lộc")
    await bind(harness.storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, unit, clock.now())
    return unit


def current_field(harness: BotHarness, chat: int) -> str:
    """The field id the last question's buttons name (its "Tạm dừng" row always exists)."""
    call = harness.request.last_to(chat)
    for _, data in call.buttons:
        parts = data.split(":")
        if len(parts) == 4 and parts[2] in {"z", "s", "n", "k"}:
            return parts[3]
    raise AssertionError(f"not a question: {call.text}")


async def answer_all(harness: BotHarness, chat: int, answers: dict[str, str]) -> None:
    await harness.send(text_update(chat, "/baocao"))
    for _ in range(40):
        call = harness.request.last_to(chat)
        if "Gửi báo cáo" in str(call.buttons):
            return
        field = current_field(harness, chat)
        await harness.send(text_update(chat, answers[field]))
    raise AssertionError("the form never reached the review")


async def test_whole_week_then_submit_and_correct(harness: BotHarness, commune, clock) -> None:
    await harness.send(text_update(LAN, "/baocao"))
    first = harness.request.last_to(LAN)
    assert first.text.startswith("📋 Báo cáo tuần") and "\nCâu 1/" in first.text
    assert "Hồ sơ kỳ trước chuyển sang" in first.text
    assert "VD:" in first.text
    await answer_all(harness, LAN, BALANCED)
    texts = [c.text for c in harness.request.sent_to(LAN)]
    assert any("tiếp nhận mới: 40 + 9 + 0 + 0 = 49" in t for t in texts), texts
    review = harness.request.last_to(LAN)
    assert "Xã Phúc Lộc" in review.text and "Tỷ lệ" in review.text
    submit = next(data for label, data in review.buttons if "Gửi báo cáo" in label)
    await harness.send(callback_update(LAN, submit))
    done = harness.request.last_text_to(LAN)
    assert "Đã gửi báo cáo" in done.text and "lần 1" in done.text
    (name, content), = harness.request.documents_to(LAN)
    assert name == "BC-tuan-2025-W50-xa-phuc-loc.docx" and content.startswith(b"PK")

    storage = harness.storage
    period = await storage.periods.get("tthc-weekly", "2025-W50")
    latest = await storage.submissions.latest(period.id, commune.code)
    assert latest.version == 1 and latest.answers["received_online_full"] == 40 and not latest.late

    # correction after the deadline: flagged late, version 2, version 1 kept
    clock.set(period.deadline_at + timedelta(hours=2))
    await harness.send(text_update(LAN, "/baocao"))
    menu = next(data for label, data in harness.request.last_to(LAN).buttons if label == "Sửa báo cáo")
    await harness.send(callback_update(LAN, menu))
    edit = next(data for label, data in harness.request.last_to(LAN).buttons if label.startswith("Trực tiếp"))
    await harness.send(callback_update(LAN, edit))
    await harness.send(text_update(LAN, "2"))  # breaks the balance: a soft check
    soft = harness.request.last_to(LAN)
    assert "⚠" in soft.text
    keep = next(data for label, data in soft.buttons if label.startswith("Giữ nguyên"))
    await harness.send(callback_update(LAN, keep))
    await harness.send(text_update(LAN, "Hai hồ sơ nộp trực tiếp nhập bổ sung"))
    review = harness.request.last_to(LAN)
    assert "Lý do: Hai hồ sơ nộp trực tiếp nhập bổ sung" in review.text
    submit = next(data for label, data in review.buttons if "Gửi báo cáo" in label)
    await harness.send(callback_update(LAN, submit))
    assert "nộp sau hạn" in harness.request.last_text_to(LAN).text
    assert len(harness.request.documents_to(LAN)) == 2
    versions = await storage.submissions.versions(period.id, commune.code)
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].answers["received_in_person"] == 0 and versions[1].answers["received_in_person"] == 2
    assert versions[1].late and versions[1].explanations


async def test_hard_check_refuses_with_the_reason(harness: BotHarness, commune) -> None:
    answers = dict(BALANCED, digitized="500")
    await harness.send(text_update(LAN, "/baocao"))
    for _ in range(12):
        await harness.send(text_update(LAN, answers[current_field(harness, LAN)]))
    assert current_field(harness, LAN) == "digitized"
    await harness.send(text_update(LAN, "500"))
    reply = harness.request.last_to(LAN)
    assert "Chưa lưu" in reply.text and "500" in reply.text and "49" in reply.text
    assert current_field(harness, LAN) == "digitized"


async def test_bad_numbers_are_refused_and_nothing_is_lost(harness: BotHarness, commune) -> None:
    await harness.send(text_update(LAN, "/baocao"))
    await harness.send(text_update(LAN, "53"))
    for bad in ("1,5", "-3", "abc"):
        await harness.send(text_update(LAN, bad))
        assert "Chưa lưu" in harness.request.last_to(LAN).text
        assert current_field(harness, LAN) == "received_online_full"
    await harness.send(media_update(LAN, "photo"))
    assert "ảnh" in harness.request.last_to(LAN).text and current_field(harness, LAN) == "received_online_full"
    await harness.send(text_update(LAN, "/lenhla"))
    await harness.send(text_update(LAN, "1.794 hồ sơ"))
    period = await harness.storage.periods.get("tthc-weekly", "2025-W50")
    draft = await harness.storage.drafts.find(period.id, commune.code)
    assert await harness.storage.drafts.values(draft.id) == {"carried_over": 53, "received_online_full": 1794}


async def test_restart_continues_at_the_next_question(settings, clock, commune, harness: BotHarness) -> None:
    await harness.send(text_update(LAN, "/baocao"))
    for value in ("53", "40", "9"):
        await harness.send(text_update(LAN, value))
    # a second Application over the same database file: the draft and the cursor survive
    request = RecordingRequest()
    app = build_application(settings, request=request, token="123456:TEST", clock=clock, rate_limiter=False)
    async with app:
        await app.process_update(as_update(text_update(LAN, "7"), app.bot))
        assert "Đã lưu «Trực tiếp»: 7" in request.last_to(LAN).text
        await app.process_update(as_update(text_update(LAN, "/baocao"), app.bot))
        assert "Bưu chính" in request.last_to(LAN).text or "bưu chính" in request.last_to(LAN).text


async def test_two_officials_share_one_draft(harness: BotHarness, commune, clock) -> None:
    await bind(harness.storage, HUNG, "Trần Văn Hùng", Role.REPORTER, commune, clock.now())
    await harness.send(text_update(LAN, "/baocao"))
    await harness.send(text_update(LAN, "53"))
    await harness.send(text_update(HUNG, "/baocao"))
    assert current_field(harness, HUNG) == "received_online_full"  # continues after Lan's answer
    await harness.send(callback_update(HUNG, "r:1:b"))  # Hùng goes back to carried_over ...
    back = harness.request.last_to(HUNG)
    assert "Đang ghi: 53" in back.text
    await harness.send(text_update(HUNG, "54"))  # ... and changes Lan's answer: he is told whose it was
    reply = harness.request.last_to(HUNG)
    assert "Nguyễn Thị Lan" in reply.text and "53" in reply.text
    period = await harness.storage.periods.get("tthc-weekly", "2025-W50")
    draft = await harness.storage.drafts.find(period.id, commune.code)
    history = await harness.storage.drafts.history(draft.id, "carried_over")
    assert [(h.new_value, h.changed_by_name) for h in history] == [(53, "Nguyễn Thị Lan"), (54, "Trần Văn Hùng")]


async def test_other_commune_cannot_touch_the_draft(harness: BotHarness, commune, clock) -> None:
    communes = await load_units(harness.storage)
    other = next(u for u in communes if u.code != commune.code)
    await bind(harness.storage, OTHER, "Lê Văn Tú", Role.REPORTER, other, clock.now())
    await harness.send(text_update(LAN, "/baocao"))
    period = await harness.storage.periods.get("tthc-weekly", "2025-W50")
    draft = await harness.storage.drafts.find(period.id, commune.code)
    for verb in ("z:carried_over", "u", "e:carried_over", "m", "v"):
        harness.request.clear()
        await harness.send(callback_update(OTHER, f"r:{draft.id}:{verb}"))
        answers = [c for c in harness.request.calls if c.method == "answerCallbackQuery"]
        assert "không có quyền" in answers[-1].params.get("text", "")
        assert not [c for c in harness.request.calls if c.method == "sendMessage"]
    assert await harness.storage.drafts.values(draft.id) == {}


async def test_old_button_after_moving_on(harness: BotHarness, commune) -> None:
    await harness.send(text_update(LAN, "/baocao"))
    first = harness.request.last_to(LAN)
    zero = next(data for label, data in first.buttons if label == "0")
    await harness.send(text_update(LAN, "53"))
    await harness.send(callback_update(LAN, zero))  # the "0" of carried_over, tapped late
    assert "câu hỏi cũ" in harness.request.last_to(LAN).text
    period = await harness.storage.periods.get("tthc-weekly", "2025-W50")
    draft = await harness.storage.drafts.find(period.id, commune.code)
    assert await harness.storage.drafts.values(draft.id) == {"carried_over": 53}


async def test_one_message_entry_with_the_example_figures(harness: BotHarness, commune) -> None:
    await harness.send(text_update(LAN, "/baocao"))
    message = (
        "Kỳ trước chuyển sang: 53\nTiếp nhận trực tuyến toàn trình: 49\nTrực tiếp: 0\nMột phần: 0\n"
        "Bưu chính: 0\nTrước hạn: 53\nĐúng hạn: 0\nGiải quyết quá hạn: 0\nĐang giải quyết trong hạn: 483\n"
        "Đang giải quyết quá hạn: 0\nRút hồ sơ: 1\nSố hóa: 49\nKết quả điện tử: 53"
    )
    await harness.send(text_update(LAN, message))
    sent = [c.text for c in harness.request.sent_to(LAN)]
    assert any("Đã điền 13 mục" in t for t in sent), sent
    # 53 + 49 = 102 ≠ 53 + 483 + 1: the balance check asks before the texts
    period = await harness.storage.periods.get("tthc-weekly", "2025-W50")
    draft = await harness.storage.drafts.find(period.id, commune.code)
    values = await harness.storage.drafts.values(draft.id)
    assert values["pending_in_time"] == 483 and values["withdrawn"] == 1


async def test_after_tet_the_older_open_week_comes_first(harness: BotHarness, commune, clock) -> None:
    from datetime import datetime

    from bot.clock import VN_TZ
    from bot.domain.periods import open_periods

    form = harness.app.services.forms["tthc-weekly"]
    moment = datetime(2026, 2, 23, 9, 0, tzinfo=VN_TZ)
    opened = open_periods(form.period, moment)
    assert len(opened) == 2, opened  # the week before Tết is due the day the Tết week opens
    clock.set(moment)
    await harness.send(text_update(LAN, "/baocao"))
    # the monthly NQ57 report opens that day too (its 20/02 opening moved by Tết): /baocao asks
    # which, the week (due first) above; the week offered is the older one
    labels = [label for label, _ in harness.request.last_to(LAN).buttons]
    assert labels[0].startswith(f"📝 Báo cáo Tuần {opened[0].key.number}/2026") and "NQ57" in labels[1]
    await harness.send(callback_update(LAN, harness.request.last_to(LAN).buttons[0][1]))
    await harness.send(text_update(LAN, "5"))
    older = await harness.storage.periods.get("tthc-weekly", str(opened[0].key))
    draft = await harness.storage.drafts.find(older.id, commune.code)
    assert await harness.storage.drafts.values(draft.id) == {"carried_over": 5}


async def test_a_colleague_submits_while_the_other_is_mid_question(harness: BotHarness, commune, clock) -> None:
    await bind(harness.storage, HUNG, "Trần Văn Hùng", Role.REPORTER, commune, clock.now())
    await answer_all(harness, LAN, BALANCED)
    await harness.send(text_update(HUNG, "/baocao"))  # Hùng looks at the review …
    edit_menu = next(d for label, d in harness.request.last_to(HUNG).buttons if label == "Sửa một mục")
    await harness.send(callback_update(HUNG, edit_menu))
    edit = next(d for label, d in harness.request.last_to(HUNG).buttons if label.startswith("Trực tiếp"))
    await harness.send(callback_update(HUNG, edit))  # … and opens one question
    submit = next(d for label, d in harness.request.last_to(LAN).buttons if "Gửi báo cáo" in label)
    await harness.send(callback_update(LAN, submit))  # Lan submits meanwhile
    await harness.send(text_update(HUNG, "9"))  # Hùng's answer must not slip into the submitted report
    assert "đã gửi" in harness.request.last_to(HUNG).text
    period = await harness.storage.periods.get("tthc-weekly", "2025-W50")
    draft = await harness.storage.drafts.find(period.id, commune.code)
    assert (await harness.storage.drafts.values(draft.id))["received_in_person"] == 0


async def test_an_official_of_two_communes_chooses_and_cannot_forge_a_third(
    harness: BotHarness, commune, clock
) -> None:
    communes = await load_units(harness.storage)
    second, third = [u for u in communes if u.code != commune.code][:2]
    await bind(harness.storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, second, clock.now())
    await harness.send(text_update(LAN, "/baocao"))
    choice = harness.request.last_to(LAN)
    assert "đơn vị nào" in choice.text
    assert [data for _, data in choice.buttons] == [f"rc:{commune.code}", f"rc:{second.code}"]
    harness.request.clear()
    await harness.send(callback_update(LAN, f"rc:{third.code}"))  # a forged button
    answers = [c for c in harness.request.calls if c.method == "answerCallbackQuery"]
    assert "không có quyền" in answers[-1].params.get("text", "")
    assert not [c for c in harness.request.calls if c.method == "sendMessage"]
    await harness.send(callback_update(LAN, f"rc:{second.code}"))
    assert current_field(harness, LAN) == "carried_over"
    period = await harness.storage.periods.get("tthc-weekly", "2025-W50")
    assert await harness.storage.drafts.find(period.id, second.code) is not None
    assert await harness.storage.drafts.find(period.id, third.code) is None


async def test_a_revoked_official_loses_the_draft_mid_question(harness: BotHarness, commune, clock) -> None:
    await harness.send(text_update(LAN, "/baocao"))
    await harness.send(text_update(LAN, "53"))
    person = await harness.storage.people.get_by_telegram_id(LAN)
    (membership,) = await harness.storage.people.memberships_of(person.id)
    await harness.storage.people.revoke_membership(membership.id, clock.now())
    period = await harness.storage.periods.get("tthc-weekly", "2025-W50")
    draft = await harness.storage.drafts.find(period.id, commune.code)
    await harness.send(text_update(LAN, "40"))
    await harness.send(callback_update(LAN, f"r:{draft.id}:z:received_online_full"))
    answers = [c for c in harness.request.calls if c.method == "answerCallbackQuery"]
    assert "không có quyền" in answers[-1].params.get("text", "")
    await harness.send(text_update(LAN, "/baocao"))
    assert harness.request.last_to(LAN).text == say("common.help_stranger")  # no role left: a stranger again
    assert await harness.storage.drafts.values(draft.id) == {"carried_over": 53}


async def test_text_without_a_draft_points_to_baocao(harness: BotHarness, commune) -> None:
    await harness.send(text_update(LAN, "xin chào"))
    assert "/baocao" in harness.request.last_to(LAN).text
    await harness.send(text_update(LAN, "/huy"))
    assert "Không có báo cáo nào đang nhập" in harness.request.last_to(LAN).text

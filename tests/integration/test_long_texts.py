"""Long texts as officials write them (issue 14 item 4, issue 15 item 4): a several-messages section
written in parts, each kept in the draft at once (a restart between parts loses none), a part over
the limit refused with the room left, «Xong», «Xóa làm lại», a whole section «Như kỳ trước» in one
tap, the review naming the sections changed since last period; a real SQLite file underneath."""

from __future__ import annotations

from datetime import timedelta

from bot.chat.actions import ClearText, FinishText, KeepSection, WriteMore, decode, encode
from bot.chat.catalogue import say
from bot.clock import FakeClock
from bot.domain.forms import Form
from bot.domain.periods import period_for
from bot.reporting import long_text
from bot.reporting.journey import DRAFT_ACTIONS, ReportingJourney
from bot.reporting.long_text import LONG
from bot.reporting.long_text_screen import review_lines
from bot.reporting.periods import ensure_period
from bot.reporting.screens import render, review_text
from bot.reporting.session import ReportSession
from bot.reporting.steps import Ask, PartKept, PartRefused, Saved, SectionKept, Writing
from bot.services import Services
from storage.models import Period, Role, Unit
from tests.integration.conftest import LAN
from tests.integration.seed import bind
from tests.integration.test_reporting_service import actions, answer, labels, message, who

MONTHLY = "nq57-monthly"
HOA = 8203  # a second reporter of Lan's commune
WORDS = "Ủy ban nhân dân xã ban hành kế hoạch chuyển đổi số, rà soát quy trình nội bộ. "


def text_of(length: int, start: str = "") -> str:
    body = (start + WORDS * (length // len(WORDS) + 2))[:length]
    return body[:-1] + "." if body.endswith(" ") else body


async def monthly_period(services: Services, key: str = "2026-04") -> Period:
    form = services.forms[MONTHLY]
    return await ensure_period(services.storage, period_for(form.period, key))


async def open_monthly(services: Services, unit: Unit, period: Period) -> ReportSession:
    """The session as the journey opens it for each message: read again from SQLite."""
    storage = services.storage
    person = await storage.people.get_by_telegram_id(LAN)
    assert person is not None
    draft = await storage.drafts.get_or_create(period.id, unit.code, services.clock.now())
    return await ReportSession.open(storage, services.forms[MONTHLY], services.clock, person, unit, period=period,
                                    draft=draft)


async def stored(services: Services, session: ReportSession, field_id: str) -> object:
    return (await services.storage.drafts.values(session.draft.id)).get(field_id)


async def test_parts_are_appended_kept_at_once_and_survive_a_restart(
        services: Services, communes: list[Unit]) -> None:
    unit, period = communes[0], await monthly_period(services)
    session = await open_monthly(services, unit, period)
    (ask,) = await session.edit("plans_assessment")
    assert isinstance(ask, Ask) and ask.field.several_messages
    assert "nhiều tin nhắn" in render(session, [ask]).message().text
    # a paste of 5,000 characters, cut by Telegram at 4,096: two messages
    pasted = text_of(5000)
    first, second = pasted[:4096].rstrip(), pasted[4096:].lstrip()
    (kept,) = await session.answer_text(first, message=11)
    assert isinstance(kept, PartKept) and kept.length == len(first) and kept.limit == 20000
    assert await stored(services, session, "plans_assessment") == first  # in SQLite at once
    screen = render(session, [kept]).message()
    assert "«Xong»" in screen.text and f"{len(first):,}".replace(",", ".") in screen.text
    assert labels(screen)[:3] == ["Viết tiếp", "Xong", "Xóa làm lại"]

    restarted = await open_monthly(services, unit, period)  # the bot restarted between the parts
    assert restarted.mode == LONG and restarted.cursor_field == "plans_assessment"
    assert isinstance(await restarted.resume(), Writing)
    (kept,) = await restarted.answer_text(second, message=12)
    joined = f"{first}\n{second}"
    assert isinstance(kept, PartKept) and kept.length == len(joined)
    assert await stored(services, restarted, "plans_assessment") == joined
    assert "".join(joined.split()) == "".join(pasted.split())  # not a character lost at the cut

    paused = await open_monthly(services, unit, period)
    await paused.pause()  # «Tạm dừng» while writing, then «Tiếp tục»: back to the text, not past it
    resumed = await (await open_monthly(services, unit, period)).resume()
    assert isinstance(resumed, Writing) and resumed.length == len(joined)

    again = await open_monthly(services, unit, period)
    saved, following = await long_text.finish(again, "plans_assessment")  # «Xong»
    assert isinstance(saved, Saved) and saved.value == joined
    assert isinstance(following, Ask) and following.field.id != "plans_assessment"
    assert again.mode == "answer" and await stored(services, again, "plans_assessment") == joined


async def test_a_part_over_the_limit_is_refused_with_the_room_left_and_nothing_is_lost(
        services: Services, communes: list[Unit]) -> None:
    unit, period = communes[0], await monthly_period(services)
    session = await open_monthly(services, unit, period)
    await session.edit("proposals_government")  # max_length 5,000
    too_long = await session.answer_text(text_of(5001))
    assert isinstance(too_long[0], PartRefused) and isinstance(too_long[1], Ask)
    assert "5.001 ký tự" in render(session, too_long).message().text
    assert await stored(services, session, "proposals_government") is None

    first = text_of(4000)
    await session.answer_text(first)
    session = await open_monthly(services, unit, period)
    (refused,) = await session.answer_text(text_of(1500, "Thứ hai, "))
    assert isinstance(refused, PartRefused) and refused.room == 999 and refused.length == 4000
    text = render(session, [refused]).message().text
    assert "còn nhận thêm 999 ký tự" in text and "1.500 ký tự" in text and "vẫn giữ nguyên" in text
    assert await stored(services, session, "proposals_government") == first  # nothing lost
    assert session.mode == LONG

    (kept,) = await session.answer_text(text_of(999, "Cuối cùng, "))
    assert isinstance(kept, PartKept) and kept.length == 5000 and kept.remaining == 0
    (full,) = await session.answer_text("Thêm.")
    assert isinstance(full, PartRefused) and full.room == 0
    assert "còn 0 ký tự" in render(session, [full]).message().text
    assert len(str(await stored(services, session, "proposals_government"))) == 5000


async def test_clear_starts_again_and_write_more_goes_on_with_a_stored_text(
        services: Services, communes: list[Unit]) -> None:
    unit, period = communes[0], await monthly_period(services)
    session = await open_monthly(services, unit, period)
    await session.edit("general_assessment")
    await session.answer_text("Phần một.")
    await session.answer_text("Phần hai.")
    (ask,) = await long_text.clear(session, "general_assessment")  # «Xóa làm lại»
    assert isinstance(ask, Ask) and ask.field.id == "general_assessment"
    assert await stored(services, session, "general_assessment") is None
    await session.answer_text("Viết lại từ đầu.")
    await long_text.finish(session, "general_assessment")
    assert await stored(services, session, "general_assessment") == "Viết lại từ đầu."

    # later, from the review: the question shows «Viết tiếp», which goes on with the stored text
    session = await open_monthly(services, unit, period)
    (ask,) = await session.edit("general_assessment")
    assert "Viết tiếp" in labels(render(session, [ask]).message())
    (waiting,) = await long_text.writing(session, "general_assessment")
    assert isinstance(waiting, Writing) and waiting.length == len("Viết lại từ đầu.")
    await session.answer_text("Bổ sung.")
    assert await stored(services, session, "general_assessment") == "Viết lại từ đầu.\nBổ sung."
    # a stale «Xong» (another question asked now) changes nothing
    await session.edit("meetings")
    steps = await long_text.finish(session, "general_assessment")
    assert not any(isinstance(step, Saved) for step in steps)


async def test_a_whole_section_as_last_month_in_one_tap_and_the_review_says_what_changed(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    unit = communes[0]
    form: Form = services.forms[MONTHLY]
    march = await monthly_period(services, "2026-03")
    institutions = [f.id for f in form.fields if f.section == "institutions"]
    before = {ident: f"Tháng trước: {ident}.\n- Ý thứ hai." for ident in institutions}
    before.update(plans_assessment="Kế hoạch bám sát nhiệm vụ.", dx_infrastructure_situation="Hạ tầng ổn định.")
    person = await services.storage.people.get_by_telegram_id(LAN)
    assert person is not None
    await services.storage.submissions.add_version(march.id, unit.code, before, {}, person.id,
                                                   clock.now() - timedelta(days=1), late=False, form_version=1)
    april = await monthly_period(services)
    session = await open_monthly(services, unit, april)
    (ask,) = await session.edit("institutions_situation")
    shown = render(session, [ask]).message()
    assert "Cả mục như kỳ trước (6 nội dung)" in labels(shown)
    action = next(a for a in actions(shown) if isinstance(a, KeepSection))
    assert decode(encode(action)) == action and isinstance(action, DRAFT_ACTIONS)

    kept, following = await long_text.keep_section(session, "institutions")
    assert isinstance(kept, SectionKept) and [f.id for f in kept.fields] == institutions
    assert isinstance(following, Ask) and following.field.section != "institutions"
    values = await services.storage.drafts.values(session.draft.id)
    assert {ident: values[ident] for ident in institutions} == {ident: before[ident] for ident in institutions}

    # 1 changed, 5.1.1 changed, 2 kept
    await session.store_text("plans_assessment", "Kế hoạch đã được rà soát, bổ sung.")
    await session.store_text("dx_infrastructure_situation", "Hạ tầng được nâng cấp.")
    review = review_text(session, await session.review())
    assert "Đã thay đổi so với kỳ trước: 1, 5.1.1" in review
    assert "Giữ nguyên như kỳ trước: 2" in review
    # a section tap when the cursor is elsewhere is stale: nothing copied
    await session.edit("meetings")
    steps = await long_text.keep_section(session, "human_resources")
    assert not any(isinstance(step, SectionKept) for step in steps)


async def test_weekly_section_as_last_week_through_the_journey(services: Services, communes: list[Unit],
                                                               clock: FakeClock) -> None:
    unit = communes[0]
    form = services.forms["tthc-weekly"]
    last = await ensure_period(services.storage, period_for(form.period, "2025-W49"))
    person = await services.storage.people.get_by_telegram_id(LAN)
    assert person is not None
    week = {"legal": "Ban hành Kế hoạch số 15/KH-UBND.", "infrastructure": "Thiếu máy scan.",
            "resources": "03 công chức."}
    await services.storage.submissions.add_version(last.id, unit.code, week, {}, person.id,
                                                   clock.now() - timedelta(days=3), late=False, form_version=1)
    journey, lan = ReportingJourney(services), await who(services, LAN)
    turn = await journey.start(lan)
    for _ in range(20):
        shown = message(turn)
        if "Về pháp lý" in shown.text:
            break
        turn = await answer(journey, lan, "0")
    shown = message(turn)
    tap = next(a for a in actions(shown) if isinstance(a, KeepSection))
    assert "Cả mục như kỳ trước (3 nội dung)" in labels(shown)
    after = message(await journey.tap(lan, tap))
    assert "Đã giữ như kỳ trước 3 nội dung" in after.text and "Khó khăn" in after.text
    draft = await services.storage.drafts.get(tap.draft_id)
    assert draft is not None
    values = await services.storage.drafts.values(draft.id)
    assert {k: values[k] for k in week} == week
    # the review names the weekly sections by their labels, which hold commas themselves
    changed = {**values, "infrastructure": "Đã có máy scan.", "difficulties": "Mạng chập chờn."}
    asked = {f.id for f in form.fields}
    assert review_lines(form, changed, {**week, "difficulties": "Không có."}, asked) == [
        "• Đã thay đổi so với kỳ trước: Tình hình thực hiện; Khó khăn, kiến nghị"]
    assert review_lines(form, values, week, asked) == ["• Giữ nguyên như kỳ trước: Tình hình thực hiện"]
    # taps that do not fit what is asked now (again, another field, a field the form lacks) change nothing
    for forged in (tap, FinishText(tap.draft_id, "legal"), ClearText(tap.draft_id, "no_such_field"),
                   WriteMore(tap.draft_id, "difficulties"), KeepSection(tap.draft_id, "no_such_section")):
        stale = message(await journey.tap(lan, forged))
        assert stale.text.startswith(say("reporting.stale")) and "Khó khăn" in stale.text, forged
    assert await services.storage.drafts.values(draft.id) == values


async def test_weekly_text_of_2700_characters_in_one_message(services: Services, communes: list[Unit]) -> None:
    journey, lan = ReportingJourney(services), await who(services, LAN)
    turn = await journey.start(lan)
    for _ in range(20):
        if "Về pháp lý" in message(turn).text:
            break
        turn = await answer(journey, lan, "0")
    legal = "2.1. Văn bản ban hành:\n" + text_of(1300, "a) ") + "\n" + text_of(1400, "b) ")
    assert len(legal) > 2700
    saved = message(await answer(journey, lan, legal))
    assert saved.text.startswith("✔ Đã lưu «Pháp lý»") and "Về hạ tầng kỹ thuật" in saved.text


async def test_every_choice_of_a_long_field_id_fits_telegram_callback_data(
        services: Services, communes: list[Unit]) -> None:
    """"dx_infrastructure_shortcomings" is 30 characters: its question's choices, the writing
    screen's and the review's edit menu are each written as callback data and read back."""
    unit, period = communes[0], await monthly_period(services)
    session = await open_monthly(services, unit, period)
    ident = max((f.id for f in session.form.fields), key=len)
    assert len(ident) >= 30
    screens = [render(session, await session.edit(ident)).message()]
    screens.append(render(session, await session.answer_text("Thiếu máy chủ dùng chung.")).message())
    (ask,) = await session.edit(ident)
    screens.append(render(session, [ask]).message())
    for shown in screens:
        for action in actions(shown):
            assert decode(encode(action)) == action, action



async def test_two_officials_of_one_commune_on_the_text_being_written_lose_nothing_and_are_told(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    """Lan writes a section in parts; meanwhile Hoa, of the same commune, writes that section anew
    from the review. Neither's words are lost silently: Hoa is told whose text hers replaced, and
    Lan's next part is not glued to Hoa's text behind her back."""
    unit, period = communes[0], await monthly_period(services)
    hoa = await bind(services.storage, HOA, "Trần Thị Hoa", Role.REPORTER, unit, clock.now())
    lan = await open_monthly(services, unit, period)
    await lan.edit("plans_assessment")
    lan_first = text_of(300, "Phần của Lan. ")
    (kept,) = await lan.answer_text(lan_first, message=21)
    assert isinstance(kept, PartKept)

    clock.advance(timedelta(minutes=5))
    theirs = await ReportSession.open(services.storage, services.forms[MONTHLY], services.clock, hoa, unit,
                                      period=period)
    await theirs.edit("plans_assessment")
    hoa_text = text_of(200, "Phần của Hoa. ")
    (hoa_kept,) = await theirs.answer_text(hoa_text, message=31)
    assert isinstance(hoa_kept, PartKept)
    told = render(theirs, [hoa_kept]).message().text
    assert "Nguyễn Thị Lan" in told  # whose text this one replaced
    assert await stored(services, theirs, "plans_assessment") == hoa_text

    clock.advance(timedelta(minutes=1))
    lan = await open_monthly(services, unit, period)  # Lan's next part, on her LONG cursor
    steps = await lan.answer_text(text_of(150, "Lan viết tiếp. "), message=22)
    text = render(lan, steps).message().text
    assert "Trần Thị Hoa" in text  # told the text changed under her, by whom
    assert await stored(services, lan, "plans_assessment") == hoa_text  # not glued to Hoa's text
    assert isinstance(steps[-1], Writing) and steps[-1].length == len(hoa_text)

    lan = await open_monthly(services, unit, period)  # sent again, knowingly: added after Hoa's text
    (kept,) = await lan.answer_text(text_of(150, "Lan viết tiếp. "), message=23)
    assert isinstance(kept, PartKept)
    assert await stored(services, lan, "plans_assessment") == f"{hoa_text}\n{text_of(150, 'Lan viết tiếp. ')}"
    changes = await services.storage.drafts.history(lan.draft.id, "plans_assessment")
    assert lan_first in [c.new_value for c in changes]  # Lan's first part stays in the history

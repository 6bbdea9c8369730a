"""Two forms open at once (issue 14, item 3): /baocao asks which report when the weekly and the
monthly NQ57 reports are both open for the commune and not sent (nearer deadline first), goes
straight to the one left when the other is sent; answers, taps, /huy and one-message entry follow
the draft's own form; «Nhập báo cáo» under a notice opens that notice's report. The journey driven
as a service over a real SQLite file."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.chat.actions import (
    AnswerNone,
    AnswerZero,
    ChooseReport,
    KeepAnswer,
    OpenReport,
    Pause,
    Resume,
    Submit,
    decode,
    encode,
)
from bot.chat.catalogue import say
from bot.chat.replies import TapAnswer
from bot.clock import VN_TZ, FakeClock
from bot.domain.periods import period_for
from bot.reporting.journey import ReportingJourney
from bot.reporting.periods import ensure_period
from bot.services import Services
from storage.models import Period, Role, Unit
from tests.integration.conftest import LAN, TU
from tests.integration.seed import bind
from tests.integration.test_reporting_service import BALANCED, actions, answer, labels, message, tap, who

MAI = 8204  # a second official of Lan's commune


async def stored(services: Services, form_id: str, key: str) -> Period:
    period = await services.storage.periods.get(form_id, key)
    assert period is not None, (form_id, key)
    return period


async def values(services: Services, period: Period, unit: Unit) -> dict[str, Any]:
    draft = await services.storage.drafts.find(period.id, unit.code)
    assert draft is not None
    return dict(await services.storage.drafts.values(draft.id))


WEEK_16_TUESDAY = datetime(2026, 4, 21, 9, 0, tzinfo=VN_TZ)  # W16 due Thu 23/04 15:00, April due Fri 24/04 17:00
JUNE_MONDAY = datetime(2026, 6, 22, 9, 0, tzinfo=VN_TZ)  # June due Wed 24/06 17:00, W25 due Thu 25/06 15:00


async def test_baocao_asks_which_report_the_nearer_deadline_first(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    journey = ReportingJourney(services)
    lan = await who(services, LAN)
    clock.set(WEEK_16_TUESDAY)
    shown = message(await journey.start(lan))
    weekly = await stored(services, "tthc-weekly", "2026-W16")
    monthly = await stored(services, "nq57-monthly", "2026-04")
    assert shown.text.split("\n") == [
        "Anh/Chị muốn nhập báo cáo nào? (báo cáo có hạn nộp gần hơn ở trên)",
        "• Báo cáo tuần kết quả giải quyết thủ tục hành chính và chuyển đổi số: Tuần 16/2026, "
        "hạn nộp 15:00 thứ Năm 23/4/2026",
        "• Báo cáo tháng tiến độ thực hiện Nghị quyết số 57-NQ/TW: tháng NQ57 tháng 4/2026, "
        "hạn nộp 17:00 thứ Sáu 24/4/2026",
    ]
    assert labels(shown) == ["📝 Báo cáo Tuần 16/2026 · hạn 23/4/2026", "📝 Báo cáo tháng NQ57 tháng 4/2026 · hạn 24/4/2026"]
    code = communes[0].code
    assert actions(shown) == [ChooseReport(weekly.id, code), ChooseReport(monthly.id, code)]
    assert [encode(a) for a in actions(shown)] == [f"rp:{weekly.id}:{code}", f"rp:{monthly.id}:{code}"]

    clock.set(JUNE_MONDAY)  # in June the month is due before the week
    shown = message(await journey.start(lan))
    assert labels(shown) == ["📝 Báo cáo tháng NQ57 tháng 6/2026 · hạn 24/6/2026", "📝 Báo cáo Tuần 25/2026 · hạn 25/6/2026"]


async def test_the_monthly_report_chosen_takes_the_answers_and_the_weekly_one_is_untouched(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    journey = ReportingJourney(services)
    lan = await who(services, LAN)
    clock.set(WEEK_16_TUESDAY)
    monthly_choice = actions(message(await journey.start(lan)))[1]
    assert isinstance(monthly_choice, ChooseReport)
    turn = await journey.choose_report(lan, monthly_choice)
    assert isinstance(turn.replies[0], TapAnswer)
    first = message(turn)
    assert first.text.startswith("📋 Báo cáo tháng NQ57 tháng 4/2026 (từ ngày 01/1 đến 23/4/2026) — hạn nộp 17:00 "
                                 "ngày 24/4/2026.\nCâu 1/")
    assert "1.1. Kế hoạch thực hiện Nghị quyết số 57-NQ/TW đã ban hành" in first.text
    storage = services.storage
    monthly = await stored(services, "nq57-monthly", "2026-04")
    weekly = await stored(services, "tthc-weekly", "2026-W16")
    draft = await storage.drafts.find(monthly.id, communes[0].code)
    assert draft is not None and turn.asking is not None and turn.asking.form.id == "nq57-monthly"

    # the monthly report's figures typed now go to the monthly draft, by the monthly form's labels
    saved = message(await answer(journey, lan, "Cuộc họp BCĐ: 2\nNhiệm vụ được giao: 12"))
    assert saved.text.startswith("Đã điền 2 mục: 1.2. Cuộc họp BCĐ, Nhiệm vụ được giao.")
    assert await storage.drafts.values(draft.id) == {"meetings": 2, "tasks_assigned": 12}
    assert await storage.drafts.find(weekly.id, communes[0].code) is None

    # /huy pauses the monthly draft; «Tiếp tục» comes back to it; its taps act on its own draft
    paused = message(await journey.cancel(lan))
    assert Resume(draft.id) in actions(paused)
    resumed = message(await tap(journey, lan, encode(Resume(draft.id))))
    assert "Câu 1/" in resumed.text and Pause(draft.id) in actions(resumed)

    # the weekly report, chosen next, is the weekly journey as always
    weekly_choice = actions(message(await journey.start(lan)))[0]
    assert weekly_choice == ChooseReport(weekly.id, communes[0].code)
    week = message(await journey.choose_report(lan, weekly_choice))
    assert week.text.startswith("📋 Báo cáo tuần 16/2026 (từ ngày 13/4 đến 19/4/2026) — hạn nộp 15:00 ngày 23/4/2026.")
    assert "Hồ sơ kỳ trước chuyển sang" in week.text
    assert message(await answer(journey, lan, "53")).text.startswith("✔ Đã lưu «Kỳ trước chuyển sang»: 53.")
    assert await values(services, weekly, communes[0]) == {"carried_over": 53}
    assert await storage.drafts.values(draft.id) == {"meetings": 2, "tasks_assigned": 12}


async def test_one_report_left_open_is_opened_straight_away(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    journey = ReportingJourney(services)
    lan = await who(services, LAN)
    clock.set(WEEK_16_TUESDAY)
    await journey.start(lan)  # the periods are stored as /baocao looks at them: both asked
    weekly = await stored(services, "tthc-weekly", "2026-W16")
    person = (await who(services, LAN)).person
    assert person is not None
    await services.storage.submissions.add_version(weekly.id, communes[0].code, {"carried_over": 1}, {}, person.id,
                                                   clock.now())
    shown = message(await journey.start(lan))
    assert shown.text.startswith("📋 Báo cáo tháng NQ57 tháng 4/2026") and "Câu 1/" in shown.text
    # after the monthly deadline, a monthly report never begun is no longer offered: the weekly one opens
    clock.set(datetime(2026, 4, 28, 9, 0, tzinfo=VN_TZ))  # W17 opened (Tuesday: 27/04 was a day off), April due 24/04
    assert message(await journey.start(await who(services, TU))).text.startswith("📋 Báo cáo tuần 17/2026")
    # … but one begun stays offered, late, beside the week
    shown = message(await journey.start(lan))
    assert [label.split(" · ")[0] for label in labels(shown)] == ["📝 Báo cáo tháng NQ57 tháng 4/2026",
                                                                 "📝 Báo cáo Tuần 17/2026"]


async def test_one_message_entry_with_no_report_open_goes_to_the_form_whose_labels_it_uses(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    journey = ReportingJourney(services)
    lan = await who(services, LAN)
    clock.set(WEEK_16_TUESDAY)
    filled = message(await answer(journey, lan, "Cuộc họp BCĐ: 3\nNhiệm vụ được giao: 12"))
    assert filled.text.startswith("Đã điền 2 mục: 1.2. Cuộc họp BCĐ, Nhiệm vụ được giao.")
    monthly = await stored(services, "nq57-monthly", "2026-04")
    assert await values(services, monthly, communes[0]) == {"meetings": 3, "tasks_assigned": 12}
    # the weekly report's labels fill the weekly report, whatever was open before
    tu = await who(services, TU)
    filled = message(await answer(journey, tu, "Trực tiếp: 5\nKỳ trước chuyển sang: 53"))
    assert filled.text.startswith("Đã điền 2 mục")
    weekly = await stored(services, "tthc-weekly", "2026-W16")
    assert await values(services, weekly, communes[1]) == {"received_in_person": 5, "carried_over": 53}


async def test_a_notices_open_choice_opens_its_own_report(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    journey = ReportingJourney(services)
    lan = await who(services, LAN)
    clock.set(WEEK_16_TUESDAY)
    await journey.start(lan)  # both periods stored
    monthly = await stored(services, "nq57-monthly", "2026-04")
    action = decode(f"open:{monthly.id}")
    assert action == OpenReport(monthly.id)
    shown = message(await journey.choose_report(lan, action))
    assert shown.text.startswith("📋 Báo cáo tháng NQ57 tháng 4/2026") and "Câu 1/" in shown.text
    # an old notice's choice (week 15, long past) opens what is open now, as /baocao does
    week_15 = await ensure_period(services.storage, period_for(services.forms["tthc-weekly"].period, "2026-W15"))
    shown = message(await journey.choose_report(lan, OpenReport(week_15.id)))
    assert shown.text.startswith("Anh/Chị muốn nhập báo cáo nào?") and len(actions(shown)) == 2
    # an official of two communes is asked which commune, for that report
    await bind(services.storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, communes[1], clock.now())
    shown = message(await journey.choose_report(await who(services, LAN), action))
    assert shown.text == say("reporting.choose_commune")
    assert actions(shown) == [ChooseReport(monthly.id, communes[0].code), ChooseReport(monthly.id, communes[1].code)]


async def test_a_forged_or_unopened_report_is_refused(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    journey = ReportingJourney(services)
    lan = await who(services, LAN)
    clock.set(WEEK_16_TUESDAY)
    await journey.start(lan)
    monthly = await stored(services, "nq57-monthly", "2026-04")
    refused = await journey.choose_report(lan, ChooseReport(monthly.id, communes[1].code))  # Tú's commune
    assert refused.replies == [TapAnswer(say("reporting.not_yours"), alert=True)]
    may = await ensure_period(services.storage, period_for(services.forms["nq57-monthly"].period, "2026-05"))
    refused = await journey.choose_report(lan, ChooseReport(may.id, communes[0].code))  # opens 20/05
    assert refused.replies == [TapAnswer(say("forms_open.not_open"), alert=True)]
    refused = await journey.choose_report(lan, ChooseReport(10**9, communes[0].code))
    assert refused.replies == [TapAnswer(say("forms_open.not_open"), alert=True)]


async def test_a_report_chosen_after_a_colleague_sent_it_shows_it_sent(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    """Two officials of one commune: Lan is asked which report; meanwhile her colleague sends the
    weekly one. Lan's choice, tapped after, opens that report as sent (to look at or correct), not
    a fresh draft, and what the colleague sent is unchanged."""
    journey = ReportingJourney(services)
    clock.set(WEEK_16_TUESDAY)
    await bind(services.storage, MAI, "Hoàng Thị Mai", Role.REPORTER, communes[0], clock.now())
    lan, mai = await who(services, LAN), await who(services, MAI)
    lans_choice = actions(message(await journey.start(lan)))[0]
    weekly = await stored(services, "tthc-weekly", "2026-W16")
    assert lans_choice == ChooseReport(weekly.id, communes[0].code)

    turn = await journey.choose_report(mai, actions(message(await journey.start(mai)))[0])
    for _ in range(40):
        fields = [a.field for a in actions(message(turn)) if isinstance(a, (AnswerZero, AnswerNone, KeepAnswer))]
        if not fields:
            break
        turn = await answer(journey, mai, BALANCED[fields[0]])
    submit = next(a for a in actions(message(turn)) if isinstance(a, Submit))
    assert message(await journey.tap(mai, submit)).text.startswith("Đã gửi báo cáo Tuần")
    sent = await services.storage.submissions.latest(weekly.id, communes[0].code)
    assert sent is not None

    shown = await journey.choose_report(lan, lans_choice)
    assert isinstance(shown.replies[0], TapAnswer)
    assert "Trạng thái: đã gửi (lần 1" in message(shown).text
    latest = await services.storage.submissions.latest(weekly.id, communes[0].code)
    assert latest is not None and latest.id == sent.id and latest.answers == sent.answers

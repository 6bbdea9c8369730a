"""Issue 16, officials' items 1–3, driven as a service on a real SQLite file: every open warning asked
together before the review with one reason for all, the busy week's high figures asked once, and
"label: value" lines taken wherever they come (before /baocao, at a text question), texts included."""

from __future__ import annotations

from bot.chat.actions import AnswerNone, FixBreak, KeepBreak, Submit
from bot.chat.catalogue import say
from bot.chat.replies import Message
from bot.clock import FakeClock
from bot.onboarding.welcome import help_for
from bot.reporting.journey import ReportingJourney, Turn
from bot.services import Services
from storage import Storage
from storage.models import Role, Unit
from tests.integration.busy_week import BUSY_LINES, BUSY_SIX, TEXT_LINES, TEXTS, USUAL, seed_usual_weeks
from tests.integration.conftest import LAN
from tests.integration.seed import bind
from tests.integration.test_reporting_service import actions, answer, labels, message, tap, who

REASON = "Tuần này xã tiếp nhận hồ sơ cấp đổi giấy chứng nhận hàng loạt."


async def _answer_texts(journey: ReportingJourney, services: Services, turn: Turn) -> Message:
    """Answer the text questions the screen asks, one by one; the screen after them."""
    lan = await who(services, LAN)
    for _ in range(10):
        asked = [a.field for a in actions(message(turn)) if isinstance(a, AnswerNone)]
        if not asked:
            return message(turn)
        turn = await answer(journey, lan, TEXTS[asked[0]])
    raise AssertionError("the texts were never all asked")


async def _busy(services: Services, communes: list[Unit], clock: FakeClock, lines: str) -> tuple[Message, int]:
    await seed_usual_weeks(services.storage, services.forms["tthc-weekly"], communes[0], clock.now())
    journey, lan = ReportingJourney(services), await who(services, LAN)
    first = await journey.start(lan)
    draft_id = actions(message(first))[0].draft_id  # type: ignore[attr-defined]
    shown = await _answer_texts(journey, services, await answer(journey, lan, lines))
    return shown, draft_id


async def test_several_warnings_are_asked_together_with_one_reason_and_sent_once(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    # 50 carried over where last week left 48: continuity and balance break, and the figures are high
    shown, draft_id = await _busy(services, communes, clock, BUSY_LINES.replace("chuyển sang: 48", "chuyển sang: 50"))
    assert say("reporting_entry.warnings_title", count=3) in shown.text, shown.text
    assert say("reporting.review_title", period="TUẦN 50/2025") not in shown.text  # before the review
    # «Sửa» each (the items to choose from, or the figure itself), then all kept with one reason
    assert [type(a).__name__ for a in actions(shown)] == ["ChooseItem", "FixBreak", "ChooseItem", "KeepAllBreaks"]
    assert labels(shown)[-1] == "Giữ nguyên tất cả, ghi một lý do"
    journey, lan = ReportingJourney(services), await who(services, LAN)
    asked = message(await tap(journey, lan, f"r:{draft_id}:a"))
    assert asked.text == say("reporting_entry.ask_reason_all", count=3) and not asked.choices
    review = message(await answer(journey, lan, REASON))
    assert review.text.startswith(say("reporting_entry.reasons_kept", count=3))
    assert review.text.count(f"Lý do: {REASON}") == 3 and actions(review)[0] == Submit(draft_id)
    done = message(await tap(journey, lan, f"r:{draft_id}:u"))  # sent at the first tap
    assert done.text.startswith("Đã gửi báo cáo Tuần")
    period = await services.storage.periods.get("tthc-weekly", "2025-W50")
    assert period is not None
    latest = await services.storage.submissions.latest(period.id, communes[0].code)
    assert latest is not None
    assert {key: str(value) for key, value in latest.explanations.items()} == {
        "balance": REASON, "continuity": REASON, "outlier:received_online_full": REASON}


async def test_one_warning_of_several_is_fixed_from_the_list(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    shown, draft_id = await _busy(services, communes, clock, BUSY_LINES.replace("chuyển sang: 48", "chuyển sang: 50"))
    fix = next(a for a in actions(shown) if isinstance(a, FixBreak))
    assert fix.check == "continuity"
    journey, lan = ReportingJourney(services), await who(services, LAN)
    asked = message(await tap(journey, lan, f"r:{draft_id}:f:{fix.check}"))
    assert "Câu 1/" in asked.text and "Đang ghi: 50" in asked.text
    left = message(await answer(journey, lan, "48"))  # continuity and balance hold: the outlier is left, alone
    assert "⚠" in left.text and labels(left) == ["Sửa", "Giữ nguyên, ghi lý do"]
    assert [a.check for a in actions(left) if isinstance(a, KeepBreak)] == ["outlier:received_online_full"]


async def test_high_figures_that_agree_are_one_question(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    shown, draft_id = await _busy(services, communes, clock, BUSY_LINES)
    # one question for the six high figures, not six questions
    assert [a.check for a in actions(shown) if isinstance(a, KeepBreak)] == ["outlier:received_online_full"]
    assert "6 số cùng cao hơn thường lệ" in shown.text and shown.text.count("⚠") == 1
    form = services.forms["tthc-weekly"]
    for field_id in BUSY_SIX:
        assert f"«{form.label_of(field_id, short=True)}»" in shown.text
    journey, lan = ReportingJourney(services), await who(services, LAN)
    await tap(journey, lan, f"r:{draft_id}:g:outlier:received_online_full")
    review = message(await answer(journey, lan, REASON))
    assert review.text.count("⚠") == 1 and actions(review)[0] == Submit(draft_id)
    assert message(await tap(journey, lan, f"r:{draft_id}:u")).text.startswith("Đã gửi báo cáo Tuần")


BALANCED_LINES = (
    "Kỳ trước chuyển sang: 53\nToàn trình: 40\nMột phần: 9\nTrực tiếp: 0\nBưu chính: 0\nTrước hạn: 48\n"
    "Đúng hạn: 3\nGiải quyết quá hạn: 2\nĐang giải quyết trong hạn: 46\nĐang giải quyết quá hạn: 2\nRút hồ sơ: 1\n"
    "Số hóa: 49\nKết quả điện tử: 53\nNguyên nhân quá hạn: Chờ ý kiến của cơ quan thuế: 02 hồ sơ đất đai."
)


async def test_labelled_lines_before_baocao_open_the_report_texts_included(
        services: Services, communes: list[Unit]) -> None:
    journey, lan = ReportingJourney(services), await who(services, LAN)
    turn = await answer(journey, lan, f"{BALANCED_LINES}\n{TEXT_LINES}")
    shown = message(turn)
    assert say("reporting.stray_text") not in shown.text
    assert shown.text.startswith("Đã điền 19 mục") and "Không nhận ra" not in shown.text
    assert actions(shown)[0] == Submit(actions(shown)[0].draft_id)  # type: ignore[attr-defined]
    stored = await services.storage.drafts.values(actions(shown)[0].draft_id)  # type: ignore[attr-defined]
    assert stored["overdue_reasons"] == "Chờ ý kiến của cơ quan thuế: 02 hồ sơ đất đai."
    assert stored["resources"] == "03 công chức tiếp nhận; 01 công chức kiêm nhiệm."
    assert stored["received_online_full"] == 40 and stored["e_results"] == 53


async def test_labelled_lines_at_a_text_question_fill_their_items(services: Services, communes: list[Unit]) -> None:
    journey, lan = ReportingJourney(services), await who(services, LAN)
    await journey.start(lan)
    counts = BALANCED_LINES.rsplit("\n", 1)[0]  # the counts, without the reasons
    asked = message(await answer(journey, lan, counts))
    assert "Nguyên nhân quá hạn" in asked.text and any(isinstance(a, AnswerNone) for a in actions(asked))
    draft_id = actions(asked)[0].draft_id  # type: ignore[attr-defined]
    shown = message(await answer(journey, lan, "số hóa: 45\nkết quả điện tử: 50"))
    stored = await services.storage.drafts.values(draft_id)
    assert stored["digitized"] == 45 and stored["e_results"] == 50
    assert "overdue_reasons" not in stored  # not taken as the text asked
    assert shown.text.startswith("Đã điền 2 mục") and "Nguyên nhân quá hạn" in shown.text
    reason = message(await answer(journey, lan, "Chờ ý kiến cơ quan thuế.\nHồ sơ đất đai: 2"))  # a text is a text
    assert reason.text.startswith("✔ Đã lưu «Nguyên nhân quá hạn»")


async def test_the_format_is_explained_and_two_communes_are_not_guessed(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    journey, lan = ReportingJourney(services), await who(services, LAN)
    (helped,) = await help_for(services.storage, lan)
    assert isinstance(helped, Message) and say("reporting_entry.help_one_message") in helped.text
    first = message(await journey.start(lan))
    assert say("reporting_entry.one_message_hint") in first.text and "\nCâu 1/" in first.text
    await bind(services.storage, 8299, "Trần Văn Hai", Role.REPORTER, communes[0], clock.now())
    await bind(services.storage, 8299, "Trần Văn Hai", Role.REPORTER, communes[1], clock.now())
    two = await who(services, 8299)
    refused = message(await answer(journey, two, "Toàn trình: 40\nTrực tiếp: 0"))
    assert refused.text == say("reporting_entry.which_commune")
    period = await services.storage.periods.get("tthc-weekly", "2025-W50")
    assert period is not None
    for unit in communes:
        draft = await services.storage.drafts.find(period.id, unit.code)
        assert draft is None or (await services.storage.drafts.values(draft.id)).get("received_online_full") is None


async def test_a_busy_week_typed_one_question_at_a_time_asks_about_its_high_figures_once(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    await seed_usual_weeks(services.storage, services.forms["tthc-weekly"], communes[0], clock.now())
    journey, lan = ReportingJourney(services), await who(services, LAN)
    typed = dict(line.split(": ") for line in BUSY_LINES.split("\n"))
    form = services.forms["tthc-weekly"]
    by_field = {form.match_label(label).id: number for label, number in typed.items()}  # type: ignore[union-attr]
    turn, warnings = await journey.start(lan), []
    for _ in range(40):
        shown = message(turn)
        keep = next((a for a in actions(shown) if isinstance(a, KeepBreak)), None)
        if keep is not None:
            warnings.append(keep.check)
            await tap(journey, lan, f"r:{keep.draft_id}:g:{keep.check}")
            turn = await answer(journey, lan, REASON)
            continue
        asked = [a.field for a in actions(shown) if hasattr(a, "field")]
        if not asked:
            break
        turn = await answer(journey, lan, by_field.get(asked[0]) or TEXTS[asked[0]])
    # the first high figure is asked; the five that agree with it are covered by its reason
    assert warnings == ["outlier:received_online_full"]
    review = message(turn)
    assert actions(review)[0] == Submit(actions(review)[0].draft_id)  # type: ignore[attr-defined]
    assert "6 số cùng cao hơn thường lệ" in review.text and f"Lý do: {REASON}" in review.text


async def test_a_later_warning_takes_the_same_reason_in_one_tap(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    await seed_usual_weeks(services.storage, services.forms["tthc-weekly"], communes[0], clock.now())
    journey, lan = ReportingJourney(services), await who(services, LAN)
    typed = {**{k: str(v) for k, v in USUAL.items()}, **TEXTS, "carried_over": "50"}  # 2 more than last week left
    turn, warnings = await journey.start(lan), []
    for _ in range(40):
        shown = message(turn)
        keep = next((a for a in actions(shown) if isinstance(a, KeepBreak)), None)
        if keep is not None and not warnings:  # continuity, at once: kept with a reason
            warnings.append(keep.check)
            await tap(journey, lan, f"r:{keep.draft_id}:g:{keep.check}")
            turn = await answer(journey, lan, REASON)
            continue
        if keep is not None:  # the balance, at the last figure: «Giữ nguyên, cùng lý do»
            warnings.append(keep.check)
            assert labels(shown)[-1] == say("reporting_entry.same_reason", reason=REASON[:29] + "…")
            turn = await tap(journey, lan, f"r:{keep.draft_id}:q:{keep.check}")
            continue
        asked = [a.field for a in actions(shown) if hasattr(a, "field")]
        if not asked:
            break
        turn = await answer(journey, lan, typed[asked[0]])
    assert warnings == ["continuity", "balance"]
    review = message(turn)
    draft_id = actions(review)[0].draft_id  # type: ignore[attr-defined]
    assert actions(review)[0] == Submit(draft_id) and review.text.count(f"Lý do: {REASON}") == 2
    stored = await services.storage.drafts.explanations(draft_id)
    assert {key: e.reason for key, e in stored.items()} == {"continuity": REASON, "balance": REASON}


async def test_a_text_typed_at_the_list_of_warnings_is_not_stored_and_says_why(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    shown, draft_id = await _busy(services, communes, clock, BUSY_LINES.replace("chuyển sang: 48", "chuyển sang: 50"))
    journey, lan = ReportingJourney(services), await who(services, LAN)
    again = message(await answer(journey, lan, "số liệu đúng"))
    assert again.text.startswith(say("reporting_entry.warnings_open", sent="số liệu đúng"))
    assert say("reporting_entry.warnings_title", count=3) in again.text
    assert await services.storage.drafts.explanations(draft_id) == {}


async def test_a_restart_while_one_reason_for_all_is_asked_asks_it_again(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    shown, draft_id = await _busy(services, communes, clock, BUSY_LINES.replace("chuyển sang: 48", "chuyển sang: 50"))
    lan = await who(services, LAN)
    await tap(ReportingJourney(services), lan, f"r:{draft_id}:a")  # «Giữ nguyên tất cả»: the reason is asked
    restarted = Services(settings=services.settings, clock=clock, forms=services.forms)
    restarted.attach_storage(await Storage.open(services.settings.database_path))  # a new process, same file
    try:
        journey = ReportingJourney(restarted)
        again = message(await journey.start(lan))  # /baocao after the restart
        assert again.text == say("reporting_entry.ask_reason_all", count=3)
        short = message(await answer(journey, lan, "ok"))  # refused, saying why; still asked
        assert short.text.startswith("✖ Chưa lưu. Lý do quá ngắn (2 ký tự)")
        assert say("reporting_entry.ask_reason_all", count=3) in short.text
        assert await restarted.storage.drafts.explanations(draft_id) == {}
        review = message(await answer(journey, lan, REASON))
        assert review.text.startswith(say("reporting_entry.reasons_kept", count=3))
        assert set(await restarted.storage.drafts.explanations(draft_id)) == {
            "balance", "continuity", "outlier:received_online_full"}
    finally:
        await restarted.storage.close()

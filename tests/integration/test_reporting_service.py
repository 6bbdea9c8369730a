"""The reporting journey driven as a service, with no Telegram: each screen's text and choices for a
given step, taps given as the strings a messenger carries (decoded, then dispatched on their type),
refusals out of scope, and each action one transaction. A real SQLite file underneath."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest

from bot.chat.access import Identity, identify
from bot.chat.actions import (
    Action,
    AnswerNone,
    AnswerZero,
    ChooseCommune,
    ChooseItem,
    DraftFile,
    EditItem,
    GoBack,
    KeepAnswer,
    KeepBreak,
    PastReportFile,
    Pause,
    Resume,
    ShowDetails,
    ShowReview,
    Submit,
    decode,
)
from bot.chat.catalogue import say
from bot.chat.replies import ClearChoices, Document, Later, Message, Reply, TapAnswer
from bot.clock import FakeClock
from bot.reporting.documents import earlier_reports, past_report_file
from bot.reporting.journey import DRAFT_ACTIONS, ReportingJourney, Turn
from bot.services import Services
from storage.models import Role, Unit
from tests.integration.conftest import LAN, TU
from tests.integration.seed import BALANCED, bind, load_units

SUP = 8203
FIRST = "carried_over"


async def who(services: Services, telegram_id: int) -> Identity:
    return await identify(services.storage, services.settings, telegram_id)


def message(turn: Turn) -> Message:
    (found,) = [reply for reply in turn.replies if isinstance(reply, Message)]
    return found


def actions(reply: Message) -> list[Action]:
    return [choice.action for row in reply.choices for choice in row]


def labels(reply: Message) -> list[str]:
    return [choice.label for row in reply.choices for choice in row]


async def made(replies: Sequence[Reply]) -> list[Reply]:
    """The replies with each Later one made, as a channel does beside the updates."""
    out: list[Reply] = []
    for reply in replies:
        out.extend(await reply.make() if isinstance(reply, Later) else [reply])
    return out


async def tap(journey: ReportingJourney, identity: Identity, data: str) -> Turn:
    """A tap as a messenger carries it: the string, decoded, then handed to the journey."""
    action = decode(data)
    assert isinstance(action, DRAFT_ACTIONS), data
    return await journey.tap(identity, action)


async def answer(journey: ReportingJourney, identity: Identity, text: str) -> Turn:
    return await journey.text(identity, text, sent_at=None)


async def to_review(journey: ReportingJourney, identity: Identity) -> Turn:
    turn = await journey.start(identity)
    for _ in range(40):
        shown = message(turn)
        fields = [a.field for a in actions(shown) if isinstance(a, (AnswerZero, AnswerNone, KeepAnswer))]
        if not fields:
            return turn
        turn = await answer(journey, identity, BALANCED[fields[0]])
    raise AssertionError("the form never reached the review")


async def test_baocao_asks_the_first_question_with_its_choices(services: Services, communes: list[Unit]) -> None:
    journey = ReportingJourney(services)
    turn = await journey.start(await who(services, LAN))
    shown = message(turn)
    # The first question says which report it is and when it is due (issue 16, "say where you are").
    assert shown.text.startswith("📋 Báo cáo tuần 50/2025 (từ ngày 08/12 đến 14/12/2025) — hạn nộp 15:00 ngày 18/12/2025.\n")
    assert "\nCâu 1/" in shown.text and "Hồ sơ kỳ trước chuyển sang" in shown.text and "VD:" in shown.text
    draft_id = next(a.draft_id for a in actions(shown) if isinstance(a, AnswerZero))
    assert actions(shown) == [AnswerZero(draft_id, FIRST), Pause(draft_id)]
    assert labels(shown) == ["0", "Tạm dừng"]
    assert turn.asking is not None  # the channel records when it was shown


async def test_who_is_not_a_reporter_is_told_so(services: Services, communes: list[Unit], clock: FakeClock) -> None:
    journey = ReportingJourney(services)
    assert message(await journey.start(await who(services, 1))).text == say("common.help_stranger")
    await bind(services.storage, SUP, "Hà", Role.SUPERVISOR, await services.storage.units.get("19"), clock.now())
    supervisor = await who(services, SUP)
    assert message(await journey.start(supervisor)).text == say("reporting.not_a_reporter")
    assert message(await journey.text(supervisor, "53")).text == say("common.stray_text")
    assert message(await journey.cancel(supervisor)).text == say("reporting.nothing_to_pause")


async def test_an_official_of_two_communes_chooses_and_cannot_forge_a_third(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    phuc_loc, other = communes
    third = next(u for u in await load_units(services.storage) if u.code not in {phuc_loc.code, other.code})
    await bind(services.storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, other, clock.now())
    lan = await who(services, LAN)
    journey = ReportingJourney(services)
    choose = message(await journey.start(lan))
    assert choose.text == say("reporting.choose_commune")
    assert actions(choose) == [ChooseCommune(phuc_loc.code), ChooseCommune(other.code)]
    refused = await journey.choose_commune(lan, ChooseCommune(third.code))
    assert refused.replies == [TapAnswer(say("reporting.not_yours"), alert=True)]
    chosen = await journey.choose_commune(lan, ChooseCommune(other.code))
    assert chosen.replies[0] == TapAnswer() and "\nCâu 1/" in message(chosen).text
    period = await services.storage.periods.get("tthc-weekly", "2025-W50")
    assert period is not None and await services.storage.drafts.find(period.id, third.code) is None


async def test_typed_answers_media_edits_and_one_message_entry(services: Services, communes: list[Unit]) -> None:
    journey, lan = ReportingJourney(services), await who(services, LAN)
    await journey.start(lan)
    saved = message(await answer(journey, lan, "53"))
    assert saved.text.startswith("✔ Đã lưu «Kỳ trước chuyển sang»: 53.") and "Câu 2/" in saved.text
    refused = message(await answer(journey, lan, "abc"))
    assert refused.text.startswith("✖ Chưa lưu.") and "Câu 2/" in refused.text
    media = message(await journey.media(lan))
    assert media.text.startswith(say("common.stray_media")) and "Câu 2/" in media.text
    edited = await journey.text(lan, "40", edited=True)
    assert message(edited).text.startswith(say("reporting.edited_message")) and edited.asking is not None
    bulk = message(await answer(journey, lan, "Tiếp nhận trực tuyến toàn trình: 40\nTrực tiếp: 0\nxin chào"))
    assert "Đã điền 2 mục" in bulk.text and "Không nhận ra các dòng: xin chào" in bulk.text
    draft = await services.storage.drafts.get(next(a.draft_id for a in actions(bulk) if isinstance(a, Pause)))
    assert draft is not None
    assert await services.storage.drafts.values(draft.id) == {
        "carried_over": 53, "received_online_full": 40, "received_in_person": 0}


async def test_taps_are_dispatched_on_their_type(services: Services, communes: list[Unit]) -> None:
    journey, lan = ReportingJourney(services), await who(services, LAN)
    shown = message(await journey.start(lan))
    draft_id = actions(shown)[0].draft_id  # type: ignore[attr-defined]
    zero = await tap(journey, lan, f"r:{draft_id}:z:{FIRST}")
    assert zero.replies[:2] == [TapAnswer(), ClearChoices()]
    assert message(zero).text.startswith("✔ Đã lưu «Kỳ trước chuyển sang»: 0.")
    assert (await services.storage.drafts.values(draft_id))[FIRST] == 0
    back = message(await tap(journey, lan, f"r:{draft_id}:b"))
    assert "Đang ghi: 0" in back.text and KeepAnswer(draft_id, FIRST) in actions(back)
    assert labels(back)[0] == "Giữ nguyên: 0"
    kept = message(await tap(journey, lan, f"r:{draft_id}:k:{FIRST}"))
    assert kept.text.startswith("✔ Đã lưu «Kỳ trước chuyển sang»: 0.") and "Câu 2/" in kept.text
    paused = await tap(journey, lan, f"r:{draft_id}:p")
    assert message(paused).text == say("reporting.paused", answered=1, total=19)
    assert actions(message(paused)) == [Resume(draft_id)] and paused.asking is None
    resumed = message(await tap(journey, lan, f"r:{draft_id}:c"))
    assert resumed.text.startswith("Câu 2/") and GoBack(draft_id) in actions(resumed)
    stale = message(await tap(journey, lan, f"r:{draft_id}:z:{FIRST}"))  # the first question's «0», late
    assert stale.text.startswith(say("reporting.stale")) and "Câu 2/" in stale.text
    preview = await tap(journey, lan, f"r:{draft_id}:w")
    (document,) = [r for r in await made(preview.replies) if isinstance(r, Document)]
    assert document.content.startswith(b"PK") and document.caption.startswith("Bản xem trước (chưa gửi)")


async def test_soft_check_review_edit_and_submit(services: Services, communes: list[Unit]) -> None:
    journey, lan = ReportingJourney(services), await who(services, LAN)
    review = message(await to_review(journey, lan))
    draft_id = actions(review)[0].draft_id  # type: ignore[attr-defined]
    assert "\n\nBÁO CÁO TUẦN 50/2025" in review.text and review.text.endswith(say("reporting.review_check"))
    assert actions(review) == [Submit(draft_id), ChooseItem(draft_id), ShowDetails(draft_id), Pause(draft_id)]
    assert labels(review) == ["✔ Gửi báo cáo", "Sửa một mục", "Xem chi tiết", "Tạm dừng"]
    menu = message(await tap(journey, lan, f"r:{draft_id}:m"))
    assert menu.text == say("reporting.choose_item") and actions(menu)[-1] == ShowReview(draft_id)
    assert EditItem(draft_id, "received_in_person") in actions(menu)
    edit = message(await tap(journey, lan, f"r:{draft_id}:e:received_in_person"))
    assert "Đang ghi: 0" in edit.text
    soft = message(await answer(journey, lan, "2"))  # breaks the balance
    assert "⚠" in soft.text and labels(soft) == ["Sửa", "Giữ nguyên, ghi lý do"]
    keep = next(a for a in actions(soft) if isinstance(a, KeepBreak))
    reason = message(await tap(journey, lan, f"r:{draft_id}:g:{keep.check}"))
    assert reason.text == say("reporting.ask_reason") and not reason.choices
    too_long = message(await answer(journey, lan, "x" * 1001))
    assert too_long.text.startswith("✖ Chưa lưu. Lý do dài 1.001 ký tự")
    review = message(await answer(journey, lan, "Hai hồ sơ nộp trực tiếp nhập bổ sung"))
    assert "Lý do: Hai hồ sơ nộp trực tiếp nhập bổ sung" in review.text
    done = await tap(journey, lan, f"r:{draft_id}:u")
    assert message(done).text.startswith("Đã gửi báo cáo Tuần") and "(lần 1)" in message(done).text
    # The review tapped loses its buttons and its «bấm Gửi báo cáo» line: it now shows the report sent.
    (cleared,) = [r for r in done.replies if isinstance(r, ClearChoices)]
    assert cleared.text is not None and "Trạng thái: đã gửi (lần 1" in cleared.text
    assert say("reporting.review_check") not in cleared.text
    assert actions(message(done)) == [ShowReview(draft_id), DraftFile(draft_id)]
    (document,) = [r for r in await made(done.replies) if isinstance(r, Document)]
    assert document.filename == "BC-tuan-2025-W50-xa-phuc-loc.docx" and "(lần 1)" in document.caption
    again = message(await tap(journey, lan, f"r:{draft_id}:v"))
    assert "Trạng thái: đã gửi (lần 1" in again.text
    assert labels(again) == ["Sửa báo cáo", "Xem chi tiết", "Tải tệp Word"]


async def test_a_draft_out_of_scope_is_refused_and_untouched(services: Services, communes: list[Unit]) -> None:
    journey = ReportingJourney(services)
    draft_id = actions(message(await journey.start(await who(services, LAN))))[0].draft_id  # type: ignore[attr-defined]
    tu = await who(services, TU)
    for data in (f"r:{draft_id}:z:{FIRST}", f"r:{draft_id}:u", f"r:{draft_id}:m", f"r:{draft_id}:w",
                 f"r:{draft_id}:e:{FIRST}", f"r:{draft_id + 1}:v"):
        assert (await tap(journey, tu, data)).replies == [TapAnswer(say("reporting.not_yours"), alert=True)]
    assert await services.storage.drafts.values(draft_id) == {}


async def test_an_answer_sent_before_its_question_was_shown_is_not_taken(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    journey, lan = ReportingJourney(services), await who(services, LAN)
    turn = await journey.start(lan)
    await turn.shown(clock.now())
    early = message(await journey.text(lan, "53", sent_at=clock.now() - timedelta(seconds=5)))
    assert early.text.startswith("✖ Chưa lưu «53»: tin nhắn này đến trước") and "Câu 1/" in early.text
    draft_id = actions(early)[0].draft_id  # type: ignore[attr-defined]
    assert await services.storage.drafts.values(draft_id) == {}


class Fault(RuntimeError):
    """A write failing in the middle of an action (a full disk, an I/O error)."""


def failing(target: Any, name: str) -> None:
    async def fail(*args: Any, **kwargs: Any) -> None:
        raise Fault(name)

    setattr(target, name, fail)


async def test_an_answer_is_stored_with_its_cursor_or_not_at_all(services: Services, communes: list[Unit]) -> None:
    journey, lan = ReportingJourney(services), await who(services, LAN)
    draft_id = actions(message(await journey.start(lan)))[0].draft_id  # type: ignore[attr-defined]
    failing(services.storage.drafts, "set_cursor")  # after the answer is written, moving on fails
    with pytest.raises(Fault):
        await answer(journey, lan, "53")
    assert await services.storage.drafts.values(draft_id) == {}
    history = await services.storage.drafts.history(draft_id, FIRST)
    assert history == []


async def test_a_submission_is_stored_with_its_audit_row_or_not_at_all(
        services: Services, communes: list[Unit]) -> None:
    journey, lan = ReportingJourney(services), await who(services, LAN)
    draft_id = actions(message(await to_review(journey, lan)))[0].draft_id  # type: ignore[attr-defined]
    failing(services.storage.audit, "log")
    with pytest.raises(Fault):
        await tap(journey, lan, f"r:{draft_id}:u")
    period = await services.storage.periods.get("tthc-weekly", "2025-W50")
    assert period is not None and await services.storage.submissions.latest(period.id, communes[0].code) is None
    draft = await services.storage.drafts.get(draft_id)
    assert draft is not None and draft.status == "open"


async def test_past_reports_are_listed_and_sent_in_scope_only(services: Services, communes: list[Unit]) -> None:
    journey, lan, tu = ReportingJourney(services), await who(services, LAN), await who(services, TU)
    assert await earlier_reports(services, lan) == [Message(say("report_files.none_submitted"))]
    assert await earlier_reports(services, await who(services, 1)) == [Message(say("report_files.not_a_reporter"))]
    draft_id = actions(message(await to_review(journey, lan)))[0].draft_id  # type: ignore[attr-defined]
    await tap(journey, lan, f"r:{draft_id}:u")
    (listing,) = await earlier_reports(services, lan)
    assert isinstance(listing, Message) and listing.text == say("report_files.choose_period")
    (choice,) = actions(listing)
    assert isinstance(choice, PastReportFile) and labels(listing) == ["Tuần 50/2025"]
    refused: list[Reply] = await past_report_file(services, tu, choice)
    assert refused == [TapAnswer(say("reporting.not_yours"), alert=True)]
    sent = await made(await past_report_file(services, lan, choice))
    assert sent[0] == TapAnswer() and isinstance(sent[1], Document) and sent[1].caption.endswith("(lần 1)")

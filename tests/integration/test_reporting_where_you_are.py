"""Issue 16, "say where you are" and "a number typed while a warning is open", driven as a service
with no Telegram on a real SQLite file: the first question names the report and its deadline, a
rate shows its fraction as soon as its parts are known, the review fits a phone screen with its
details on demand, an approved report offers no correction, a second version's file says so, and a
figure typed at a soft check is the correction (anything else is refused, saying why)."""

from __future__ import annotations

from bot.chat.actions import ChooseItem, DraftFile, KeepBreak, ShowDetails, ShowReview, encode
from bot.chat.catalogue import say
from bot.chat.replies import Document, Message
from bot.clock import FakeClock
from bot.reporting.journey import ReportingJourney
from bot.services import Services
from storage.models import Role, SubmissionStatus, Unit
from tests.integration.seed import BALANCED, bind
from tests.integration.test_reporting_service import (
    FIRST,
    LAN,
    actions,
    answer,
    labels,
    made,
    message,
    tap,
    to_review,
    who,
)

HOA = 8204  # a second reporter of Lan's commune
LONG = "Đường truyền mạng tại bộ phận một cửa chập chờn vào giờ cao điểm, " * 8  # about 520 characters


async def test_a_rate_is_shown_with_its_fraction_as_soon_as_its_parts_are_known(
        services: Services, communes: list[Unit]) -> None:
    journey, lan = ReportingJourney(services), await who(services, LAN)
    turn = await journey.start(lan)
    said: list[str] = []
    for _ in range(6):  # up to the last part of the new dossiers
        field = next(a.field for a in actions(message(turn)) if hasattr(a, "field"))
        turn = await answer(journey, lan, BALANCED[field])
        said.append(message(turn).text)
        if field == "received_postal":
            break
    completed = said[-1]  # 40 + 9 + 0 + 0 = 49 new dossiers: the shares are known now
    assert "Tỷ lệ hồ sơ tiếp nhận trực tuyến toàn trình: 40/49 = 81,63%" in completed
    assert "Tỷ lệ hồ sơ tiếp nhận trực tuyến một phần: 9/49 = 18,37%" in completed
    assert not any("81,63%" in text for text in said[:-1])  # not before its denominator was known


async def test_the_review_fits_a_phone_screen_and_its_details_come_on_demand(
        services: Services, communes: list[Unit]) -> None:
    journey, lan = ReportingJourney(services), await who(services, LAN)
    texts = {"legal", "infrastructure", "resources", "difficulties", "proposals"}
    turn = await journey.start(lan)
    for _ in range(40):
        shown = message(turn)
        fields = [a.field for a in actions(shown) if hasattr(a, "field")]
        if not fields:
            break
        turn = await answer(journey, lan, LONG if fields[0] in texts else BALANCED[fields[0]])
    review = message(turn)
    body = review.text[review.text.index("BÁO CÁO"):]
    assert len(body) <= 1500, len(body)  # five texts of 520 characters, every figure and rate
    assert "Kỳ trước chuyển sang 53 · " in body and "Toàn trình 81,63%" in body
    draft_id = next(a.draft_id for a in actions(review) if isinstance(a, ShowDetails))
    details = message(await tap(journey, lan, f"r:{draft_id}:d"))
    assert "• Hồ sơ kỳ trước chuyển sang" not in details.text and "• Kỳ trước chuyển sang: 53" in details.text
    assert LONG[:190] in details.text and len(details.text) > len(body)
    assert labels(details) == ["✔ Gửi báo cáo", "Sửa một mục", "Tạm dừng"]  # no «Xem chi tiết» again


async def test_an_approved_report_offers_no_correction_and_a_second_version_says_so(
        services: Services, communes: list[Unit]) -> None:
    journey, lan = ReportingJourney(services), await who(services, LAN)
    draft_id = actions(message(await to_review(journey, lan)))[0].draft_id  # type: ignore[attr-defined]
    first = await made((await tap(journey, lan, f"r:{draft_id}:u")).replies)
    (document,) = [r for r in first if isinstance(r, Document)]
    assert document.filename == "BC-tuan-2025-W50-xa-phuc-loc.docx"
    period = await services.storage.periods.get("tthc-weekly", "2025-W50")
    assert period is not None
    latest = await services.storage.submissions.latest(period.id, communes[0].code)
    assert latest is not None
    await services.storage.submissions.set_status(latest.id, SubmissionStatus.RETURNED, None, services.clock.now(),
                                                  "Sai số liệu")
    assert labels(message(await tap(journey, lan, f"r:{draft_id}:v")))[0] == "Sửa báo cáo"
    await tap(journey, lan, f"r:{draft_id}:e:legal")  # «Sửa báo cáo», one item: the draft opens again
    await answer(journey, lan, "Đã ban hành Kế hoạch chuyển đổi số năm 2026 (bổ sung).")
    again = await made((await tap(journey, lan, f"r:{draft_id}:u")).replies)
    (second,) = [r for r in again if isinstance(r, Document)]
    assert second.filename == "BC-tuan-2025-W50-xa-phuc-loc-lan-2.docx" and "(lần 2)" in second.caption
    latest = await services.storage.submissions.latest(period.id, communes[0].code)
    assert latest is not None and latest.version == 2
    await services.storage.submissions.set_status(latest.id, SubmissionStatus.APPROVED, None, services.clock.now())
    approved = message(await tap(journey, lan, f"r:{draft_id}:v"))
    assert "đã được duyệt" in approved.text
    assert actions(approved) == [ShowDetails(draft_id), DraftFile(draft_id)]  # no «Sửa báo cáo»
    assert ChooseItem(draft_id) not in actions(message(await tap(journey, lan, f"r:{draft_id}:d")))


async def _at_soft_check(journey: ReportingJourney, services: Services) -> tuple[Message, int]:
    lan = await who(services, LAN)
    review = message(await to_review(journey, lan))
    draft_id = actions(review)[0].draft_id  # type: ignore[attr-defined]
    await tap(journey, lan, f"r:{draft_id}:e:received_in_person")
    soft = message(await answer(journey, lan, "2"))  # breaks the balance by 2
    assert "⚠" in soft.text and any(isinstance(a, KeepBreak) for a in actions(soft))
    return soft, draft_id


async def test_a_figure_typed_at_a_warning_is_the_correction(services: Services, communes: list[Unit]) -> None:
    journey, lan = ReportingJourney(services), await who(services, LAN)
    _, draft_id = await _at_soft_check(journey, services)
    fixed = message(await answer(journey, lan, "0"))  # the figure it should have been
    assert fixed.text.startswith("✔ Đã lưu «Trực tiếp»: 0.") and "⚠" not in fixed.text
    assert (await services.storage.drafts.values(draft_id))["received_in_person"] == 0
    assert any(isinstance(a, ShowReview) or "Gửi báo cáo" in label
               for a, label in zip(actions(fixed), labels(fixed), strict=True))


async def test_a_text_typed_at_a_warning_is_not_stored_and_says_why(
        services: Services, communes: list[Unit]) -> None:
    journey, lan = ReportingJourney(services), await who(services, LAN)
    _, draft_id = await _at_soft_check(journey, services)
    refused = message(await answer(journey, lan, "hai hồ sơ nộp thêm"))
    assert refused.text.startswith(say("reporting.warning_open_figure", sent="hai hồ sơ nộp thêm",
                                       label="Trực tiếp"))
    assert "⚠" in refused.text and any(isinstance(a, KeepBreak) for a in actions(refused))  # asked again
    assert (await services.storage.drafts.values(draft_id))["received_in_person"] == 2  # unchanged
    assert await services.storage.drafts.explanations(draft_id) == {}
    assert FIRST in await services.storage.drafts.values(draft_id)



async def test_a_colleague_fixing_the_figure_while_one_writes_the_reason_leaves_one_report(
        services: Services, communes: list[Unit], clock: FakeClock) -> None:
    """Lan keeps figures that do not balance and is asked why; meanwhile Hoa, of the same commune,
    corrects the figure at the same warning. Lan's reason then explains nothing: it is not stored,
    and Lan sees the report as it now stands, with Hoa's figure and no warning."""
    journey, lan = ReportingJourney(services), await who(services, LAN)
    soft, draft_id = await _at_soft_check(journey, services)
    keep = next(a for a in actions(soft) if isinstance(a, KeepBreak))
    asked = message(await tap(journey, lan, encode(keep)))
    assert asked.text == say("reporting.ask_reason")

    await bind(services.storage, HOA, "Trần Thị Hoa", Role.REPORTER, communes[0], clock.now())
    hoa = await who(services, HOA)
    at_warning = message(await journey.start(hoa))  # her /baocao: the same warning, still open
    assert "⚠" in at_warning.text
    await tap(journey, hoa, f"r:{draft_id}:e:received_in_person")  # she corrects the figure itself
    fixed = message(await answer(journey, hoa, "0"))
    assert fixed.text.startswith("✔ Đã lưu «Trực tiếp»: 0.") and "⚠" not in fixed.text

    review = message(await answer(journey, lan, "Có 2 hồ sơ nộp bổ sung cuối ngày."))
    assert "⚠" not in review.text and "Chưa lưu" not in review.text
    assert any(isinstance(a, ShowReview) or "Gửi báo cáo" in label
               for a, label in zip(actions(review), labels(review), strict=True))
    assert (await services.storage.drafts.values(draft_id))["received_in_person"] == 0
    assert await services.storage.drafts.explanations(draft_id) == {}

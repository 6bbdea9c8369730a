"""The supervisors' per-form paths no other test walks: a report word that names no report
(«/tonghop nam»), /xa with the report word and a commune of another province, a monthly report
approved by two supervisors of the province at the same moment, and /chuanop for the monthly
report before any monthly period was opened — on a real SQLite file."""

from __future__ import annotations

import asyncio

from bot.chat.actions import ShowRollup
from bot.chat.catalogue import say
from bot.chat.replies import Message, TapAnswer
from bot.domain.forms import load_forms
from bot.domain.rollup_spec import MessageLine
from bot.supervising import approval, commune, missing, on_behalf, return_reason, rollup
from storage import Storage
from storage.models import Role, SubmissionStatus
from tests.integration.seed import bind
from tests.supervising.conftest import SUP as SUP_WEEKLY
from tests.supervising.conftest import Desk, Told
from tests.supervising.monthly import APRIL, MONTHLY, OTHER, REP, SUP, MonthlyDesk

SECOND_SUP = 7001  # a second supervisor of province 19


async def test_tonghop_with_a_word_that_names_no_report(monthly: MonthlyDesk) -> None:
    """«nam» is no report and no province: told so, with the province to tap; nothing is built."""
    sup = await monthly.who(SUP)
    replies = await rollup.rollup_command(monthly.services, sup, ["nam"])
    assert isinstance(replies, list) and isinstance(replies[0], Message)
    assert replies[0].text == "Không thấy tỉnh nào khớp «nam» trong phạm vi của Anh/Chị."
    assert [row[0].action for row in replies[0].choices] == [ShowRollup("19", None, None)]


async def test_xa_with_the_report_word_and_a_commune_of_another_province(monthly: MonthlyDesk) -> None:
    """The report word is taken off the name; the commune of province 01 is not found in province
    19's, so nothing of its monthly report is shown."""
    sup = await monthly.who(SUP)
    elsewhere = await monthly.storage.units.get(monthly.elsewhere)
    assert elsewhere is not None and elsewhere.province_code == "01"
    replies = await commune.commune_command(monthly.services, sup, f"{elsewhere.name} thang")
    assert len(replies) == 1 and isinstance(replies[0], Message)
    assert replies[0].text == f"Không tìm thấy xã, phường nào khớp «{elsewhere.name}» trong tỉnh của Anh/Chị."
    assert replies[0].choices == ()


async def test_two_supervisors_approve_the_same_monthly_report_at_once(monthly: MonthlyDesk) -> None:
    """One approval is recorded and told to the commune; the other supervisor hears it was approved
    already."""
    await bind(monthly.storage, SECOND_SUP, "Lê Văn Hai", Role.SUPERVISOR, await monthly.storage.units.get("19"),
               monthly.services.clock.now())
    first, second = await monthly.who(SUP), await monthly.who(SECOND_SUP)
    submission = monthly.submissions[monthly.first]
    told = Told()
    both = await asyncio.gather(approval.approve(monthly.services, first, submission.id, told),
                                approval.approve(monthly.services, second, submission.id, told))
    texts = sorted(replies[0].text for replies in both)
    assert texts[0].startswith("Báo cáo Tháng 4/2026") and texts[0].endswith("đã được duyệt trước đó.")
    assert texts[1].startswith("Đã duyệt báo cáo Tháng 4/2026")
    assert (await monthly.storage.submissions.get(submission.id)).status == SubmissionStatus.APPROVED
    assert len(told.to(REP)) == 1


async def test_chuanop_for_the_monthly_report_before_any_monthly_period(desk: Desk) -> None:
    """The monthly form scheduled on a weekly-only database: /chuanop thang lists the latest closed
    month, every commune missing, instead of failing."""
    desk.services.forms[MONTHLY] = load_forms(desk.services.settings.forms_dir)[MONTHLY]
    assert desk.services.forms[MONTHLY].scheduled
    assert await desk.storage.periods.get(MONTHLY, "2025-11") is None
    sup = await desk.who(SUP_WEEKLY)
    replies = await missing.missing_command(desk.services, sup, "thang")
    assert isinstance(replies[0], Message)
    text = replies[0].text
    assert text.startswith("📋 Báo cáo tháng tiến độ thực hiện Nghị quyết số 57-NQ/TW\nKỳ Tháng 11/2025")
    assert "Chưa nộp: 92/92 xã, phường." in text


async def test_xa_for_a_form_whose_rollup_section_is_wrong(monthly: MonthlyDesk) -> None:
    """A form file whose rollup section names what the form lacks (/tonghop tells the admin to fix
    it): the commune's card still shows its report, the recent months without side-by-side figures."""
    form = monthly.services.forms[MONTHLY]
    assert form.rollup is not None
    broken = form.rollup.model_copy(update={"message": (MessageLine(figure="nothing_here"), *form.rollup.message)})
    monthly.services.forms[MONTHLY] = form.model_copy(update={"rollup": broken})
    sup = await monthly.who(SUP)
    unit = await monthly.storage.units.get(monthly.first)
    card = await commune.commune_command(monthly.services, sup, f"{unit.name} thang")
    assert "BÁO CÁO THÁNG 4/2026" in card[0].text
    history = card[1]
    assert isinstance(history, commune.HistoryTable)
    assert history.rows[0] == ("Kỳ",) and history.rows[1] == ("T4/26",)


async def test_tonghop_with_the_monthly_word_and_a_week(monthly: MonthlyDesk) -> None:
    """«/tonghop 2025-W50 thang»: the week is no period of the monthly report; told so with a month
    as the example (not a week, which is what was typed), and nothing is built."""
    sup = await monthly.who(SUP)
    replies = await rollup.rollup_command(monthly.services, sup, ["2025-W50", "thang"])
    assert isinstance(replies, list) and isinstance(replies[0], Message)
    assert replies[0].text == ("Kỳ «2025-W50» không phải là kỳ của Báo cáo tháng tiến độ thực hiện Nghị quyết "
                               "số 57-NQ/TW. Anh/Chị vui lòng ghi kỳ theo dạng, VD: 2026-04")


async def test_nhapthay_with_the_period_before_the_monthly_word(monthly: MonthlyDesk) -> None:
    """«/nhapthay <mã> 2026-04 thang» reads as «/nhapthay <mã> thang 2026-04»: April's template,
    not «no commune matches "<mã> 2026-04"»; a week with the monthly word is refused with a month
    as the example, and a month that does not exist with the reason."""
    sup = await monthly.who(SUP)
    code = monthly.second
    for typed in (f"/nhapthay {code} {APRIL} thang", f"/nhapthay {code} thang {APRIL}"):
        template = await on_behalf.on_behalf_command(monthly.services, sup, typed)
        assert template[1].text.startswith(f"/nhapthay {code} {APRIL}\n"), typed
    week = await on_behalf.on_behalf_command(monthly.services, sup, f"/nhapthay {code} 2025-W50 thang")
    assert [reply.text for reply in week if isinstance(reply, Message)] == [
        "Kỳ «2025-W50» không phải là kỳ của Báo cáo tháng tiến độ thực hiện Nghị quyết số 57-NQ/TW. "
        "Anh/Chị vui lòng ghi kỳ theo dạng, VD: 2026-04"]
    bad = await on_behalf.on_behalf_command(monthly.services, sup, f"/nhapthay {code} 2026-13 thang")
    assert [reply.text for reply in bad if isinstance(reply, Message)] == [
        "«2026-13» không phải là tháng báo cáo. Anh/Chị vui lòng ghi kỳ theo dạng năm-tháng, VD: 2026-04"]


async def test_nhapthay_monthly_for_a_commune_of_another_province(monthly: MonthlyDesk) -> None:
    """By code: refused; by name: not found in the supervisor's province."""
    sup = await monthly.who(SUP)
    elsewhere = await monthly.storage.units.get(monthly.elsewhere)
    assert elsewhere is not None
    by_code = await on_behalf.on_behalf_command(monthly.services, sup, f"/nhapthay {elsewhere.code} thang")
    assert by_code == [TapAnswer("Anh/Chị không có quyền dùng lệnh này.", alert=True)]
    by_name = await on_behalf.on_behalf_command(monthly.services, sup, f"/nhapthay {elsewhere.name} thang")
    assert [reply.text for reply in by_name if isinstance(reply, Message)] == [
        f"Không tìm thấy xã, phường nào khớp «{elsewhere.name}» trong tỉnh của Anh/Chị."]


async def test_a_monthly_return_asked_survives_a_restart_and_not_for_another_province(monthly: MonthlyDesk) -> None:
    """«↩ Trả lại để sửa» on April's report: refused to the supervisor of another province; the
    question asked before a restart takes the reason after it, and the monthly report is returned."""
    target = monthly.submissions[monthly.first]
    refused = await return_reason.ask_reason(monthly.services, await monthly.who(OTHER), target.id)
    assert refused == [TapAnswer(say("common.not_allowed"), alert=True)]
    asked = await return_reason.ask_reason(monthly.services, await monthly.who(SUP), target.id)
    assert isinstance(asked[1], Message) and asked[1].text.startswith("↩ Trả lại báo cáo Tháng 4/2026")
    await monthly.storage.close()
    reopened = await Storage.open(monthly.services.settings.database_path)
    try:
        monthly.services.attach_storage(reopened)
        told = Told()
        done = await return_reason.take_reason(monthly.services, await monthly.who(SUP),
                                               "Phụ lục nhiệm vụ ghi 7, mục 1.3 ghi 6.", told)
        assert done is not None and any(isinstance(reply, Message) and reply.text.startswith(
            "Đã trả lại báo cáo Tháng 4/2026") for reply in done)
        returned = await reopened.submissions.get(target.id)
        assert returned is not None and returned.status == SubmissionStatus.RETURNED
        assert returned.status_reason == "Phụ lục nhiệm vụ ghi 7, mục 1.3 ghi 6."
        assert len(told.to(REP)) == 1
    finally:
        await reopened.close()


async def test_chuanop_with_a_period_says_it_lists_the_open_one(monthly: MonthlyDesk) -> None:
    """«/chuanop thang 2026-04» (or a month that does not exist): /chuanop takes no period, which
    it says with an example, rather than «no province matches "2026-04"»."""
    sup = await monthly.who(SUP)
    for typed, word in (("thang 2026-04", "2026-04"), ("thang 2026-13", "2026-13"), ("2025-W50", "2025-W50")):
        replies = await missing.missing_command(monthly.services, sup, typed)
        assert [reply.text for reply in replies if isinstance(reply, Message)] == [
            say("per_form_arguments.chuanop_no_period", word=word)], typed
    assert say("per_form_arguments.chuanop_no_period", word="2026-04") == (
        "/chuanop cho danh sách xã chưa nộp của kỳ đang mở, không nhận kỳ «2026-04». Anh/Chị vui lòng gõ "
        "/chuanop, có thể kèm tên tỉnh và báo cáo, VD: /chuanop tháng")

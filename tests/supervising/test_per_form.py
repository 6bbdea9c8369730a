"""Issue 14, item 3: with the weekly and the monthly form scheduled, /tonghop, /chuanop, /xa,
/nhapthay and /baocaocu ask which report (choices that carry the form) or take it as an argument
(«thang», «nq57», a period key); approval works on a monthly report; a supervisor of one province
never sees another's monthly report, an official only their own commune's — through the service,
on a real SQLite file, with the monthly form scheduled by a copy of the forms folder."""

from __future__ import annotations

import io

from docx import Document as DocxDocument
from openpyxl import load_workbook

from bot.chat.actions import (
    EnterOnBehalf,
    PastReportFile,
    ShowCommune,
    ShowMissing,
    ShowRollup,
    decode,
    encode,
)
from bot.chat.replies import Document, Later, Message, TapAnswer
from bot.domain.forms import WEEKLY_FORM_ID
from bot.reporting.documents import earlier_reports, past_report_file
from bot.supervising import approval, commune, missing, on_behalf, rollup
from storage.models import SubmissionStatus
from tests.supervising.conftest import SUP as SUP_WEEKLY
from tests.supervising.conftest import Desk, Told
from tests.supervising.monthly import APRIL, MAI, MONTHLY, OTHER, REP, SUP, MonthlyDesk


def _forms_of(message: object) -> list[str | None]:
    assert isinstance(message, Message) and message.choices
    return [getattr(row[0].action, "form", None) for row in message.choices]


async def test_tonghop_asks_which_report_when_two_are_scheduled(monthly: MonthlyDesk) -> None:
    sup = await monthly.who(SUP)
    asked = await rollup.rollup_command(monthly.services, sup, [])
    assert isinstance(asked, list)
    assert _forms_of(asked[0]) == [MONTHLY, WEEKLY_FORM_ID]  # the nearer deadline first
    assert asked[0].choices[0][0].action == ShowRollup("19", None, MONTHLY)
    assert decode(encode(ShowRollup("19", None, MONTHLY))) == ShowRollup("19", None, MONTHLY)


async def test_tonghop_takes_the_report_as_an_argument(monthly: MonthlyDesk) -> None:
    sup = await monthly.who(SUP)
    for words in (["thang"], ["tháng"], ["nq57"], [APRIL], ["19", "nq57-monthly"]):
        job = await rollup.rollup_command(monthly.services, sup, words)
        assert isinstance(job, rollup.RollupJob), words
        assert (job.form.id, job.period.key, job.scope) == (MONTHLY, APRIL, "19"), words
    weekly = await rollup.rollup_command(monthly.services, sup, ["tuan"])
    assert isinstance(weekly, rollup.RollupJob) and weekly.form.id == WEEKLY_FORM_ID
    tapped = await rollup.rollup_tap(monthly.services, sup, ShowRollup("19", None, MONTHLY))
    assert isinstance(tapped, rollup.RollupJob) and tapped.period.key == APRIL


async def test_the_monthly_rollup_sums_and_rates_through_the_chat(monthly: MonthlyDesk) -> None:
    sup = await monthly.who(SUP)
    job = await rollup.rollup_command(monthly.services, sup, ["thang"])
    assert isinstance(job, rollup.RollupJob)
    replies = await rollup.make_rollup(monthly.services, sup, job)
    message = replies[0]
    assert isinstance(message, Message)
    # 1.247 + 400 of 1.484 + 516 dossiers fully online; 6 + 5 of 12 + 8 tasks done
    assert "• Hồ sơ tiếp nhận: 2.000" in message.text
    assert "• Tỷ lệ hồ sơ trực tuyến toàn trình: 82,35%" in message.text
    assert "• Nhiệm vụ được giao: 20 (đã hoàn thành 11, đang triển khai 8, quá hạn 1)" in message.text
    assert "• Tỷ lệ nhiệm vụ đã hoàn thành: 55,00%" in message.text
    assert "• Xã đạt chỉ tiêu mức độ hài lòng: 1/2 đơn vị đạt" in message.text
    assert "7.777" not in message.text  # province 01's commune is not in province 19's rollup
    assert all(getattr(row[0].action, "form", None) == MONTHLY for row in message.choices)
    docx, xlsx = replies[2], replies[3]
    assert isinstance(docx, Document) and isinstance(xlsx, Document)
    assert docx.filename == "BC-tong-hop-2026-04-tinh-thai-nguyen.docx"
    check_monthly_files(docx.content, xlsx.content)


def check_monthly_files(docx: bytes, xlsx: bytes) -> None:
    """The monthly rollup's .docx and .xlsx of province 19, opened as Word and Excel would."""
    document = DocxDocument(io.BytesIO(docx))
    texts = [paragraph.text.replace("\u2011", "-") for paragraph in document.paragraphs]  # numbers never break
    assert "Tổng hợp tiến độ thực hiện Nghị quyết số 57-NQ/TW của các xã, phường" in texts
    assert "2. Kết quả thực hiện Nghị quyết số 57-NQ/TW" in texts
    assert ("- Hồ sơ tiếp nhận: 2.000 hồ sơ, đã giải quyết 1.993 (99,65%); hồ sơ trực tuyến 1.984 (99,20%), "
            "trong đó trực tuyến toàn trình 1.647 (82,35%).") in texts
    assert "- Số hóa hồ sơ: 1.710/1.727 (99,02%); cấp kết quả điện tử: 1.889/1.993 (94,78%)." in texts
    assert ("- Theo phụ lục nhiệm vụ: nhiệm vụ tỉnh giao: Đã hoàn thành 5; Đang triển khai 1; Chưa thực hiện 2; "
            "Khác 1; nhiệm vụ Chủ tịch UBND xã giao: Đã hoàn thành 5; Chưa thực hiện 2; Khác 1.") in texts
    # targets met, over the communes that gave a number («Không phát sinh» is not counted)
    assert any("phủ sóng 5G 0/1;" in text and "số hóa hồ sơ 1/2;" in text and "«phi tiếp xúc» 1/1." in text
               for text in texts)
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "TT")
    assert [cell.text for cell in table.rows[0].cells][2:8] == [
        "Hồ sơ tiếp nhận", "Đã giải quyết", "Toàn trình (%)", "NV quá hạn", "Trực tuyến (%)", "NV hoàn thành (%)"]
    assert [cell.text for cell in table.rows[-1].cells][1:8] == [
        "Tổng cộng", "2.000", "1.993", "82,35%", "1", "99,20%", "55,00%"]
    assert any("Máy scan hỏng" in text for text in texts)  # the difficulties, sorted into themes
    book = load_workbook(io.BytesIO(xlsx))
    rows = list(book["Theo xã"].iter_rows(values_only=True))
    heads = list(rows[0])
    reported = {row[1]: row for row in rows[1:] if row[5] != "Chưa nộp"}
    assert len(reported) == 2 and len(rows) == 93
    full = heads.index(next(h for h in heads if h and str(h).startswith("5.1.3. Số hồ sơ trực tuyến toàn trình")))
    assert sorted(row[full] for row in reported.values()) == [400, 1247]


async def test_a_supervisor_never_sees_another_provinces_monthly_report(monthly: MonthlyDesk) -> None:
    other = await monthly.who(OTHER)
    refused = await rollup.rollup_tap(monthly.services, other, ShowRollup("19", APRIL, MONTHLY))
    assert isinstance(refused, list) and isinstance(refused[0], TapAnswer) and refused[0].alert
    job = await rollup.rollup_command(monthly.services, other, ["thang"])
    assert isinstance(job, rollup.RollupJob) and job.scope == "01"
    message = (await rollup.make_rollup(monthly.services, other, job))[0]
    assert isinstance(message, Message)
    assert "• Hồ sơ tiếp nhận: 7.777" in message.text and "2.000" not in message.text
    card = await commune.show_commune(monthly.services, other, monthly.first, None, MONTHLY)
    assert isinstance(card[0], TapAnswer)
    missing_list = await missing.show_missing(monthly.services, other, "19", MONTHLY)
    assert isinstance(missing_list[0], TapAnswer)
    submission = monthly.submissions[monthly.first]
    assert isinstance((await approval.approve(monthly.services, other, submission.id, Told()))[0], TapAnswer)
    assert (await monthly.storage.submissions.get(submission.id)).status == SubmissionStatus.SUBMITTED


async def test_chuanop_per_form(monthly: MonthlyDesk) -> None:
    sup = await monthly.who(SUP)
    asked = await missing.missing_command(monthly.services, sup, "")
    assert _forms_of(asked[0]) == [MONTHLY, WEEKLY_FORM_ID]
    assert asked[0].choices[0][0].action == ShowMissing("19", MONTHLY)
    for replies in (await missing.show_missing(monthly.services, sup, "19", MONTHLY),
                    await missing.missing_command(monthly.services, sup, "thang")):
        text = replies[0].text
        assert text.startswith("📋 Báo cáo tháng tiến độ thực hiện Nghị quyết số 57-NQ/TW\nKỳ Tháng 4/2026")
        assert "Chưa nộp: 90/92 xã, phường." in text


async def test_xa_shows_the_commune_s_report_of_the_form_asked(monthly: MonthlyDesk) -> None:
    sup = await monthly.who(SUP)
    unit = await monthly.storage.units.get(monthly.first)
    asked = await commune.commune_command(monthly.services, sup, unit.name)
    assert isinstance(asked[0], Message) and asked[0].choices[0][0].action == ShowCommune(unit.code, None, MONTHLY)
    card = await commune.commune_command(monthly.services, sup, f"{unit.name} thang")
    text = card[0].text
    assert text.startswith("📋 Báo cáo tháng tiến độ thực hiện Nghị quyết số 57-NQ/TW\n")
    assert "BÁO CÁO THÁNG 4/2026" in text and "Tỷ lệ hồ sơ trực tuyến toàn trình: 84,03%" in text
    assert any(row[0].action == EnterOnBehalf(unit.code, MONTHLY) for row in card[0].choices)
    history = card[1]
    assert isinstance(history, commune.HistoryTable) and history.title == "Các tháng gần đây (mới nhất trước):"
    assert history.rows[1][:4] == ("T4/26", "12", "50,00", "1.484")
    assert isinstance(card[2], Document) and card[2].filename.startswith("BC-thang-2026-04")


async def test_approval_and_return_of_a_monthly_report(monthly: MonthlyDesk) -> None:
    sup = await monthly.who(SUP)
    submission = monthly.submissions[monthly.second]
    replies = await approval.approve(monthly.services, sup, submission.id, Told())
    assert (await monthly.storage.submissions.get(submission.id)).status == SubmissionStatus.APPROVED
    assert replies
    other = monthly.submissions[monthly.first]
    told = Told()
    await approval.return_report(monthly.services, sup, f"{other.id} Phụ lục nhiệm vụ ghi 7, mục 1.3 ghi 6", told)
    returned = await monthly.storage.submissions.get(other.id)
    assert returned.status == SubmissionStatus.RETURNED
    assert "Tháng 4/2026" in told.to(REP)[0].text


async def test_on_behalf_entry_per_form(monthly: MonthlyDesk) -> None:
    sup = await monthly.who(SUP)
    asked = await on_behalf.enter_on_behalf(monthly.services, sup, monthly.second)
    assert isinstance(asked[0], Message)
    assert [row[0].action for row in asked[0].choices] == [EnterOnBehalf(monthly.second, MONTHLY),
                                                          EnterOnBehalf(monthly.second, WEEKLY_FORM_ID)]
    template = await on_behalf.enter_on_behalf(monthly.services, sup, monthly.second, MONTHLY)
    assert template[1].text.startswith(f"/nhapthay {monthly.second} {APRIL}\n")
    assert "\nHồ sơ toàn trình: \n" in template[1].text
    typed = await on_behalf.on_behalf_command(monthly.services, sup, f"/nhapthay {monthly.second} {APRIL}")
    assert typed[1].text.startswith(f"/nhapthay {monthly.second} {APRIL}\n")
    weekly = await on_behalf.on_behalf_command(monthly.services, sup, f"/nhapthay {monthly.second} tuan")
    assert weekly[1].text.startswith(f"/nhapthay {monthly.second} 2026-W")
    other = await monthly.who(OTHER)
    assert isinstance((await on_behalf.enter_on_behalf(monthly.services, other, monthly.second, MONTHLY))[0],
                      TapAnswer)


async def test_baocaocu_per_form_and_only_the_officials_own_commune(monthly: MonthlyDesk) -> None:
    rep = await monthly.who(REP)
    sent_once = await earlier_reports(monthly.services, rep)  # only the monthly report sent: listed at once
    assert [row[0].action for row in sent_once[0].choices] == [PastReportFile(monthly.april.id, monthly.first)]
    listed = await earlier_reports(monthly.services, rep, (), MONTHLY)
    assert [row[0].action for row in listed[0].choices] == [PastReportFile(monthly.april.id, monthly.first)]
    assert [row[0].action for row in (await earlier_reports(monthly.services, rep, ["thang"]))[0].choices] == \
        [PastReportFile(monthly.april.id, monthly.first)]
    weekly = await earlier_reports(monthly.services, rep, ["tuan"])
    assert weekly[0].choices == ()  # no weekly report submitted: nothing listed
    got = await past_report_file(monthly.services, rep, PastReportFile(monthly.april.id, monthly.first))
    assert isinstance(got[1], Later)
    mai = await monthly.who(MAI)  # another commune's official
    refused = await past_report_file(monthly.services, mai, PastReportFile(monthly.april.id, monthly.first))
    assert isinstance(refused[0], TapAnswer) and refused[0].alert


async def test_with_one_form_scheduled_nothing_changes(desk: Desk) -> None:
    """The shipped forms (the monthly one not scheduled): no question, choices as they always were."""
    sup = await desk.who(SUP_WEEKLY)
    job = await rollup.rollup_command(desk.services, sup, [])
    assert isinstance(job, rollup.RollupJob) and job.form.id == WEEKLY_FORM_ID
    message = (await rollup.make_rollup(desk.services, sup, job))[0]
    assert isinstance(message, Message)
    assert [encode(row[0].action) for row in message.choices] == ["sv:t:19:2025-W49", "sv:c:19"]
    listed = await missing.missing_command(desk.services, sup, "")
    assert isinstance(listed[0], Message) and listed[0].text.startswith("Kỳ Tuần")
    card = await commune.commune_command(desk.services, sup, desk.scenario.unit(40).name)
    assert isinstance(card[0], Message) and card[0].text.startswith(desk.scenario.unit(40).full_name)
    assert encode(card[0].choices[-1][0].action) == f"sv:e:{desk.scenario.code(40)}"


async def test_a_monthly_report_entered_on_behalf_reads_decimals_and_tables(monthly: MonthlyDesk) -> None:
    """«Nhãn: giá trị» lines of the monthly form: a percentage and money as officials type them, an
    appendix's rows on one line; a value out of range refused with its reason, nothing stored."""
    sup = await monthly.who(SUP)
    code = monthly.second
    bad = await on_behalf.on_behalf_command(monthly.services, sup,
                                            f"/nhapthay {code} {APRIL}\nTái sử dụng dữ liệu: 120\nHồ sơ toàn trình: 400")
    assert "«Tái sử dụng dữ liệu»" in bad[0].text
    empty = await monthly.storage.drafts.find(monthly.april.id, code)
    assert empty is None or await monthly.storage.drafts.values(empty.id) == {}
    typed = (f"/nhapthay {code} {APRIL}\nTái sử dụng dữ liệu: 97,25\nKinh phí đã phân bổ: 1.234,5\n"
             "Hồ sơ toàn trình: 400\nPhụ lục mục tiêu: 1: 72,5; 9: Không phát sinh")
    saved = await on_behalf.on_behalf_command(monthly.services, sup, typed)
    assert "— đã lưu vào bản nháp của xã:" in saved[0].text and "✖" not in saved[0].text
    draft = await monthly.storage.drafts.find(monthly.april.id, code)
    assert draft is not None
    values = await monthly.storage.drafts.values(draft.id)
    assert values["data_reuse_pct"] == "97.25" and values["budget_allocated"] == "1234.5"
    assert values["dossiers_online_full"] == 400
    assert values["targets"] == {"coverage_5g": "72.5", "contactless": "Không phát sinh"}
    template = await on_behalf.enter_on_behalf(monthly.services, sup, code, MONTHLY)
    assert "\nTái sử dụng dữ liệu: 97,25\n" in template[1].text and "\nKinh phí đã phân bổ: 1.234,5\n" in template[1].text

"""A province's outline and report settings, end to end as services on a real SQLite file (issue 15,
items 1 and 2): an admin chooses the variant and the settings with /caidat, the commune's reporter
is asked the variant's questions, the submission records the variant, its .docx prints the
variant's outline with the title, period wording, recipient and signing set, and the province's
rollup and .xlsx follow the variant."""

from __future__ import annotations

import io
from datetime import date

from docx import Document
from openpyxl import load_workbook

from bot.administering.report_settings import configure
from bot.chat.replies import Message
from bot.clock import FakeClock
from bot.reporting.files import render_submission
from bot.reporting.journey import ReportingJourney
from bot.services import Services
from bot.supervising.rollup_service import answered_form, produce
from storage.models import Unit
from tests.conftest import ADMIN_ID
from tests.integration.conftest import LAN, TU
from tests.integration.seed import BALANCED
from tests.integration.test_reporting_service import actions, message, to_review, who

VARIANT = "tthc-weekly-theo-muc"
PER_SECTION = {
    **{key: value for key, value in BALANCED.items() if key not in ("difficulties", "proposals")},
    "procedures_total": "105", "procedures_online_full": "60", "procedures_online_partial": "40",
    "procedures_reviewed": "3", "feedback_received": "2", "feedback_resolved": "2", "digital_teams": "12",
    "digital_team_members": "60", "legal_issues": "Chưa có hướng dẫn 02-KH/BCĐTW.",
    "infrastructure_issues": "Thiếu máy scan.", "resources_issues": "Không", "tthc_issues": "Phần mềm lỗi ký số.",
}


async def said(services: Services, telegram_id: int, *words: str, clock: FakeClock) -> str:
    replies = await configure(services.storage, await who(services, telegram_id), list(words), now=clock.now(),
                              forms=services.forms)
    return "\n".join(reply.text for reply in replies if isinstance(reply, Message))


async def test_an_admin_chooses_the_variant_and_settings_and_the_commune_reports_in_it(
        services: Services, communes: list[Unit], clock: FakeClock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    storage = services.storage
    # a reporter cannot choose the outline; an unknown one or a bad value is refused and nothing stored
    assert "Chỉ quản trị viên" in await said(services, LAN, "mau", VARIANT, clock=clock)
    refused = await said(services, ADMIN_ID, "tỉnh", "19", "mau", "tthc-weekly-khong-co", clock=clock)
    assert "Không có mẫu báo cáo «tthc-weekly-khong-co»" in refused and VARIANT in refused
    assert "chưa đúng" in await said(services, ADMIN_ID, "tỉnh", "19", "kybaocao", "tháng", clock=clock)
    assert await storage.unit_settings.get("19") is None
    # the province's outline and settings, set by the admin
    saved = await said(services, ADMIN_ID, "tỉnh", "19", "mau", VARIANT, clock=clock)
    assert "Đã lưu «Mẫu báo cáo của tỉnh" in saved
    await said(services, ADMIN_ID, "tỉnh", "19", "tieude", "Kết", "quả", "thực", "hiện", "Kế", "hoạch", "số",
               "02-KH/BCĐTW", clock=clock)
    await said(services, ADMIN_ID, "tỉnh", "19", "kybaocao", "quy", clock=clock)
    await said(services, ADMIN_ID, "tỉnh", "19", "kinhgui", "không", clock=clock)
    shown = await said(services, ADMIN_ID, "tỉnh", "19", "kyten", "TM", clock=clock)
    assert "Đã lưu" in shown and "• form_variant: tthc-weekly-theo-muc" in shown and "• period_wording: quarter" in shown
    commune = await said(services, LAN, clock=clock)  # what the reporter sees of their commune
    assert "• Mẫu báo cáo: tthc-weekly-theo-muc" in commune and "(không ghi dòng Kính gửi)" in commune
    assert "• Chức danh ký: TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH" in commune and "theo quý" in commune

    # the reporter is asked the variant's questions, first the procedures, and submits
    journey = ReportingJourney(services)
    monkeypatch.setattr("tests.integration.test_reporting_service.BALANCED", PER_SECTION)
    first = message(await journey.start(await who(services, LAN)))
    assert "Số thủ tục hành chính thuộc thẩm quyền giải quyết cấp xã" in first.text
    period = await storage.periods.get("tthc-weekly", "2025-W50")
    assert period is not None
    for telegram_id in (LAN, TU):
        identity = await who(services, telegram_id)
        review = message(await to_review(journey, identity))
        draft_id = actions(review)[0].draft_id  # type: ignore[attr-defined]
        await journey.tap(identity, actions(review)[0])
        draft = await storage.drafts.get(draft_id)
        assert draft is not None and set(await storage.drafts.values(draft_id)) >= {"digital_teams", "tthc_issues"}
    phuc_loc = communes[0]
    submission = await storage.submissions.latest(period.id, phuc_loc.code)
    assert submission is not None and submission.form_id == VARIANT

    # its .docx: the variant's outline with the province's settings
    report = await render_submission(storage, services.form_of(submission.form_id, submission.form_version),
                                     services.settings.templates_dir, phuc_loc, "2025-W50", submission)
    document = Document(io.BytesIO(report.content))
    texts = [p.text for p in document.paragraphs]
    assert texts[1] == "Kết quả thực hiện Kế hoạch số 02\u2011KH/BCĐTW" and texts[2] == "Quý IV/2025"
    assert not any(text.startswith("Kính gửi") for text in texts)
    assert "- Toàn xã có 12 Tổ công nghệ số cộng đồng với 60 thành viên." in texts
    assert "Chưa có hướng dẫn 02\u2011KH/BCĐTW." in texts and "Phần mềm lỗi ký số." in texts
    assert "5. Nhận xét, kiến nghị" not in texts
    signer = [p.text for p in document.tables[-1].rows[0].cells[1].paragraphs if p.text]
    assert signer[:2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]

    # the province's rollup follows the variant: its counts summed, its labels in the .xlsx
    files = await produce(storage, services.forms["tthc-weekly"], period, "19",
                          templates_dir=services.settings.templates_dir, report_date=date(2025, 12, 19),
                          forms=services.forms)
    assert files.rollup.form.id == VARIANT
    assert files.rollup.totals.counts["procedures_total"] == 210
    assert files.rollup.totals.counts["digital_team_members"] == 120
    rollup_texts = [p.text for p in Document(io.BytesIO(files.docx)).paragraphs]
    assert "- Tổ công nghệ số cộng đồng: 24 tổ, 120 thành viên." in rollup_texts
    book = load_workbook(io.BytesIO(files.xlsx))
    cells = {str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value}
    assert "Số thủ tục hành chính thuộc thẩm quyền giải quyết cấp xã" in cells
    assert "Số thành viên Tổ công nghệ số cộng đồng" in cells
    # mixed variants roll up over the weekly form's fields, by id
    weekly = services.forms["tthc-weekly"]
    assert answered_form(weekly, {VARIANT, "tthc-weekly-danh-gia"}, services.forms) is weekly
    assert answered_form(weekly, {VARIANT}, services.forms) is services.forms[VARIANT]

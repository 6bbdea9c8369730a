"""Issue 14's proof: an official of Phú Thịnh sends the April 2026 monthly Resolution 57 report in
chat, one question at a time as an official types them (the sample answers of the real report),
through ReportingJourney (the service both channels call) on a real SQLite file; the tasks table's
mismatch with item 1.3 is flagged and kept with a reason; the .docx sent back carries the example's
structure and figures; the weekly report of the same commune is untouched and still answerable."""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any

import docx

from bot.chat.access import Identity
from bot.chat.actions import ChooseReport, ChooseText, FinishTable, FinishText, KeepBreak, Submit
from bot.chat.replies import Document, Message
from bot.clock import VN_TZ, FakeClock
from bot.domain.forms import Field, Form
from bot.reporting.journey import ReportingJourney, Turn
from bot.services import Services
from bot.settings import PROJECT_ROOT
from storage.models import Role
from tests.integration.seed import bind, load_units
from tests.integration.test_reporting_service import actions, answer, made, message, who

EXAMPLE = PROJECT_ROOT / "templates" / "samples" / "nq57-monthly-phu-thinh.json"
APRIL_22 = datetime(2026, 4, 22, 10, 0, tzinfo=VN_TZ)  # April's figures to the 23rd, due the 24th; week 16 open too
OFFICIAL = 8401
REASON = "Mục 1.3 tính theo kế hoạch năm; phụ lục gồm cả nhiệm vụ Chủ tịch UBND xã giao"
STATUS = {"done": "Đã hoàn thành", "in_progress": "Đang triển khai", "not_started": "Chưa thực hiện"}
NOTE = {"province": "tỉnh giao", "chairman": "Chủ tịch UBND xã giao"}


def vietnamese(value: Any) -> str:
    """A number as an official types it: "1.484", "97,25"."""
    whole, _, fraction = f"{value}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{grouped},{fraction}" if fraction else grouped


def in_parts(text: str) -> list[str]:
    """A long text sent as officials paste it: in two messages when it has lines, cut at a line."""
    lines = text.split("\n")
    if len(lines) < 2:
        return [text]
    half = len(lines) // 2
    return ["\n".join(lines[:half]), "\n".join(lines[half:])]


def typed_answers(form: Form) -> dict[str, Any]:
    """Field id → what is typed: a text, a list of messages (long texts, table rows), or for the
    targets row id → the typed number or the declared text to tap."""
    raw = json.loads(EXAMPLE.read_text(encoding="utf-8"))["answers"]
    typed: dict[str, Any] = {}
    for field in form.fields:
        value = raw.get(field.id)
        if field.id == "plans":
            typed[field.id] = [f"{row['number']} | {row['date']} | {row['summary']}" for row in value]
        elif field.id == "tasks":
            typed[field.id] = [f"{row['name']} | {STATUS.get(row['status'], row['status'])} | {NOTE[row['note']]}"
                               for row in value]
        elif field.id == "targets":
            typed[field.id] = {key: vietnamese(v) if isinstance(v, (int, float)) else v for key, v in value.items()}
        elif field.kind == "text":
            typed[field.id] = in_parts(value) if value is not None else ["Không"]
        else:
            typed[field.id] = vietnamese(value)
    return typed


def tapped(shown: Message, kind: type, **fields: Any) -> Any:
    found = [a for a in actions(shown) if isinstance(a, kind) and all(getattr(a, k) == v for k, v in fields.items())]
    assert found, (kind, fields, shown.text[-600:], actions(shown))
    return found[0]


async def answer_every_question(services: Services, journey: ReportingJourney, official: Identity, draft_id: int,
                                form: Form, first: Message) -> tuple[Message, list[str], list[str]]:
    """Answers whatever the cursor asks, one question at a time, until the review; returns the
    review, the fields asked in order, and the soft checks met."""
    typed = typed_answers(form)
    asked: list[str] = []
    breaks: list[str] = []
    shown, person = first, official.person
    assert person is not None
    for _ in range(400):
        cursor = await services.storage.drafts.get_cursor(draft_id, person.id)
        assert cursor is not None
        if cursor.mode == "review":
            return shown, asked, breaks
        if cursor.mode == "soft":
            breaks.append(str(cursor.check_id))
            keep = tapped(shown, KeepBreak)
            assert message(await journey.tap(official, keep)).text
            shown = message(await answer(journey, official, REASON))
            continue
        assert cursor.mode == "answer" and cursor.field_id is not None, (cursor, shown.text[-600:])
        field: Field = form.field(cursor.field_id)
        want = typed[field.id]
        if field.id == "targets":  # declared rows, asked one by one (the cursor's check is the row)
            done: Any = (await services.storage.drafts.values(draft_id)).get("targets") or {}
            row = cursor.check_id or next(r.id for r in field.rows if r.id not in done)
            asked.append(f"targets.{row}")
            value = want[row]
            if value[0].isdigit():
                shown = message(await answer(journey, official, value))
            else:  # a declared text: its button
                shown = message(await journey.tap(official, tapped(shown, ChooseText, item=row)))
            continue
        asked.append(field.id)
        if isinstance(want, list):  # table rows one message each, or a long text in parts, then «Xong»
            for part in want:
                shown = message(await answer(journey, official, part))
                assert "✖" not in shown.text, (field.id, part[:80], shown.text[:600])
            finish = FinishTable if field.kind == "table" else FinishText
            shown = message(await journey.tap(official, tapped(shown, finish, field=field.id)))
        else:
            shown = message(await answer(journey, official, want))
        assert not shown.text.startswith("✖"), (field.id, want, shown.text[:600])
    raise AssertionError("the monthly form never reached the review")


def document_of(turn_replies: list[Any]) -> Document:
    (document,) = [reply for reply in turn_replies if isinstance(reply, Document)]
    return document


async def test_the_april_monthly_report_is_answered_question_by_question_and_comes_back_as_its_docx(
        services: Services, clock: FakeClock) -> None:
    clock.set(APRIL_22)
    phu_thinh = next(unit for unit in await load_units(services.storage) if unit.name == "Phú Thịnh")
    await bind(services.storage, OFFICIAL, "Hoàng Văn Minh", Role.REPORTER, phu_thinh, clock.now())
    official = await who(services, OFFICIAL)
    journey = ReportingJourney(services)
    form = services.forms["nq57-monthly"]

    # /baocao: two reports open, the monthly one chosen
    which = message(await journey.start(official))
    monthly = await services.storage.periods.get("nq57-monthly", "2026-04")
    weekly = await services.storage.periods.get("tthc-weekly", "2026-W16")
    assert monthly is not None and weekly is not None
    assert actions(which) == [ChooseReport(weekly.id, phu_thinh.code), ChooseReport(monthly.id, phu_thinh.code)]
    first = message(await journey.choose_report(official, ChooseReport(monthly.id, phu_thinh.code)))
    assert first.text.startswith("📋 Báo cáo tháng NQ57 tháng 4/2026") and "Câu 1/" in first.text
    draft = await services.storage.drafts.find(monthly.id, phu_thinh.code)
    assert draft is not None

    review, asked, breaks = await answer_every_question(services, journey, official, draft.id, form, first)
    target_rows = [f"targets.{row.id}" for row in form.field("targets").rows]
    in_order = [f.id for f in form.fields]
    assert asked == [*in_order[:in_order.index("targets")], *target_rows, *in_order[in_order.index("targets") + 1:]]
    assert breaks == ["tasks_table_matches"]
    assert "Phụ lục nhiệm vụ ghi 7 nhiệm vụ «Đã hoàn thành», nhưng mục 1.3 ghi 6" in review.text
    assert f"Lý do: {REASON}" in review.text

    stored: dict[str, Any] = dict(await services.storage.drafts.values(draft.id))
    assert stored["dossiers_online_full"] == 1247 and stored["dossiers_received"] == 1484
    assert stored["data_reuse_pct"] == "97.25" and stored["budget_allocated"] == "556"
    assert len(stored["tasks"]) == 12 and len(stored["plans"]) == 4
    sample = json.loads(EXAMPLE.read_text(encoding="utf-8"))["answers"]
    assert stored["dx_data_situation"] == sample["dx_data_situation"]  # the long text whole, from its parts

    # submitted: the .docx comes back
    done: Turn = await journey.tap(official, tapped(review, Submit))
    assert message(done).text.startswith("Đã gửi báo cáo")
    document = document_of(await made(done.replies))
    assert document.filename == "BC-thang-2026-04-xa-phu-thinh.docx"
    report = docx.Document(io.BytesIO(document.content))
    paragraphs = [p.text.replace("\u2011", "-") for p in report.paragraphs]  # numbers never break
    body = "\n".join(paragraphs)
    assert "+ Số nhiệm vụ đã hoàn thành: 6, tỷ lệ 50%, trong đó: số nhiệm vụ hoàn thành đúng hạn: 6" in body
    assert "số lượng hồ sơ trực tuyến toàn trình: 1.247/1.484, tỷ lệ: 84,03%." in body
    headings = ["I. TÌNH HÌNH, KẾT QUẢ THỰC HIỆN NHIỆM VỤ TRỌNG TÂM", "1.3. Thống kê các nhiệm vụ thực hiện",
                "5.1.3. Về thủ tục hành chính và dịch vụ công trực tuyến", "8. Về công tác phòng, chống lãng phí",
                "II. NHẬN XÉT, ĐÁNH GIÁ CHUNG", "III. KIẾN NGHỊ, ĐỀ XUẤT", "6. Đối với Ban Chỉ đạo"]
    assert [p for p in paragraphs if p in headings] == headings  # the example's outline, in its order
    assert "39/KH-UBND" in body and sample["plans_assessment"] in body
    assert all(line in paragraphs for line in sample["dx_data_situation"].split("\n"))  # its lines as paragraphs
    assert "* Giải trình số liệu:" in body and f"Lý do: {REASON}" in body
    assert paragraphs.count("Phụ lục") == 2
    targets_table, tasks_table = report.tables[-2], report.tables[-1]
    assert [c.text for c in targets_table.rows[0].cells][:4] == ["TT", "Chỉ tiêu", "Đơn vị tính", "Mục tiêu"]
    assert len(targets_table.rows) == 1 + len(target_rows) + 3  # the header, the rows, their groups' lines
    assert [c.text for c in targets_table.rows[-1].cells][-2:] == ["≥ 80", "99,67"]
    assert [c.text for c in tasks_table.rows[0].cells] == ["STT", "Tên nhiệm vụ", "Kết quả tháng 4/2026", "Ghi chú"]
    assert len(tasks_table.rows) == 13
    contactless = next(row for row in targets_table.rows if "phi tiếp xúc" in row.cells[1].text)
    assert contactless.cells[-1].text == "Không phát sinh"  # the declared text, by its button
    results = [row.cells[2].text for row in tasks_table.rows[1:]]
    assert results.count("Đã hoàn thành") == 7
    assert [c.text for c in tasks_table.rows[-1].cells][2:] == ["Đã hoàn thành", "Nhiệm vụ Chủ tịch UBND xã giao"]

    # the weekly report of the commune: untouched, and the one /baocao now opens
    assert await services.storage.drafts.find(weekly.id, phu_thinh.code) is None
    week = message(await journey.start(official))
    assert week.text.startswith("📋 Báo cáo tuần 16/2026")
    assert message(await answer(journey, official, "53")).text.startswith("✔ Đã lưu «Kỳ trước chuyển sang»: 53.")
    week_draft = await services.storage.drafts.find(weekly.id, phu_thinh.code)
    assert week_draft is not None and await services.storage.drafts.values(week_draft.id) == {"carried_over": 53}

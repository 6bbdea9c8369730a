"""The report file in chat: on submit, again later, settings that reach the file, and a replacement
template sent by an admin (accepted after a preview, or refused with the reason)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from docx import Document

from storage.models import Role
from tests.conftest import ADMIN_ID, BotHarness
from tests.fakes import callback_update, document_update, text_update
from tests.integration.seed import BALANCED, bind, load_units
from tests.integration.test_reporting import LAN, answer_all

TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "bao-cao-tuan.docx"


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


@pytest.fixture
async def commune(harness: BotHarness, clock):
    unit = next(u for u in await load_units(harness.storage) if u.name == "Phúc Lộc")
    await bind(harness.storage, LAN, "Nguyễn Thị Lan", Role.REPORTER, unit, clock.now())
    return unit


async def submit(harness: BotHarness) -> None:
    await answer_all(harness, LAN, BALANCED)
    button = next(d for label, d in harness.request.last_to(LAN).buttons if "Gửi báo cáo" in label)
    await harness.send(callback_update(LAN, button))


async def test_settings_reach_the_file_sent_on_submit(harness: BotHarness, commune) -> None:
    await harness.send(text_update(LAN, "/caidat nguoiky Nguyễn Văn An"))
    assert "Đã lưu «Họ tên người ký»" in harness.request.last_to(LAN).text
    await harness.send(text_update(LAN, "/caidat chucdanh TM. ỦY BAN NHÂN DÂN | CHỦ TỊCH"))
    await harness.send(text_update(LAN, "/caidat noinhan Sở KH&CN tỉnh; TT Đảng ủy xã; Lưu: VT"))
    shown = harness.request.last_to(LAN).text
    assert "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH" in shown and "Nguyễn Văn An" in shown
    await submit(harness)
    (name, content), = harness.request.documents_to(LAN)
    text = docx_text(content)
    assert "NGUYỄN VĂN AN" in text.upper() and "TM. ỦY BAN NHÂN DÂN" in text
    assert "Sở KH&CN tỉnh" in text
    assert "XÃ PHÚC LỘC" in text and "102" in text  # 53 + 49 dossiers to handle


async def test_earlier_periods_come_back(harness: BotHarness, commune) -> None:
    await submit(harness)
    harness.request.clear()
    await harness.send(text_update(LAN, "/baocaocu tuan"))  # the weekly report (asked when several are scheduled)
    listing = harness.request.last_to(LAN)
    label, data = listing.buttons[0]
    assert label.startswith("Tuần 50/2025")
    await harness.send(callback_update(LAN, data))
    (name, content), = harness.request.documents_to(LAN)
    assert name == "BC-tuan-2025-W50-xa-phuc-loc.docx" and "BÁO CÁO" in docx_text(content)
    # another commune's official cannot fetch it
    other = next(u for u in await load_units(harness.storage) if u.code != commune.code)
    await bind(harness.storage, 8500, "Tú", Role.REPORTER, other, harness.app.services.clock.now())
    await harness.send(callback_update(8500, data))
    answers = [c for c in harness.request.calls if c.method == "answerCallbackQuery"]
    assert "không có quyền" in answers[-1].params.get("text", "")
    assert len(harness.request.documents_to(8500)) == 0


async def test_a_reporter_cannot_set_another_commune_or_province(harness: BotHarness, commune) -> None:
    await harness.send(text_update(LAN, "/caidat tinh 19 nguoiky X"))
    stored = await harness.storage.unit_settings.get("19")
    assert stored is None


async def for_the_weekly_report(harness: BotHarness) -> None:
    """The weekly and the monthly report are both scheduled: the upload asks which report it is for."""
    question = harness.request.last_to(ADMIN_ID)
    assert "dùng cho báo cáo nào" in question.text
    await harness.send(callback_update(ADMIN_ID, next(d for _, d in question.buttons if d.endswith(":tthc-weekly"))))
    await harness.app.wait_background()


async def test_admin_replaces_the_template_after_a_preview(harness: BotHarness, commune) -> None:
    content = TEMPLATE.read_bytes().replace(b"B\xc3\x81O C\xc3\x81O", b"B\xc3\x81O C\xc3\x81O", 1)
    harness.request.uploads["tpl1"] = content
    await harness.send(document_update(ADMIN_ID, "tpl1", "mau-moi.docx", len(content)))
    await for_the_weekly_report(harness)
    preview = harness.request.last_to(ADMIN_ID)
    assert preview.method == "sendDocument" and preview.files
    use = next(d for label, d in preview.buttons if label == "Dùng mẫu này")
    await harness.send(callback_update(ADMIN_ID, use))
    assert "Đã dùng mẫu mới (phiên bản 1)" in harness.request.last_to(ADMIN_ID).text
    assert await harness.storage.templates.effective("tthc-weekly", commune.code, commune.province_code)


async def test_a_broken_template_is_refused_with_the_reason(harness: BotHarness, commune) -> None:
    source = zipfile.ZipFile(io.BytesIO(TEMPLATE.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace(b"{{", b"{{ broken(", 1)
            target.writestr(item, data)
    harness.request.uploads["tpl2"] = out.getvalue()
    await harness.send(document_update(ADMIN_ID, "tpl2", "hong.docx", len(out.getvalue())))
    await for_the_weekly_report(harness)
    reply = harness.request.last_to(ADMIN_ID)
    assert reply.method == "sendMessage" and "Mẫu chưa dùng được" in reply.text
    assert await harness.storage.templates.effective("tthc-weekly", commune.code, commune.province_code) is None


async def test_a_reporter_sending_a_file_mid_form_gets_the_question_again(harness: BotHarness, commune) -> None:
    await harness.send(text_update(LAN, "/baocao"))
    harness.request.uploads["x"] = b"hello"
    await harness.send(document_update(LAN, "x", "anh.pdf", 5))
    reply = harness.request.last_to(LAN)
    assert "không được lưu" in reply.text and "Câu 1/" in reply.text

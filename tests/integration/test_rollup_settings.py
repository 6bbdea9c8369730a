"""Who issues and signs the provincial rollup, set from chat with /caidat tonghop: a supervisor for
their province, an admin for the provinces in their scope (naming the province when there are
several); the values shown back as the next rollup prints them, found in the next /tonghop .docx,
cleared back to the default one at a time; refused to a reporter, a stranger and a supervisor of
another province, with nothing changed; /caidat's other forms unchanged."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document

from storage.models import Role, Unit
from tests.conftest import ADMIN_ID, BotHarness
from tests.fakes import text_update
from tests.integration.seed import bind, load_units

SUP, OTHER, REP, ADM19, STRANGER = 7301, 7302, 7303, 7304, 7305
NOT_ALLOWED = "Anh/Chị không có quyền dùng lệnh này."


@pytest.fixture
async def communes(harness: BotHarness, clock) -> list[Unit]:
    storage = harness.storage
    units = await load_units(storage)
    await load_units(storage, "01")
    now = clock.now()
    await bind(storage, SUP, "Trần Văn Sơn", Role.SUPERVISOR, await storage.units.get("19"), now)
    await bind(storage, OTHER, "Hà Thị Nội", Role.SUPERVISOR, await storage.units.get("01"), now)
    await bind(storage, REP, "Nguyễn Thị Lan", Role.REPORTER, units[0], now)
    await bind(storage, ADM19, "Phạm Quản Trị", Role.ADMIN, await storage.units.get("19"), now)
    harness.request.clear()
    return units


async def say(harness: BotHarness, who: int, text: str) -> str:
    """Send a message; everything the bot wrote back to it."""
    before = len(harness.request.calls)
    await harness.send(text_update(who, text))
    return "\n".join(c.text for c in harness.request.calls[before:]
                     if c.method == "sendMessage" and str(c.params.get("chat_id")) == str(who))


async def stored_rollup(harness: BotHarness, code: str = "19") -> dict[str, Any]:
    stored = await harness.storage.unit_settings.get(code)
    return {} if stored is None else dict(stored.extra.get("rollup") or {})


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    return "\n".join(parts)


async def rollup_docx(harness: BotHarness, who: int) -> str:
    before = len(harness.request.documents_to(who))
    await harness.send(text_update(who, "/tonghop tuan"))  # the weekly report (asked when several are scheduled)
    documents = harness.request.documents_to(who)[before:]
    name, content = next((name, content) for name, content in documents if name.endswith(".docx"))
    assert name.startswith("BC-tong-hop-") and name.endswith("tinh-thai-nguyen.docx")
    return docx_text(content)


# --- showing -----------------------------------------------------------------------------------


async def test_supervisor_sees_the_defaults_and_how_to_change_each(harness: BotHarness, communes) -> None:
    shown = await say(harness, SUP, "/caidat tonghop")
    assert "Thiết lập báo cáo tổng hợp của Tỉnh Thái Nguyên" in shown
    assert "Chức danh ký (chucdanh): KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC (mặc định)" in shown
    assert "Kính gửi (kinhgui): Ủy ban nhân dân tỉnh Thái Nguyên (mặc định)" in shown
    assert "Cơ quan chủ quản (chuquan): UBND TỈNH THÁI NGUYÊN (mặc định)" in shown
    assert "Số hiệu (sohieu): Số:      /BC-SKHCN (mặc định)" in shown
    assert "- Như trên;" in shown and "- Lưu: VT, CĐS." in shown
    for key in ("nguoiky", "chucdanh", "kinhgui", "congvan", "noinhan", "coquan", "chuquan", "diadanh", "sohieu"):
        assert f"/caidat tonghop {key} " in shown, key
    assert "/caidat tonghop <mục> xoa, VD: /caidat tonghop nguoiky xoa" in shown
    assert "mã tỉnh" not in shown  # one province: nothing to name
    # a supervisor has nothing else to set: plain /caidat shows the same
    assert await say(harness, SUP, "/caidat") == shown
    assert await stored_rollup(harness) == {}


async def test_supervisor_help_lists_the_command(harness: BotHarness, communes) -> None:
    shown = await say(harness, SUP, "/help")
    assert "/caidat — Thiết lập người ký, nơi nhận của báo cáo tổng hợp" in shown


# --- setting, and the next rollup --------------------------------------------------------------


async def test_saved_values_reach_the_next_rollup_docx(harness: BotHarness, communes) -> None:
    before = await rollup_docx(harness, SUP)
    assert "KT. GIÁM ĐỐC" in before and "Hoàng Thị Hà" not in before

    reply = await say(harness, SUP, "/caidat tonghop nguoiky Hoàng Thị Hà")
    assert "Đã lưu «Người ký» cho báo cáo tổng hợp của Tỉnh Thái Nguyên: Hoàng Thị Hà" in reply
    assert "Người ký (nguoiky): Hoàng Thị Hà" in reply
    reply = await say(harness, SUP, "/caidat tonghop chucdanh KT. Giám đốc | Phó Giám đốc")
    assert "Chức danh ký (chucdanh): KT. GIÁM ĐỐC / PHÓ GIÁM ĐỐC\n" in reply  # no longer «(mặc định)»
    await say(harness, SUP, "/caidat tonghop kinhgui Kính gửi: Bộ Khoa học và Công nghệ")
    reply = await say(harness, SUP, "/caidat tonghop congvan Công văn số 1234/UBND-KGVX ngày 01/10/2025 của UBND tỉnh.")
    assert "Căn cứ (congvan): Thực hiện Công văn số 1234/UBND-KGVX ngày 01/10/2025 của UBND tỉnh\n" in reply
    reply = await say(harness, SUP, "/caidat tonghop noinhan Như trên;\nUBND tỉnh (để b/c)\n- Lưu: VT, CĐS.")
    assert "- Như trên;\n   - UBND tỉnh (để b/c);\n   - Lưu: VT, CĐS." in reply
    await say(harness, SUP, "/caidat tonghop coquan Sở Khoa học và Công nghệ")
    await say(harness, SUP, "/caidat tonghop chuquan UBND tỉnh Thái Nguyên")
    await say(harness, SUP, "/caidat tonghop diadanh TP. Thái Nguyên")
    reply = await say(harness, SUP, "/caidat tonghop sohieu BC-SKHCN-CĐS")
    assert reply.endswith("Số hiệu (sohieu): Số:      /BC-SKHCN-CĐS")
    assert "Tên cơ quan trong lời văn (tentrongvanban): Sở Khoa học và Công nghệ (theo cơ quan ban hành)" in reply

    assert await stored_rollup(harness) == {
        "signer_name": "Hoàng Thị Hà",
        "signer_titles": ["KT. Giám đốc", "Phó Giám đốc"],
        "recipient": "Bộ Khoa học và Công nghệ",
        "directive": "Thực hiện Công văn số 1234/UBND-KGVX ngày 01/10/2025 của UBND tỉnh",
        "distribution": ["Như trên", "UBND tỉnh (để b/c)", "Lưu: VT, CĐS"],
        "issuer_name": "Sở Khoa học và Công nghệ",
        "issuer_parent": "UBND tỉnh Thái Nguyên",
        "place_name": "TP. Thái Nguyên",
        "number_suffix": "/BC-SKHCN-CĐS",
    }
    entries = await harness.storage.audit.recent(action="rollup_settings.update", subject="19")
    assert len(entries) == 9 and entries[0].actor == SUP and entries[0].detail == {"key": "sohieu", "cleared": False}

    text = await rollup_docx(harness, SUP)
    assert "Hoàng Thị Hà" in text
    assert "KT. GIÁM ĐỐC" in text and "PHÓ GIÁM ĐỐC" in text
    assert "Kính gửi: Bộ Khoa học và Công nghệ" in text
    assert "Thực hiện Công văn số 1234/UBND\u2011KGVX ngày 01/10/2025 của UBND tỉnh, Sở Khoa học và Công nghệ tổng hợp" in text
    assert "- Như trên;\n- UBND tỉnh (để b/c);\n- Lưu: VT, CĐS." in text
    assert "Giám đốc, các Phó Giám đốc Sở" not in text  # the default "Nơi nhận" replaced
    assert "UBND TỈNH THÁI NGUYÊN" in text and "SỞ KHOA HỌC VÀ CÔNG NGHỆ" in text
    assert "/BC-SKHCN-CĐS" in text
    assert "TP. Thái Nguyên, ngày 15 tháng 12 năm 2025" in text


async def test_a_value_cleared_goes_back_to_its_default_and_the_others_stay(harness: BotHarness, communes) -> None:
    await say(harness, SUP, "/caidat tonghop nguoiky Hoàng Thị Hà")
    await say(harness, SUP, "/caidat tonghop kinhgui Bộ Khoa học và Công nghệ")
    reply = await say(harness, SUP, "/caidat tonghop kinhgui xoá")
    assert "Đã trả «Kính gửi» của báo cáo tổng hợp Tỉnh Thái Nguyên về mặc định." in reply
    assert "Kính gửi (kinhgui): Ủy ban nhân dân tỉnh Thái Nguyên (mặc định)" in reply
    assert await stored_rollup(harness) == {"signer_name": "Hoàng Thị Hà"}
    await say(harness, SUP, "/caidat tonghop nguoiky mặc định")
    stored = await harness.storage.unit_settings.get("19")
    assert stored is not None and "rollup" not in stored.extra
    text = await rollup_docx(harness, SUP)
    assert "Hoàng Thị Hà" not in text and "Kính gửi: Ủy ban nhân dân tỉnh Thái Nguyên" in text


async def test_the_province_defaults_for_communes_and_other_extras_are_kept(harness: BotHarness, communes,
                                                                          clock) -> None:
    storage = harness.storage
    await storage.unit_settings.update("19", {"recipient": "Sở KH&CN tỉnh Thái Nguyên",
                                              "extra": {"note": "giữ nguyên"}}, None, clock.now())
    await say(harness, SUP, "/caidat tonghop nguoiky Hoàng Thị Hà")
    stored = await storage.unit_settings.get("19")
    assert stored is not None and stored.recipient == "Sở KH&CN tỉnh Thái Nguyên"
    assert stored.extra == {"note": "giữ nguyên", "rollup": {"signer_name": "Hoàng Thị Hà"}}
    # the admin's /caidat tinh changes the communes' defaults and keeps the rollup's
    await say(harness, ADMIN_ID, "/caidat tinh 19 nguoiky Lê Văn Xã")
    stored = await storage.unit_settings.get("19")
    assert stored is not None and stored.signer_name == "Lê Văn Xã"
    assert stored.extra["rollup"] == {"signer_name": "Hoàng Thị Hà"}
    shown = await say(harness, ADMIN_ID, "/caidat tinh 19")
    assert "rollup" not in shown and "/caidat tonghop 19" in shown


# --- who -----------------------------------------------------------------------------------------


async def test_admin_of_several_provinces_names_the_province(harness: BotHarness, communes) -> None:
    reply = await say(harness, ADMIN_ID, "/caidat tonghop nguoiky Hoàng Thị Hà")
    assert "Anh/Chị vui lòng ghi mã tỉnh" in reply and "• 19 — Tỉnh Thái Nguyên" in reply
    assert await stored_rollup(harness) == {}
    reply = await say(harness, ADMIN_ID, "/caidat tonghop 19 nguoiky Hoàng Thị Hà")
    assert "Đã lưu «Người ký» cho báo cáo tổng hợp của Tỉnh Thái Nguyên" in reply
    reply = await say(harness, ADMIN_ID, "/caidat tonghop tinh 01 nguoiky Trần Hà Nội")
    assert "Thành phố Hà Nội" in reply
    assert await stored_rollup(harness) == {"signer_name": "Hoàng Thị Hà"}
    assert await stored_rollup(harness, "01") == {"signer_name": "Trần Hà Nội"}
    shown = await say(harness, ADMIN_ID, "/caidat tonghop 19")
    assert "Người ký (nguoiky): Hoàng Thị Hà" in shown and "ghi mã tỉnh ngay sau «tonghop»" in shown
    reply = await say(harness, ADMIN_ID, "/caidat tonghop 77 nguoiky X")
    assert "Không có tỉnh, thành phố mã 77" in reply
    reply = await say(harness, ADMIN_ID, f"/caidat tonghop {communes[0].code} nguoiky X")
    assert f"Không có tỉnh, thành phố mã {communes[0].code}" in reply
    # the commune's own settings untouched
    assert await harness.storage.unit_settings.get(communes[0].code) is None


async def test_admin_of_one_province_sets_it_and_no_other(harness: BotHarness, communes) -> None:
    reply = await say(harness, ADM19, "/caidat tonghop nguoiky Hoàng Thị Hà")
    assert "Đã lưu «Người ký» cho báo cáo tổng hợp của Tỉnh Thái Nguyên" in reply
    reply = await say(harness, ADM19, "/caidat tonghop 01 nguoiky Trần Hà Nội")
    assert "không có quyền" in reply and "Hà Nội" not in reply
    assert await stored_rollup(harness, "01") == {}


async def test_reporter_stranger_and_another_province_are_refused(harness: BotHarness, communes) -> None:
    await say(harness, SUP, "/caidat tonghop nguoiky Hoàng Thị Hà")
    before = await harness.storage.unit_settings.get("19")
    for who, text in ((REP, "/caidat tonghop nguoiky X"), (REP, "/caidat tonghop 19 nguoiky X"),
                      (REP, "/caidat tonghop"), (STRANGER, "/caidat tonghop nguoiky X"),
                      (STRANGER, "/caidat tonghop 19 nguoiky X")):
        assert await say(harness, who, text) == NOT_ALLOWED, (who, text)
    for text in ("/caidat tonghop 19 nguoiky X", "/caidat tonghop tinh 19 kinhgui X", "/caidat tonghop 19"):
        reply = await say(harness, OTHER, text)
        assert "không có quyền thiết lập báo cáo tổng hợp" in reply and "Hoàng Thị Hà" not in reply, text
    assert await harness.storage.unit_settings.get("19") == before
    assert await harness.storage.unit_settings.get(communes[0].code) is None  # the reporter's commune
    # the other province's supervisor sets their own
    reply = await say(harness, OTHER, "/caidat tonghop nguoiky Trần Hà Nội")
    assert "Thành phố Hà Nội" in reply and await stored_rollup(harness, "01") == {"signer_name": "Trần Hà Nội"}
    entries = await harness.storage.audit.recent(action="rollup_settings.update")
    assert [(e.actor, e.subject) for e in entries] == [(OTHER, "01"), (SUP, "19")]


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "says"), [
    ("/caidat tonghop nguoiky", "Anh/Chị vui lòng ghi nội dung sau «nguoiky», VD: /caidat tonghop nguoiky"),
    ("/caidat tonghop nguoiki Hà", "Không có mục «nguoiki»"),
    ("/caidat tonghop sohieu BC SKHCN !!", "Số hiệu viết liền, bắt đầu bằng «/»"),
    ("/caidat tonghop chucdanh A | B | C | D", "Có 4 dòng, tối đa 3"),
    ("/caidat tonghop nguoiky 12345", "Nội dung cần có chữ"),
    ("/caidat tonghop noinhan ;;", "Nội dung cần có ít nhất một dòng"),
    ("/caidat tonghop congvan " + "Thực hiện " * 60, "tối đa 400"),
])
async def test_bad_values_are_refused_with_the_reason(harness: BotHarness, communes, text: str, says: str) -> None:
    reply = await say(harness, SUP, text)
    assert says in reply
    assert await stored_rollup(harness) == {}
    assert await harness.storage.audit.recent(action="rollup_settings.update") == []


# --- /caidat's other forms -----------------------------------------------------------------------


async def test_the_reporters_caidat_is_unchanged(harness: BotHarness, communes) -> None:
    reply = await say(harness, REP, "/caidat nguoiky Nguyễn Văn An")
    assert f"Đã lưu «Họ tên người ký» cho {communes[0].full_name}" in reply
    stored = await harness.storage.unit_settings.get(communes[0].code)
    assert stored is not None and stored.signer_name == "Nguyễn Văn An" and stored.extra == {}
    assert await harness.storage.unit_settings.get("19") is None
    reply = await say(harness, ADMIN_ID, "/caidat")
    assert "/caidat tinh <mã tỉnh>" in reply and "/caidat tonghop <mã tỉnh>" in reply

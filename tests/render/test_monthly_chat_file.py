"""The report file the chat sends for a monthly submission (on submit, /xa, a notice's button)
is rendered with the monthly report's variables: the appendices filled, rates as the example, the
reason given for keeping a figure printed with the finding."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from bot.domain.forms import load_form
from bot.reporting.files import render_commune_report
from storage import Storage, Unit, UnitKind
from tests.render.conftest import ROOT
from tests.render.docx_helpers import open_docx

EXAMPLE = ROOT / "templates" / "samples" / "nq57-monthly-phu-thinh.json"
THAI_NGUYEN = Unit(code="19", name="Thái Nguyên", full_name="Tỉnh Thái Nguyên", kind=UnitKind.PROVINCE,
                   division_type="tỉnh", province_code="19")
PHU_THINH = Unit(code="05800", name="Phú Thịnh", full_name="Xã Phú Thịnh", kind=UnitKind.COMMUNE,
                 division_type="xã", province_code="19")


async def test_a_monthly_submission_renders_with_its_appendices(tmp_path: Path) -> None:
    form = load_form(ROOT / "templates" / "forms" / "nq57-monthly.yaml")
    answers = json.loads(EXAMPLE.read_text(encoding="utf-8"))["answers"]
    storage = await Storage.open(tmp_path / "baocao.db")
    try:
        await storage.units.upsert_many([THAI_NGUYEN, PHU_THINH])
        report = await render_commune_report(storage, form, ROOT / "templates", PHU_THINH, "2026-04", answers,
                                             {"tasks_table_matches": "Nhiệm vụ 12 hoàn thành ngày 24/4, sau kỳ số liệu"},
                                             date(2026, 4, 24))
    finally:
        await storage.close()
    assert report.filename == "BC-thang-2026-04-xa-phu-thinh.docx"
    assert [check.check_id for check in report.checks] == ["tasks_table_matches"]
    document = open_docx(report.content)
    texts = [p.text for p in document.paragraphs]
    assert any("tỷ lệ 50%, trong đó" in text for text in texts)
    assert any("1.247/1.484, tỷ lệ: 84,03%." in text for text in texts)
    assert "- Phụ lục nhiệm vụ ghi 7 nhiệm vụ «Đã hoàn thành», nhưng mục 1.3 ghi 6 nhiệm vụ đã hoàn thành. Lý do: " \
           "Nhiệm vụ 12 hoàn thành ngày 24/4, sau kỳ số liệu" in texts  # the reason kept, printed with the finding
    targets, tasks = document.tables[2], document.tables[3]
    assert len(targets.rows) == 19 and targets.rows[2].cells[4].text == "72,5"
    assert len(tasks.rows) == 13 and tasks.rows[7].cells[2].text == "Chưa thực hiện"

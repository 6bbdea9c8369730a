"""`python -m bot render` with a province's outline (a form variant) and report settings (issue 15,
items 1, 2 and 5): the title, the period as the settings word it, no «Kính gửi» when the recipient
is empty, TM./KT. signing, each variant's own sections in its own .docx; and the layout of every
shipped template — tables on the margins, the signature block kept whole with the closing
sentence, document numbers that do not break, no page holding only the signature or its number
(by LibreOffice, where it is installed)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from docx.oxml.ns import qn

from bot.cli import main
from bot.documents.render import sample_answers
from tests.render.conftest import ROOT
from tests.render.docx_helpers import open_docx

TEMPLATES = ROOT / "templates"
SHIPPED = ["bao-cao-tuan.docx", "bao-cao-tuan-danh-gia.docx", "bao-cao-tuan-theo-muc.docx", "bao-cao-thang-nq57.docx",
           "bao-cao-tong-hop.docx"]
TEXT_WIDTH_TWIPS = 160 * 1440 * 10 // 254  # 160 mm: A4 less the 30 and 20 mm margins
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
LONG = ("Ban hành Kế hoạch số 02-KH/BCĐTW ngày 19/6/2025 về chuyển đổi số và cải cách thủ tục hành chính; "
        "triển khai các nhiệm vụ được giao, rà soát hạ tầng, bố trí nhân lực. ") * 6

ASSESSED = {**{k: v for k, v in sample_answers().items() if k != "difficulties"}, "other_content": "Tuyên truyền VNeID.",
            "achievement_causes": "Cán bộ một cửa hướng dẫn tận tình.", "strengths": "Tỷ lệ trực tuyến tăng.",
            "weaknesses": "Còn hồ sơ đất đai chậm.", "weakness_causes": "Thiếu công chức.", "proposals": "Hỗ trợ máy scan."}
PER_SECTION = {**{k: v for k, v in sample_answers().items() if k not in ("difficulties", "proposals")},
               "procedures_total": 105, "procedures_online_full": 60, "procedures_online_partial": 40,
               "procedures_reviewed": 3, "feedback_received": 2, "feedback_resolved": 1, "digital_teams": 12,
               "digital_team_members": 60, "legal_issues": "Chưa có hướng dẫn.", "infrastructure_issues": "Thiếu máy.",
               "resources_issues": "Không", "tthc_issues": "Phần mềm lỗi ký số."}


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "none.db"))
    return tmp_path


def render(tmp_path: Path, answers: dict[str, Any], settings: dict[str, Any] | None, *extra: str) -> Any:
    answers_file = tmp_path / "answers.json"
    answers_file.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    args = ["render", "--unit", "21370", "--period", "2025-W39", "--answers", str(answers_file),
            "--out", str(tmp_path / "bc.docx"), "--date", "2025-10-16", *extra]
    if settings is not None:
        settings_file = tmp_path / "settings.json"
        settings_file.write_text(json.dumps(settings, ensure_ascii=False), encoding="utf-8")
        args += ["--settings", str(settings_file)]
    assert main(args) == 0
    return open_docx((tmp_path / "bc.docx").read_bytes())


def texts(document: Any) -> list[str]:
    return [p.text for p in document.paragraphs]


def signer(document: Any) -> list[str]:
    return [p.text for p in document.tables[-1].rows[0].cells[1].paragraphs if p.text]


def test_the_assessment_variant_with_a_title_as_of_wording_no_recipient_and_tm_signing(env: Path) -> None:
    settings = {"form_variant": "tthc-weekly-danh-gia", "title": "Kết quả thực hiện Kế hoạch số 02-KH/BCĐTW",
                "period_wording": "as_of", "recipient": "", "signing": "TM", "signer_name": "Nguyễn Văn An"}
    document = render(env, ASSESSED, settings)
    said = texts(document)
    assert said[:3] == ["BÁO CÁO", "Kết quả thực hiện Kế hoạch số 02\u2011KH/BCĐTW", "(tính đến hết ngày 28/9/2025)"]
    assert not any(text.startswith("Kính gửi") for text in said)
    assert any(text.endswith("báo cáo kết quả tính đến hết ngày 28/9/2025 như sau:") for text in said)
    assert "* Tính đến hết ngày 28/9/2025:" in said
    for heading in ("4. Nội dung khác", "5. Kết quả thực hiện thủ tục hành chính",
                    "6. Nguyên nhân của kết quả đạt được, chưa đạt được", "7. Đánh giá chung", "7.1. Mặt tích cực",
                    "7.2. Tồn tại, hạn chế", "7.3. Nguyên nhân", "8. Đề xuất"):
        assert heading in said
    assert said.index("7.2. Tồn tại, hạn chế") + 1 == said.index("Còn hồ sơ đất đai chậm.")
    assert "5.1. Khó khăn, vướng mắc" not in said
    closing = [text for text in said if text.startswith("Trên đây")][0]
    assert closing.endswith("tính đến hết ngày 28/9/2025, UBND xã Phước Giang kính báo cáo./.")  # no recipient
    assert signer(document) == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn An"]


def test_the_per_section_variant_chosen_by_form_with_quarter_wording_and_kt_signing(env: Path) -> None:
    settings = {"period_wording": "quarter", "signing": "kt.", "recipient": "Kính gửi: Ban Thường vụ Đảng ủy xã"}
    document = render(env, PER_SECTION, settings, "--form", "tthc-weekly-theo-muc")
    said = texts(document)
    assert said[1:3] == ["Kết quả giải quyết thủ tục hành chính và chuyển đổi số", "Quý III/2025"]
    assert "Kính gửi: Ban Thường vụ Đảng ủy xã" in said and "* Trong Quý III/2025:" in said
    assert said.index("1. Về pháp lý") < said.index("Chưa có hướng dẫn.") < said.index("2. Về hạ tầng kỹ thuật, công nghệ")
    assert said.count("* Khó khăn, vướng mắc và đề xuất:") == 4
    assert ("- Số thủ tục hành chính thuộc thẩm quyền giải quyết cấp xã: 105 thủ tục, trong đó cung cấp dịch vụ công "
            "trực tuyến toàn trình 60 thủ tục, một phần 40 thủ tục (tỷ lệ thủ tục trực tuyến: 95,24%); số thủ tục được "
            "rà soát, đề xuất đơn giản hóa: 3 thủ tục.") in said
    assert "- Toàn xã có 12 Tổ công nghệ số cộng đồng với 60 thành viên." in said
    assert signer(document)[:2] == ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]


def test_the_weekly_form_keeps_its_week_wording_by_default(env: Path) -> None:
    said = texts(render(env, sample_answers(), None))
    assert said[1:3] == ["Kết quả giải quyết thủ tục hành chính và chuyển đổi số",
                         "(tuần 39/2025, từ ngày 22/9 đến 28/9/2025)"]
    assert "* Trong tuần (từ ngày 22/9 đến 28/9/2025):" in said


def test_a_bad_settings_file_is_refused_in_vietnamese(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (env / "answers.json").write_text(json.dumps(sample_answers()), encoding="utf-8")
    (env / "s.json").write_text(json.dumps({"period_wording": "month", "signing": "XX"}), encoding="utf-8")
    code = main(["render", "--unit", "21370", "--period", "2025-W39", "--answers", "answers.json", "--out", "x.docx",
                 "--settings", "s.json"])
    error = capsys.readouterr().err
    assert code != 0 and "thiết lập chưa đúng" in error and "TM hoặc KT" in error
    assert not (env / "x.docx").exists()


# --- layout ---------------------------------------------------------------------------------------


def _table_props(table: Any) -> tuple[int, str, int]:
    pr = table._tbl.tblPr
    ind = pr.find(qn("w:tblInd"))
    width = pr.find(qn("w:tblW"))
    return int(ind.get(qn("w:w"))), ind.get(qn("w:type")), int(width.get(qn("w:w")))


@pytest.mark.parametrize("name", SHIPPED)
def test_header_and_closing_tables_sit_on_the_margins(name: str) -> None:
    document = open_docx((TEMPLATES / name).read_bytes())
    header, closing = document.tables[0], _closing(document)
    for table in (header, closing):
        indent, kind, width = _table_props(table)
        assert (indent, kind) == (0, "dxa")  # not 0.5 cm left of the margin
        assert abs(width - TEXT_WIDTH_TWIPS) <= 2  # and not past the right one


def _closing(document: Any) -> Any:
    return next(t for t in document.tables if "Nơi nhận:" in [p.text for p in t.rows[0].cells[0].paragraphs])


@pytest.mark.parametrize("name", SHIPPED)
def test_the_signature_block_is_kept_whole_with_the_closing_sentence(name: str) -> None:
    document = open_docx((TEMPLATES / name).read_bytes())
    closing = _closing(document)
    row = closing.rows[0]._tr
    assert row.trPr is not None and row.trPr.find(qn("w:cantSplit")) is not None
    for cell in closing.rows[0].cells:
        for paragraph in cell.paragraphs:
            if not paragraph.text.startswith("{%p"):
                assert paragraph.paragraph_format.keep_with_next, (name, paragraph.text)
    body = document.element.body
    before = closing._tbl.getprevious()
    while before is not None and "".join(before.itertext()).startswith("{%p"):
        before = before.getprevious()
    assert before is not None and before.find(qn("w:pPr")).find(qn("w:keepNext")) is not None
    after = closing._tbl.getnext()
    assert after.tag == qn("w:p") and not "".join(after.itertext())  # the end mark, one point high
    spacing = after.find(qn("w:pPr")).find(qn("w:spacing"))
    assert spacing.get(qn("w:lineRule")) == "exact" and int(spacing.get(qn("w:line"))) <= 20
    assert body is not None


def test_document_numbers_in_the_templates_do_not_break() -> None:
    document = open_docx((TEMPLATES / "bao-cao-thang-nq57.docx").read_bytes())
    whole = "\n".join(p.text for p in document.paragraphs)
    assert "57\u2011NQ/TW" in whole and "57-NQ/TW" not in whole
    assert "Độc lập - Tự do - Hạnh phúc" in "\n".join(
        p.text for cell in document.tables[0].rows[0].cells for p in cell.paragraphs)  # a dash between words stays


# --- as LibreOffice lays it out -----------------------------------------------------------------


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed: no PDF layout check")
@pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
                    reason="pdftotext and pdfinfo (poppler-utils) are not installed")
def test_no_page_holds_only_the_signature_block_or_its_number(env: Path) -> None:
    """Longer and longer texts move the page break through the closing part, a paragraph at a
    time: whatever page the signature falls on also holds the closing sentence, and no page holds
    only its number (before the fix, 2, 8 and 14 paragraphs each left a page of its number alone)."""
    problems = []
    for lines in range(16):
        answers = {**sample_answers(), "proposals": "\n".join([LONG[:400]] * lines) or "Không"}
        render(env, answers, None)
        subprocess.run([SOFFICE or "soffice", f"-env:UserInstallation={(env / 'profile').as_uri()}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(env), str(env / "bc.docx")],
                       capture_output=True, check=True, timeout=180)
        for number, words in enumerate(_pdf_pages(env / "bc.pdf"), start=1):
            if len(words) <= 1:
                problems.append(f"{lines} paragraphs: page {number} holds only {words}")
            elif "Nơi nhận:" in words and not any(line.endswith("./.") for line in words):
                problems.append(f"{lines} paragraphs: page {number} holds the signature without the closing sentence")
    assert not problems, problems


def _pdf_pages(pdf: Path) -> list[list[str]]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)[1])  # type: ignore[index]
    found = []
    for number in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        found.append([line.strip() for line in text.splitlines() if line.strip()])
    return found

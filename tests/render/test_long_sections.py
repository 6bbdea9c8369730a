"""Long sections in the .docx (issue 15 item 4): a 2,700-character legal section with its own
sub-items ("2.1.", "a)", "-", "+") prints each line and each sub-item as a body paragraph of the NĐ 30
layout (first-line indent, justified), in the weekly and the monthly report, through ``render
--answers``; what officials type stays text (no XML, no template tag)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH

from bot.cli import main
from bot.documents.render import sample_answers
from bot.domain.paragraphs import paragraphs
from tests.render.docx_helpers import open_docx, para_format

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "templates" / "samples" / "nq57-monthly-phu-thinh.json"
SENTENCE = "Ủy ban nhân dân xã tiếp tục rà soát, hoàn thiện quy trình nội bộ giải quyết thủ tục hành chính. "

LEGAL_ITEMS = [
    "2.1. Văn bản ban hành trong kỳ:",
    "a) Kế hoạch số 15/KH-UBND ngày 10/12/2025 về chuyển đổi số;",
    "b) Quyết định số 234/QĐ-UBND <w:p> & {{ unit_code }} về quy chế tiếp nhận hồ sơ.",
    "2.2. Kết quả thực hiện:",
    "- " + (SENTENCE * 15).strip(),
    "+ " + (SENTENCE * 12).strip(),
]


def legal_text() -> str:
    # "a)" and "b)" run on the line of "2.1." as officials often type them; the others on their own lines
    text = f"{LEGAL_ITEMS[0]} {LEGAL_ITEMS[1]} {LEGAL_ITEMS[2]}\n" + "\n".join(LEGAL_ITEMS[3:])
    return text


def test_a_text_runs_on_with_sub_items_each_its_own_paragraph() -> None:
    assert len(legal_text()) > 2700
    assert paragraphs(legal_text()) == LEGAL_ITEMS
    # inside a sentence nothing is cut
    kept = "Theo điểm a) khoản 2 Điều 5, từ 10 - 15 hồ sơ; tỷ lệ: 98.5 %; ngày: 10.12.2025 đã xong."
    assert paragraphs(kept) == [kept]
    assert paragraphs("Tổng 15. 2 hồ sơ tồn. 2. Về hạ tầng") == ["Tổng 15. 2 hồ sơ tồn.", "2. Về hạ tầng"]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "data" / "baocao.db"
    monkeypatch.setenv("DATABASE_PATH", str(db))
    return db


def _render(tmp_path: Path, answers: dict[str, Any], *args: str) -> Any:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.docx"
    code = main(["render", *args, "--answers", str(path), "--out", str(out)])
    assert code == 0
    return open_docx(out.read_bytes())


def _after(document: Any, heading: str, count: int) -> list[Any]:
    body = [p for p in document.paragraphs if p.text.strip()]
    at = next(i for i, p in enumerate(body) if p.text == heading)
    return body[at + 1: at + 1 + count]


def _hyphens(text: str) -> str:
    """The text as typed: the .docx writes a document number's hyphen as U+2011 (non-breaking)."""
    return text.replace("\u2011", "-")


def _nd30_body(paragraph: Any) -> bool:
    indent = para_format(paragraph, "first_line_indent")
    return para_format(paragraph, "alignment") == WD_ALIGN_PARAGRAPH.JUSTIFY and indent is not None and indent > 0


def test_weekly_render_answers_prints_a_long_legal_section_as_paragraphs(env: Path, tmp_path: Path) -> None:
    answers = {**sample_answers(), "legal": legal_text()}
    document = _render(tmp_path, answers, "--unit", "21370", "--period", "2025-W50")
    printed = _after(document, "1. Về pháp lý", len(LEGAL_ITEMS) + 1)
    assert [_hyphens(p.text) for p in printed[:-1]] == LEGAL_ITEMS  # document numbers never break
    assert printed[-1].text == "2. Về hạ tầng kỹ thuật, công nghệ"
    assert all(_nd30_body(p) for p in printed[:-1])
    assert not document.paragraphs[0]._p.xpath("//w:p//w:p")  # the typed "<w:p>" is text, not XML


def test_monthly_render_answers_prints_sub_items_as_paragraphs(env: Path, tmp_path: Path) -> None:
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["answers"]["institutions_situation"] = legal_text()
    data["answers"]["institutions_shortcomings"] = "2.1. Chưa có quy trình số. 2.2. Thiếu công chức chuyên trách."
    document = _render(tmp_path, data, "--form", "nq57-monthly", "--unit", "5800", "--period", "2026-04")
    body = [p for p in document.paragraphs if p.text.strip()]
    texts = [_hyphens(p.text) for p in body]
    at = texts.index(LEGAL_ITEMS[0])
    assert texts[at: at + len(LEGAL_ITEMS)] == LEGAL_ITEMS
    assert all(_nd30_body(p) for p in body[at: at + len(LEGAL_ITEMS)])
    # an assessment item opening with "2.1.": its label alone, then one paragraph per sub-item
    label = next(i for i, t in enumerate(texts) if i > at and t.startswith("- Tồn tại, hạn chế"))
    assert texts[label: label + 3] == ["- Tồn tại, hạn chế:", "2.1. Chưa có quy trình số.",
                                       "2.2. Thiếu công chức chuyên trách."]


def test_render_answers_refuses_a_text_over_its_limit_in_vietnamese(
        env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({**sample_answers(), "legal": "x" * 3501}), encoding="utf-8")
    out = tmp_path / "out.docx"
    code = main(["render", "--unit", "21370", "--period", "2025-W50", "--answers", str(path), "--out", str(out)])
    assert code != 0 and not out.exists()
    assert "Nội dung dài 3.501 ký tự, vượt quá giới hạn 3.500 ký tự" in capsys.readouterr().err


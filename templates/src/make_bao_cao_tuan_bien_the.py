"""Writes the .docx of the weekly report's province outlines (form variants, templates/forms/):
templates/bao-cao-tuan-danh-gia.docx (tthc-weekly-danh-gia: "Nội dung khác", the causes of the
results, the assessment split into "Mặt tích cực", "Tồn tại, hạn chế", "Nguyên nhân", and
"Đề xuất") and templates/bao-cao-tuan-theo-muc.docx (tthc-weekly-theo-muc: difficulties and
proposals under each section; procedures, community digital technology teams, feedback and
procedures reviewed for simplification).

Both share the weekly template's layout and parts (make_bao_cao_tuan.py: title, opening, figures,
closing sentence; docx_authoring.py: header and closing tables). Run again only to start over:

    .venv/bin/python templates/src/make_bao_cao_tuan_bien_the.py [OUT_FOLDER]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docx_authoring import (  # noqa: E402
    COMMUNE_WIDTHS,
    body_para,
    closing_table,
    commune_header,
    heading,
    new_document,
    save,
    setup_page,
    setup_styles,
)
from make_bao_cao_tuan import SUBJECT, closing_sentence, opening, results, text_section, title  # noqa: E402

FOLDER = Path(__file__).resolve().parent.parent
ASSESSMENT = "bao-cao-tuan-danh-gia.docx"
PER_SECTION = "bao-cao-tuan-theo-muc.docx"


# The weekly report's first three sections: (number, heading, text field).
SECTIONS = (
    ("1", "Về pháp lý", "legal"),
    ("2", "Về hạ tầng kỹ thuật, công nghệ", "infrastructure"),
    ("3", "Nguồn lực", "resources"),
)


def section(document, number: str, label: str, name: str) -> None:
    """A numbered heading and the text field printed under it."""
    heading(document, f"{number}. {label}")
    text_section(document, name)


def assessment_body(document) -> None:
    """tthc-weekly-danh-gia: 1–3 as the weekly report, 4. Nội dung khác, 5. the figures, 6. their
    causes, 7. the assessment in three parts, 8. Đề xuất."""
    opening(document)
    for item in (*SECTIONS, ("4", "Nội dung khác", "other_content")):
        section(document, *item)
    results(document, "5. Kết quả thực hiện thủ tục hành chính")
    section(document, "6", "Nguyên nhân của kết quả đạt được, chưa đạt được", "achievement_causes")
    heading(document, "7. Đánh giá chung")
    for item in (
        ("7.1", "Mặt tích cực", "strengths"),
        ("7.2", "Tồn tại, hạn chế", "weaknesses"),
        ("7.3", "Nguyên nhân", "weakness_causes"),
    ):
        section(document, *item)
    section(document, "8", "Đề xuất", "proposals")
    closing_sentence(document)


def per_section_extra(document) -> None:
    """tthc-weekly-theo-muc's own counts, after the dossiers' figures."""
    body_para(
        document,
        "- Số thủ tục hành chính thuộc thẩm quyền giải quyết cấp xã: {{ procedures_total }} thủ tục, trong "
        "đó cung cấp dịch vụ công trực tuyến toàn trình {{ procedures_online_full }} thủ tục, một phần "
        "{{ procedures_online_partial }} thủ tục (tỷ lệ thủ tục trực tuyến: {{ procedure_online_rate }}); "
        "số thủ tục được rà soát, đề xuất đơn giản hóa: {{ procedures_reviewed }} thủ tục.",
    )
    body_para(
        document,
        "- Tiếp nhận {{ feedback_received }} phản ánh, kiến nghị của người dân, doanh nghiệp về thủ tục "
        "hành chính, đã xử lý {{ feedback_resolved }} phản ánh, kiến nghị.",
    )
    body_para(
        document,
        "- Toàn xã có {{ digital_teams }} Tổ công nghệ số cộng đồng với {{ digital_team_members }} thành viên.",
    )


def issues(document, name: str) -> None:
    """A section's own difficulties and proposals."""
    body_para(document, "* Khó khăn, vướng mắc và đề xuất:")
    text_section(document, name)


def per_section_body(document) -> None:
    """tthc-weekly-theo-muc: each section followed by its difficulties and proposals."""
    opening(document)
    for number, label, name in SECTIONS:
        section(document, number, label, name)
        issues(document, f"{name}_issues")
    results(document, extra=per_section_extra)
    issues(document, "tthc_issues")
    closing_sentence(document)


def build(folder: Path = FOLDER) -> list[Path]:
    written = []
    for name, body, subject in ((ASSESSMENT, assessment_body, "Báo cáo tuần: có đánh giá, nguyên nhân"),
                                (PER_SECTION, per_section_body, "Báo cáo tuần: khó khăn, đề xuất theo từng mục")):
        document = new_document()
        setup_styles(document)
        setup_page(document)
        commune_header(document)
        title(document, SUBJECT)
        body(document)
        closing_table(document, COMMUNE_WIDTHS)
        written.append(save(document, folder / name, title="Báo cáo tuần", subject=subject,
                            comments="Mẫu báo cáo tuần (biến thể của tỉnh, docxtpl). Biến: xem bot/documents/report.py."))
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER
    for path in build(target):
        print(path)

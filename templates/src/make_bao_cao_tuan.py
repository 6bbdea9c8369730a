"""Writes templates/bao-cao-tuan.docx, the commune's weekly report template (docxtpl / Jinja tags).

The .docx it writes is the template the bot reads; it is kept in the repository and may be edited
in Word from then on (or replaced by an admin in chat). This script only exists because the first
version had to be written without Word: run it again only to start over from this layout.

    .venv/bin/python templates/src/make_bao_cao_tuan.py [OUT.docx]

Layout of Nghị định 30/2020/NĐ-CP, Phụ lục I (see domain.md, "The report file"): A4 portrait,
margins 20/20/30/20 mm, Times New Roman; a borderless two-column header table (issuer and number,
national motto and date); "BÁO CÁO" and its summary line; the body at 14 pt, justified, first-line
indent 1,27 cm, 6 pt after; the closing table ("Nơi nhận", signer); page numbers centred in the top
margin from page 2 on.

Every Jinja tag is written inside a single run; paragraph-level tags use ``{%p … %}`` alone in their
paragraph. The variables are documented in bot/documents/report.py (``build_context``). The authoring
helpers are docx_authoring.py's, shared with make_bao_cao_tong_hop.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docx_authoring import (  # noqa: E402  (the authoring helpers, shared with make_bao_cao_tong_hop.py)
    COMMUNE_WIDTHS,
    body_para,
    closing_table,
    commune_header,
    heading,
    line_para,
    new_document,
    recipient,
    save,
    setup_page,
    setup_styles,
    tag,
)

OUT = Path(__file__).resolve().parent.parent / "bao-cao-tuan.docx"



SUBJECT = "Kết quả giải quyết thủ tục hành chính và chuyển đổi số"


def title(document, subject: str = SUBJECT) -> None:
    """"BÁO CÁO", the title (the setting ``title``, else ``subject``), the period as the settings
    word it, the rule and "Kính gửi" (none when the recipient is empty)."""
    line_para(document, "BÁO CÁO", size=14, bold=True, before=18, keep_next=True)
    line_para(
        document,
        f"{{% if report_title %}}{{{{ report_title }}}}{{% else %}}{subject}{{% endif %}}",
        size=14,
        bold=True,
        keep_next=True,
    )
    line_para(document, "{{ period_heading }}", size=14, bold=True, keep_next=True)
    recipient(document)


def text_section(document, name: str) -> None:
    """The official's text for one section, one paragraph per line; "Không có." when empty."""
    tag(document, f"{{%p if {name}_lines %}}")
    tag(document, f"{{%p for line in {name}_lines %}}")
    body_para(document, "{{ line }}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p else %}")
    body_para(document, "- Không có.")
    tag(document, "{%p endif %}")


def opening(document) -> None:
    body_para(
        document,
        "{% if directive %}{{ directive }}; {% endif %}{{ authority_short }} báo cáo kết quả "
        "{{ period_phrase }} như sau:",
    )


def results(document, heading_text: str = "4. Kết quả thực hiện thủ tục hành chính", extra=None) -> None:
    """The figures in sentences, with rates; ``extra(document)`` adds a variant's own sentences
    before the overdue reasons."""
    heading(document, heading_text)
    body_para(document, "* {{ period_intro }}:")
    body_para(
        document,
        "- Tổng số hồ sơ tiếp nhận: {% if blank.received_new %}chưa có số liệu (kỳ trước chuyển sang "
        "{{ carried_over }} hồ sơ; số tiếp nhận mới chưa có số liệu){% else %}{{ received_total }} hồ sơ, trong đó "
        "kỳ trước chuyển sang {{ carried_over }} hồ sơ, tiếp nhận mới {{ received_new }} hồ sơ{% endif %}.",
    )
    tag(document, "{%p if has_received_new or blank.received_new %}")
    body_para(
        document,
        "- Hồ sơ tiếp nhận mới: {% if blank.received_online_full or blank.received_online_partial %}trực tuyến "
        "{% if blank.received_online %}chưa có số liệu{% else %}{{ received_online }} hồ sơ, chiếm {{ online_rate }} "
        "(chưa có số liệu toàn trình, một phần){% endif %}{% else %}trực tuyến toàn trình {{ received_online_full }} "
        "hồ sơ, chiếm {{ share_online_full }}; trực tuyến một phần {{ received_online_partial }} hồ sơ, chiếm "
        "{{ share_online_partial }}{% endif %}; trực tiếp {{ received_in_person }} hồ sơ, chiếm {{ share_in_person }}; "
        "qua dịch vụ bưu chính công ích {{ received_postal }} hồ sơ, chiếm {{ share_postal }}.",
    )
    tag(document, "{%p else %}")
    body_para(document, "- Trong kỳ không tiếp nhận hồ sơ mới.")
    tag(document, "{%p endif %}")
    body_para(
        document,
        "- Đã giải quyết {{ resolved }} hồ sơ, trong đó trước hạn {{ resolved_early }} hồ sơ, "
        "đúng hạn {{ resolved_on_time }} hồ sơ{% if has_resolved_late %}, quá hạn {{ resolved_late }} hồ sơ"
        "{% endif %}.",
    )
    body_para(
        document,
        "- Đang giải quyết {{ pending }} hồ sơ{% if has_pending_overdue %}, trong đó trong hạn "
        "{{ pending_in_time }} hồ sơ, quá hạn {{ pending_overdue }} hồ sơ{% endif %}; "
        "hồ sơ rút, trả lại: {{ withdrawn }} hồ sơ.",
    )
    body_para(
        document,
        "- Hồ sơ được số hóa: {% if blank.digitized %}chưa có số liệu{% else %}{{ digitized }} hồ sơ, "
        "tỷ lệ số hóa hồ sơ: {{ digitization_rate }}{% endif %}; kết quả giải quyết cấp bản điện tử: "
        "{% if blank.e_results %}chưa có số liệu{% else %}{{ e_results }} hồ sơ, tỷ lệ: {{ e_result_rate }}{% endif %}.",
    )
    body_para(
        document,
        "- Tỷ lệ hồ sơ tiếp nhận trực tuyến: {{ online_rate }}{% if not blank.received_online_full %} (trực tuyến "
        "toàn trình: {{ share_online_full }}){% endif %}; tỷ lệ hồ sơ giải quyết trước hạn và đúng hạn: {{ on_time_rate }}.",
    )
    if extra is not None:
        extra(document)
    tag(document, "{%p if has_overdue %}")
    body_para(
        document,
        "- Nguyên nhân, lý do hồ sơ quá hạn: "
        "{% if has_overdue_reasons %}{{ overdue_reasons }}{% else %}chưa nêu.{% endif %}",
    )
    tag(document, "{%p else %}")
    body_para(document, "- Không có hồ sơ quá hạn.")
    tag(document, "{%p endif %}")

    tag(document, "{%p if explanations %}")
    body_para(document, "* Giải trình số liệu:")
    tag(document, "{%p for item in explanations %}")
    body_para(document, "- {{ item.message }} Lý do: {{ item.reason }}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")


def closing_sentence(document) -> None:
    """"Trên đây là báo cáo …", kept on the page of the signature block."""
    closing = body_para(
        document,
        "Trên đây là báo cáo kết quả giải quyết thủ tục hành chính và chuyển đổi số {{ period_closing }}, "
        "{{ authority_short }} kính báo cáo{% if recipient %} {{ recipient }}{% endif %}./.",
    )
    closing.paragraph_format.keep_with_next = True


def body(document) -> None:
    opening(document)

    heading(document, "1. Về pháp lý")
    text_section(document, "legal")

    heading(document, "2. Về hạ tầng kỹ thuật, công nghệ")
    text_section(document, "infrastructure")

    heading(document, "3. Nguồn lực")
    text_section(document, "resources")

    results(document)

    heading(document, "5. Nhận xét, kiến nghị")
    heading(document, "5.1. Khó khăn, vướng mắc")
    text_section(document, "difficulties")
    heading(document, "5.2. Đề xuất, kiến nghị")
    text_section(document, "proposals")

    closing_sentence(document)


def build(out: Path = OUT) -> Path:
    document = new_document()
    setup_styles(document)
    setup_page(document)
    commune_header(document)
    title(document)
    body(document)
    closing_table(document, COMMUNE_WIDTHS)
    return save(
        document,
        out,
        title="Báo cáo tuần",
        subject=SUBJECT,
        comments="Mẫu báo cáo tuần của xã, phường (docxtpl). Biến: xem bot/documents/report.py.",
    )


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    print(build(target))

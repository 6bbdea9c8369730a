"""A small third form of several kinds (count, decimal with its unit, percentage, choice, target,
a table of declared rows, a table of rows the commune adds) with its rollup and its .docx
template, written into a folder: the proof that a form is data (issue 14, item 9), used in chat, document, rollup and e2e tests."""

from __future__ import annotations

from pathlib import Path

from docx import Document as WordDocument

FORM_ID = "water-monthly"
FORM = """
id: water-monthly
version: 1
title: Báo cáo tháng về nước sạch nông thôn
period: {kind: monthly, opens: {day: 1, time: "08:00"}, deadline: {day: 5, time: "15:00"}}
sections:
  - {id: supply, label: Cấp nước}
fields:
  - {id: households, label: Số hộ được cấp nước sạch, short_label: Hộ có nước sạch, kind: count, section: supply}
  - {id: spent, label: Kinh phí đã chi, short_label: Kinh phí, kind: decimal, unit: triệu đồng, decimals: 1,
     section: supply}
  - {id: tested_pct, label: Tỷ lệ mẫu nước đạt chuẩn, short_label: Mẫu đạt chuẩn, kind: percent, decimals: 1}
  - id: plant_state
    label: Tình trạng nhà máy nước
    short_label: Nhà máy
    kind: choice
    options:
      - {id: running, label: Hoạt động bình thường, aliases: [bình thường]}
      - {id: repair, label: Đang sửa chữa}
      - {id: stopped, label: Ngừng hoạt động}
  - id: coverage
    label: Tỷ lệ hộ dùng nước sạch
    short_label: Hộ dùng nước sạch
    kind: target
    unit: "%"
    target: "≥ 98"
    texts: [Không phát sinh]
  - id: inspections
    label: Kiểm tra công trình trong tháng
    short_label: Kiểm tra
    kind: table
    rows:
      - {id: wells, label: Số giếng đã kiểm tra, kind: count}
      - {id: tanks, label: Số bể chứa đã vệ sinh, kind: count}
  - id: works
    label: Công trình đang thi công
    short_label: Công trình
    kind: table
    max_rows: 3
    columns:
      - {id: name, label: Tên công trình, kind: text, max_length: 200}
      - id: state
        label: Tiến độ
        kind: choice
        other: true
        options:
          - {id: done, label: Đã hoàn thành}
          - {id: in_progress, label: Đang thi công}
rollup:
  figures:
    - {id: households, how: sum}
    - {id: tested, how: spread, of: tested_pct, label: Mẫu nước đạt chuẩn}
    - {id: coverage_met, how: target, of: coverage, target: {ge: 98}, label: Xã đạt chỉ tiêu nước sạch}
    - id: works_state
      how: statuses
      of: works
      column: state
      label: Công trình
      statuses: {done: Đã hoàn thành, in_progress: Đang thi công}
  message:
    - figure: households
    - figure: tested
    - figure: coverage_met
    - figure: works_state
  docx:
    title: Tổng hợp nước sạch nông thôn
    subject: tình hình nước sạch nông thôn
    figures:
      - "- Hộ được cấp nước sạch: {households}; {coverage_met.met}/{coverage_met.counted} xã đạt chỉ tiêu."
      - "- Công trình: {works_state}."
"""
TEMPLATE_LINES = [
    "BÁO CÁO NƯỚC SẠCH NÔNG THÔN",
    "Số hộ được cấp nước sạch: {{ households }}",
    "Kinh phí đã chi: {{ spent }} triệu đồng",
    "Tỷ lệ mẫu nước đạt chuẩn: {{ tested_pct }}%",
    "Nhà máy nước: {{ plant_state }}",
    "Tỷ lệ hộ dùng nước sạch: {{ coverage }}",
    "{%p for row in inspections_rows %}",
    "{{ row.label }}: {{ row.result }}",
    "{%p endfor %}",
    "{%p for row in works_rows %}",
    "Công trình {{ row.number }}: {{ row.name }} ({{ row.state }})",
    "{%p endfor %}",
]


def write_third_form(templates: Path) -> Path:
    """``templates/forms/water-monthly.yaml`` and ``templates/water-monthly.docx`` (the .docx named
    after the form's id, as bot/documents/render.py finds a form's template); returns ``templates``."""
    (templates / "forms").mkdir(parents=True, exist_ok=True)
    (templates / "forms" / f"{FORM_ID}.yaml").write_text(FORM, encoding="utf-8")
    document = WordDocument()
    for line in TEMPLATE_LINES:
        document.add_paragraph(line)
    document.save(str(templates / f"{FORM_ID}.docx"))
    return templates

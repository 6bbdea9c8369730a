"""The words /nhapthay matches in what a supervisor types, read from the catalogue: the
explanation's label in any case, with or without diacritics and with extra spaces."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain.forms import WEEKLY_FORM_ID, load_forms
from bot.supervising.on_behalf import parse_entry

WEEKLY = load_forms(Path(__file__).resolve().parents[2] / "templates" / "forms")[WEEKLY_FORM_ID]


@pytest.mark.parametrize("label", ["Giải trình", "giai trinh", "LÝ DO", "Giải  trình   số liệu", "- ly do"])
def test_the_explanation_label_is_read_whatever_way_it_is_typed(label: str) -> None:
    values, explanation, unknown = parse_entry(WEEKLY, [f"{label}: Hồ sơ chuyển từ hệ thống cũ."])
    assert (values, explanation, unknown) == ({}, "Hồ sơ chuyển từ hệ thống cũ.", [])


def test_another_label_is_not_the_explanation() -> None:
    _, explanation, unknown = parse_entry(WEEKLY, ["Ghi chú: không có"])
    assert explanation == "" and unknown == ["Ghi chú: không có"]

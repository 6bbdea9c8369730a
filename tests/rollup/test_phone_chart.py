"""The rollup's picture for the chat fits a phone (issue 16, item 10): at most 1,280 px tall for a
province of 96 communes and for a country of 3,321, showing who reported, how the main rates are
spread and the ten weakest communes; the chart of every commune goes in the .xlsx."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.clock import VN_TZ
from bot.documents.rollup_docx import TEMPLATE_NAME
from bot.domain.forms import Form
from bot.domain.rollup import Report, RollupInput, RollupPeriod, RollupUnit
from bot.domain.rollup_ranking import rank
from bot.supervising.rollup_service import build_files
from tests.rollup.conftest import TEMPLATES
from tests.rollup.generate import week_answers

PERIOD = RollupPeriod("2025-W50", "Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025)", "Tuần 50/2025",
                      date(2025, 12, 8), date(2025, 12, 14), datetime(2025, 12, 18, 15, tzinfo=VN_TZ))


def _input(form: Form, communes: int, reporting: int, provinces: int) -> RollupInput:
    """``communes`` communes in ``provinces`` provinces, ``reporting`` of them reported (balanced weeks)."""
    rng = random.Random(communes)
    units = []
    for index in range(communes):
        province = f"{index % provinces + 1:02d}"
        units.append(RollupUnit(f"{index:05d}", f"X{index}", f"Xã X{index}", province, f"Tỉnh T{province}"))
    reports = {
        unit.code: Report(unit.code, week_answers(rng, rng.randint(0, 10)),
                          submitted_at=datetime(2025, 12, 15 + index % 5, 9, tzinfo=VN_TZ))
        for index, unit in enumerate(rng.sample(units, reporting))
    }
    national = provinces > 1
    return RollupInput(form, PERIOD, "Toàn quốc" if national else "Tỉnh T01", units, reports,
                       scope_code=None if national else "01")


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every figure saved, to read what it shows."""
    from matplotlib.figure import Figure

    seen: list[Any] = []
    original = Figure.savefig

    def savefig(self: Figure, *args: Any, **kwargs: Any) -> Any:
        seen.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", savefig)
    yield seen


@pytest.mark.parametrize(("communes", "reporting", "provinces"), [(96, 5, 1), (3321, 3000, 34)])
def test_the_chat_picture_fits_a_phone(form: Form, figures: list[Any], communes: int, reporting: int,
                                       provinces: int) -> None:
    data = _input(form, communes, reporting, provinces)
    files = build_files(data, report_date=date(2025, 12, 19), template=TEMPLATES / TEMPLATE_NAME, tz=VN_TZ)
    width, height = Image.open(io.BytesIO(files.chart)).size
    assert height <= 1280 and width <= 800, (width, height)

    picture = next(figure for figure in figures if figure.get_size_inches()[1] * figure.dpi == height)
    shown = [text.get_text() for axes in picture.axes for text in axes.texts]
    shown += [text.get_text() for axes in picture.axes if axes.get_legend() is not None
              for text in axes.get_legend().get_texts()]
    shown += [axes.get_title(loc) for axes in picture.axes for loc in ("left", "right")]
    done = files.rollup.completeness
    assert f"Đúng hạn {done.on_time:,}".replace(",", ".") in shown
    assert f"Chưa nộp {done.missing:,}".replace(",", ".") in shown
    assert "Số đơn vị theo mức tỷ lệ" in shown
    weakest = rank(files.rollup)[-10:]
    assert len(weakest) == min(10, reporting)
    for item in weakest:
        assert any(text.startswith(f"{item.place}. {item.row.unit.full_name}") for text in shown), item.row.unit

    if provinces > 1:  # nationally the ranking in the message names each commune's province
        weakest_line = next(line for line in files.message.splitlines() if line.startswith("• 5 đơn vị thấp nhất"))
        item = weakest[-1]
        assert f"{item.place}. {item.row.unit.full_name} ({item.row.unit.province_name}) " in weakest_line

    # the chart of every commune (or province) is in the .xlsx
    full = Image.open(io.BytesIO(files.full_chart)).size
    assert files.full_chart_name.startswith("bieu-do-day-du-")
    book = load_workbook(io.BytesIO(files.xlsx))
    assert len(book["Biểu đồ"]._images) == 1  # noqa: SLF001 - openpyxl keeps pictures there
    if provinces == 1:
        assert full[1] > 1280  # one bar per commune: too tall for the chat, kept in the file

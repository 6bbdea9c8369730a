"""Golden outputs of the weekly form's rollup, recorded before its rollup moved from code into the
form file (issue 14, item 6) and compared after: the chat message, the summed figures and rates
(the province's, each commune's, last week's, the changes), every cell of the .xlsx, every
paragraph and table cell of the .docx with the template's variables, and what the chart plots
(bars, dashed lines, texts, title, legend) — for the generated province (tests/rollup/scenario.py:
92 communes, missing, late, returned, anomalies, difficulties) and for a national rollup (that
province and one where nobody reported), and for a province of 148 communes (its chart by band).

The recordings live in tests/rollup/golden/; ``GOLDEN_WRITE=1`` rewrites them (only when an
output is meant to change, and the diff is then read)."""

from __future__ import annotations

import io
import json
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from bot.administering.units import official_units
from bot.clock import VN_TZ
from bot.documents.rollup_docx import build_docx_context
from bot.domain.rollup import Rollup
from bot.supervising.rollup_service import RollupFiles, build_files, load_input
from storage import Storage
from tests.integration.seed import load_units
from tests.rollup import scenario as sc
from tests.rollup.conftest import TEMPLATES

GOLDEN = Path(__file__).resolve().parent / "golden"
REPORT_DATE = date(2025, 12, 19)
OTHER_PROVINCE = "12"
LARGE_PROVINCE = "25"  # 148 communes  # 38 communes, none of which reports: a national rollup's empty group


@dataclass
class Made:
    files: RollupFiles
    context: dict[str, Any]
    chart: list[dict[str, Any]]


def _plain(value: Any) -> Any:
    """JSON-able, exact: decimals and floats as text, dates in ISO form."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return f"D{value}"
    if isinstance(value, float):
        return f"F{round(value, 6)!r}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@pytest.fixture
def charts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Every figure the chart saves, read back as what it plots."""
    from matplotlib.figure import Figure

    seen: list[dict[str, Any]] = []
    original = Figure.savefig

    def savefig(self: Figure, *args: Any, **kwargs: Any) -> Any:
        seen.append(_figure(self))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", savefig)
    yield seen


def _color(value: Any) -> str:
    from matplotlib.colors import to_hex

    return str(to_hex(value))


def _figure(figure: Any) -> dict[str, Any]:
    axes_out = []
    for axes in figure.axes:
        collections = []
        for collection in axes.collections:
            collections.append({
                "label": collection.get_label(),
                "colors": sorted({_color(c) for c in collection.get_colors()}),
                "segments": [[[round(float(x), 6) for x in point] for point in segment]
                             for segment in collection.get_segments()],
            })
        bars = [{"x": round(float(p.get_x()), 6), "width": round(float(p.get_width()), 6),
                 "height": round(float(p.get_height()), 6),
                 "color": _color(p.get_facecolor()), "label": p.get_label()} for p in axes.patches]
        containers = [c.get_label() for c in axes.containers]
        lines = [{"x": [round(float(x), 6) for x in line.get_xdata()], "color": _color(line.get_color()),
                  "style": line.get_linestyle()} for line in axes.lines]
        texts = [{"at": [round(float(x), 6) for x in t.get_position()], "text": t.get_text(),
                  "color": _color(t.get_color()), "size": t.get_fontsize(), "style": t.get_style()}
                 for t in axes.texts]
        legend = axes.get_legend()
        axes_out.append({
            "collections": collections, "bars": bars, "containers": containers, "lines": lines, "texts": texts,
            "legend": [t.get_text() for t in legend.get_texts()] if legend is not None else [],
            "xlim": [round(float(x), 6) for x in axes.get_xlim()],
            "ylim": [round(float(x), 6) for x in axes.get_ylim()],
            "xlabel": axes.get_xlabel(), "ylabel": axes.get_ylabel(),
            "xticklabels": [t.get_text() for t in axes.get_xticklabels()],
        })
    title = figure._suptitle.get_text() if figure._suptitle is not None else ""
    return {"size": [round(float(x), 6) for x in figure.get_size_inches()], "title": title, "axes": axes_out}


async def _make(province: str | None, charts: list[dict[str, Any]], form: Any, seeded: str = sc.PROVINCE
                ) -> AsyncIterator[Made]:
    from bot.domain.themes import load_taxonomy

    storage = await Storage.open(":memory:")
    communes = await load_units(storage, seeded)
    if province is None:
        await storage.units.upsert_many(official_units(OTHER_PROVINCE))
    scenario = await sc.build(storage, form, communes)
    data = await load_input(storage, form, scenario.periods[sc.WEEK], province, taxonomy=load_taxonomy(TEMPLATES))
    files = build_files(data, report_date=REPORT_DATE, template=TEMPLATES / "bao-cao-tong-hop.docx", tz=VN_TZ)
    context = build_docx_context(files.rollup, REPORT_DATE, None, VN_TZ)
    yield Made(files, context, list(charts))
    await storage.close()


SCOPES = {"province": (sc.PROVINCE, sc.PROVINCE), "national": (None, sc.PROVINCE),
          # a province too large for a bar per commune: its chart counts communes by band of rate
          "large": (LARGE_PROVINCE, LARGE_PROVINCE)}


@pytest.fixture(params=list(SCOPES))
async def made(request: pytest.FixtureRequest, form: Any, charts: list[dict[str, Any]]) -> AsyncIterator[Made]:
    scope, seeded = SCOPES[request.param]
    async for item in _make(scope, charts, form, seeded):
        yield item


def _figures(rollup: Rollup) -> dict[str, Any]:
    def totals(t: Any) -> dict[str, Any]:
        return {"reported": t.reported, "counts": dict(sorted(t.counts.items())),
                "rates": dict(sorted(t.rates.items()))}

    return _plain({
        "totals": totals(rollup.totals),
        "previous": totals(rollup.previous_totals) if rollup.previous_totals is not None else None,
        "previous_reported": rollup.previous_reported,
        "completeness": vars(rollup.completeness),
        "changes": [[c.ident, c.label, c.current, c.previous, c.is_rate, c.text()] for c in rollup.changes()],
        "rows": [{"code": row.unit.code, "state": row.state, "counts": dict(sorted(row.counts.items())),
                  "rates": dict(sorted(row.rates.items())), "texts": row.texts,
                  "anomalies": [[a.kind, a.key, a.message, a.explanation] for a in row.anomalies]}
                 for row in rollup.rows],
        "groups": [{"code": g.unit.code, "completeness": vars(g.completeness), "totals": totals(g.totals),
                    "anomalies": g.anomalies} for g in rollup.groups],
        "themes": [[t.theme.label, t.unit_count, [[q.unit_code, q.field_id, q.text] for q in t.quotes]]
                   for t in rollup.themes],
    })


def _docx(content: bytes) -> dict[str, Any]:
    document = Document(io.BytesIO(content))
    return {
        "paragraphs": [p.text for p in document.paragraphs],
        "tables": [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables],
    }


def _xlsx(content: bytes) -> dict[str, Any]:
    book = load_workbook(io.BytesIO(content))
    sheets = {}
    for sheet in book.worksheets:
        rows = []
        for row in sheet.iter_rows():
            rows.append([None if cell.value is None else [_plain(cell.value), cell.number_format] for cell in row])
        sheets[sheet.title] = {"rows": rows, "freeze": sheet.freeze_panes, "filter": sheet.auto_filter.ref}
    return sheets


def dump(value: Any, indent: int = 0) -> str:
    """JSON with what fits on a line (a cell, a row of a sheet) kept on one line: short diffs."""
    compact = json.dumps(value, ensure_ascii=False)
    if len(compact) <= 110 or not isinstance(value, dict | list) or not value:
        return compact
    pad = " " * (indent + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {dump(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    return "[\n" + ",\n".join(pad + dump(v, indent + 1) for v in value) + "\n" + " " * indent + "]"


def _check(name: str, actual: Any) -> None:
    path = GOLDEN / f"{name}.json"
    text = dump(json.loads(json.dumps(actual))) + "\n"
    if os.environ.get("GOLDEN_WRITE") == "1":
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert json.loads(text) == expected, f"{name} differs from {path}"


async def test_the_weekly_rollup_is_as_recorded(made: Made, request: pytest.FixtureRequest) -> None:
    scope = request.node.callspec.params["made"]
    files = made.files
    _check(f"{scope}-message", files.message.splitlines())
    if scope != "large":  # the large province is there for its chart
        _check(f"{scope}-figures", _figures(files.rollup))
        _check(f"{scope}-docx-context", _plain(made.context))
        _check(f"{scope}-docx", _docx(files.docx))
        _check(f"{scope}-xlsx", _xlsx(files.xlsx))
    assert len(made.chart) == 2 and files.chart.startswith(b"\x89PNG")  # the phone's picture, every commune's
    _check(f"{scope}-phone-chart", made.chart[0])
    _check(f"{scope}-chart", made.chart[1])
    _check(f"{scope}-names", [files.chart_name, files.docx_name, files.xlsx_name, files.full_chart_name])

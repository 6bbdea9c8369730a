"""Honest blanks in an import (issue 15, item 3): JSON null or "-" for an optional count is a
blank, stored as null in the submission, never 0; on a required count "-" is refused."""

from __future__ import annotations

import json
from pathlib import Path

from bot.clock import VN_TZ
from bot.importing.entry import import_rows, read_rows
from storage import Storage
from tests.integration.seed import load_units
from tests.rollup.test_import_edges import NOW, good


async def test_null_and_dash_import_as_blanks(tmp_path: Path, form) -> None:
    storage = await Storage.open(tmp_path / "db.sqlite3")
    try:
        codes = [unit.code for unit in await load_units(storage)]
        blank = dict(good(), digitized=None, e_results="-")
        dashed = dict(good(), carried_over="-")
        rows = [{"unit": codes[0], "period": "2025-W49", "answers": blank},
                {"unit": codes[1], "period": "2025-W49", "answers": dashed}]
        path = tmp_path / "rows.json"
        path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        results = await import_rows(storage, form, read_rows(path, form, VN_TZ), now=NOW)
        assert [r.outcome for r in results] == ["added", "error"]
        period = await storage.periods.get(form.id, "2025-W49")
        stored = (await storage.submissions.versions(period.id, codes[0]))[0].answers
        assert "digitized" in stored and stored["digitized"] is None and stored["e_results"] is None
    finally:
        await storage.close()

"""The rollup's loading reads each commune's first version (when it was first sent, and whether
that moment is known) in one query for the whole period, not one query per commune that sent its
report again: the number of statements does not grow with the communes that re-sent."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from bot.clock import VN_TZ
from bot.domain.forms import Form
from bot.supervising.rollup_service import load_input
from storage import Storage
from tests.integration.seed import load_units
from tests.rollup.generate import ensure_period
from tests.rollup.test_import_edges import good

FIRST = datetime(2025, 12, 16, 9, 0, tzinfo=VN_TZ)


async def _statements_loading(folder: Path, form: Form, resent: int) -> tuple[int, dict[str, tuple[datetime, bool]]]:
    """(statements run by ``load_input``, each commune's first sent moment and untimed) with
    ``resent`` communes that sent two versions, the first imported without its moment."""
    storage = await Storage.open(folder / f"db{resent}.sqlite3")
    try:
        communes = (await load_units(storage))[:resent + 2]
        period = await ensure_period(storage, form, "2025-W50")
        for index, unit in enumerate(communes):
            again = index < resent
            await storage.submissions.add_version(period.id, unit.code, good(1), {}, None, FIRST, untimed=again)
            if again:
                await storage.submissions.add_version(period.id, unit.code, good(2), {}, None,
                                                      FIRST + timedelta(days=2), late=True)
        seen: list[str] = []
        await storage.db._reader.set_trace_callback(seen.append)
        if storage.db._inline is not None:
            storage.db._inline.set_trace_callback(seen.append)
        loaded = await load_input(storage, form, period, communes[0].province_code)
        await storage.db._reader.set_trace_callback(None)
        if storage.db._inline is not None:
            storage.db._inline.set_trace_callback(None)
        firsts = {code: (report.first_submitted_at, report.untimed) for code, report in loaded.reports.items()}
        return len([sql for sql in seen if sql.lstrip().upper().startswith("SELECT")]), firsts
    finally:
        await storage.close()


async def test_first_versions_are_read_in_one_query_whatever_the_communes(tmp_path: Path, form: Form) -> None:
    few, few_firsts = await _statements_loading(tmp_path, form, resent=1)
    many, many_firsts = await _statements_loading(tmp_path, form, resent=6)
    assert many == few
    assert len(many_firsts) == 8
    assert sorted(many_firsts.values(), key=lambda first: first[1]) == [(FIRST, False)] * 2 + [(FIRST, True)] * 6
    assert sorted(few_firsts.values(), key=lambda first: first[1]) == [(FIRST, False)] * 2 + [(FIRST, True)]

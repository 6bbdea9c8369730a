"""A submission records its form's id and version (schema v5): rows stored before keep their
period's form as version 1; the text of each form version is kept once; an old report is read
with the version it answered after the form file has moved on."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from storage_helpers import T0

from bot.clock import FakeClock
from bot.domain.forms import WEEKLY_FORM_ID
from bot.reporting.form_versions import remember_forms
from bot.services import Services
from bot.settings import Settings
from storage import Database, Storage
from storage.codec import dt_text

WEEKLY = Path(__file__).resolve().parents[2] / "templates" / "forms" / "tthc-weekly.yaml"


async def _old_database(path: Path) -> None:
    """A v4 database with a period and two versions of a report, written as v4 wrote them."""
    db = await Database.open(path, target_version=4)
    t = dt_text(T0)
    try:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO units VALUES ('51', 'Quảng Ngãi', 'Tỉnh Quảng Ngãi', 'province', 'tỉnh',"
                               " '51', 'tinh quang ngai')")
            await conn.execute("INSERT INTO units VALUES ('21370', 'Phước Giang', 'Xã Phước Giang', 'commune', 'xã',"
                               " '51', 'xa phuoc giang')")
            await conn.execute(
                "INSERT INTO periods (id, form_id, key, starts_on, ends_on, opens_at, deadline_at)"
                " VALUES (1, 'tthc-weekly', '2025-W50', '2025-12-08', '2025-12-14', ?, '2025-12-18T15:00:00+07:00')",
                (t,))
            for version in (1, 2):
                await conn.execute(
                    "INSERT INTO submissions (period_id, unit_code, version, answers, explanations, submitted_at)"
                    " VALUES (1, '21370', ?, '{\"received_in_person\":42}', '{}', ?)", (version, t))
    finally:
        await db.close()


async def test_old_rows_take_their_periods_form_as_version_1(db_path: Path) -> None:
    await _old_database(db_path)
    storage = await Storage.open(db_path)
    try:
        versions = await storage.submissions.versions(1, "21370")
        assert [(s.version, s.form_id, s.form_version) for s in versions] == [
            (1, WEEKLY_FORM_ID, 1), (2, WEEKLY_FORM_ID, 1)]
        with pytest.raises(sqlite3.IntegrityError, match="never overwritten"):
            await storage.db.execute("UPDATE submissions SET form_version = 2 WHERE id = 1")
        # a new version names the version of the form it answered …
        third = await storage.submissions.add_version(1, "21370", {"received_in_person": 43}, {}, None, T0,
                                                      form_version=3)
        assert (third.form_id, third.form_version) == (WEEKLY_FORM_ID, 3)
        # … or, unnamed, takes the latest version recorded of its form
        await storage.form_versions.record(WEEKLY_FORM_ID, 4, "Báo cáo tuần", "id: tthc-weekly", T0)
        fourth = await storage.submissions.add_version(1, "21370", {"received_in_person": 44}, {}, None, T0)
        assert fourth.form_version == 4
    finally:
        await storage.close()


async def test_a_versions_text_is_kept_once(storage: Storage) -> None:
    first = await storage.form_versions.record("nq57-monthly", 1, "Báo cáo tháng", "id: nq57-monthly\n", T0)
    again = await storage.form_versions.record("nq57-monthly", 1, "Báo cáo tháng", "id: changed\n", T0)
    assert first.source == again.source == "id: nq57-monthly\n"
    assert [(r.form_id, r.version) for r in await storage.form_versions.all()] == [("nq57-monthly", 1)]


async def test_an_old_report_is_read_with_the_version_it_answered(tmp_path: Path, db_path: Path) -> None:
    await _old_database(db_path)
    forms_dir = tmp_path / "forms"
    forms_dir.mkdir()
    old_text = re.sub(r"^version: \d+$", "version: 1", WEEKLY.read_text(encoding="utf-8"), flags=re.M)  # as first shipped
    (forms_dir / "tthc-weekly.yaml").write_text(old_text, encoding="utf-8")
    settings = Settings(_env_file=None, forms_dir=forms_dir, database_path=db_path)
    storage = await Storage.open(db_path)
    try:
        from bot.domain.forms import load_forms

        first = Services(settings=settings, clock=FakeClock(T0), forms=load_forms(forms_dir))
        first.attach_storage(storage)
        assert await remember_forms(first) == []  # version 1's text stored at the first start

        # the form changes: version 2 renames a field
        new_text = old_text.replace("version: 1", "version: 2").replace(
            "label: Hồ sơ được số hóa", "label: Hồ sơ, kết quả được số hóa")
        (forms_dir / "tthc-weekly.yaml").write_text(new_text, encoding="utf-8")
        later = Services(settings=settings, clock=FakeClock(T0), forms=load_forms(forms_dir))
        later.attach_storage(storage)
        assert await remember_forms(later) == []
        assert later.versions.versions(WEEKLY_FORM_ID) == [1, 2]

        old = await storage.submissions.latest(1, "21370")
        assert old is not None and old.form_version == 1
        answered = later.form_of(old.form_id, old.form_version)
        assert answered.version == 1 and answered.field("digitized").label == "Hồ sơ được số hóa"
        assert later.form_of(WEEKLY_FORM_ID, 2).field("digitized").label == "Hồ sơ, kết quả được số hóa"

        # a file changed without raising its version is named, and the stored text stays
        (forms_dir / "tthc-weekly.yaml").write_text(new_text.replace("Hồ sơ, kết quả", "Hồ sơ, giấy tờ"),
                                                    encoding="utf-8")
        assert await remember_forms(later) == [WEEKLY_FORM_ID]
        record = await storage.form_versions.get(WEEKLY_FORM_ID, 2)
        assert record is not None and record.source == new_text
    finally:
        await storage.close()

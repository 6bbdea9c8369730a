"""Import files as untrusted input (issue 12): every bad row fails alone with its Vietnamese reason
while the others are stored; the later row of a commune and period wins; importing twice adds
nothing; the bot's writes get in between batches."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.clock import VN_TZ
from bot.documents.rollup_xlsx import MAIN_SHEET, PERIOD, UNIT_CODE
from bot.importing.batches import import_stream
from bot.importing.entry import ImportFileError, import_rows, read_rows
from storage import Storage
from tests.integration.seed import load_units
from tests.rollup import scenario as sc

NOW = datetime(2025, 12, 19, 9, 0, tzinfo=VN_TZ)


def good(index: int = 3) -> dict:
    return sc.steady(index, 1, 12)


async def versions(storage: Storage) -> int:
    return int(await storage.db.fetch_value("SELECT count(*) FROM submissions") or 0)


def write_json(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


async def test_bad_json_rows_fail_alone_with_their_reason(tmp_path: Path, form) -> None:
    storage = await Storage.open(tmp_path / "db.sqlite3")
    try:
        codes = [unit.code for unit in await load_units(storage)]
        items = [
            json.dumps({"unit": codes[0], "period": "2025-W49", "answers": good()}),
            json.dumps({"unit": codes[1], "period": "9999-W52", "answers": good()}),
            json.dumps({"unit": codes[2], "period": "2025-W49", "answers": {"legal": "DEEP"}}).replace(
                '"DEEP"', "[" * 5000 + "]" * 5000),
            json.dumps({"unit": codes[3], "period": "2025-W49", "answers": dict(good(), legal="\ud800")}),
            json.dumps({"unit": codes[4], "period": "2025-W49", "answers": {"carried_over": "BIG"}}).replace(
                '"BIG"', "7" * 5000),
            json.dumps({"unit": codes[5], "period": "2025-W49", "answers": good(),
                        "submitted_at": "2019-01-01T08:00:00+07:00"}),
            json.dumps({"unit": codes[6], "period": "2030-W10", "answers": good()}),
            json.dumps({"unit": codes[7], "period": "2040-W01", "answers": good()}),
            json.dumps({"unit": codes[8], "period": "2025-W49", "answers": dict(good(), legal={"a": 1})}),
            json.dumps({"unit": codes[9], "period": "2025-W49", "answers": good()}),
        ]
        path = write_json(tmp_path / "bad.json", "[" + ",\n".join(items) + "]")
        results = await import_rows(storage, form, read_rows(path, form, VN_TZ), now=NOW)
        by_where = {r.where: r for r in results}
        assert [r.outcome for r in results] == ["added"] + ["error"] * 8 + ["added"], [r.line() for r in results]
        assert "kỳ «9999-W52» không hợp lệ" in by_where["mục 2"].message
        assert "lồng nhau quá sâu" in by_where["mục 3"].message
        assert "ký tự không đọc được" in by_where["mục 4"].message
        assert "số quá lớn" in by_where["mục 5"].message
        assert "trước khi kỳ 2025-W49 bắt đầu" in by_where["mục 6"].message
        assert "chưa tới" in by_where["mục 7"].message and "chưa tới" in by_where["mục 8"].message
        assert "phải là một đoạn chữ" in by_where["mục 9"].message
        assert await versions(storage) == 2
    finally:
        await storage.close()


async def test_non_utf8_json_names_the_row(tmp_path: Path, form) -> None:
    storage = await Storage.open(tmp_path / "db.sqlite3")
    try:
        codes = [unit.code for unit in await load_units(storage)]
        first = json.dumps({"unit": codes[0], "period": "2025-W49", "answers": good()}).encode()
        second = json.dumps({"unit": codes[1], "period": "2025-W49",
                             "answers": dict(good(), legal="LEGAL")}).encode().replace(b"LEGAL", b"Nh\xf0 k\xec")
        path = write_json(tmp_path / "latin.json", b"[" + first + b"," + second + b"]")
        results = await import_rows(storage, form, read_rows(path, form, VN_TZ), now=NOW)
        assert [r.outcome for r in results] == ["added", "error"]
        assert results[1].where == "mục 2" and "không phải UTF-8" in results[1].message
    finally:
        await storage.close()


def sheet_file(path: Path, rows: list[list], form) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = MAIN_SHEET
    counts = [f.id for f in form.count_fields]
    sheet.append([UNIT_CODE, PERIOD, *(form.field(i).label for i in counts), *(f.label for f in form.text_fields)])
    for code, period, answers in rows:
        sheet.append([code, period, *(answers.get(i) for i in counts),
                      *(answers.get(f.id) for f in form.text_fields)])
    book.save(path)
    return path


def tamper(path: Path, change) -> Path:
    """The same .xlsx with its sheet's XML changed."""
    out = path.with_name("tampered-" + path.name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(item, data)
    return out


async def test_malformed_and_hostile_sheets_name_the_row(tmp_path: Path, form) -> None:
    storage = await Storage.open(tmp_path / "db.sqlite3")
    try:
        codes = [unit.code for unit in await load_units(storage)]
        path = sheet_file(tmp_path / "r.xlsx", [(codes[0], "2025-W49", good()), (codes[1], "2025-W49", good())],
                          form)
        broken = tamper(path, lambda xml: xml.replace(b'<row r="3"', b'<row r="3"><c r="A3"<<'))
        results = await import_rows(storage, form, read_rows(broken, form, VN_TZ), now=NOW)
        assert [r.outcome for r in results] == ["added", "error"], [r.line() for r in results]
        assert results[1].where == "dòng 3" and "bị hỏng" in results[1].message
        hostile = tamper(path, lambda xml: xml.replace(
            b"<worksheet", b'<!DOCTYPE w [<!ENTITY x SYSTEM "file:///etc/passwd">]><worksheet', 1).replace(
            b"</sheetData>", b"</sheetData>&x;"))
        with pytest.raises(ImportFileError, match="thực thể XML") as refused:  # openpyxl reads the sheet on opening
            list(read_rows(hostile, form, VN_TZ))
        assert "root:" not in str(refused.value)
    finally:
        await storage.close()


async def test_later_row_wins_and_twice_adds_nothing(tmp_path: Path, form) -> None:
    storage = await Storage.open(tmp_path / "db.sqlite3")
    try:
        codes = [unit.code for unit in await load_units(storage)]
        later = dict(good(), legal="Bản sửa sau.")
        path = sheet_file(tmp_path / "twice.xlsx", [(codes[0], "2025-W49", good()), (codes[1], "2025-W49", good()),
                                                    (codes[0], "2025W49", later)], form)
        first = await import_rows(storage, form, read_rows(path, form, VN_TZ), now=NOW)
        assert [r.outcome for r in first] == ["skipped", "added", "added"]
        assert "dòng 4" in first[0].message
        period = await storage.periods.get(form.id, "2025-W49")
        stored = await storage.submissions.versions(period.id, codes[0])
        assert len(stored) == 1 and stored[0].answers["legal"] == "Bản sửa sau."
        again = await import_rows(storage, form, read_rows(path, form, VN_TZ), now=NOW)
        assert [r.outcome for r in again] == ["skipped", "unchanged", "unchanged"]
        assert await versions(storage) == 2
    finally:
        await storage.close()


async def test_dry_run_stores_nothing(tmp_path: Path, form) -> None:
    storage = await Storage.open(tmp_path / "db.sqlite3")
    try:
        codes = [unit.code for unit in await load_units(storage)]
        rows = read_rows(sheet_file(tmp_path / "d.xlsx", [(codes[0], "2025-W48", good())], form), form, VN_TZ)
        results = await import_rows(storage, form, rows, now=NOW, dry_run=True)
        assert [r.outcome for r in results] == ["added"]
        assert await versions(storage) == 0
        assert await storage.db.fetch_value("SELECT count(*) FROM periods") == 0
    finally:
        await storage.close()


async def test_another_writer_gets_in_between_batches(tmp_path: Path, form) -> None:
    """An import of several batches: after each batch, a write from another connection (as the bot
    writes) succeeds at once — with one transaction around the import it waited for the end."""
    importer = await Storage.open(tmp_path / "db.sqlite3")
    bot = await Storage.open(tmp_path / "db.sqlite3")
    try:
        communes = await load_units(importer)
        rows = [sc_row(i, unit.code) for i, unit in enumerate(communes[:12])]
        period = await bot.periods.upsert(form.id, "2025-W51", datetime(2025, 12, 15).date(),
                                          datetime(2025, 12, 21).date(), NOW, NOW)
        draft = await bot.drafts.get_or_create(period.id, communes[0].code, NOW)
        await bot.db.pragma("busy_timeout")
        await bot.db._writer.execute("PRAGMA busy_timeout = 0")  # refuse at once instead of waiting
        written = 0
        async for _ in import_stream(importer, form, rows, now=NOW, batch_rows=4):
            await bot.drafts.set_answer(draft.id, "received_postal", written, None, NOW)
            written += 1
        assert written == 12 and await versions(importer) == 12
    finally:
        await importer.close()
        await bot.close()


def sc_row(index: int, code: str):
    from bot.importing.entry import Row

    return Row(where=f"mục {index + 1}", unit=code, period="2025-W49", answers=good(index))


async def test_the_command_lets_the_bot_write_during_an_import(tmp_path: Path, form, monkeypatch) -> None:
    """`python -m bot import`'s own function, with the bot writing on the same file meanwhile and
    refusing to wait (busy_timeout 0): some of its writes get in while the import runs (before,
    one transaction held the file from the first row to the last: every one was "database is
    locked")."""
    import asyncio
    import io
    import sqlite3

    from bot.commands.importing import run_import
    from bot.importing import batches as import_batches
    from bot.settings import Settings

    monkeypatch.setattr(import_batches, "BATCH_ROWS", 3)
    database = tmp_path / "db.sqlite3"
    bot = await Storage.open(database)
    try:
        communes = await load_units(bot)
        period = await bot.periods.upsert(form.id, "2025-W51", datetime(2025, 12, 15).date(),
                                          datetime(2025, 12, 21).date(), NOW, NOW)
        draft = await bot.drafts.get_or_create(period.id, communes[0].code, NOW)
        await bot.db._writer.execute("PRAGMA busy_timeout = 0")  # refuse at once instead of waiting
        rows = [sc_row(i, unit.code) for i, unit in enumerate(communes[:30])]
        settings = Settings(database_path=database, _env_file=None)  # type: ignore[call-arg]
        importing = asyncio.create_task(run_import(settings, form, rows, period=None, province=None, dry_run=False,
                                                   out=io.StringIO()))
        written = locked = 0
        while not importing.done():
            try:
                await bot.drafts.set_answer(draft.id, "received_postal", written, None, NOW)
                if await versions(bot) not in (0, 30):  # the import is under way
                    written += 1
            except sqlite3.OperationalError as exc:
                assert "locked" in str(exc)
                locked += 1
            await asyncio.sleep(0)
        summary, failed = await importing
        assert not failed and "lưu mới 30" in summary
        assert written > 0, f"every write during the import was refused ({locked} times)"
    finally:
        await bot.close()


async def test_files_are_bounded_in_size_and_rows(tmp_path: Path, form, monkeypatch) -> None:
    from bot.importing import reading as import_reading

    storage = await Storage.open(tmp_path / "db.sqlite3")
    try:
        codes = [unit.code for unit in await load_units(storage)]
        items = [{"unit": code, "period": "2025-W49", "answers": good(i)} for i, code in enumerate(codes[:3])]
        path = write_json(tmp_path / "three.json", json.dumps(items))
        monkeypatch.setattr(import_reading, "MAX_ROWS", 2)
        results = await import_rows(storage, form, read_rows(path, form, VN_TZ), now=NOW)
        assert [r.outcome for r in results] == ["added", "added", "error"]
        assert results[2].where == "mục 3" and "tệp quá 2 dòng" in results[2].message
        monkeypatch.setattr(import_reading, "MAX_FILE_BYTES", 100)
        with pytest.raises(ImportFileError, match="quá lớn"):
            read_rows(path, form, VN_TZ)
        monkeypatch.setattr(import_reading, "MAX_FILE_BYTES", 2**30)
        monkeypatch.setattr(import_reading, "MAX_PART_BYTES", 1000)
        sheet = sheet_file(tmp_path / "s.xlsx", [(codes[0], "2025-W49", good())], form)
        with pytest.raises(ImportFileError, match="giải nén quá lớn"):
            read_rows(sheet, form, VN_TZ)
    finally:
        await storage.close()

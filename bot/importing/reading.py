"""Reading an import file row by row, as untrusted input: bounded in size and rows, streamed (an
.xlsx through openpyxl's read-only reader after a look at every XML part's prolog, where a DTD —
the only place XML entities can be declared (XXE, "billion laughs") — is refused; a JSON list item
by item), and every row that cannot be read becomes a :class:`Row` with a ``problem`` naming it
("dòng 12", "mục 3") instead of an exception that loses the whole file.

- JSON: a list of objects ``{"unit": "01894", "period": "2025-W50", "answers": {field id: value},
  "explanations": {check: reason}}`` (``explanations`` and ``submitted_at`` optional), or
  ``{"reports": [...]}``;
- .xlsx: the rollup's sheet "Theo xã" (one row per commune: "Mã xã", "Kỳ báo cáo", one column per
  field named by its label, "Giải trình", "Nộp lúc"), so an export re-imports; columns of derived
  figures, rates and status are ignored, and a province's own sheet with the same headers works
  too (headers matched without diacritics; a field's short label or id also names it).
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from bot.chat.catalogue import say
from bot.documents.rollup_xlsx import (
    EXPLANATIONS,
    MAIN_SHEET,
    PERIOD,
    SUBMITTED_AT,
    UNIT_CODE,
    UNIT_NAME,
    computed_headers,
)
from bot.domain.arguments import keywords
from bot.domain.forms import Form
from bot.domain.rollup import explanation_text
from bot.domain.text import fold

MAX_FILE_BYTES = 256 * 1024 * 1024  # a file this big is refused before it is opened
MAX_ROWS = 200_000  # rows read at most; the rest of a longer file is refused with a reason
MAX_COLUMNS = 200  # cells read per spreadsheet row
MAX_ITEM_CHARS = 1024 * 1024  # a JSON item longer than this is refused
MAX_DIGITS = 30  # a number written with more digits is refused (never a count)
MAX_PART_BYTES = 1024 * 2**20  # an .xlsx part unpacked (a sheet is streamed: this bounds the time)
MAX_SHARED_TEXT_BYTES = 128 * 2**20  # the shared texts unpacked (held in memory by openpyxl)
MAX_OBJECT_FILE_BYTES = 32 * 2**20  # a JSON file in the older {"reports": [...]} form is read whole
_CHUNK = 1024 * 1024
_UNREADABLE = re.compile("[\ud800-\udfff\ufffd]")


class ImportFileError(Exception):
    """A file that cannot be read at all (not one bad row); Vietnamese."""


class TooLong(str):
    """A JSON number with too many digits to be a count, kept as its text (never converted)."""


@dataclass
class Row:
    """One report read from a file or a message, before checking; ``problem``: why it could not
    be read (it is then refused with that reason)."""

    where: str  # "dòng 3", "mục 2"
    unit: str = ""  # official code as written
    period: str = ""  # "2025-W50"
    answers: dict[str, Any] = field(default_factory=dict)  # field id → raw value
    explanations: dict[str, str] = field(default_factory=dict)
    submitted_at: datetime | None = None
    unit_name: str = ""
    problem: str = ""


def unreadable_text(value: str) -> bool:
    """A text with lone surrogates (forged escapes) or replacement characters (a file not in
    UTF-8): SQLite cannot store the former, and the latter mean the text was lost."""
    return _UNREADABLE.search(value) is not None


# --- headers -----------------------------------------------------------------------------------


def _header_key(text: str) -> str:
    return " ".join(fold(str(text)).replace(":", " ").replace(",", " ").split())


def header_map(form: Form, headers: Sequence[Any]) -> tuple[dict[int, str], dict[str, int]]:
    """(column → field id, special name → column) for a header row. A field is named by its
    label, short label or id (diacritics ignored); derived figures, rates and status columns are
    left out before any looser match, and no field takes two columns."""
    exact: dict[str, str] = {}
    for item in form.fields:
        for name in (item.label, item.short_label or "", item.id):
            if name:
                exact.setdefault(_header_key(name), item.id)
    special_names = {
        "unit": [UNIT_CODE, "Mã đơn vị", "Mã", "Mã xã, phường", "unit"],
        "name": [UNIT_NAME, "Tên xã", "Tên đơn vị", "Đơn vị"],
        "period": [PERIOD, "Kỳ", "period"],
        "explanations": [EXPLANATIONS, "explanations"],
        "submitted_at": [SUBMITTED_AT, "submitted_at", *keywords("import_times.sent_headers")],
    }
    special_keys = {_header_key(name): special for special, names in special_names.items() for name in names}
    ignored = {_header_key(name) for name in computed_headers(form)}
    ignored |= {_header_key(d.label) for d in form.derived} | {_header_key(r.label) for r in form.rates}
    columns: dict[int, str] = {}
    specials: dict[str, int] = {}
    taken: set[str] = set()
    loose: list[tuple[int, str]] = []
    for index, header in enumerate(headers):
        if not isinstance(header, str | int | float) or not str(header).strip():
            continue
        key = _header_key(str(header))
        if key in special_keys:
            specials.setdefault(special_keys[key], index)
        elif key in exact and exact[key] not in taken:
            columns[index] = exact[key]
            taken.add(exact[key])
        elif key not in ignored and "ty le" not in key:
            loose.append((index, str(header)))
    for index, header in loose:
        matched = form.match_label(header)
        if matched is not None and matched.id not in taken:
            columns[index] = matched.id
            taken.add(matched.id)
    return columns, specials


# --- values ------------------------------------------------------------------------------------


def parse_explanations(text: Any) -> dict[str, str]:
    """ "balance: lý do" per line → {"balance": "lý do"}; a line without a key explains every
    soft break ("*")."""
    found: dict[str, str] = {}
    for line in str(text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        key, sep, reason = line.partition(":")
        if sep and key.strip() and " " not in key.strip():
            found[key.strip()] = reason.strip()
        else:
            found["*"] = line
    return found


def _as_datetime(value: Any, tz: Any) -> datetime | None:
    """A moment as a cell or JSON holds it; ValueError when it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, str) and len(value) <= 40:
        text = value.strip()
        for parse in (datetime.fromisoformat, lambda t: datetime.strptime(t, "%d/%m/%Y %H:%M"),
                      lambda t: datetime.strptime(t, "%d/%m/%Y")):  # a day alone: its start
            try:
                moment = parse(text)
            except ValueError:
                continue
            return moment if moment.tzinfo else moment.replace(tzinfo=tz)
    raise ValueError(say("importing.bad_moment", example="19/12/2025 09:00"))


def _code(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**15:
        value = str(value)
    if not isinstance(value, str):
        return ""
    text = value.strip()[:40]
    return text.zfill(5) if text.isdigit() else text


def _text(value: Any, what: str) -> str:
    """A cell that must be a short text (unit code, name, period); ValueError naming it."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _code(value)
    if not isinstance(value, str):
        raise ValueError(say("importing.not_text", what=what))
    if unreadable_text(value):
        raise ValueError(say("importing.unreadable_text", what=what))
    return value.strip()[:200]


# --- files -------------------------------------------------------------------------------------


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileError(say("importing.cannot_open", path=str(path), reason=exc.strerror or str(exc))) from None
    if size > MAX_FILE_BYTES:
        raise ImportFileError(say("importing.file_too_big", name=path.name, megabytes=MAX_FILE_BYTES // 2**20))


def read_rows(path: Path, form: Form, tz: Any) -> Iterator[Row]:
    """The file's rows one by one (a generator: the file is read as they are taken)."""
    suffix = path.suffix.lower()
    if suffix not in (".json", ".xlsx", ".xlsm"):
        raise ImportFileError(say("importing.not_xlsx_or_json", name=path.name))
    _check_size(path)
    if suffix == ".json":
        return read_json(path, tz)
    return read_xlsx(path, form, tz)


def _too_many(where: str) -> Row:
    return Row(where=where, problem=say("importing.too_many_rows", limit=f"{MAX_ROWS:,}".replace(",", ".")))


# --- .xlsx -------------------------------------------------------------------------------------


def _check_parts(path: Path) -> None:
    """A workbook whose parts would unpack beyond the bounds (a "zip bomb": openpyxl holds the
    shared texts in memory) is refused before it is read; the sizes are the archive's own, which
    the unpacking holds it to."""
    with zipfile.ZipFile(path) as archive:
        for item in archive.infolist():
            limit = MAX_SHARED_TEXT_BYTES if item.filename.lower().endswith("sharedstrings.xml") else MAX_PART_BYTES
            if item.file_size > limit:
                raise ImportFileError(say("importing.xlsx_too_big", name=path.name, part=item.filename[:60],
                                          megabytes=limit // 2**20))


def _declares_entities(path: Path) -> bool:
    """Whether an XML part of the workbook has a DTD (<!DOCTYPE …>): Excel never writes one, and
    it is where entities are declared. A DTD can only come before the root element, so each
    part's first bytes tell. (Python's expat would not fetch an external entity anyway, and
    limits entity expansion; this names the file for what it is, and costs nothing per row.)"""
    with zipfile.ZipFile(path) as archive:
        for item in archive.infolist():
            if not item.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            with archive.open(item) as part:
                head = part.read(4096)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                head = head.decode("utf-16", "replace").encode("utf-8", "replace")
            prolog = head.split(b"<", 1)[1] if b"<" in head else b""
            while prolog.startswith((b"?", b"!--")):  # declaration, comments
                end = prolog.find(b"?>" if prolog.startswith(b"?") else b"-->")
                if end < 0 or b"<" not in prolog[end:]:
                    break
                prolog = prolog[end:].split(b"<", 1)[1]
            if prolog[:9].upper() == b"!DOCTYPE" or b"<!ENTITY" in head.upper():
                return True
    return False


def read_xlsx(path: Path, form: Form, tz: Any) -> Iterator[Row]:
    from openpyxl import load_workbook

    try:
        _check_parts(path)
        hostile = _declares_entities(path)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise ImportFileError(say("importing.xlsx_unreadable", path=path, reason=str(exc)[:120])) from None
    if hostile:
        raise ImportFileError(say("importing.xlsx_unreadable", path=path, reason=say("importing.xml_entities")))
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        raise ImportFileError(say("importing.xlsx_unreadable", path=path, reason=_xml_reason(exc))) from None
    try:
        sheets = [book[MAIN_SHEET]] if MAIN_SHEET in book.sheetnames else list(book.worksheets)
    except Exception as exc:
        book.close()
        raise ImportFileError(say("importing.xlsx_unreadable", path=path, reason=_xml_reason(exc))) from None
    return _xlsx_sheets(book, sheets, path, form, tz)


def _xml_reason(exc: BaseException) -> str:
    """Why a part of the workbook could not be read, in Vietnamese."""
    cause: BaseException | None = exc
    while cause is not None:  # openpyxl wraps the parser's exception in its own
        if type(cause).__name__ in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden"):
            return say("importing.xml_entities")
        cause = cause.__cause__ or cause.__context__
    return say("importing.xml_broken", detail=str(exc)[:120])


def _guarded(rows: Iterator[Any], first: int) -> Iterator[tuple[int, Any]]:
    """(row number, values) of a sheet; a row whose XML cannot be read ends the sheet as a
    ``(number, exception)`` (the parser cannot go on past it)."""
    number = first
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # a damaged or hostile sheet: ParseError, defusedxml, openpyxl's own
            yield number, exc
            return
        yield number, values
        number += 1


def _xlsx_sheets(book: Any, sheets: list[Any], path: Path, form: Form, tz: Any) -> Iterator[Row]:
    try:
        for sheet in sheets:
            rows = _guarded(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), 1)
            for number, header in rows:
                if isinstance(header, BaseException):
                    yield Row(where=say("importing.row", number=number), problem=_xml_reason(header))
                    return
                if number > 10:
                    break
                columns, specials = header_map(form, list(header or ()))
                if ("unit" in specials or "name" in specials) and columns:
                    yield from _xlsx_rows(rows, columns, specials, tz)
                    return
        raise ImportFileError(say("importing.no_header", name=path.name, unit_column=UNIT_CODE, form=form.id,
                                  example=form.fields[0].label))
    finally:
        book.close()


def _xlsx_rows(rows: Iterator[tuple[int, Any]], columns: dict[int, str], specials: dict[str, int],
               tz: Any) -> Iterator[Row]:
    count = 0
    for number, values in rows:
        where = say("importing.row", number=number)
        if isinstance(values, BaseException):
            yield Row(where=where, problem=_xml_reason(values))
            return
        if not any(v is not None and str(v).strip() for v in values):
            continue
        count += 1
        if count > MAX_ROWS:
            yield _too_many(where)
            return
        yield _xlsx_row(where, values, columns, specials, tz)


def _xlsx_row(where: str, values: Sequence[Any], columns: dict[int, str], specials: dict[str, int],
              tz: Any) -> Row:
    def cell(index: int | None) -> Any:
        return values[index] if index is not None and index < len(values) else None

    row = Row(where=where)
    try:
        row.unit = _code(_text(cell(specials.get("unit")), UNIT_CODE))
        row.unit_name = _text(cell(specials.get("name")), UNIT_NAME)
        row.period = _text(cell(specials.get("period")), PERIOD)
        row.answers = {ident: cell(index) for index, ident in columns.items() if cell(index) is not None}
        explained = cell(specials.get("explanations"))
        if explained is not None and not isinstance(explained, str):
            raise ValueError(say("importing.not_text", what=EXPLANATIONS))
        row.explanations = parse_explanations(explained)
        row.submitted_at = _as_datetime(cell(specials.get("submitted_at")), tz)
    except ValueError as exc:
        row.problem = str(exc)
    return row


# --- JSON --------------------------------------------------------------------------------------


def _number(text: str) -> int | TooLong:
    return TooLong(text) if len(text) > MAX_DIGITS else int(text)


def _decimal(text: str) -> float | TooLong:
    return TooLong(text) if len(text) > MAX_DIGITS + 10 else float(text)


_DECODER = json.JSONDecoder(parse_int=_number, parse_float=_decimal)
_SPACE = re.compile(r"[\s\ufeff]*")
# Strings (with their escapes) and brackets: enough to find where a bad item ends.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


class _Buffer:
    """A text file read in chunks (invalid UTF-8 becomes U+FFFD, refused in the rows that hold it)."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle, self.text, self.pos, self.eof = handle, "", 0, False

    def more(self) -> bool:
        if self.eof:
            return False
        chunk = self.handle.read(_CHUNK)
        self.text = self.text[self.pos:] + chunk
        self.pos = 0
        self.eof = not chunk
        return bool(chunk)

    def skip_space(self) -> str:
        """The next character after blanks ("" at the end)."""
        while True:
            self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]  # \s* always matches
            if self.pos < len(self.text) or not self.more():
                return self.text[self.pos:self.pos + 1]


def read_json(path: Path, tz: Any) -> Iterator[Row]:
    """The items of a JSON list one by one, read in chunks (a bad item names itself and the
    reading goes on after it when its end can be found)."""
    try:
        handle = path.open(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise ImportFileError(say("importing.cannot_open", path=path, reason=exc.strerror or exc)) from None
    buffer = _Buffer(handle)
    first = buffer.skip_space()
    if first == "{":
        handle.close()
        if path.stat().st_size > MAX_OBJECT_FILE_BYTES:
            raise ImportFileError(say("importing.json_object_too_big", name=path.name,
                                      megabytes=MAX_OBJECT_FILE_BYTES // 2**20))
        return _json_object(path, tz)
    if first != "[":
        handle.close()
        raise ImportFileError(say("importing.json_not_list", path=path))
    buffer.pos += 1
    return _json_items(buffer, handle, tz)


def _json_object(path: Path, tz: Any) -> Iterator[Row]:
    """The older form {"reports": [...]}, read whole (within the file size bound)."""
    try:
        data = _DECODER.decode(path.read_text(encoding="utf-8", errors="replace"))
    except (ValueError, RecursionError) as exc:
        raise ImportFileError(say("importing.json_invalid", path=path, detail=str(exc)[:80])) from None
    if not isinstance(data, dict) or not isinstance(data.get("reports"), list):
        raise ImportFileError(say("importing.json_not_list", path=path))
    for number, item in enumerate(data["reports"], start=1):
        if number > MAX_ROWS:
            yield _too_many(say("importing.item", number=number))
            return
        yield json_row(say("importing.item", number=number), item, tz)


def _json_items(buffer: _Buffer, handle: IO[str], tz: Any) -> Iterator[Row]:
    try:
        number = 0
        while True:
            char = buffer.skip_space()
            if char == "]" or char == "":
                if char == "" and number == 0:
                    yield Row(where=say("importing.item", number=1), problem=say("importing.json_unterminated"))
                return
            if number and char == ",":
                buffer.pos += 1
                char = buffer.skip_space()
            number += 1
            where = say("importing.item", number=number)
            if number > MAX_ROWS:
                yield _too_many(where)
                return
            item, problem = _next_item(buffer)
            if problem:
                yield Row(where=where, problem=problem)
                if not _skip_item(buffer):
                    if not buffer.eof:  # (at the end, the bad item was simply the last one)
                        yield Row(where=say("importing.item", number=number + 1),
                                  problem=say("importing.json_rest_lost"))
                    return
                continue
            yield json_row(where, item, tz)
    finally:
        handle.close()


def _next_item(buffer: _Buffer) -> tuple[Any, str]:
    """The next JSON value, or the reason it cannot be read."""
    while True:
        start = buffer.pos
        try:
            item, end = _DECODER.raw_decode(buffer.text, start)
        except RecursionError:
            return None, say("importing.json_too_deep")
        except ValueError as exc:
            offset = exc.pos - start + 1 if isinstance(exc, json.JSONDecodeError) else 1
            if len(buffer.text) - start < MAX_ITEM_CHARS and buffer.more():
                continue
            if len(buffer.text) - buffer.pos >= MAX_ITEM_CHARS:
                return None, say("importing.json_item_too_big", kilobytes=MAX_ITEM_CHARS // 1024)
            return None, say("importing.json_broken", offset=offset)
        buffer.pos = end
        return item, ""


def _skip_item(buffer: _Buffer) -> bool:
    """Move past the value at the buffer's position (brackets counted outside strings); False
    when its end cannot be found."""
    depth = 0
    while True:
        for token in _TOKEN.finditer(buffer.text, buffer.pos):
            mark = token.group()
            if mark in "[{":
                depth += 1
            elif mark in "]}":
                depth -= 1
            if depth <= 0 and not mark.startswith('"'):
                buffer.pos = token.end()
                return depth == 0
        if len(buffer.text) - buffer.pos > 4 * MAX_ITEM_CHARS or not buffer.more():
            return False
        # the tokens seen so far are counted again from the start of the kept text
        depth = 0


def json_row(where: str, item: Any, tz: Any) -> Row:
    """One JSON item as a row (a problem when it is not an object of the expected shape)."""
    row = Row(where=where)
    if not isinstance(item, dict):
        row.problem = say("importing.json_not_object")
        return row
    try:
        row.unit = _code(_text(item.get("unit"), "unit"))
        row.period = _text(item.get("period"), "period")
        answers = item.get("answers")
        if answers is not None and not isinstance(answers, dict):
            raise ValueError(say("importing.answers_not_object"))
        row.answers = dict(answers or {})
        explanations = item.get("explanations") or {}
        if not isinstance(explanations, dict):
            raise ValueError(say("importing.answers_not_object"))
        for key, value in explanations.items():
            reason = value.get("reason") if isinstance(value, dict) else value
            if not isinstance(reason, str) or unreadable_text(reason) or unreadable_text(key):
                raise ValueError(say("importing.not_text", what=f"explanations.{key}"[:60]))
            row.explanations[key] = explanation_text(reason)
        row.submitted_at = _as_datetime(item.get("submitted_at"), tz)
    except ValueError as exc:
        row.problem = str(exc)
    return row

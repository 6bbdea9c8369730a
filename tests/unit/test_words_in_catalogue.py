"""The sentences a person reads live in templates/messages.yaml, not in code: the modules moved to
the catalogue hold no string literal with Vietnamese letters (docstrings aside), except the short
list of data below, each with why it is not a sentence."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Every module whose words moved to the catalogue: all of bot/commands, and these.
FILES = sorted(
    {path.relative_to(ROOT).as_posix() for path in (ROOT / "bot" / "commands").glob("*.py")}
) + [
    "bot/domain/answers.py",
    "bot/domain/rollup.py",
    "bot/documents/rollup_docx.py",
    "bot/documents/rollup_xlsx.py",
    "bot/documents/rollup_chart.py",
    "bot/cli.py",
    "bot/importing/entry.py",
    "bot/importing/reading.py",
    "bot/importing/batches.py",
    "bot/domain/numbers.py",
    "bot/domain/periods.py",
    "bot/domain/calendar.py",
    "bot/domain/report_settings.py",
    "bot/domain/bulk_entry.py",
    "bot/domain/text.py",
    "bot/domain/themes.py",
    "bot/administering/units.py",
    "bot/administering/invitations.py",
    "bot/calendar/leave.py",
    "bot/supervising/rollup_service.py",
    "bot/documents/render.py",
    "bot/documents/report.py",
    "bot/chat/options.py",
    "handlers/zalo/channel.py",
    "handlers/zalo/dispatch.py",
    "handlers/zalo/outbox.py",
]

_WORDS_OFFICIALS_TYPE = "words officials type, matched (not said)"
_HEADINGS = "a column heading recognised in an imported file (matched, not said)"
_DIVISION = "the word a unit's official name begins with, matched to take it off"
_HOLIDAY = "a holiday's name as the holidays package writes it: matched, and printed as a name"
_ENGLISH_HELP = "an English --help line (options are described in English) naming a place or a person"

ALLOWED: dict[tuple[str, str], str] = {
    ("bot/commands/render.py", "tỉnh "): _DIVISION,
    ("bot/commands/render.py", "thành phố "): _DIVISION,
    ("bot/commands/render.py", 'report settings over the stored ones, e.g. {"signer_name": "Nguyễn Văn An"}'):
        _ENGLISH_HELP,
    ("bot/commands/units.py", "only this province, e.g. 19 (Thái Nguyên)"): _ENGLISH_HELP,
    ("bot/commands/demo.py", "official code of the demo province (default: DEFAULT_PROVINCE, else 19 = Thái Nguyên)"):
        _ENGLISH_HELP,
    ("bot/domain/answers.py", "phần trăm"): _WORDS_OFFICIALS_TYPE + ": the unit after a percentage",
    ("bot/importing/reading.py", "Mã đơn vị"): _HEADINGS,
    ("bot/importing/reading.py", "Mã"): _HEADINGS,
    ("bot/importing/reading.py", "Mã xã, phường"): _HEADINGS,
    ("bot/importing/reading.py", "Tên xã"): _HEADINGS,
    ("bot/importing/reading.py", "Tên đơn vị"): _HEADINGS,
    ("bot/importing/reading.py", "Đơn vị"): _HEADINGS,
    ("bot/importing/reading.py", "Kỳ"): _HEADINGS,
    ("bot/domain/numbers.py", "không"): _WORDS_OFFICIALS_TYPE + ": «none» is 0",
    ("bot/domain/numbers.py", "không có"): _WORDS_OFFICIALS_TYPE + ": «none» is 0",
    ("bot/domain/numbers.py", r"\s*(hồ\s*sơ|ho\s*so|hs|bộ|bo|thủ\s*tục|thu\s*tuc)\.?$"):
        _WORDS_OFFICIALS_TYPE + ": a unit word after a count",
    ("bot/domain/bulk_entry.py",
     r"^(?P<label>.*?)[\s:=\-–]*(?P<number>-?\d[\d. \u00a0]*(?:,\d+)?)\s*(?:hồ sơ|hs)?\.?$"):
        _WORDS_OFFICIALS_TYPE + ": a label and its count on one line",
    ("bot/domain/calendar.py", "Tết"): _HOLIDAY,
    ("bot/domain/calendar.py", "Dương lịch"): _HOLIDAY,
    ("bot/domain/calendar.py", "Tết Nguyên Đán"): _HOLIDAY,
    ("bot/domain/calendar.py", "Ngày nghỉ ("): _HOLIDAY,
    ("bot/domain/calendar.py", "Ngày nghỉ bù"): _HOLIDAY,
    ("bot/domain/report_settings.py", "Đặc khu"): _DIVISION,
    ("bot/domain/report_settings.py", "Thành phố"): _DIVISION,
    ("bot/domain/report_settings.py", "Phường"): _DIVISION,
    ("bot/domain/report_settings.py", "Tỉnh"): _DIVISION,
    ("bot/domain/report_settings.py", "Xã"): _DIVISION,
    ("bot/domain/report_settings.py", "lưu"): "the word a commune's own archive line begins with (matched)",
    ("bot/domain/report_settings.py", r"^\s*kính\s+gửi\s*:?\s*"): "«Kính gửi» typed before a recipient, taken off",
    ("bot/domain/text.py", "đ"): "a letter folded to d when matching names",
    ("bot/domain/text.py", "Đ"): "a letter folded to D when matching names",
    ("bot/domain/themes.py", r"\n+|;\s*|(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ0-9\-–•+])"):
        "a regex splitting an answer into sentences (capital letters)",
    ("bot/domain/themes.py", "Khác"): "the «other» theme's label when a themes file leaves it out "
                                      "(templates/themes.yaml names it)",
    ("bot/administering/units.py", "tỉnh"): _DIVISION,
    ("bot/administering/units.py", "thành phố"): _DIVISION,
    ("bot/administering/units.py", "xã"): _DIVISION,
    ("bot/administering/units.py", "phường"): _DIVISION,
    ("bot/administering/units.py", "đặc khu"): _DIVISION,
}

VIETNAMESE = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE
)


def vietnamese_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal with a Vietnamese letter, f-strings' parts included;
    a string standing alone as a statement (a docstring) is not one."""
    tree = ast.parse(source)
    alone = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in alone
        and VIETNAMESE.search(node.value)
    ]


def test_the_moved_modules_say_nothing_themselves() -> None:
    found = [
        f"{path}:{line}: {text[:80]!r}"
        for path in FILES
        for line, text in vietnamese_literals((ROOT / path).read_text(encoding="utf-8"))
        if (path, text) not in ALLOWED
    ]
    assert not found, "sentences belong in templates/messages.yaml (say(...)):\n" + "\n".join(found)


def test_every_allowed_literal_is_still_there() -> None:
    """The list stays short: an entry whose literal is gone is removed."""
    present = {(path, text) for path in FILES for _, text in vietnamese_literals((ROOT / path).read_text(encoding="utf-8"))}
    assert not set(ALLOWED) - present, sorted(set(ALLOWED) - present)
    assert all(reason for reason in ALLOWED.values())


def test_a_sentence_in_code_is_found() -> None:
    """The scan sees a sentence in an f-string's part and in an argument, not in a docstring."""
    source = (
        '"""Mô-đun có chú thích tiếng Việt."""\n'
        "def f(n: int) -> str:\n"
        '    """Trả lời một câu."""\n'
        '    return f"Đã lưu {n} dòng." + g("Lỗi")\n'
    )
    assert sorted(text for _, text in vietnamese_literals(source)) == sorted(["Đã lưu ", " dòng.", "Lỗi"])

"""The domain package stays plain Python: nothing in it imports telegram."""

from __future__ import annotations

import re
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "bot" / "domain"
# Read as text: ast.parse can fail with "AST constructor recursion depth mismatch" on CPython 3.11.7
# after other tests have hit the recursion limit, which has nothing to do with the files read here.
IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))", re.MULTILINE)


def test_nothing_in_bot_domain_imports_telegram() -> None:
    offenders = []
    for path in sorted(DOMAIN.glob("*.py")):
        for match in IMPORT.finditer(path.read_text(encoding="utf-8")):
            module = match.group(1) or match.group(2)
            if module.split(".")[0] == "telegram":
                offenders.append(f"{path.name}: {module}")
    assert offenders == []


def test_the_check_would_see_an_import() -> None:
    assert IMPORT.search("from telegram.ext import Application").group(1) == "telegram.ext"
    assert IMPORT.search("    import telegram").group(2) == "telegram"

"""One core, any messenger: nothing in bot/ or storage/ imports telegram (nor the Telegram adapter,
handlers/, which does), except the composition root, named here module by module."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "bot" / "domain"
# The composition root: it builds the Telegram application and wires the core to it.
COMPOSITION_ROOT = frozenset({
    "bot/app.py",  # the application factory
    "bot/cli.py",  # the command line
    "bot/context.py",  # the Application subclass and the handlers' context
    "bot/driver.py",  # the application as a script drives it (the demo's simulation)
    "bot/scheduler.py",  # the notices' timetable on python-telegram-bot's JobQueue
    "bot/settings.py",
})
COMPOSITION_PACKAGES = ("bot/commands/",)  # each command builds and runs what it needs
CHANNEL = frozenset({"telegram", "handlers"})
# Read as text: ast.parse can fail with "AST constructor recursion depth mismatch" on CPython 3.11.7
# after other tests have hit the recursion limit, which has nothing to do with the files read here.
IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))", re.MULTILINE)


def imports_of(path: Path) -> list[str]:
    """Every module ``path`` imports, at the top or inside a function (``TYPE_CHECKING`` too)."""
    return [match.group(1) or match.group(2) for match in IMPORT.finditer(path.read_text(encoding="utf-8"))]


def below_the_root(folder: str) -> list[Path]:
    paths = sorted((ROOT / folder).rglob("*.py"))
    return [path for path in paths
            if (name := path.relative_to(ROOT).as_posix()) not in COMPOSITION_ROOT
            and not name.startswith(COMPOSITION_PACKAGES)]


def test_nothing_in_bot_domain_imports_telegram() -> None:
    offenders = []
    for path in sorted(DOMAIN.glob("*.py")):
        for module in imports_of(path):
            if module.split(".")[0] == "telegram":
                offenders.append(f"{path.name}: {module}")
    assert offenders == []


def test_nothing_below_the_composition_root_imports_the_channel() -> None:
    checked = below_the_root("bot") + below_the_root("storage")
    offenders = [f"{path.relative_to(ROOT).as_posix()}: {module}"
                 for path in checked for module in imports_of(path) if module.split(".")[0] in CHANNEL]
    assert offenders == []
    names = {path.relative_to(ROOT).as_posix() for path in checked}
    assert {"bot/notices/broadcast.py", "bot/notices/timetable.py", "bot/demo/simulate.py"} <= names
    assert "storage/db.py" in names


def test_the_notices_core_loads_no_channel_at_all() -> None:
    """Not only its own imports: nothing it imports, however deep, loads telegram or handlers."""
    script = ("import sys\n"
              "import bot.notices.timetable, bot.notices.broadcast, bot.calendar.nudging\n"
              "print(sorted(m for m in ('telegram', 'handlers') if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["[]"]


def test_the_composition_root_is_named_module_by_module() -> None:
    for name in COMPOSITION_ROOT:
        assert (ROOT / name).is_file(), name  # a module moved away leaves no stale exception behind


def test_the_check_would_see_an_import() -> None:
    assert IMPORT.search("from telegram.ext import Application").group(1) == "telegram.ext"
    assert IMPORT.search("    import telegram").group(2) == "telegram"
    assert IMPORT.search("    from handlers.delivery import keyboard").group(1) == "handlers.delivery"

"""The themes are right: the labelled sentences of tests/rollup/themes_labelled.yaml (difficulties and
proposals as communes write them; the rules were tuned on them) and of themes_heldout.yaml (written
after tuning, never tuned on) sorted by templates/themes.yaml through the rollup's own path
(``classify``), measured as the share of sentences whose themes are exactly the expected ones."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from bot.domain.themes import Taxonomy, ThemeSource, classify, load_taxonomy
from tests.rollup.conftest import TEMPLATES

LABELLED = Path(__file__).with_name("themes_labelled.yaml")
HELD_OUT = Path(__file__).with_name("themes_heldout.yaml")
TARGET = 0.90  # on the labelled set, which the rules were tuned on (issue 16)
HELD_OUT_FLOOR = 0.82  # the held-out set's first measure (41/50): the rules must not do worse on it


@dataclass(frozen=True)
class Labelled:
    text: str
    themes: frozenset[str]


def labelled(path: Path = LABELLED) -> list[Labelled]:
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [Labelled(str(item["text"]), frozenset(item["themes"])) for item in items]


def themes_of(taxonomy: Taxonomy, text: str) -> frozenset[str]:
    """The themes one commune's sentence is counted under in the rollup."""
    return frozenset(c.theme.id for c in classify(taxonomy, [ThemeSource("1", "Xã A", [("difficulties", text)])]))


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy(TEMPLATES)


def test_the_sets_are_large_and_use_known_themes(taxonomy: Taxonomy) -> None:
    items, held_out = labelled(), labelled(HELD_OUT)
    known = {theme.id for theme in taxonomy.themes} | {taxonomy.other.id}
    assert len(items) >= 80 and len(held_out) >= 40
    texts = [item.text for item in (*items, *held_out)]
    assert len(set(texts)) == len(texts), "a sentence is labelled twice"
    for item in (*items, *held_out):
        assert item.themes <= known, item.text
    for theme in taxonomy.themes:  # every theme has sentences of its own
        assert sum(theme.id in item.themes for item in items) >= 3, theme.id
    assert sum(not item.themes for item in items) >= 5  # and "nothing raised" too


@pytest.mark.parametrize(("path", "target"), [(LABELLED, TARGET), (HELD_OUT, HELD_OUT_FLOOR)], ids=["labelled", "held_out"])
def test_accuracy(taxonomy: Taxonomy, path: Path, target: float) -> None:
    items = labelled(path)
    misses = [(item, themes_of(taxonomy, item.text)) for item in items]
    misses = [(item, got) for item, got in misses if got != item.themes]
    accuracy = 1 - len(misses) / len(items)
    wrong = sum(bool(got - item.themes - {"other"}) for item, got in misses)
    print(f"\nthemes, {path.name}: {len(items) - len(misses)}/{len(items)} right ({accuracy:.1%}); "
          f"{wrong} of the misses put under a theme they do not raise")
    for item, got in misses:
        print(f"  expected {sorted(item.themes)}, got {sorted(got)}: {item.text}")
    assert accuracy >= target


@pytest.mark.parametrize(
    ("text", "theme", "not_theme"),
    [  # the two misses issue 16 reported
        ("Đề nghị Sở Khoa học và Công nghệ tổ chức tập huấn kỹ năng số cho công chức.", "training", "digital_skills"),
        ("Đường truyền mạng yếu, không đăng nhập được vào Hệ thống thông tin giải quyết TTHC của tỉnh.",
         "network_power", "software"),
    ],
)
def test_reported_misses(taxonomy: Taxonomy, text: str, theme: str, not_theme: str) -> None:
    got = themes_of(taxonomy, text)
    assert theme in got and not_theme not in got, sorted(got)

"""Where in a form file a problem lies: the line of the item or key a problem names
("field 'digitized': max_length …" → the line of that field's ``max_length``), read from the
YAML nodes' marks."""

from __future__ import annotations

import re
from collections.abc import Sequence

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_ITEM = re.compile(r"^(field|derived|rate|check|section) (?:'([^']*)'|#(\d+))(?:(?::\s*|\s+)(.*))?$", re.DOTALL)
_NESTED = re.compile(r"^(row|column|option) '([^']*)':\s*(.*)$", re.DOTALL)
_CHECK = re.compile(r"^check '([^']*)'")
_YAML_LINE = re.compile(r"at line (\d+)")
_WORD = re.compile(r"[a-z_]+")
_LISTS = {"field": "fields", "derived": "derived", "rate": "rates", "check": "checks", "section": "sections",
          "row": "rows", "column": "columns", "option": "options"}


def problem_lines(text: str, problems: Sequence[str], source: str = "") -> list[tuple[int | None, str]]:
    """Each problem (as :class:`~bot.domain.forms.FormError` words it, ``source`` prefix removed)
    with the line it is about, or None when it cannot be placed."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        root = None
    prefix = f"{source}: " if source else ""
    found: list[tuple[int | None, str]] = []
    for problem in problems:
        bare = problem[len(prefix):] if prefix and problem.startswith(prefix) else problem
        found.append((_line(root, bare), bare))
    return found


def _line(root: Node | None, problem: str) -> int | None:
    if (match := _YAML_LINE.search(problem)) and problem.startswith("not valid YAML"):
        return int(match[1])
    if not isinstance(root, MappingNode):
        return None
    node: Node = root
    rest = problem
    if (item := _ITEM.match(problem)) is not None:
        what, ident, number, tail = item.groups()
        rest = tail or ""
        if (check := _CHECK.match(rest)) is not None and what == "field":
            what, ident, number, rest = "check", check[1], None, rest[check.end():].lstrip(": ")
        located = _item(root, _LISTS[what], ident, number)
        if located is None:
            return _mark(_value(root, _LISTS[what]) or root)
        node = located
        while (nested := _NESTED.match(rest)) is not None:
            inner = _item(node, _LISTS[nested[1]], nested[2], None)
            if inner is None:
                break
            node, rest = inner, nested[3]
    elif problem.startswith("period"):
        node = _value(root, "period") or root
        rest = problem.removeprefix("period").lstrip(": ")
    for word in _WORD.findall(rest)[:3]:
        key = _key(node, word)
        if key is not None:
            return _mark(key)
    return _mark(node)


def _mark(node: Node) -> int:
    return node.start_mark.line + 1


def _key(node: Node, name: str) -> Node | None:
    if isinstance(node, MappingNode):
        for key, _ in node.value:
            if isinstance(key, ScalarNode) and key.value == name:
                return key
    return None


def _value(node: Node, name: str) -> Node | None:
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == name and isinstance(value, Node):
                return value
    return None


def _item(node: Node, list_name: str, ident: str | None, number: str | None) -> Node | None:
    items = _value(node, list_name)
    if not isinstance(items, SequenceNode):
        return None
    if number is not None:
        index = int(number) - 1
        entries: list[Node] = [entry for entry in items.value if isinstance(entry, Node)]
        return entries[index] if 0 <= index < len(entries) else None
    for entry in items.value:
        found = _value(entry, "id")
        if isinstance(entry, Node) and isinstance(found, ScalarNode) and found.value == ident:
            return entry
    return None

"""Read a site file into a positioned tree of plain values.

The file is *composed*, not constructed: every scalar stays the exact text the user wrote
(`1.10` stays "1.10", `no` stays "no", `0200` stays "0200"), and the model decides what each
text means. Every key and value keeps its line and column for error messages. Anchors and
aliases are refused (a site file never needs them, and they are how alias bombs work);
duplicate keys are reported with both places.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.bounded import read_named
from generator.errors import Problem, SiteFileError
from generator.scalars import show

MAX_SITE_BYTES = 256 * 1024
MAX_DEPTH = 12
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


@dataclass(frozen=True)
class Pos:
    line: int  # 1-based
    col: int  # 1-based


@dataclass
class Located:
    """A composed YAML node: `value` is str | None | list[Located] | dict[str, Located]."""

    value: Any
    pos: Pos
    key_pos: dict[str, Pos] = field(default_factory=dict)  # mapping nodes: where each key is
    quoted: bool = False  # scalars: written in quotes

    def plain(self) -> Any:
        """The tree as plain Python: dicts, lists, str and None."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value


@dataclass(frozen=True)
class SiteSource:
    """A loaded site file: its display name and its positioned tree."""

    name: str
    root: Located
    data: bytes = b""

    def locate(self, loc: tuple[str | int, ...], *, at_key: bool = False) -> Pos:
        """Position of the node at `loc`, or of the deepest existing parent."""
        node = self.root
        pos = node.pos
        for i, part in enumerate(loc):
            last = i == len(loc) - 1
            if isinstance(node.value, dict) and isinstance(part, str) and part in node.value:
                child = node.value[part]
                nested = child.value is None or isinstance(child.value, (dict, list))
                pos = node.key_pos[part] if (nested or (last and at_key)) else child.pos
                node = child
            elif isinstance(node.value, list) and isinstance(part, int) and part < len(node.value):
                node = node.value[part]
                pos = node.pos
            else:
                break
        return pos

    def problem(self, loc: tuple[str | int, ...], message: str, *, at_key: bool = False) -> Problem:
        pos = self.locate(loc, at_key=at_key)
        return Problem(self.name, pos.line, pos.col, key_path(loc), message)


def key_path(loc: tuple[str | int, ...]) -> str:
    """`peers.dc1.devices["lb-1.example.net"].vm_self`: keys with dots are quoted."""
    out = ""
    for part in loc:
        text = str(part)
        if not re.fullmatch(r"[A-Za-z0-9_:/-]+", text):
            out += f'["{text}"]' if re.fullmatch(r"[A-Za-z0-9_.:/-]+", text) else f"[{show(text)}]"
        else:
            out += f".{text}" if out else text
    return out


def read_site(path: Path, display: str | None = None) -> SiteSource:
    name = display if display is not None else str(path)
    return parse_site(read_bounded(path, name, MAX_SITE_BYTES), name)


def read_bounded(path: Path, name: str, limit: int) -> bytes:
    """At most `limit` + 1 bytes of `path`, through etherip's one bounded reader
    (generator/bounded.py): a FIFO without a writer reads as empty, /dev/zero ends at once."""
    try:
        return read_named(path, limit)
    except OSError as exc:
        raise _error(name, 1, 1, f"cannot read file: {exc.strerror or exc}") from None


def parse_site(data: bytes, name: str) -> SiteSource:
    if len(data) > MAX_SITE_BYTES:
        raise _error(name, 1, 1, f"file is larger than {MAX_SITE_BYTES} bytes; not a site file")
    text = _decode(data, name)
    if "\x00" in text:
        line, col = _line_col(text, text.index("\x00"))
        raise _error(name, line, col, "NUL character: not a text file")
    _refuse_deep_flow(text, name)
    try:
        node = YAML(typ="rt").compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        parts = [str(p) for p in (exc.context, exc.problem) if p]
        problem = " ".join(", ".join(parts or ["invalid YAML"]).split())
        raise _error(name, line, col, f"YAML syntax: {problem}") from None
    except YAMLError as exc:
        raise _error(name, 1, 1, f"YAML syntax: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise _error(name, 1, 1, "document is nested too deeply") from None
    if node is None:
        raise _error(name, 1, 1, "empty file: expected a site mapping (see `etherip init`)")
    problems: list[Problem] = []
    root = _convert(node, name, problems, depth=0)
    if problems:
        raise SiteFileError(problems)
    return SiteSource(name, root, data)


def _refuse_deep_flow(text: str, name: str) -> None:
    """Refuse deeply nested [ ] / { } before the YAML parser spends seconds on them.
    Brackets in comments (`#` at a line start or after a space) do not count."""
    depth, quote, comment = 0, "", False
    for index, ch in enumerate(text):
        if comment:
            comment = ch != "\n"
        elif quote:
            if ch == quote:
                quote = ""
        elif ch == "#" and (index == 0 or text[index - 1] in " \t\n"):
            comment = True
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line, col = _line_col(text, index)
                raise _error(name, line, col, "document is nested too deeply")
        elif ch in "]}":
            depth = max(depth - 1, 0)


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", "replace").removeprefix("\ufeff")
        line, col = _line_col(before, len(before))  # columns count characters, not bytes
        raise _error(name, line, col, "not UTF-8 text") from None


def _line_col(text: str, index: int) -> tuple[int, int]:
    before = text[:index]
    return before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1


def _error(name: str, line: int, col: int, message: str) -> SiteFileError:
    return SiteFileError([Problem(name, line, col, "", message)])


def _pos(node: Node) -> Pos:
    return Pos(node.start_mark.line + 1, node.start_mark.column + 1)


def _convert(node: Node, name: str, problems: list[Problem], depth: int) -> Located:
    pos = _pos(node)
    if getattr(node, "anchor", None) is not None:
        problems.append(
            Problem(
                name,
                pos.line,
                pos.col,
                "",
                "YAML anchors and aliases are not supported in site files; write the value out",
            )
        )
        return Located(None, pos)
    if depth > MAX_DEPTH:
        problems.append(Problem(name, pos.line, pos.col, "", "document is nested too deeply"))
        return Located(None, pos)
    if isinstance(node, ScalarNode):
        quoted = node.style in ("'", '"')
        text = node.value
        if not quoted and node.style is None and text in _NULLS:
            return Located(None, pos)
        return Located(text, pos, quoted=quoted)
    if isinstance(node, SequenceNode):
        return Located([_convert(item, name, problems, depth + 1) for item in node.value], pos)
    if isinstance(node, MappingNode):
        return _convert_mapping(node, name, problems, depth)
    problems.append(Problem(name, pos.line, pos.col, "", "unsupported YAML node"))
    return Located(None, pos)


def _convert_mapping(node: MappingNode, name: str, problems: list[Problem], depth: int) -> Located:
    values: dict[str, Located] = {}
    key_pos: dict[str, Pos] = {}
    for key_node, value_node in node.value:
        kpos = _pos(key_node)
        if not isinstance(key_node, ScalarNode) or (key_node.value in _NULLS and key_node.style is None):
            problems.append(Problem(name, kpos.line, kpos.col, "", "mapping keys must be plain names"))
            continue
        key = key_node.value
        if key in values:
            first = key_pos[key]
            problems.append(
                Problem(
                    name,
                    kpos.line,
                    kpos.col,
                    "",
                    f"duplicate key {show(key)} (first at line {first.line}, column {first.col})",
                )
            )
            continue
        key_pos[key] = kpos
        values[key] = _convert(value_node, name, problems, depth + 1)
    return Located(values, _pos(node), key_pos=key_pos)

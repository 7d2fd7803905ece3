"""Table-driven bad input: tests/invalid_sites.yaml pins the exact error lines per case, each
located by its key path (or a text) in the edited file, never by a line number of a shared base
case (the table's header says how)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from typer.testing import CliRunner

from generator.cli import app
from generator.errors import SiteFileError
from generator.load import parse_site
from generator.validate import validate_source
from tests.helpers import CASES_DIR, ROOT

TABLE: dict[str, Any] = YAML(typ="safe").load((ROOT / "tests" / "invalid_sites.yaml").read_text())


def build(case: dict[str, Any]) -> bytes:
    data = b"" if case["base"] is None else (CASES_DIR / f"{case['base']}.yaml").read_bytes()
    for edit in case["edits"]:
        if "text" in edit:
            data = edit["text"].encode()
        elif "hex" in edit:
            data = bytes.fromhex(edit["hex"])
        elif "cut" in edit:
            data = data[: data.index(edit["cut"].encode())]
        elif "append" in edit:
            data += edit["append"].encode()
        else:
            old, new = edit["replace"].encode(), edit["with"].encode()
            assert data.count(old) == 1, f"edit text must occur exactly once: {edit['replace']!r}"
            data = data.replace(old, new)
    return data


_PART = re.compile(r'\["((?:[^"\\]|\\.)*)"\]|\[\'((?:[^\'\\]|\\.)*)\'\]|([^.\[\]]+)')
_KEY_PATH = re.compile(r"^([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_:/-]+|\[\"[^\"]*\"\]|\['[^']*'\])*): ")


def _position(text: str, path: str, *, at_key: bool) -> tuple[int, int]:
    """Where an error about `path` points in `text`, read here with ruamel.yaml's own positions:
    a scalar's value, else the key (or the key for at_key); a missing path, its deepest key."""
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = True
    node: Any = yaml.load(text)
    assert isinstance(node, CommentedMap), "a case located by key path needs a mapping"
    pos = node.lc.key(next(iter(node)))
    names = [m.group(1) or m.group(2) or m.group(3) for m in _PART.finditer(path)]
    for i, name in enumerate(names):
        if isinstance(node, CommentedMap) and name in node:
            child = node[name]
            nested = child is None or isinstance(child, CommentedMap | CommentedSeq)
            pos = node.lc.key(name) if nested or (at_key and i == len(names) - 1) else node.lc.value(name)
            node = child
        elif isinstance(node, CommentedSeq) and name.isdigit() and int(name) < len(node):
            pos, node = node.lc.item(int(name)), node[int(name)]
        else:
            break
    return pos[0] + 1, pos[1] + 1


def expected_lines(case: dict[str, Any]) -> list[str]:
    """The table's errors as etherip prints them: site.yaml:LINE:COL: error."""
    data = build(case)
    lines = []
    for entry in case["errors"]:
        at, error = ("value", entry) if isinstance(entry, str) else (entry["at"], entry["error"])
        if isinstance(at, dict):
            text = data.decode()
            assert text.count(at["text"]) == 1, f"anchor text must occur exactly once: {at['text']!r}"
            before = text[: text.index(at["text"])]
            where = f"{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10))}"
        elif at in ("value", "key"):
            path = _KEY_PATH.match(error)
            assert path, f"no key path to locate by: {error!r}"
            line, col = _position(data.decode(), path.group(1), at_key=at == "key")
            where = f"{line}:{col}"
        else:
            assert case["base"] is None, "LINE:COL only in a case of its own text"
            assert re.fullmatch(r"\d+:\d+", at), at
            where = at
        lines.append(f"site.yaml:{where}: {error}")
    return lines


def test_table_is_large_enough() -> None:
    assert len(TABLE) >= 40


@pytest.mark.parametrize("name", sorted(TABLE))
def test_error_lines(name: str) -> None:
    case = TABLE[name]
    with pytest.raises(SiteFileError) as info:
        validate_source(parse_site(build(case), "site.yaml"))
    # Notes on what the cross-object rules could not judge are tested in test_validate_all_at_once.py.
    assert [line for line in info.value.lines() if ": note: " not in line] == expected_lines(case)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_cli_reports_and_writes_nothing(name: str, tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_bytes(build(TABLE[name]))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["render", str(site), "--version", "all", "--out", str(out)])
    assert result.exit_code == 1, result.output
    expected = [line.replace("site.yaml:", f"{site}:", 1) for line in expected_lines(TABLE[name])]
    assert [line for line in result.stderr.splitlines() if ": note: " not in line] == expected
    assert result.stdout == ""
    assert not out.exists()


@pytest.mark.parametrize(
    "name", ["binary_junk", "name_with_brackets", "yaml_unclosed_flow", "truncated_file"]
)
def test_real_process_has_no_traceback(name: str, tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_bytes(build(TABLE[name]))
    proc = subprocess.run(
        [sys.executable, "-m", "generator", "render", str(site), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert len([line for line in proc.stderr.splitlines() if ": note: " not in line]) == len(
        TABLE[name]["errors"]
    )
    assert not (tmp_path / "out").exists()

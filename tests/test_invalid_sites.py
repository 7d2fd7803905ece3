"""Table-driven bad input: tests/invalid_sites.yaml pins the exact error lines per case."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
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


def test_table_is_large_enough() -> None:
    assert len(TABLE) >= 40


@pytest.mark.parametrize("name", sorted(TABLE))
def test_error_lines(name: str) -> None:
    case = TABLE[name]
    with pytest.raises(SiteFileError) as info:
        validate_source(parse_site(build(case), "site.yaml"))
    # Notes on what the cross-object rules could not judge are tested in test_validate_all_at_once.py.
    assert [line for line in info.value.lines() if ": note: " not in line] == case["errors"]


@pytest.mark.parametrize("name", sorted(TABLE))
def test_cli_reports_and_writes_nothing(name: str, tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_bytes(build(TABLE[name]))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["render", str(site), "--version", "all", "--out", str(out)])
    assert result.exit_code == 1, result.output
    expected = [line.replace("site.yaml:", f"{site}:", 1) for line in TABLE[name]["errors"]]
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

"""`etherip precheck` on the command line: exit codes 0/1/2, text lines and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app
from tests.helpers import CASES_DIR
from tests.precheck.configs import clean, write_form

runner = CliRunner()
SITE = str(CASES_DIR / "mixed.yaml")


def _units(tmp_path: Path, dc2_edit: str = "") -> list[str]:
    out = []
    for host in ("bigip-dc1-a", "bigip-dc1-b", "bigip-dc2"):
        unit = clean(host)
        if host == "bigip-dc2" and dc2_edit:
            unit = type(unit)(unit.base + dc2_edit, unit.user)
        path, _, _ = write_form(unit, "ucs", tmp_path, host)
        out.append(str(path))
    return out


def test_clean_exit_0_with_summary(tmp_path: Path) -> None:
    result = runner.invoke(app, ["precheck", SITE, *_units(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (
        result.stdout == f"{SITE}: BIG-IP 11.6.5: 3 unit(s) checked: 0 conflict(s), 0 error(s), 0 note(s)\n"
    )


def test_conflict_exit_1_one_line_each(tmp_path: Path) -> None:
    vlan = "net vlan /Common/vm_vgrp {\n    interfaces {\n        1.3 {\n            tagged\n        }\n    }\n    tag 300\n}\n"
    units = _units(tmp_path, vlan)
    result = runner.invoke(app, ["precheck", SITE, *units])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    base = f"{units[2]}/config/bigip_base.conf"
    line = clean("bigip-dc2").base.count("\n") + 1
    assert lines == [
        (
            f"bigip-dc2: exists: /Common/vm_vgrp: VLAN group /Common/vm_vgrp: its name is taken by VLAN "
            f"/Common/vm_vgrp [I: one name space]; the change creates it ({base}:{line})"
        ),
        (
            f"bigip-dc2: tag: /Common/wan, /Common/vm_vgrp: tag 300 of new VLAN /Common/wan is already used by "
            f"VLAN /Common/vm_vgrp ({base}:{line})"
        ),
        f"{SITE}: BIG-IP 11.6.5: 3 unit(s) checked: 2 conflict(s), 0 error(s), 0 note(s)",
    ]


def test_json_has_the_same_findings(tmp_path: Path) -> None:
    units = _units(
        tmp_path,
        "net vlan /Common/x {\n    interfaces {\n        1.3 {\n            tagged\n        }\n    }\n    tag 200\n}\n",
    )
    text = runner.invoke(app, ["precheck", SITE, *units])
    result = runner.invoke(app, ["precheck", SITE, *units, "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["version"] == "11.6.5"
    assert [u["device"] for u in data["units"]] == ["bigip-dc1-a", "bigip-dc1-b", "bigip-dc2"]
    found = [f for u in data["units"] for f in u["findings"]]
    assert [(f["device"], f["kind"], f["severity"]) for f in found] == [("bigip-dc2", "tag", "conflict")]
    assert found[0]["message"] in text.stdout and found[0]["where"] in text.stdout


def test_missing_units_are_notes_and_exit_0(tmp_path: Path) -> None:
    units = _units(tmp_path)
    result = runner.invoke(app, ["precheck", SITE, f"bigip-dc2={units[2]}", "--json"])
    assert result.exit_code == 0
    notes = [f for u in json.loads(result.stdout)["units"] for f in u["findings"]]
    assert [(f["device"], f["kind"], f["severity"]) for f in notes] == [
        ("bigip-dc1-a", "not-checked", "note"),
        ("bigip-dc1-b", "not-checked", "note"),
    ]


def test_unreadable_and_unknown_units_exit_1(tmp_path: Path) -> None:
    junk = tmp_path / "junk.ucs"
    junk.write_bytes(b"\x1f\x8b\x08\x00garbage")
    result = runner.invoke(app, ["precheck", SITE, str(junk), f"lb-x={_units(tmp_path)[0]}"])
    assert result.exit_code == 1
    assert f"{junk}: unreadable: {junk}: " in result.stdout
    assert "lb-x: unknown-unit:" in result.stdout and "Traceback" not in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["precheck", SITE],
        ["precheck", SITE, "/nonexistent/unit.ucs"],
        ["precheck", SITE, "bigip-dc2="],
        ["precheck", SITE, "UNITS", "--version", "12.1.0"],
        ["precheck", SITE, "UNITS", "--version", "all"],
        ["precheck"],
    ],
)
def test_usage_errors_exit_2(args: list[str], tmp_path: Path) -> None:
    args = [_units(tmp_path)[2] if a == "UNITS" else a for a in args]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_invalid_site_exit_1_located(tmp_path: Path) -> None:
    bad = tmp_path / "site.yaml"
    bad.write_text("deployment: x\n")
    result = runner.invoke(app, ["precheck", str(bad), _units(tmp_path)[2]])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{bad}:1:1: ")

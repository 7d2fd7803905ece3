"""etherip precheck SITE --after DEVICE=PATH…: each unit's saved configuration after the change
holds exactly what the site's change leaves there; every difference is a finding.

The saved configurations are written from the expected state (tests/saved_configs.py: the
hostname, what existed before, expected-state.conf's stanzas); then broken one way each."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.versions import BigIpVersion
from tests.helpers import CASES, CASES_DIR, ROOT, site
from tests.saved_configs import saved_files

runner = CliRunner()
PLANS = ROOT / "tests" / "plans"


def _write(tmp_path: Path, files: dict[str, bytes]) -> list[str]:
    args = []
    for host, content in files.items():
        name = hashlib.sha256(host.encode()).hexdigest()[:12]  # hostnames may be 253 characters
        (tmp_path / f"{name}.conf").write_bytes(content)
        args.append(f"{host}={tmp_path / f'{name}.conf'}")
    return args


def _after(site_file: Path, args: list[str]) -> tuple[int, str]:
    result = runner.invoke(app, ["precheck", str(site_file), "--after", *args])
    return result.exit_code, result.stdout


@pytest.mark.parametrize("case", CASES)
def test_the_expected_state_holds(case: str, tmp_path: Path) -> None:
    args = _write(tmp_path, saved_files(site(case), site(case).bigip_version))  # as its own release saves it
    code, out = _after(CASES_DIR / f"{case}.yaml", args)
    assert code == 0, out
    assert "0 difference(s), 0 error(s), 0 note(s): every unit given holds exactly" in out


BREAKS = [
    # (case, host, text in its saved file, replacement, the finding's start)
    (
        "ha-both",
        "lb-east-02.example.net",
        b"    tag 220\n",
        b"    tag 221\n",
        "lb-east-02.example.net: different: /Common/vmotion_vlan: net vlan /Common/vmotion_vlan: tag is 221, the site gives 220",
    ),
    (
        "ha-both",
        "lb-east-01.example.net",
        b"        /Common/eip_west\n",
        b"        /Common/eip_west\n        /Common/other\n",
        "lb-east-01.example.net: different: /Common/vmotion_vgrp: net vlan-group /Common/vmotion_vgrp: members is { /Common/eip_west /Common/other /Common/vmotion_vlan }",
    ),
    (
        "mixed",
        "bigip-dc2",
        b"ltm monitor virtual-location /Common/vm_vloc {",
        b"ltm monitor virtual-location /Common/vm_vloc_old {",
        "bigip-dc2: missing: /Common/vm_vloc: ltm monitor virtual-location /Common/vm_vloc: the site gives this unit the Virtual Location monitor, not saved here",
    ),
    (
        "mixed",
        "bigip-dc2",
        b"    interval 5\n",
        b"    interval 6\n",
        "bigip-dc2: different: /Common/vm_vloc: ltm monitor virtual-location /Common/vm_vloc: interval is 6, the site gives 5",
    ),
    (
        "existing-pool",
        "f5-main-1",
        b"    min-active-members 1\n",
        b"    min-active-members 2\n",
        "f5-main-1: different: /Common/erp_pool: ltm pool /Common/erp_pool: min-active-members is 2, the site gives 1",
    ),
    (
        "standalone-both",
        "bigip-a",
        b"sys global-settings {",
        b"net tunnels tunnel /Common/eip_old {\n    profile /Common/etherip\n}\nsys global-settings {",
        "bigip-a: extra: /Common/eip_old: net tunnels tunnel /Common/eip_old: an EtherIP tunnel (profile etherip), but the site does not give it to this unit",
    ),
]


@pytest.mark.parametrize(("case", "host", "old", "new", "finding"), BREAKS)
def test_each_difference_is_found(
    case: str, host: str, old: bytes, new: bytes, finding: str, tmp_path: Path
) -> None:
    files = saved_files(site(case), BigIpVersion.V11_6_5)
    assert old in files[host]
    files[host] = files[host].replace(old, new, 1)
    code, out = _after(CASES_DIR / f"{case}.yaml", _write(tmp_path, files))
    assert code == 1
    assert any(line.startswith(finding) for line in out.splitlines()), out


def test_a_plan_is_evidenced_against_new_not_old(tmp_path: Path) -> None:
    """After a tunnel rename the units hold NEW's state: --after with NEW holds; with OLD, the
    new tunnel is extra and the old one missing."""
    from generator.validate import load_site

    new = load_site(PLANS / "tunnel-rename-ha" / "new.yaml")
    args = _write(tmp_path, saved_files(new, BigIpVersion.V11_6_5))
    assert _after(PLANS / "tunnel-rename-ha" / "new.yaml", args)[0] == 0
    code, out = _after(PLANS / "tunnel-rename-ha" / "old.yaml", args)
    assert code == 1
    assert "lb-east-01.example.net: missing: /Common/eip_west:" in out
    assert "lb-east-01.example.net: extra: /Common/eip_to_west:" in out


def test_units_not_given_are_notes(tmp_path: Path) -> None:
    files = saved_files(site("mixed"), BigIpVersion.V11_6_5)
    code, out = _after(CASES_DIR / "mixed.yaml", _write(tmp_path, {"bigip-dc2": files["bigip-dc2"]}))
    assert code == 0
    assert "bigip-dc1-a: not-checked: -: no saved configuration given for this unit" in out

"""Hostile input: every string field of a site file, tried with characters tmsh or Tcl would
interpret and with pathological sizes, is refused quickly with one located line per problem."""

from __future__ import annotations

import json
import time

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.errors import SiteFileError
from generator.validate import load_site_text
from tests.helpers import CASES_DIR

BASES = {name: (CASES_DIR / f"{name}.yaml").read_text() for name in ("mixed", "ha-both", "existing-pool")}

# (base case, the exact text to replace, what replaces it; {} is the hostile value as a YAML
# double-quoted string). Together they cover every string-valued key of the site file.
SLOTS = [
    ("mixed", "deployment: vmotion ", "deployment: {} "),
    ("mixed", "bigip_version: 11.6.5", "bigip_version: {}"),
    ("mixed", "vm_subnet: 10.10.10.0/24", "vm_subnet: {}"),
    ("mixed", "  name: vm_pool", "  name: {}"),
    ("mixed", "10.10.10.22:80]", "{}]"),
    ("mixed", "name: vm_vloc", "name: {}"),
    ("mixed", "also_monitor: http", "also_monitor: {}"),
    ("mixed", "  dc1:", "  {}:"),
    ("mixed", "device_group: dg_dc1", "device_group: {}"),
    ("mixed", "vlan: external", "vlan: {}"),
    ("mixed", "floating_self: 198.51.100.10/24", "floating_self: {}"),
    ("mixed", 'interfaces: {"1.1": untagged}', "interfaces: {{{}: untagged}}"),
    ("mixed", 'interfaces: {"1.1": untagged}', 'interfaces: {{"1.1": {}}}'),
    ("mixed", "tag: 300", "tag: {}"),
    ("mixed", "tunnel: eip_dc2", "tunnel: {}"),
    (
        "mixed",
        "    vlan_group: vm_vgrp\n    devices:\n      bigip-dc1",
        "    vlan_group: {}\n    devices:\n      bigip-dc1",
    ),
    ("mixed", "bigip-dc1-a:", "{}:"),
    ("mixed", "wan_self: 198.51.100.11/24", "wan_self: {}"),
    ("mixed", "vm_self: 10.10.10.4/24", "vm_self: {}"),
    ("mixed", "create: false ", "create: {} "),
    ("ha-both", "[tcp:4353, udp:1026]", "[tcp:4353, {}]"),
    ("ha-both", "allow_service: default", "allow_service: {}"),
    ("ha-both", "mtu: 1600", "mtu: {}"),
    ("existing-pool", "restore_monitor: http and tcp_half_open", "restore_monitor: {}"),
    ("mixed", "interval: 5", "interval: {}"),
]
PAYLOADS = {
    "braces": "x } ; delete net vlan all {",
    "brackets": "[exec reboot]",
    "dollar": "$::env(HOME)",
    "semicolon": "a;b",
    "quote": 'a"b',
    "backslash": "a\\b",
    "newline": "a\nb",
    "tab": "a\tb",
    "nul": "a\x00b",
    "non-ascii": "vm_vlän",
    "long": "a" * 10_000,
}


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
@pytest.mark.parametrize("slot", range(len(SLOTS)), ids=[s[2].split(":")[0].strip() or s[2] for s in SLOTS])
def test_hostile_value_is_refused_quickly_with_a_located_line(slot: int, payload: str) -> None:
    base, old, new = SLOTS[slot]
    text = BASES[base]
    assert text.count(old) == 1, old
    bad = text.replace(old, new.format(json.dumps(PAYLOADS[payload], ensure_ascii=False)))
    started = time.perf_counter()
    with pytest.raises(SiteFileError) as info:
        load_site_text(bad, "site.yaml")
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"took {elapsed:.2f}s"
    for line in info.value.lines():
        assert line.startswith("site.yaml:") and "\n" not in line and "\x00" not in line
        assert len(line) < 400, "a value is echoed in full"


def test_alias_bomb_and_deep_nesting_are_refused_quickly() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    deep = "a: " + "[" * 5000 + "]" * 5000 + "\n"
    for text in (bomb, deep):
        started = time.perf_counter()
        with pytest.raises(SiteFileError) as info:
            load_site_text(text, "site.yaml")
        assert time.perf_counter() - started < 1.0
        assert info.value.lines()[0].startswith("site.yaml:1:")


def test_hostile_values_through_the_cli_write_nothing(tmp_path: object) -> None:
    from pathlib import Path

    work = Path(str(tmp_path))
    for name, payload in PAYLOADS.items():
        site = work / f"{name}.yaml"
        site.write_text(BASES["mixed"].replace("tunnel: eip_dc2", f"tunnel: {json.dumps(payload)}"))
        result = CliRunner().invoke(app, ["render", str(site), "--out", str(work / "out")])
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert len([line for line in result.stderr.splitlines() if ": note: " not in line]) == 1
    assert not (work / "out").exists()

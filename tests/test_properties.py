"""Property-based tests: random valid site files always validate, render, replay and roll back;
random broken ones always get a located error and no output.

The normal suite runs a fixed set of examples (a few hundred with ETHERIP_FULL_MATRIX=1, as
.ci/run sets it; fewer from scripts/test.sh). For a long run:
    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_properties.py
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import tempfile
from pathlib import Path

import jsonschema
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from typer.testing import CliRunner

from generator.cli import app
from generator.proof.check import check_folder
from generator.proof.tcl import tcl
from generator.proof.tmsh.keystep import parse_step
from generator.proof.tmsh.replay import runbook_order, starting_cluster
from generator.proof.tmsh.script import split_commands
from generator.render import render_version
from generator.schema import site_schema
from generator.validate import load_site_text
from generator.versions import ALL_VERSIONS
from tests.helpers import FULL_MATRIX, scaled
from tests.sitegen import random_site, to_yaml

SCHEMA = site_schema()
INTERPRETED = re.compile(r"[\[\]$\\;]")


def _site_text(rnd: random.Random) -> str:
    return to_yaml(random_site(rnd)) + "\n"


@given(st.randoms(use_true_random=False))
def test_random_valid_site_renders_replays_and_rolls_back(rnd: random.Random) -> None:
    text = _site_text(rnd)
    site = load_site_text(text, "random.yaml")
    # The site's own version (random sites take every version of the table); every version
    # with ETHERIP_FULL_MATRIX=1 (tests/test_versions.py proves the versions render alike).
    versions = ALL_VERSIONS if FULL_MATRIX else (site.bigip_version,)
    trees = [render_version(site, v, text.encode()) for v in versions]
    for t in trees:
        files = t.files()
        entries = json.loads(files["manifest.json"])["artifacts"]
        assert {e["path"] for e in entries} == set(files) - {"manifest.json"}
        assert all(e["sha256"] == hashlib.sha256(files[e["path"]]).hexdigest() for e in entries)
    t = trees[-1]
    files = t.files()
    commands = [
        cmd
        for path, data in sorted(files.items())
        if path.endswith(".tmsh")
        for _, cmd in split_commands(data.decode())
    ]
    assert all(complete and words is not None for complete, words in tcl().words(commands))
    assert not [c for c in commands if INTERPRETED.search(c)], (
        "a command carries a character Tcl would interpret"
    )
    (na, pa), (_, pb) = site.peers.items()
    artifacts = json.loads(files["manifest.json"])["artifacts"]
    for name in site.peers:
        cluster = starting_cluster(site, name)
        start = {h: dict(d.objects) for h, d in cluster.devices.items()}
        for kind in ("tmsh-apply", "tmsh-rollback"):
            for art in runbook_order(site, name, artifacts, kind):
                cluster.run(
                    str(art["device"]),
                    parse_step(str(art["path"]), files[str(art["path"])].decode()),
                    str(art["path"]),
                )
            if kind == "tmsh-apply":
                first = next(iter(site.peers[name].devices))
                tunnel = cluster.devices[first].objects[
                    (("net", "tunnels", "tunnel"), f"/Common/{site.peers[name].tunnel}")
                ]
                mine, other = (pa, pb) if name == na else (pb, pa)
                assert (tunnel["local-address"], tunnel["remote-address"]) == (
                    str(mine.endpoint),
                    str(other.endpoint),
                )
        assert {h: d.objects for h, d in cluster.devices.items()} == start
        assert cluster.unsaved() == []
    jsonschema.validate(YAML(typ="safe").load(text), SCHEMA)


@settings(max_examples=scaled(20, 4))
@given(st.randoms(use_true_random=False))
def test_random_valid_site_passes_etherip_check(rnd: random.Random) -> None:
    text = _site_text(rnd)
    site = load_site_text(text, "random.yaml")
    report = check_folder(render_version(site, site.bigip_version, text.encode()).files(), "random")
    assert report.findings == [], [str(f) for f in report.findings[:5]]


def _mutate(text: str, how: str, rnd: random.Random) -> bytes:
    lines = text.split("\n")
    if how == "bad_number":
        numbers = [i for i, line in enumerate(lines) if re.search(r'"(tag|interval|mtu)": \d+$', line)]
        i = rnd.choice(numbers)
        key = lines[i].split(":")[0]
        lines[i] = f"{key}: {rnd.choice(['0', '99999', '-3', 'abc', '1.5', '[1]', '0012', 'no', ''])}"
    elif how == "bad_address":
        i = rnd.choice(
            [
                i
                for i, line in enumerate(lines)
                if '"vm_self"' in line or '"wan_self"' in line or '"vm_subnet"' in line
            ]
        )
        key = lines[i].split(":")[0]
        junk = "".join(rnd.choice('abc{}[]$;:/."\\ 0123456789') for _ in range(rnd.randint(0, 12)))
        lines[i] = f"{key}: x{junk}"
    elif how == "drop_required":
        key = rnd.choice(['"deployment"', '"vm_subnet"', '"tunnel"', '"vlan_group"', '"wan_self"'])
        lines = [line for line in lines if not line.lstrip().startswith(key)]
    elif how == "unknown_key":
        i = rnd.choice([i for i, line in enumerate(lines) if line.endswith('":') and i > 0])
        indent = len(lines[i + 1]) - len(lines[i + 1].lstrip())
        lines.insert(
            i + 1, " " * indent + rnd.choice(['"remote_adress": 1', '"mtu_size": 9000', '"descripton": "x"'])
        )
    elif how == "truncate":
        cut = text.rindex('"devices"')
        return text[: rnd.randrange(0, cut)].encode()
    elif how == "binary":
        return bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 64))) + b"\x00"
    elif how == "syntax":
        lines.append(rnd.choice(['"extra": [unclosed', '  - "stray item"', '"key": {a: 1', '\t"tab": 1']))
    elif how == "same_device_in_both_peers":
        hosts = re.findall(r'"(p[01]-lb[01]\.dc[0-9])":', text)
        return text.replace(f'"{hosts[-1]}":', f'"{hosts[0]}":').encode()
    return "\n".join(lines).encode()


MUTATIONS = [
    "bad_number",
    "bad_address",
    "drop_required",
    "unknown_key",
    "truncate",
    "binary",
    "syntax",
    "same_device_in_both_peers",
]
LOCATED = re.compile(r"^\S.*?:\d+:\d+: \S")


@settings(max_examples=scaled(200, 60))
@given(st.randoms(use_true_random=False), st.sampled_from(MUTATIONS))
def test_broken_site_gets_located_errors_and_no_output(rnd: random.Random, how: str) -> None:
    text = _site_text(rnd)
    broken = _mutate(text, how, rnd)
    work = Path(tempfile.mkdtemp(prefix="etherip-prop-"))
    site = work / "site.yaml"
    site.write_bytes(broken)
    out = work / "out"
    result = CliRunner().invoke(app, ["render", str(site), "--version", "all", "--out", str(out)])
    assert result.exit_code == 1, (how, result.output[-500:])
    errors = result.stderr.splitlines()
    assert errors and all(LOCATED.match(line) for line in errors), errors[:3]
    assert "Traceback" not in result.output
    assert not out.exists()

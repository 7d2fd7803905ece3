"""etherip plan: a later change of a deployment, proven like a render.

- random site pairs (tests/plangen.py: one to five edits of every kind) give plans that replay
  from OLD's render to exactly NEW's and roll back to exactly OLD's, every Expect holding;
- the golden plan cases (tests/plans/) do the same through `etherip check` on the written folder,
  for every version;
- two different deployments are refused with a located message, identical sites give "no
  changes", and nothing is written then;
- the proofs catch a plan that does not do what it says (each break below fails a proof);
- CHANGE.md's rollback table: from every apply file that could fail, the named rollback files
  give back OLD's state.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import random
from functools import cache
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from generator.artifacts import VersionTree
from generator.cli import app
from generator.errors import SiteFileError
from generator.lifecycle.identity import Sites, check_same_deployment
from generator.lifecycle.package import build_plan, render_plan
from generator.load import parse_site
from generator.model import Site
from generator.proof.check import Report
from generator.proof.plan_check import Replayed, _plan_cluster, _replayed, prove_plan
from generator.proof.tmsh.replay import runbook_order
from generator.proof.tmsh.script import parse_script
from generator.validate import validate_source
from generator.versions import BigIpVersion
from tests.helpers import FULL_MATRIX, ROOT, golden_base, plan_case_differing_most, proof_versions, scaled
from tests.plangen import edited
from tests.sitegen import random_site, to_yaml

PLANS = ROOT / "tests" / "plans"
PLAN_CASES = sorted(p.name for p in PLANS.iterdir() if p.is_dir())
runner = CliRunner()


@cache
def pair(case: str) -> tuple[Site, Site, bytes, bytes]:
    old, new = (PLANS / case / "old.yaml").read_bytes(), (PLANS / case / "new.yaml").read_bytes()
    return _site(old, "old.yaml"), _site(new, "new.yaml"), old, new


def _site(data: bytes, name: str) -> Site:
    return validate_source(parse_site(data, name))


@cache
def plan_tree(case: str, version: BigIpVersion) -> VersionTree:
    old, new, a, b = pair(case)
    return render_plan(build_plan(old, new, version), a, b)


def _proven(old: Site, new: Site, version: BigIpVersion, tree: VersionTree) -> list[str]:
    report = Report()
    prove_plan(old, new, version, tree, "plan", report)
    return [str(f) for f in report.findings]


# ---- random pairs ---------------------------------------------------------------------------


def _random_pair(rnd: random.Random, edits: int) -> tuple[Site, Site, VersionTree, list[str]]:
    site = random_site(rnd)
    site.pop("ipsec", None)  # a plan refuses IPsec (generator/lifecycle/identity.py)
    changed, done = edited(rnd, site, edits)
    old_text, new_text = (to_yaml(s).encode() + b"\n" for s in (site, changed))
    try:
        old, new = _site(old_text, "old.yaml"), _site(new_text, "new.yaml")
    except SiteFileError:
        assume(False)  # an edit this site's rules refuse (MTU arithmetic, a gateway's subnet)
        raise
    sources = parse_site(old_text, "old.yaml"), parse_site(new_text, "new.yaml")
    check_same_deployment(Sites(old, new, *sources))
    return old, new, render_plan(build_plan(old, new, old.bigip_version), old_text, new_text), done


@settings(max_examples=scaled(150, 30))
@given(st.randoms(use_true_random=False), st.integers(1, 5))
def test_random_pairs_replay_to_new_and_roll_back_to_old(rnd: random.Random, edits: int) -> None:
    """The tmsh path: replay, no dangling reference, every Expect (the iApp path below)."""
    old, new, tree, done = _random_pair(rnd, edits)
    report = Report()
    prove_plan(old, new, old.bigip_version, tree, "plan", report, iapp=False)
    assert [str(f) for f in report.findings] == [], done


@settings(max_examples=scaled(40, 6))
@given(st.randoms(use_true_random=False), st.integers(1, 5))
def test_random_pairs_through_the_iapp_path(rnd: random.Random, edits: int) -> None:
    """The same pairs deployed through the iApp: the implementation run offline at every stage
    the flows use (Tcl), the plan's iApp flow to the tmsh path's state and back."""
    old, new, tree, done = _random_pair(rnd, edits)
    assert _proven(old, new, old.bigip_version, tree) == [], done


# ---- the golden cases, through the folder and etherip check --------------------------------


@pytest.mark.parametrize("case", PLAN_CASES)
def test_golden_plans_are_proven_for_every_version(case: str, tmp_path: Path) -> None:
    """Every plan case on every version with ETHERIP_FULL_MATRIX=1 (.ci/run); sampled, the case
    whose output differs most across versions on every version and the others on the golden base
    (the goldens pin each of them on each pinned version)."""
    every = FULL_MATRIX or case == plan_case_differing_most(PLAN_CASES)
    version = "all" if every else golden_base().value
    result = runner.invoke(
        app,
        [
            "plan",
            str(PLANS / case / "old.yaml"),
            str(PLANS / case / "new.yaml"),
            "--version",
            version,
            "--out",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    checked = runner.invoke(app, ["check", str(tmp_path)])
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.count(": ok;") == (len(BigIpVersion) if every else 1)


def test_plan_prints_one_line_per_object(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    case = PLANS / "member-timer"
    result = runner.invoke(
        app, ["plan", str(case / "old.yaml"), str(case / "new.yaml"), "--out", str(blocked)]
    )
    assert result.exit_code == 3  # the package could not be written: the plan is not printed as done
    assert result.stdout == ""
    case = PLANS / "tunnel-rename-ha"
    ok = runner.invoke(
        app, ["plan", str(case / "old.yaml"), str(case / "new.yaml"), "--out", str(tmp_path / "out")]
    )
    assert ok.exit_code == 0, ok.output
    lines = ok.stdout.splitlines()
    assert "east/lb-east-01.example.net (first unit: synced objects for the pair):" in lines
    assert any(
        line.startswith("  -/+ replace net tunnels tunnel /Common/eip_west → /Common/eip_to_west (")
        for line in lines
    )
    assert (
        "  ~ modify net vlan-group /Common/vmotion_vgrp: members: { vmotion_vlan eip_west } → { vmotion_vlan eip_to_west }"
        in lines
    )
    assert "west/lb-west-01.example.net (first unit: synced objects for the pair): no change" in lines


def test_no_changes_writes_nothing(tmp_path: Path) -> None:
    old = PLANS / "wan-gateway" / "old.yaml"
    same = tmp_path / "same.yaml"
    same.write_text("# only a comment differs\n" + old.read_text())
    result = runner.invoke(app, ["plan", str(old), str(same), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert "no changes" in result.stdout
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (
            ("deployment: vmotion", "deployment: vmotion2"),
            "new.yaml:3:13: deployment: 'vmotion2' here, 'vmotion' in ",
        ),
        (("device_group: dg_dc1", "device_group: dg_dc9"), "peers.dc1.device_group: 'dg_dc9' here"),
        (("bigip-dc1-b: {", "bigip-dc1-c: {"), "peers.dc1.devices: bigip-dc1-a, bigip-dc1-c here"),
        (
            (
                '      tag: 200\n      interfaces: {"1.2": tagged}\n    tunnel: eip_dc1',
                "      create: false\n    tunnel: eip_dc1",
            ),
            "peers.dc2.vm.create: false here, true in ",
        ),
        (
            ("  dc2:                         # standalone device", "  dc3:"),
            "peers: [dc1, dc3] here, [dc1, dc2] in ",
        ),
        (
            ("vm_subnet: 10.10.10.0/24 ", "ipsec: {}\nvm_subnet: 10.10.10.0/24 "),
            "new.yaml:5:1: ipsec: a plan does not take a site with IPsec yet",
        ),
    ],
)
def test_another_deployment_is_refused_with_a_located_message(
    edit: tuple[str, str], where: str, tmp_path: Path
) -> None:
    old = ROOT / "tests" / "cases" / "mixed.yaml"
    text = old.read_text()
    assert edit[0] in text
    new = tmp_path / "new.yaml"
    new.write_text(text.replace(edit[0], edit[1], 1))
    result = runner.invoke(app, ["plan", str(old), str(new), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert where in result.stderr, result.stderr
    assert "render the new site (etherip render) and roll back the old one" in result.stderr
    assert not (tmp_path / "out").exists()
    assert "Traceback" not in result.output


def test_invalid_sites_are_reported_for_both_files(tmp_path: Path) -> None:
    bad_old, bad_new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    bad_old.write_text("deployment: x\n")
    bad_new.write_text("deployment: [\n")
    result = runner.invoke(app, ["plan", str(bad_old), str(bad_new), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert str(bad_old) in result.stderr and str(bad_new) in result.stderr
    assert not (tmp_path / "out").exists()


# ---- the proofs can fail ----------------------------------------------------------------------


def _broken(tree: VersionTree, path: str, old: bytes, new: bytes) -> VersionTree:
    artifacts = []
    for a in tree.artifacts:
        content = a.content.replace(old, new) if a.path == path else a.content
        assert a.path != path or content != a.content, f"{path}: nothing to break"
        artifacts.append(dataclasses.replace(a, content=content))
    return VersionTree(tree.deployment, tree.version, artifacts)


BREAKS = [
    # B keeps the old tunnel in its VLAN group: the sync that deletes it leaves a dangling member
    (
        "tunnel-rename-ha",
        "east/lb-east-02.example.net/02-local.tmsh",
        b"modify net vlan-group /Common/vmotion_vgrp members delete { /Common/eip_west }\n",
        b"",
        "replay",
    ),
    # a step sets another timer than NEW's
    ("member-timer", "dc1/bigip-dc1-a/01-synced.tmsh", b"interval 10", b"interval 11", "apply"),
    # the pre-check claims a value OLD does not have
    ("member-timer", "dc1/bigip-dc1-a/00-precheck.tmsh", b"interval 5,", b"interval 6,", "expect"),
    # rollback forgets the gateway
    (
        "wan-gateway",
        "dc2/bigip-dc2/rollback/01-change.tmsh",
        b"gw 203.0.113.1",
        b"gw 203.0.113.254",
        "rollback",
    ),
    # the replaced unit's pool is never created
    ("replaced-unit", "site_a/bigip-a-rma/01-change.tmsh", b"create ltm pool", b"list ltm pool", "replay"),
    # iApp path: B keeps the old tunnel in its group around the reconfigure
    (
        "tunnel-rename-ha",
        "east/iapp/lb-east-02.example.net/before-sync.tmsh",
        b"members delete { /Common/eip_west }",
        b"members delete { }",
        "compare",
    ),
    # iApp path: the reconfigure sends another answer than the new template's
    (
        "member-timer",
        "dc1/iapp/reconfigure.tmsh",
        b"monitor__interval { value 10 }",
        b"monitor__interval { value 5 }",
        "deploy",
    ),
    # iApp path: the rollback reconfigure moves the service to the new template
    (
        "wan-gateway",
        "dc2/iapp/reconfigure-rollback.tmsh",
        b"template /Common/etherip_vmotion_dc2_",
        b"template /Common/etherip_vmotion_dcX_",
        "deploy",
    ),
]


@pytest.mark.parametrize(("case", "path", "old", "new", "check"), BREAKS)
def test_each_proof_catches_its_break(case: str, path: str, old: bytes, new: bytes, check: str) -> None:
    site_old, site_new, _, _ = pair(case)
    version = BigIpVersion.V11_6_5
    broken = _broken(plan_tree(case, version), path, old, new)
    found = _proven(site_old, site_new, version, broken)
    assert any(f": {check}: " for f in found) or any(f" {check}: " in f for f in found), found


# ---- CHANGE.md's rollback table, replayed ---------------------------------------------------


@pytest.mark.parametrize("case", PLAN_CASES)
def test_rollback_table_from_every_failure_point(case: str) -> None:
    old, new, _, _ = pair(case)
    version = proof_versions()[0]
    tree = plan_tree(case, version)
    files = tree.files()
    manifest = json.loads(files["manifest.json"])["artifacts"]
    base = _replayed(old, new, version, "w", Report())
    assert base is not None
    table = _stops(files["CHANGE.md"].decode())
    for peer in new.peers:
        apply_files = runbook_order(new, peer, manifest, "tmsh-apply")
        rollback_files = [str(a["path"]) for a in runbook_order(new, peer, manifest, "tmsh-rollback")]
        for i, failed in enumerate(apply_files):
            start, skip = table[str(failed["path"])]
            cluster = _plan_cluster(new, base, peer)
            before = copy.deepcopy({h: d.objects for h, d in cluster.devices.items()})
            for art in apply_files[:i]:
                cluster.run(str(art["device"]), parse_script(files[str(art["path"])].decode()))
            if start:
                for path in rollback_files[rollback_files.index(start) :]:
                    if path not in skip:
                        cluster.run(path.split("/")[1], parse_script(files[path].decode()))
            assert {h: d.objects for h, d in cluster.devices.items()} == before, failed["path"]


def _stops(change: str) -> dict[str, tuple[str, set[str]]]:
    rows = {}
    for line in change.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 4 and cells[1].startswith("`") and cells[1].endswith(".tmsh`"):
            start = cells[2].strip("`") if cells[2].startswith("`") else ""
            skip = set() if cells[3] == "—" else {s.strip() for s in cells[3].split(",")}
            rows[cells[1].strip("`")] = (start, skip)
    return rows


def test_replayed_is_the_union_of_both_sites() -> None:
    old, new, _, _ = pair("replaced-unit")
    base = _replayed(old, new, BigIpVersion.V11_6_5, "w", Report())
    assert isinstance(base, Replayed)
    assert set(base.new["site_a"].devices) == {"bigip-a-rma"}
    assert set(base.old["site_a"].devices) == {"bigip-a"}


def test_objects_of_two_kinds_may_share_a_name() -> None:
    """A tunnel and a monitor both named I (random site, seed 1379): each is its own object
    (generator/operations.py final_objects keys by kind and path)."""
    from generator.context import build_context

    text = (ROOT / "tests" / "cases" / "standalone-both.yaml").read_text()
    site = _site(text.replace("name: web_vloc", "name: eip_b").encode(), "same-name.yaml")
    ctx = build_context(site, BigIpVersion.V11_6_5)
    kinds = sorted(o.kind.tmsh for o in ctx.peers[0].devices[0].expected if o.path == "/Common/eip_b")
    assert kinds == ["ltm monitor virtual-location", "net tunnels tunnel"]


def test_what_one_reconfigure_cannot_do_is_said(tmp_path: Path) -> None:
    """A tunnel and the VLAN group renamed at once on a pair: the second unit would need the new
    group both before the config-sync (the floating self IP moves to it) and after it (it holds
    the new tunnel). IMPORT.md says so and ships no file to run; the tmsh path is proven."""
    text = (ROOT / "tests" / "cases" / "ha-both.yaml").read_text()
    changed = text.replace("tunnel: eip_west", "tunnel: eip_w2").replace(
        "    vlan_group: vmotion_vgrp\n    devices:\n      lb-east",
        "    vlan_group: vm_grp2\n    devices:\n      lb-east",
    )
    old, new = _site(text.encode(), "old.yaml"), _site(changed.encode(), "new.yaml")
    tree = render_plan(build_plan(old, new, BigIpVersion.V11_6_5), text.encode(), changed.encode())
    files = tree.files()
    assert "## Not in one reconfigure" in files["east/iapp/IMPORT.md"].decode()
    assert not [p for p in files if p.startswith("east/iapp/") and p.endswith(".tmsh")]
    assert _proven(old, new, BigIpVersion.V11_6_5, tree) == []


def test_plans_live_beside_the_render(tmp_path: Path) -> None:
    """OUT/<deployment>/changes/ is the plans' folder: render --check leaves it alone, and check
    proves the plan package there (the render's own check is tests/test_check_tamper.py's)."""
    case = PLANS / "wan-gateway"
    out = str(tmp_path / "out")
    assert runner.invoke(app, ["render", str(case / "old.yaml"), "--out", out]).exit_code == 0
    assert (
        runner.invoke(app, ["plan", str(case / "old.yaml"), str(case / "new.yaml"), "--out", out]).exit_code
        == 0
    )
    drift = runner.invoke(app, ["render", str(case / "old.yaml"), "--check", "--out", out])
    assert drift.exit_code == 0, drift.stdout
    checked = runner.invoke(app, ["check", str(tmp_path / "out" / "vmotion" / "changes")])
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.count(": ok;") == 1

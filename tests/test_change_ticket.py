"""The change-ticket package: rollback returns every device to where it started, the
expected-state files say what the apply scripts do, pre-checks and verification only read,
and the runbook, picture and manifest cover every file."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from tmconfpy import Parser

from generator.model import Site
from generator.proof.tmsh.keystep import parse_step
from generator.proof.tmsh.replay import Cluster, runbook_order, starting_cluster
from generator.proof.tmsh.script import parse_script
from generator.render import VersionTree
from generator.steps import Phase, plan
from generator.versions import BigIpVersion, release
from tests.helpers import CASES, manifest, proof_case_versions, site, tree

CASE_VERSIONS = proof_case_versions()


def _run(cluster: Cluster, t: VersionTree, arts: list[dict[str, object]]) -> None:
    files = t.files()
    for art in arts:
        path = str(art["path"])
        cluster.run(str(art["device"]), parse_step(path, files[path].decode()), path)


def _order(s: Site, t: VersionTree, peer: str, kind: str) -> list[dict[str, object]]:
    return runbook_order(s, peer, manifest(t)["artifacts"], kind)  # type: ignore[arg-type]


@pytest.mark.parametrize(("case", "version"), CASE_VERSIONS)
def test_apply_then_rollback_returns_to_the_start(case: str, version: BigIpVersion) -> None:
    s, t = site(case), tree(case, version)
    for peer in s.peers:
        cluster = starting_cluster(s, peer)
        start = {h: dict(d.objects) for h, d in cluster.devices.items()}
        _run(cluster, t, _order(s, t, peer, "tmsh-apply"))
        assert {h: dict(d.objects) for h, d in cluster.devices.items()} != start
        _run(cluster, t, _order(s, t, peer, "tmsh-rollback"))
        assert {h: d.objects for h, d in cluster.devices.items()} == start
        assert cluster.unsaved() == []


def _key_step(case: str) -> bool:
    ipsec = site(case).ipsec
    return ipsec is not None and ipsec.auth == "psk"


# every apply step but save, of each case's plan (the IPsec key step adds one)
STOPS = [(c, k) for c in CASES for k in range(1, len(plan(Phase.APPLY, key_step=_key_step(c))))]


@pytest.mark.parametrize(("case", "stopped_after"), STOPS)
def test_rollback_after_a_partial_change(case: str, stopped_after: int) -> None:
    """A change that stopped after apply step k is undone by the rollback steps that undo
    steps k..1, and the rollback save, as the runbook tells the engineer."""
    s, t = site(case), tree(case, BigIpVersion.V11_6_5)
    back = plan(Phase.ROLLBACK, key_step=_key_step(case))
    undoing = {r.number for r in back if r.undoes is not None and r.undoes <= stopped_after} | {len(back)}
    for peer in s.peers:
        cluster = starting_cluster(s, peer)
        start = {h: dict(d.objects) for h, d in cluster.devices.items()}
        _run(
            cluster, t, [a for a in _order(s, t, peer, "tmsh-apply") if int(str(a["step"])) <= stopped_after]
        )
        _run(cluster, t, [a for a in _order(s, t, peer, "tmsh-rollback") if int(str(a["step"])) in undoing])
        assert {h: d.objects for h, d in cluster.devices.items()} == start


@pytest.mark.parametrize(("case", "version"), CASE_VERSIONS)
def test_precheck_and_verify_only_read(case: str, version: BigIpVersion) -> None:
    t = tree(case, version)
    for art in manifest(t)["artifacts"]:  # type: ignore[attr-defined]
        if art["kind"] not in ("tmsh-precheck", "tmsh-verify"):
            continue
        commands = parse_script(t.files()[art["path"]].decode())
        assert {c.verb for c in commands} <= {"read", "backup", "preference"}, art["path"]
        if art["kind"] == "tmsh-precheck":
            assert (
                commands[-1].verb == "backup" and commands[-1].target == f"{site(case).deployment}-pre-change"
            )
            assert [c.verb for c in commands].count("backup") == 1


def _normal(value: Any) -> Any:
    """One shape for tmconfpy's dicts and the replay model's values."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, tuple):  # replay: a braced body such as ("address", "10.0.0.1") or ("tagged",)
        if len(value) == 1:
            return {value[0]: ""}
        return dict(zip(value[::2], value[1::2], strict=True))
    if value is None:
        return ""
    return str(value).strip('"')


def _replayed_properties(key: tuple[tuple[str, ...], str], props: dict[str, object]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in props.items():
        if name == "preshared-key":  # typed on the unit; a saved configuration shows it encrypted
            continue
        if name == "monitor":
            out[name] = " and ".join(value)  # type: ignore[arg-type]
        elif name == "allow-service" and value != "none":
            out[name] = {str(value): ""} if isinstance(value, str) else _normal(value)
        else:
            out[name] = _normal(value)
    return out


@pytest.mark.parametrize(("case", "version"), CASE_VERSIONS)
def test_expected_state_equals_what_the_apply_scripts_create(case: str, version: BigIpVersion) -> None:
    s, t = site(case), tree(case, version)
    for peer in s.peers:
        cluster = starting_cluster(s, peer)
        start = {h: set(d.objects) for h, d in cluster.devices.items()}
        _run(cluster, t, _order(s, t, peer, "tmsh-apply"))
        for host, device in cluster.devices.items():
            text = t.files()[f"{peer}/{host}/expected-state.conf"].decode()
            assert text.startswith(f"#TMSH-VERSION: {release(version).tmsh_version}\n")
            parsed = {k: _normal(v) for k, v in Parser(text).dict.items()}
            created = {
                f"{' '.join(k[0])} {k[1]}": _replayed_properties(k, p)
                for k, p in device.objects.items()
                if k not in start[host]
            }
            assert parsed == created, f"{peer}/{host}"


def test_expected_state_check_catches_a_difference() -> None:
    s, t = site("mixed"), tree("mixed", BigIpVersion.V11_6_5)
    text = (
        t.files()["dc2/bigip-dc2/expected-state.conf"]
        .decode()
        .replace("remote-address 198.51.100.10", "remote-address 198.51.100.11")
    )
    cluster = starting_cluster(s, "dc2")
    _run(cluster, t, _order(s, t, "dc2", "tmsh-apply"))
    key = "net tunnels tunnel /Common/eip_dc1"
    tunnel = cluster.devices["bigip-dc2"].objects[(("net", "tunnels", "tunnel"), "/Common/eip_dc1")]
    assert _normal(Parser(text).dict[key]) != _replayed_properties((("net", "tunnels", "tunnel"), ""), tunnel)


def _whole_text(el: ET.Element) -> str:
    """A <text>'s whole text: its <title> when wrapped or shortened over lines, else its text."""
    title = next((t.text or "" for t in el if t.tag.endswith("}title")), None)
    return title if title is not None else "".join(el.itertext())


@pytest.mark.parametrize(("case", "version"), CASE_VERSIONS)
def test_topology_names_every_device_vlan_endpoint_and_address(case: str, version: BigIpVersion) -> None:
    s, t = site(case), tree(case, version)
    root = ET.fromstring(t.files()["topology.svg"])
    text = " ".join(_whole_text(el) for el in root.iter() if el.tag.endswith("}text"))
    needed = {str(s.vm_subnet)} | {f"{a}:{p}" for a, p in s.pool.members}
    for peer in s.peers.values():
        needed |= {peer.wan.vlan, peer.vm.vlan, peer.tunnel, peer.vlan_group, str(peer.endpoint)}
        needed |= {str(f) for f in (peer.wan.floating_self, peer.vm.floating_self) if f}
        for host, dev in peer.devices.items():
            needed |= {host, str(dev.wan_self), str(dev.vm_self)}
    missing = sorted(n for n in needed if n not in text)
    assert not missing


@pytest.mark.parametrize(("case", "version"), CASE_VERSIONS)
def test_manifest_and_runbook_cover_every_file(case: str, version: BigIpVersion) -> None:
    t = tree(case, version)
    files = t.files()
    entries = manifest(t)["artifacts"]
    assert isinstance(entries, list)
    assert {e["path"] for e in entries} == set(files) - {"manifest.json"}
    for e in entries:
        assert e["sha256"] == hashlib.sha256(files[e["path"]]).hexdigest()
    runbook = files["CHANGE.md"].decode()
    for e in entries:
        if e["path"] != "CHANGE.md":
            assert f"| `{e['path']}` | `{e['sha256']}` |" in runbook
        if e["kind"].startswith("tmsh-"):
            assert f"`{e['path']}`" in runbook.split("## Artifacts")[0], (
                f"runbook never says when to run {e['path']}"
            )
    kinds = {e["kind"] for e in entries}
    ipsec = site(case).ipsec
    key_step = ipsec is not None and ipsec.auth == "psk"
    assert ("shell-apply" in kinds) == key_step  # the IPsec key step, run in bash
    assert kinds - {"shell-apply"} == {
        "tmsh-precheck",
        "tmsh-apply",
        "tmsh-verify",
        "tmsh-rollback",
        "expected-state",
        "runbook",
        "topology",
        "site",
        "iapp-template",
        "iapp-deploy",
        "iapp-guide",
        "iapp-zip",
    }
    assert json.loads(files["manifest.json"])["version"] == version.value


@pytest.mark.parametrize(("case", "version"), CASE_VERSIONS)
def test_every_file_that_lists_turns_the_pager_off_first(case: str, version: BigIpVersion) -> None:
    """A paused pager swallows the next pasted lines: no list/show may run with it on, except
    the one-object listing of the pager preference itself, which the pre-check writes down first."""
    t = tree(case, version)
    readers = 0
    for path, content in t.files().items():
        if not path.endswith(".tmsh"):
            continue
        if "/iapp/" in path:  # deploy.tmsh: outside the step subset; it must not list or show
            assert not any(line.startswith(("list ", "show ")) for line in content.decode().splitlines())
            continue
        commands = parse_script(content.decode())
        verbs = [c.verb for c in commands if not c.text.startswith("list cli preference ")]
        if "read" in verbs:
            readers += 1
            assert "preference" in verbs and verbs.index("preference") < verbs.index("read"), path
    assert readers > 0


def test_the_etherip_lockdown_fact_is_stated_where_a_step_creates_the_endpoint() -> None:
    """Step 1 creates the tunnel's endpoint self IP only on a standalone device; a pair's units
    create non-floating WAN self IPs there, so their step-1 header must not claim 97:0."""
    t = tree("mixed", BigIpVersion.V11_6_5)
    files = t.files()
    standalone = files["dc2/bigip-dc2/01-local-network.tmsh"].decode()
    pair_unit = files["dc1/bigip-dc1-a/01-local-network.tmsh"].decode()
    assert "97:0" in standalone and "Inferred: The tunnel's local self IP admits" in standalone
    assert "97:0" not in pair_unit
    ha = tree("ha-both", BigIpVersion.V11_6_5).files()
    unit = ha["east/lb-east-01.example.net/01-local-network.tmsh"].decode()
    assert "97:0" not in unit.split("create cli transaction")[0]
    assert "allow-service replace-all-with { 97:0 }" not in unit

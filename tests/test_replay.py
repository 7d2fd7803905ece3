"""Read the generated scripts back and replay them, in runbook order, on a model of each peer's
devices: every reference resolves when it is used, config-sync brings what the second unit
needs, every device saves, and each device ends with exactly the objects the site implies."""

from __future__ import annotations

import pytest

from generator.bigip import BUILTIN_MONITORS
from generator.model import Site
from generator.proof.tmsh.keystep import parse_step
from generator.proof.tmsh.replay import Cluster, ReplayError, runbook_order, starting_cluster, tunnel_problems
from generator.proof.tmsh.script import parse_script
from generator.render import VersionTree
from generator.versions import BigIpVersion
from tests.helpers import manifest, proof_case_versions, site, tree

KINDS = {
    "vlan": ("net", "vlan"),
    "group": ("net", "vlan-group"),
    "self": ("net", "self"),
    "tunnel": ("net", "tunnels", "tunnel"),
    "pool": ("ltm", "pool"),
    "monitor": ("ltm", "monitor", "virtual-location"),
    "route": ("net", "route"),
}


def replay(s: Site, t: VersionTree, peer: str, order: list[dict[str, object]] | None = None) -> Cluster:
    files = t.files()
    cluster = starting_cluster(s, peer)
    for art in order if order is not None else runbook_order(s, peer, manifest(t)["artifacts"]):  # type: ignore[arg-type]
        path = str(art["path"])
        cluster.run(str(art["device"]), parse_step(path, files[path].decode()), path)
    return cluster


def expected_objects(s: Site, peer_name: str, index: int) -> set[tuple[tuple[str, ...], str]]:
    """Derived from the site model alone, independently of the view-model and templates."""
    peer = s.peers[peer_name]
    ha = len(peer.devices) == 2
    want = {(KINDS["vlan"], f"/Common/{peer.vm.vlan}"), (KINDS["vlan"], f"/Common/{peer.wan.vlan}")}
    want |= {(KINDS["group"], f"/Common/{peer.vlan_group}"), (KINDS["tunnel"], f"/Common/{peer.tunnel}")}
    want |= {(KINDS["pool"], f"/Common/{s.pool.name}"), (KINDS["monitor"], f"/Common/{s.pool.monitor.name}")}
    unit = ("_a", "_b")[index] if ha else ""
    want.add((KINDS["self"], f"/Common/{s.deployment}_vm_self{unit}"))
    if ha:
        want.add((KINDS["self"], f"/Common/{s.deployment}_vm_float"))
    if peer.wan.create:
        want.add((KINDS["self"], f"/Common/{s.deployment}_wan_self{unit}"))
        if ha:
            want.add((KINDS["self"], f"/Common/{s.deployment}_wan_float"))
    else:
        named = peer.wan.endpoint_self  # the endpoint by its name, when the site file gives it
        own = f"/Common/{named.name}" if named and not ha else f"/Common/existing_wan_self_{index}"
        want.add((KINDS["self"], own))
        if ha:
            want.add((KINDS["self"], f"/Common/{named.name}" if named else "/Common/existing_wan_float"))
    if not s.pool.create:
        want |= {
            (("ltm", "monitor", "existing"), f"/Common/{m}")
            for m in s.pool.restore_monitor or ()
            if m not in BUILTIN_MONITORS
        }
    if peer.wan.gateway is not None and peer.wan.gateway != "existing":
        want.add((KINDS["route"], f"/Common/{s.deployment}_wan_route"))
    if s.ipsec is not None:  # synced: every unit ends with them
        want |= {
            (("net", "ipsec", "ipsec-policy"), f"/Common/{s.deployment}_ipsec"),
            (("net", "ipsec", "traffic-selector"), f"/Common/{s.deployment}_ts"),
            (("net", "ipsec", "ike-peer"), f"/Common/{s.deployment}_ike"),
        }
    if peer.ipsec_certificate is not None:  # there before the change
        c = peer.ipsec_certificate
        want |= {
            (("sys", "file", "ssl-cert"), f"/Common/{c.cert}"),
            (("sys", "file", "ssl-key"), f"/Common/{c.key}"),
            (("sys", "file", "ssl-cert"), f"/Common/{c.ca}"),
        }
    return want


CASE_VERSIONS = proof_case_versions()


@pytest.mark.parametrize(("case", "version"), CASE_VERSIONS)
def test_runbook_replays_to_the_expected_devices(case: str, version: BigIpVersion) -> None:
    s, t = site(case), tree(case, version)
    for peer_name, peer in s.peers.items():
        cluster = replay(s, t, peer_name)
        assert cluster.unsaved() == [], "every device must end with save sys config"
        for index, host in enumerate(peer.devices):
            assert set(cluster.devices[host].objects) == expected_objects(s, peer_name, index), host


@pytest.mark.parametrize(("case", "version"), CASE_VERSIONS)
def test_tunnel_endpoints_mirror(case: str, version: BigIpVersion) -> None:
    s, t = site(case), tree(case, version)
    (a, pa), (b, pb) = s.peers.items()
    tunnel = {}
    for name, peer in s.peers.items():
        first = next(iter(peer.devices))
        tunnel[name] = replay(s, t, name).devices[first].objects[(KINDS["tunnel"], f"/Common/{peer.tunnel}")]
    assert tunnel[a]["local-address"] == tunnel[b]["remote-address"] == str(pa.endpoint)
    assert tunnel[b]["local-address"] == tunnel[a]["remote-address"] == str(pb.endpoint)
    assert tunnel[a]["profile"] == tunnel[b]["profile"] == "/Common/etherip"
    assert tunnel[a]["local-address"] != tunnel[b]["local-address"]


def test_pool_monitor_rule_and_vlan_group() -> None:
    s, t = site("mixed"), tree("mixed", BigIpVersion.V11_6_5)
    dev = replay(s, t, "dc1").devices["bigip-dc1-b"]
    assert dev.objects[(KINDS["pool"], "/Common/vm_pool")]["monitor"] == ("/Common/vm_vloc", "/Common/http")
    group = dev.objects[(KINDS["group"], "/Common/vm_vgrp")]
    assert set(group["members"]) == {"/Common/vm_vlan", "/Common/eip_dc2"}  # type: ignore[arg-type]
    assert group["migration-keepalive"] == "enabled" and group["bridge-in-standby"] == "disabled"


# The replay model must be able to fail: each of these breaks the runbook in a way a real
# pair would refuse, and the model has to say so.


def _order(case: str = "mixed", peer: str = "dc1") -> list[dict[str, object]]:
    return runbook_order(site(case), peer, manifest(tree(case, BigIpVersion.V11_6_5))["artifacts"])  # type: ignore[arg-type]


def test_vlan_group_on_second_unit_before_sync_is_refused() -> None:
    order = _order()
    b_step3 = next(a for a in order if a["device"] == "bigip-dc1-b" and a["step"] == 3)
    order.remove(b_step3)
    order.insert(2, b_step3)  # after step 1 on both units, before the tunnel reaches bigip-dc1-b
    with pytest.raises(ReplayError, match="eip_dc2, which does not exist on bigip-dc1-b"):
        replay(site("mixed"), tree("mixed", BigIpVersion.V11_6_5), "dc1", order)


def test_sync_before_second_unit_has_its_vlan_group_is_refused() -> None:
    order = [a for a in _order() if not (a["device"] == "bigip-dc1-b" and a["step"] == 3)]
    with pytest.raises(ReplayError, match="config-sync to bigip-dc1-b would fail"):
        replay(site("mixed"), tree("mixed", BigIpVersion.V11_6_5), "dc1", order)


def test_missing_save_is_noticed() -> None:
    order = [a for a in _order() if not (a["device"] == "bigip-dc1-b" and a["step"] == 5)]
    cluster = replay(site("mixed"), tree("mixed", BigIpVersion.V11_6_5), "dc1", order)
    assert cluster.unsaved() == ["bigip-dc1-b"]


def test_running_a_step_twice_is_refused() -> None:
    order = _order("mixed", "dc2")
    with pytest.raises(ReplayError, match="already exists"):
        replay(site("mixed"), tree("mixed", BigIpVersion.V11_6_5), "dc2", order + order[:1])


def test_swapped_tunnel_endpoint_is_refused() -> None:
    s, t = site("mixed"), tree("mixed", BigIpVersion.V11_6_5)
    path = "dc2/bigip-dc2/02-tunnel.tmsh"
    text = (
        t.files()[path]
        .decode()
        .replace(
            "local-address 203.0.113.20 remote-address 198.51.100.10",
            "local-address 198.51.100.10 remote-address 203.0.113.20",
        )
    )
    cluster = starting_cluster(s, "dc2")
    cluster.run("bigip-dc2", parse_script(t.files()["dc2/bigip-dc2/01-local-network.tmsh"].decode()), "01")
    with pytest.raises(ReplayError, match="is not a self IP of bigip-dc2"):
        cluster.run("bigip-dc2", parse_script(text), path)


def test_failed_transaction_changes_nothing() -> None:
    s = site("mixed")
    cluster = starting_cluster(s, "dc2")
    script = "create cli transaction\ncreate net vlan /Common/v1 tag 5\ncreate net self /Common/s1 address 10.0.0.1/24 vlan /Common/nope\nsubmit cli transaction\n"
    with pytest.raises(ReplayError, match="transaction rolled back"):
        cluster.run("bigip-dc2", parse_script(script), "t")
    assert cluster.devices["bigip-dc2"].objects == {}


@pytest.mark.parametrize(("case", "version"), CASE_VERSIONS)
def test_tunnel_comes_up_between_the_final_states(case: str, version: BigIpVersion) -> None:
    s, t = site(case), tree(case, version)
    clusters = {name: replay(s, t, name) for name in s.peers}
    assert list(tunnel_problems(s, clusters)) == []


def _final(case: str, edit: tuple[str, str, str] | None = None) -> dict[str, Cluster]:
    s, t = site(case), tree(case, BigIpVersion.V11_6_5)
    files = dict(t.files())
    if edit is not None:
        path, old, new = edit
        assert old in files[path].decode()
        files[path] = files[path].decode().replace(old, new).encode()
    clusters = {}
    for name in s.peers:
        cluster = starting_cluster(s, name)
        for art in runbook_order(s, name, manifest(t)["artifacts"]):  # type: ignore[arg-type]
            cluster.run(
                str(art["device"]),
                parse_step(str(art["path"]), files[str(art["path"])].decode()),
                str(art["path"]),
            )
        clusters[name] = cluster
    return clusters


def test_port_lockdown_without_protocol_97_keeps_the_tunnel_down() -> None:
    path = "site_a/bigip-a/01-local-network.tmsh"
    clusters = _final(
        "standalone-both", (path, "allow-service replace-all-with { 97:0 }", "allow-service none")
    )
    assert any("drops IP protocol 97" in p for p in tunnel_problems(site("standalone-both"), clusters))


def test_missing_route_leaves_the_other_endpoint_unreachable() -> None:
    path = "site_b/bigip-b/02-tunnel.tmsh"
    text = tree("standalone-both", BigIpVersion.V11_6_5).files()[path].decode()
    route = next(line for line in text.splitlines() if line.startswith("create net route"))
    clusters = _final("standalone-both", (path, route + "\n", ""))
    problems = list(tunnel_problems(site("standalone-both"), clusters))
    assert problems == ["site_b/bigip-b: no route to the other endpoint 100.64.1.2"]


def test_route_through_a_gateway_that_is_not_on_link_is_refused() -> None:
    path = "site_b/bigip-b/02-tunnel.tmsh"
    with pytest.raises(ReplayError, match="not a neighbour on a directly connected network"):
        _final("standalone-both", (path, "gw 100.64.2.1", "gw 192.0.2.1"))


def test_existing_pool_keeps_its_health_monitors_and_gets_them_back() -> None:
    s, t = site("existing-pool"), tree("existing-pool", BigIpVersion.V11_6_5)
    before = starting_cluster(s, "dr").devices["f5-dr"].objects[(KINDS["pool"], "/Common/erp_pool")]
    after = replay(s, t, "dr").devices["f5-dr"].objects[(KINDS["pool"], "/Common/erp_pool")]
    assert before == {"monitor": ("/Common/http", "/Common/tcp_half_open"), "min-active-members": "2"}
    assert after["monitor"] == ("/Common/erp_vloc", "/Common/http", "/Common/tcp_half_open")
    assert after["min-active-members"] == "1"


def test_route_through_the_units_own_address_is_refused() -> None:
    """A next hop must be a neighbour: the unit's own self IP is on-link but forwards nowhere."""
    path = "site_b/bigip-b/02-tunnel.tmsh"
    with pytest.raises(ReplayError, match="not a neighbour"):
        _final("standalone-both", (path, "gw 100.64.2.1", "gw 100.64.2.2"))

"""The iApp on HA pairs: the flow of generator/iapp/flow.py replayed on the device model with
config-sync and the iApp service model (generator/proof/tmsh/iapp_service.py).

- the old order (first unit creates everything, config-sync, second unit reconfigures) is
  refused by the model at its first config-sync;
- the new flow, apply then rollback, leaves every device of every golden case exactly as the
  tmsh scripts do, and then exactly as it started;
- a stage answer outside its choices is refused before the first tmsh call;
- IMPORT.md lists exactly the operations of the flow;
- the service model itself: mark and sweep, atomic runs, strict updates, sync of the service.
"""

from __future__ import annotations

import copy
import re

import pytest

from generator.iapp.bundle import service_name
from generator.iapp.flow import (
    COMPLETE,
    NETWORK,
    STAGE_VARIABLE,
    Op,
    apply_flow,
    rollback_flow,
    stage_runs,
)
from generator.model import Site
from generator.proof.check import gui_answers
from generator.proof.iapp.apl import parse_apl
from generator.proof.iapp.harness import Case, run_cases
from generator.proof.iapp.tmpl import parse_template
from generator.proof.tmsh.iapp_service import (
    FlowRunner,
    check_strict_updates,
    delete_service,
    owned_here,
    run_service,
    service_key,
)
from generator.proof.tmsh.replay import SERVICE, Cluster, ReplayError, starting_cluster
from generator.proof.tmsh.script import parse_script
from generator.render import VersionTree
from generator.versions import BigIpVersion
from tests.helpers import CASES, proof_case_versions, site, tree
from tests.test_replay import expected_objects, replay

V = BigIpVersion.V11_6_5
HA_PEERS = [(c, p) for c in CASES for p, peer in site(c).peers.items() if peer.is_ha]


def _template(t: VersionTree, peer: str) -> tuple[str, dict[str, str]]:
    files = t.files()
    path = next(p for p in files if p.startswith(f"{peer}/iapp/") and p.endswith(".tmpl"))
    tmpl = parse_template(files[path].decode())
    return tmpl.sections["implementation"], gui_answers(parse_apl(tmpl.sections["presentation"]))


def _runner(s: Site, t: VersionTree, peer: str, runs: list[tuple[str, str]] | None = None) -> FlowRunner:
    implementation, answers = _template(t, peer)
    runs = runs if runs is not None else stage_runs(s, peer)
    run_answers = {r: {**answers, STAGE_VARIABLE: r[1]} for r in runs}
    outcomes = run_cases(implementation, [Case(f"{h} {st}", h, run_answers[(h, st)]) for h, st in runs])
    for outcome in outcomes:
        assert outcome.ok, outcome.message
    recorded = {r: o.recorded for r, o in zip(runs, outcomes, strict=True)}
    texts = {p: c.decode() for p, c in t.files().items() if p.endswith((".tmsh", ".sh"))}
    return FlowRunner(
        starting_cluster(s, peer), service_name(s), s.peers[peer].device_group, texts, recorded, run_answers
    )


def legacy_flow(s: Site, peer: str) -> tuple[Op, ...]:
    """The order IMPORT.md gave before issue 8: the first unit creates everything, config-sync,
    the second unit reconfigures."""
    first, second = list(s.peers[peer].devices)
    return (
        Op("create", first, stage=COMPLETE),
        Op("sync", first),
        Op("reconfigure", second, stage=COMPLETE),
        Op("sync", second),
    )


def _objects(cluster: Cluster, host: str, with_service: bool = False) -> dict[object, object]:
    return {k: v for k, v in cluster.devices[host].objects.items() if with_service or k[0] != SERVICE}


@pytest.mark.parametrize(("case", "peer"), HA_PEERS)
def test_old_order_is_refused_at_its_first_sync(case: str, peer: str) -> None:
    s, t = site(case), tree(case, V)
    first, second = list(s.peers[peer].devices)
    runner = _runner(s, t, peer, [(first, COMPLETE)])
    with pytest.raises(ReplayError, match=f"operation 2 .*config-sync to {second} would fail: .* refers to"):
        runner.run(legacy_flow(s, peer))


@pytest.mark.parametrize(("case", "version"), proof_case_versions())
def test_flow_apply_and_rollback_match_the_tmsh_path(case: str, version: BigIpVersion) -> None:
    s, t = site(case), tree(case, version)
    for peer, p in s.peers.items():
        runner = _runner(s, t, peer)
        start = {h: copy.deepcopy(d.objects) for h, d in runner.cluster.devices.items()}
        runner.run(apply_flow(s, peer))
        tmsh = replay(s, t, peer)
        assert runner.cluster.unsaved() == []
        for index, host in enumerate(p.devices):
            assert _objects(runner.cluster, host) == tmsh.devices[host].objects, host
            assert set(_objects(runner.cluster, host)) == expected_objects(s, peer, index), host
            assert service_key(service_name(s)) in runner.cluster.devices[host].objects, host
        runner.run(rollback_flow(s, peer))
        assert runner.cluster.unsaved() == []
        for host in p.devices:
            assert runner.cluster.devices[host].objects == start[host], host


def test_second_unit_only_ever_runs_its_own_tmsh_step_files() -> None:
    for case, peer in HA_PEERS:
        s = site(case)
        first, second = list(s.peers[peer].devices)
        for op in apply_flow(s, peer) + rollback_flow(s, peer):
            assert op.host == first or (op.action == "tmsh" and op.file.startswith(f"{peer}/{second}/"))


@pytest.mark.parametrize("value", ["everything", "NETWORK", "", "network complete", "1: network and tunnel"])
def test_stage_outside_its_choices_is_refused_before_any_tmsh_call(value: str) -> None:
    implementation, answers = _template(tree("ha-both", V), "east")
    (outcome,) = run_cases(
        implementation, [Case("stage", "lb-east-01.example.net", {**answers, STAGE_VARIABLE: value})]
    )
    assert not outcome.ok and outcome.recorded == ()
    assert outcome.message.startswith("etherip: deploy__stage: "), outcome.message


def test_missing_stage_is_refused_before_any_tmsh_call() -> None:
    implementation, answers = _template(tree("ha-both", V), "east")
    del answers[STAGE_VARIABLE]
    (outcome,) = run_cases(implementation, [Case("no stage", "lb-east-01.example.net", answers)])
    assert not outcome.ok and outcome.recorded == ()
    assert outcome.message.startswith("etherip: deploy__stage: "), outcome.message


def test_second_unit_refuses_to_run() -> None:
    implementation, answers = _template(tree("ha-both", V), "east")
    (outcome,) = run_cases(implementation, [Case("b", "lb-east-02.example.net", answers)])
    assert not outcome.ok and outcome.recorded == ()
    assert "the second unit" in outcome.message and outcome.message.startswith("etherip: ")


def _numbered(section: str) -> list[str]:
    return re.findall(r"^\d+\. (.*)$", section, flags=re.MULTILINE)


@pytest.mark.parametrize("case", CASES)
def test_import_md_lists_exactly_the_flow(case: str) -> None:
    s, t = site(case), tree(case, V)
    for peer in s.peers:
        text = t.files()[f"{peer}/iapp/IMPORT.md"].decode()
        apply_part = text.split("\n## Apply\n", 1)[1].split("\n## Rollback\n", 1)[0]
        rollback_part = text.split("\n## Rollback\n", 1)[1].split("\n## Inferred", 1)[0]
        assert _numbered(apply_part) == [op.describe() for op in apply_flow(s, peer)]
        assert _numbered(rollback_part) == [op.describe() for op in rollback_flow(s, peer)]
        for op in apply_flow(s, peer) + rollback_flow(s, peer):
            if op.action == "tmsh":
                assert op.file in t.files(), f"IMPORT.md names {op.file}, which is not rendered"


# The service model must be able to fail: each test breaks a rule a real unit enforces.


def _deployed(stage: str = COMPLETE) -> tuple[FlowRunner, str]:
    s, t = site("mixed"), tree("mixed", V)
    runner = _runner(s, t, "dc2", [("bigip-dc2", NETWORK), ("bigip-dc2", COMPLETE)])
    runner.run([Op("create", "bigip-dc2", stage=stage)])
    return runner, "bigip-dc2"


def test_identical_reconfigure_changes_nothing() -> None:
    runner, host = _deployed()
    before = copy.deepcopy(runner.cluster.devices[host].objects)
    runner.run([Op("reconfigure", host, stage=COMPLETE)])
    assert runner.cluster.devices[host].objects == before


def test_reconfigure_sweeps_what_the_run_no_longer_creates() -> None:
    runner, host = _deployed()
    device = runner.cluster.devices[host]
    complete = set(device.objects)
    runner.run([Op("reconfigure", host, stage=NETWORK)])
    swept = {k[1] for k in complete - set(device.objects)}
    assert swept == {"/Common/vm_vgrp", "/Common/vmotion_vm_self", "/Common/vm_pool", "/Common/vm_vloc"}
    owned = owned_here(device, device.objects[service_key("etherip_vmotion")])
    assert {k[1] for k in owned} == {
        "/Common/vm_vlan",
        "/Common/wan",
        "/Common/vmotion_wan_self",
        "/Common/vmotion_wan_route",
        "/Common/eip_dc1",
    }


def test_create_of_an_object_the_service_does_not_own_fails_and_changes_nothing() -> None:
    s, t = site("mixed"), tree("mixed", V)
    runner = _runner(s, t, "dc2", [("bigip-dc2", COMPLETE)])
    runner.run([Op("tmsh", "bigip-dc2", "dc2/bigip-dc2/01-local-network.tmsh")])
    before = copy.deepcopy(runner.cluster.devices["bigip-dc2"].objects)
    with pytest.raises(ReplayError, match="create /Common/vm_vlan: already exists on bigip-dc2"):
        runner.run([Op("create", "bigip-dc2", stage=COMPLETE)])
    assert runner.cluster.devices["bigip-dc2"].objects == before


def test_tmsh_may_not_change_what_the_service_owns() -> None:
    runner, host = _deployed()
    with pytest.raises(ReplayError, match=r"owned by application service .*\(strict updates\)"):
        runner.run([Op("tmsh", host, "dc2/bigip-dc2/rollback/02-vlan-group.tmsh")])


def test_delete_is_refused_while_a_surviving_object_refers_to_an_owned_one() -> None:
    s, t = site("existing-pool"), tree("existing-pool", V)
    runner = _runner(s, t, "dr", [("f5-dr", COMPLETE)])
    runner.run([Op("create", "f5-dr", stage=COMPLETE)])
    device = runner.cluster.devices["f5-dr"]
    before = copy.deepcopy(device.objects)
    with pytest.raises(
        ReplayError, match="cannot delete /Common/erp_vloc: still referred to by /Common/erp_pool"
    ):
        delete_service(device, service_name(s))
    assert device.objects == before, "a failed delete changes nothing"


def test_the_synced_service_owns_only_synced_objects_on_the_other_unit() -> None:
    s, t = site("ha-both"), tree("ha-both", V)
    runner = _runner(s, t, "east")
    ops = apply_flow(s, "east")
    runner.run(ops)
    second = runner.cluster.devices["lb-east-02.example.net"]
    owned = owned_here(second, second.objects[service_key(service_name(s))])
    assert {k[1] for k in owned} == {
        "/Common/vmotion_wan_float",
        "/Common/vmotion_wan_route",
        "/Common/eip_west",
        "/Common/vmotion_vm_float",
        "/Common/app_pool",
        "/Common/app_vloc",
    }
    with pytest.raises(ReplayError, match=r"application service .* already exists"):
        run_service(second, service_name(s), [], {}, create=True)


def test_model_refuses_the_second_units_vlan_group_before_the_first_sync() -> None:
    s, t = site("ha-both"), tree("ha-both", V)
    ops = list(apply_flow(s, "east"))
    b03 = next(op for op in ops if op.file.endswith("03-vlan-group.tmsh"))
    ops.remove(b03)
    ops.insert(1, b03)
    with pytest.raises(ReplayError, match="eip_west, which does not exist on lb-east-02"):
        _runner(s, t, "east").run(ops)


def test_strict_update_check_reads_the_commands() -> None:
    runner, host = _deployed()
    commands = parse_script("modify ltm pool /Common/vm_pool min-active-members 2\n")
    with pytest.raises(ReplayError, match="vm_pool: owned by application service"):
        check_strict_updates(runner.cluster.devices[host], commands, "x.tmsh")

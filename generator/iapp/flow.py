"""The iApp deployment flow of one peer: the ordered operations IMPORT.md prints and the
offline check replays. This is the only place the order lives.

On an HA pair the service runs on the first unit only, in two stages, and the second unit
gets its device-local objects (VLANs, VLAN group, non-floating self IPs) from its own tmsh
step files, each before the config-sync that brings the synced objects referring to them:

  apply:    B 01 tmsh -> A create service (stage network) -> sync -> B 03 tmsh
            -> A reconfigure (stage complete) -> sync -> A, B save
  rollback: A reconfigure (stage network) -> sync -> B rollback 02 -> A reconfigure (stage
            removed) -> sync -> B rollback 04 -> A delete service -> sync -> A, B save

With IPsec and a pre-shared key, the key is never an answer: after the stage that creates the
traffic selector, A runs the key step (bash; it creates the IKE peer and config-syncs), and
rollback deletes the IKE peer (A's rollback step, which config-syncs) before stage removed
deletes the selector it refers to.

A standalone device creates the service in one run (stage complete); its rollback reconfigures
to stage removed, then deletes the service. Stage removed creates nothing, so the framework
deletes every object the service owns, and the run puts back what it changed on existing
objects (an existing pool's monitor rule and min-active-members, an existing endpoint self IP's
lockdown): deleting a service runs no code, so that must happen in a run.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.model import Site
from generator.steps import KEY_STEP, Phase, step_file

STAGE_VARIABLE = "deploy__stage"
NETWORK = "network"  # this unit's VLANs and WAN self IP, the floating WAN self IP, the tunnel
COMPLETE = "complete"  # and the VLAN group, this unit's VM self IP, the floating VM self IP, pool, monitor
REMOVED = "removed"  # nothing; existing objects (pool, endpoint self IP) get their earlier values back
STAGES = (NETWORK, COMPLETE, REMOVED)
# The apply steps (generator/steps.py slugs) whose objects each stage holds on the first unit.
STAGE_STEPS = {
    NETWORK: ("local-network", "tunnel"),
    COMPLETE: ("local-network", "tunnel", "vlan-group", "pool-monitor"),
    REMOVED: (),
}


@dataclass(frozen=True)
class Op:
    action: str  # tmsh | create | reconfigure | delete | sync
    host: str
    file: str = ""  # tmsh: the step file, relative to the version folder
    stage: str = ""  # create/reconfigure: the stage answer

    def describe(self) -> str:
        """One line naming the operation, as IMPORT.md lists it."""
        if self.action == "tmsh":
            shell = "bash" if self.file.endswith(".sh") else "tmsh"
            return f"{self.host}: paste `{self.file}` into {shell}"
        if self.action == "create":
            return f"{self.host}: create the application service, stage `{self.stage}`"
        if self.action == "reconfigure":
            return f"{self.host}: reconfigure the application service to stage `{self.stage}`"
        if self.action == "delete":
            return f"{self.host}: delete the application service"
        return f"{self.host}: config-sync to the device group"


def _tmsh(peer: str, host: str, phase: Phase, slug: str, key_step: bool) -> Op:
    """The step file of `slug` on `host`, named by generator/steps.py as the plan numbers it (a
    renamed or renumbered step renames it here too)."""
    return Op("tmsh", host, f"{peer}/{host}/{step_file(phase, slug, key_step=key_step)}")


def uses_key_step(site: Site) -> bool:
    """The tmsh plan has the IPsec key step (a pre-shared key): the iApp takes the key as a
    password answer instead, but the step files it interleaves are numbered with it."""
    return site.ipsec is not None and site.ipsec.auth == "psk"


def apply_flow(site: Site, peer_name: str) -> tuple[Op, ...]:
    peer = site.peers[peer_name]
    return apply_ops(peer_name, tuple(peer.devices), peer.local_step, uses_key_step(site))


def rollback_flow(site: Site, peer_name: str) -> tuple[Op, ...]:
    peer = site.peers[peer_name]
    return rollback_ops(peer_name, tuple(peer.devices), peer.local_step, uses_key_step(site))


def apply_ops(
    peer_name: str, hosts: tuple[str, ...], local_step: bool, key_step: bool = False
) -> tuple[Op, ...]:
    """The apply flow of a peer with these devices (two: a pair)."""
    first = hosts[0]
    apply = Phase.APPLY
    key = [_tmsh(peer_name, first, apply, KEY_STEP, key_step)] if key_step else []
    if len(hosts) == 1:
        return (Op("create", first, stage=COMPLETE), *key, _tmsh(peer_name, first, apply, "save", key_step))
    second = hosts[1]
    ops: list[Op] = []
    if local_step:
        ops.append(_tmsh(peer_name, second, apply, "local-network", key_step))
    ops += [
        Op("create", first, stage=NETWORK),
        Op("sync", first),
        *key,
        _tmsh(peer_name, second, apply, "vlan-group", key_step),
        Op("reconfigure", first, stage=COMPLETE),
        Op("sync", first),
        _tmsh(peer_name, first, apply, "save", key_step),
        _tmsh(peer_name, second, apply, "save", key_step),
    ]
    return tuple(ops)


def rollback_ops(
    peer_name: str, hosts: tuple[str, ...], local_step: bool, key_step: bool = False
) -> tuple[Op, ...]:
    first = hosts[0]
    back = Phase.ROLLBACK
    key = [_tmsh(peer_name, first, back, KEY_STEP, key_step)] if key_step else []
    if len(hosts) == 1:
        return (
            *key,
            Op("reconfigure", first, stage=REMOVED),
            Op("delete", first),
            _tmsh(peer_name, first, back, "save", key_step),
        )
    second = hosts[1]
    ops = [
        Op("reconfigure", first, stage=NETWORK),
        Op("sync", first),
        _tmsh(peer_name, second, back, "vlan-group", key_step),
        *key,
        Op("reconfigure", first, stage=REMOVED),
        Op("sync", first),
    ]
    if local_step:
        ops.append(_tmsh(peer_name, second, back, "local-network", key_step))
    ops += [
        Op("delete", first),
        Op("sync", first),
        _tmsh(peer_name, first, back, "save", key_step),
        _tmsh(peer_name, second, back, "save", key_step),
    ]
    return tuple(ops)


def stage_runs(site: Site, peer_name: str) -> list[tuple[str, str]]:
    """(host, stage) of every implementation run the flows make, in first-use order."""
    runs: list[tuple[str, str]] = []
    for op in apply_flow(site, peer_name) + rollback_flow(site, peer_name):
        if op.action in ("create", "reconfigure") and (op.host, op.stage) not in runs:
            runs.append((op.host, op.stage))
    return runs

"""Which operations each step runs on each device: the objects of the view-model turned into
`create`/`modify`/`delete` lines (generator/operations.py), per apply and rollback step.

The step plan (generator/steps.py) says which device runs a step and whether it syncs; this
module says what the step's transaction holds on that device. Rollback undoes apply in reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from generator import bigip
from generator.operations import Entries, Item, Operation, Value, create, delete, entries, modify
from generator.steps import Phase
from generator.views import (
    EndpointView,
    IpsecObject,
    IpsecView,
    MonitorView,
    PoolView,
    RouteView,
    SelfIpView,
    TunnelView,
    VlanGroupView,
    VlanView,
)


@dataclass(frozen=True)
class StepObjects:
    """What one device's steps work on: the peer's objects and this device's own self IPs."""

    deployment: str
    vlans: tuple[VlanView, ...]  # created VLANs, VM VLAN first
    wan_self: SelfIpView | None  # this device's WAN self IP, when the change creates it
    vm_self: SelfIpView
    wan_floating: SelfIpView | None
    vm_floating: SelfIpView | None
    route: RouteView | None
    tunnel: TunnelView
    endpoint: EndpointView | None  # an existing endpoint self IP the site names
    vlan_group: VlanGroupView
    pool: PoolView
    monitor: MonitorView
    ipsec: IpsecView | None = None  # the tunnel's IPsec objects (site key ipsec)


def step_operations(phase: Phase, slug: str, objects: StepObjects) -> tuple[Operation, ...]:
    """The operations of step `slug` of `phase` on the device `objects` describes."""
    builders = _APPLY if phase is Phase.APPLY else _ROLLBACK
    return tuple(builders[slug](objects)) if slug in builders else ()


# ---- one create operation per object ------------------------------------------------------


def create_vlan(v: VlanView, deployment: str) -> Operation:
    interfaces = Entries("add", tuple(Item(name, (mode,)) for name, mode in v.interfaces))
    values: dict[str, Value | None] = {
        "interfaces": interfaces,
        "tag": str(v.tag) if v.tag else None,
        "mtu": str(v.mtu) if v.mtu else None,
        "description": bigip.quoted(f"etherip {deployment} {v.role} VLAN"),
    }
    return create(bigip.VLAN, v.path, values, f"the {v.role} VLAN")


def lockdown_value(s: SelfIpView) -> Value:
    return entries("replace-all-with", s.services) if s.services else s.lockdown


def lockdown_of(chosen: tuple[str, ...]) -> Value:
    """allow-service as tmsh takes it: a keyword alone, else replace-all-with its entries."""
    if len(chosen) == 1 and ":" not in chosen[0]:
        return chosen[0]
    return entries("replace-all-with", chosen)


def _endpoint_label(e: EndpointView) -> str:
    return "the existing endpoint self IP"


def create_self(s: SelfIpView, label: str) -> Operation:
    values: dict[str, Value | None] = {
        "address": s.address,
        "vlan": s.vlan_path,
        "traffic-group": s.traffic_group,
        "allow-service": lockdown_value(s),
    }
    return create(bigip.SELF_IP, s.path, values, label)


def create_from_props(
    kind: bigip.Kind, path: str, props: tuple[tuple[str, str], ...], label: str
) -> Operation:
    return create(kind, path, dict(props), label)


def create_vlan_group(g: VlanGroupView, deployment: str) -> Operation:
    values: dict[str, Value | None] = {
        "members": entries("add", g.members),
        "mode": g.mode,
        "bridge-in-standby": "disabled",
        "migration-keepalive": "enabled",
        "proxy-excludes": entries("add", g.proxy_excludes) if g.proxy_excludes else None,
        "description": bigip.quoted(f"etherip {deployment} VM bridge"),
    }
    return create(bigip.VLAN_GROUP, g.path, values, "the VLAN group")


def create_pool(p: PoolView, deployment: str) -> Operation:
    members = Entries("add", tuple(Item(m, (f"address {a}",)) for m, a in p.member_paths))
    values: dict[str, Value | None] = {
        "members": members,
        "min-active-members": str(p.min_active_members),
        "description": bigip.quoted(f"etherip {deployment} VM pool"),
    }
    return create(bigip.POOL, p.path, values, "the pool")


def create_ipsec(obj: IpsecObject) -> Operation:
    return create(obj.kind, obj.path, dict(obj.values), obj.label)


def _ipsec_creates(ipsec: IpsecView | None) -> list[Operation]:
    """The policy, the selector that names it and, with certificates, the IKE peer (with a
    pre-shared key the key step creates the peer)."""
    if ipsec is None:
        return []
    ops = [create_ipsec(ipsec.policy), create_ipsec(ipsec.selector)]
    if not ipsec.key_step:
        ops.append(create_ipsec(ipsec.ike_peer))
    return ops


def _ipsec_deletes(ipsec: IpsecView | None) -> list[Operation]:
    if ipsec is None:
        return []
    ops = [] if ipsec.key_step else [delete(ipsec.ike_peer.kind, ipsec.ike_peer.path, ipsec.ike_peer.label)]
    ops += [
        delete(ipsec.selector.kind, ipsec.selector.path, ipsec.selector.label),
        delete(ipsec.policy.kind, ipsec.policy.path, ipsec.policy.label),
    ]
    return ops


def _tunnel_label(o: StepObjects) -> str:
    return f"the EtherIP tunnel to {o.tunnel.remote_peer}"


def _pool_label(p: PoolView) -> str:
    return "the pool" if p.create else "the existing pool"


# ---- apply ----------------------------------------------------------------------------------


def _local_network(o: StepObjects) -> list[Operation]:
    ops = [create_vlan(v, o.deployment) for v in o.vlans]
    if o.wan_self:
        ops.append(create_self(o.wan_self, "this device's WAN self IP"))
    return ops


def _tunnel(o: StepObjects) -> list[Operation]:
    ops = []
    if o.wan_floating:
        ops.append(create_self(o.wan_floating, "the floating WAN self IP"))
    if o.route:
        ops.append(
            create_from_props(
                bigip.ROUTE, o.route.path, o.route.props.items, "the route to the other tunnel endpoint"
            )
        )
    if o.endpoint and o.endpoint.changes:
        after = {"allow-service": lockdown_of(o.endpoint.after)}
        ops.append(modify(bigip.SELF_IP, o.endpoint.path, after, _endpoint_label(o.endpoint)))
    ops += _ipsec_creates(o.ipsec)
    ops.append(create_from_props(bigip.TUNNEL, o.tunnel.path, o.tunnel.props.items, _tunnel_label(o)))
    return ops


def _ike_peer(o: StepObjects) -> list[Operation]:
    """The key step: the IKE peer, its pre-shared key the shell variable the operator fills."""
    if o.ipsec is None or not o.ipsec.key_step:
        return []
    return [create_ipsec(o.ipsec.ike_peer)]


def _vlan_group(o: StepObjects) -> list[Operation]:
    return [create_vlan_group(o.vlan_group, o.deployment), create_self(o.vm_self, "this device's VM self IP")]


def _pool_monitor(o: StepObjects) -> list[Operation]:
    ops = []
    if o.vm_floating:
        ops.append(create_self(o.vm_floating, "the floating VM self IP"))
    pool = o.pool
    if pool.create:
        ops.append(create_pool(pool, o.deployment))
    monitor = o.monitor
    ops.append(
        create_from_props(bigip.MONITOR, monitor.path, monitor.props.items, "the Virtual Location monitor")
    )
    if not pool.create:
        ops.append(
            modify(
                bigip.POOL, pool.path, {"min-active-members": str(pool.min_active_members)}, _pool_label(pool)
            )
        )
    ops.append(modify(bigip.POOL, pool.path, {"monitor": " and ".join(pool.monitor_rule)}, _pool_label(pool)))
    return ops


_APPLY: dict[str, Callable[[StepObjects], list[Operation]]] = {
    "local-network": _local_network,
    "tunnel": _tunnel,
    "ike-peer": _ike_peer,
    "vlan-group": _vlan_group,
    "pool-monitor": _pool_monitor,
}


# ---- rollback: the same objects, undone in reverse ------------------------------------------


def _undo_pool_monitor(o: StepObjects) -> list[Operation]:
    pool = o.pool
    ops = [modify(bigip.POOL, pool.path, {"monitor": " and ".join(pool.restore_rule)}, _pool_label(pool))]
    if not pool.create:
        restore = str(pool.restore_min_active_members)
        ops.append(modify(bigip.POOL, pool.path, {"min-active-members": restore}, _pool_label(pool)))
    ops.append(delete(bigip.MONITOR, o.monitor.path, "the Virtual Location monitor"))
    if pool.create:
        ops.append(delete(bigip.POOL, pool.path, "the pool"))
    if o.vm_floating:
        ops.append(delete(bigip.SELF_IP, o.vm_floating.path, "the floating VM self IP"))
    return ops


def _undo_vlan_group(o: StepObjects) -> list[Operation]:
    return [
        delete(bigip.SELF_IP, o.vm_self.path, "this device's VM self IP"),
        delete(bigip.VLAN_GROUP, o.vlan_group.path, "the VLAN group"),
    ]


def _undo_ike_peer(o: StepObjects) -> list[Operation]:
    if o.ipsec is None or not o.ipsec.key_step:
        return []
    peer = o.ipsec.ike_peer
    return [delete(peer.kind, peer.path, peer.label)]


def _undo_tunnel(o: StepObjects) -> list[Operation]:
    ops = [delete(bigip.TUNNEL, o.tunnel.path, _tunnel_label(o))]
    ops += _ipsec_deletes(o.ipsec)
    if o.route:
        ops.append(delete(bigip.ROUTE, o.route.path, "the route to the other tunnel endpoint"))
    if o.wan_floating:
        ops.append(delete(bigip.SELF_IP, o.wan_floating.path, "the floating WAN self IP"))
    if o.endpoint and o.endpoint.changes:
        before = {"allow-service": lockdown_of(o.endpoint.current)}
        ops.append(modify(bigip.SELF_IP, o.endpoint.path, before, _endpoint_label(o.endpoint)))
    return ops


def _undo_local_network(o: StepObjects) -> list[Operation]:
    ops = []
    if o.wan_self:
        ops.append(delete(bigip.SELF_IP, o.wan_self.path, "this device's WAN self IP"))
    ops += [delete(bigip.VLAN, v.path, f"the {v.role} VLAN") for v in o.vlans]
    return ops


_ROLLBACK: dict[str, Callable[[StepObjects], list[Operation]]] = {
    "pool-monitor": _undo_pool_monitor,
    "vlan-group": _undo_vlan_group,
    "ike-peer": _undo_ike_peer,
    "tunnel": _undo_tunnel,
    "local-network": _undo_local_network,
}

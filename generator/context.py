"""The view-model: every derivation between the site model and the templates lives here.

Templates receive plain, frozen views: object paths, mirrored tunnel addresses, the step
plan for each device, capability booleans and known-issue notes. They never see a version
string to compare, a raw YAML mapping or an address to compute.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.model import Peer, Site, Vlan
from generator.scalars import is_physical_interface
from generator.steps import APPLY, ROLLBACK, Step, applies
from generator.versions import BigIpVersion, Capability, capabilities, known_issues

PARTITION = "/Common"
TG_LOCAL = f"{PARTITION}/traffic-group-local-only"
TG_FLOATING = f"{PARTITION}/traffic-group-1"
ETHERIP_PROFILE = f"{PARTITION}/etherip"
VLOC_PARENT = f"{PARTITION}/virtual_location"
VLAN_GROUP_MODE = "translucent"  # the 11.6 default [S]; stated explicitly so the output never depends on it
DEFAULT_LOCKDOWN = {"wan": ("none",), "vm": ("default",)}  # reference §7 illustrative script [I]
# Port lockdown entry that admits EtherIP (IP protocol 97, no ports) on the tunnel's local self IP.
# Protocols without ports are written protocol:0 (F5's Ansible example `gre:0 igmp:0` [C]) and
# may be numbers (`replace-all-with { 50:0 udp:500 }` in F5ChannelSE/f5-azure-afm [S]); no source
# shows 97 itself, so the form is [I]. Whether 11.6 needs it at all is open (reference §8, doubt 4).
ETHERIP_SERVICE = "97:0"
MIN_ACTIVE_MEMBERS = 1  # priority-group activation, so the Virtual Location monitor's preference counts [I]
BUG_470715_NAME_LEN = 16  # VLAN names of this length including "/Common/" (reference §4)


def path(name: str) -> str:
    return f"{PARTITION}/{name}"


@dataclass(frozen=True)
class VlanView:
    name: str
    path: str
    tag: int | None
    interfaces: tuple[tuple[str, str], ...]
    mtu: int | None
    role: str  # "WAN" or "VM"


@dataclass(frozen=True)
class SelfIpView:
    name: str
    path: str
    address: str
    vlan_path: str
    traffic_group: str
    floating: bool
    lockdown: str  # none | default | all | "" when `services` lists protocol:port entries
    services: tuple[str, ...]


@dataclass(frozen=True)
class RouteView:
    """The static route to the other tunnel endpoint, through this peer's WAN gateway."""

    name: str
    path: str
    network: str  # the other endpoint as a /32
    gateway: str


@dataclass(frozen=True)
class TunnelView:
    name: str
    path: str
    profile: str
    local_address: str
    remote_address: str
    remote_peer: str


@dataclass(frozen=True)
class VlanGroupView:
    name: str
    path: str
    members: tuple[str, ...]
    mode: str


@dataclass(frozen=True)
class PoolView:
    name: str
    path: str
    create: bool
    members: tuple[tuple[str, str], ...]  # (member name "addr:port", address)
    monitor_rule: tuple[str, ...]  # paths joined by " and " in tmsh
    restore_rule: tuple[str, ...]  # rollback: the rule to put back, ("none",) for none
    min_active_members: int  # set by apply
    restore_min_active_members: int | None  # existing pool: put back by rollback


@dataclass(frozen=True)
class MonitorView:
    name: str
    path: str
    parent: str
    pool_path: str
    interval: int
    timeout: int


@dataclass(frozen=True)
class DeviceStep:
    """One step as one device runs it: the file it gets and what must be done before."""

    step: Step
    phase: str  # "apply" or "rollback"
    filename: str  # relative to the device folder
    before: tuple[tuple[int, str, tuple[str, ...]], ...]  # (step number, slug, hostnames)


@dataclass(frozen=True)
class DeviceContext:
    """Everything one device's scripts need."""

    hostname: str
    index: int  # 0 = first device (runs the synced steps), 1 = second unit of a pair
    first_hostname: str
    other_hostnames: tuple[str, ...]
    wan_self: SelfIpView | None  # None when the WAN VLAN exists (create: false)
    vm_self: SelfIpView
    steps: tuple[DeviceStep, ...]
    rollback: tuple[DeviceStep, ...]
    selfs: tuple[SelfIpView, ...]  # every self IP this change creates that this device ends up with

    @property
    def is_first(self) -> bool:
        return self.index == 0


@dataclass(frozen=True)
class PeerContext:
    name: str
    remote_name: str
    is_ha: bool
    device_group: str | None
    hostnames: tuple[str, ...]
    vlans: tuple[VlanView, ...]  # VLANs this change creates, VM VLAN first
    existing_vlans: tuple[str, ...]  # paths of VLANs referenced, not created
    wan_vlan_path: str
    vm_vlan_path: str
    wan_floating: SelfIpView | None
    vm_floating: SelfIpView | None
    existing_wan_addresses: tuple[str, ...]  # self IPs on an existing WAN VLAN
    endpoint_self: str  # the tunnel endpoint's self IP, with its prefix
    gateway: str | None  # next hop to the other endpoint, "existing", or None (on-link)
    route: RouteView | None  # the route this change creates (gateway given as an address)
    tunnel: TunnelView
    vlan_group: VlanGroupView
    devices: tuple[DeviceContext, ...]
    notes: tuple[str, ...]  # known issues of the target version that apply to this peer
    check_backplane_mtu: bool  # Bug 470715 applies: the pre-check lists vlan.backplane.mtu
    remote_vm_addresses: tuple[str, ...]  # the other peer's device VM self IPs, for ping checks
    interfaces: tuple[str, ...]  # physical interfaces the created VLANs use (slot.port)
    trunks: tuple[str, ...]  # trunks the created VLANs use

    def created_vlan(self, role: str) -> VlanView | None:
        """The VLAN of this role ("WAN" or "VM") that the change creates, or None if it exists."""
        return next((v for v in self.vlans if v.role == role), None)


@dataclass(frozen=True)
class SiteContext:
    deployment: str
    version: str
    caps: dict[str, bool]
    vm_subnet: str
    pool: PoolView
    monitor: MonitorView
    peers: tuple[PeerContext, ...]
    step_count: int
    etherip_service: str  # the allow-service entry that admits EtherIP


def build_context(site: Site, version: BigIpVersion) -> SiteContext:
    pool = site.pool
    monitor = MonitorView(
        pool.monitor.name,
        path(pool.monitor.name),
        VLOC_PARENT,
        path(pool.name),
        pool.monitor.interval,
        pool.monitor.timeout,
    )
    kept = () if pool.create else tuple(pool.restore_monitor or ())  # an existing pool keeps its checks
    extra = (pool.also_monitor,) if pool.also_monitor else ()
    rule = (monitor.path, *dict.fromkeys(path(m) for m in kept + extra))
    restore = tuple(path(m) for m in pool.restore_monitor or ()) or ("none",)
    members = tuple((f"{a}:{p}", str(a)) for a, p in pool.members)
    restore_min = None if pool.create else (pool.restore_min_active_members or 0)
    pool_view = PoolView(
        pool.name, path(pool.name), pool.create, members, rule, restore, MIN_ACTIVE_MEMBERS, restore_min
    )
    peers = tuple(_peer_context(site, name, version) for name in site.peers)
    caps = {cap.name.lower(): cap in capabilities(version) for cap in Capability}
    return SiteContext(
        deployment=site.deployment,
        version=version.value,
        caps=caps,
        vm_subnet=str(site.vm_subnet),
        pool=pool_view,
        monitor=monitor,
        peers=peers,
        step_count=len(APPLY),
        etherip_service=ETHERIP_SERVICE,
    )


def _known_issue_lines(peer: Peer, version: BigIpVersion) -> tuple[str, ...]:
    lines: list[str] = []
    for issue in known_issues(version):
        if issue.applies_when == "long_vlan_name":
            long = [
                path(v.vlan)
                for v in (peer.vm, peer.wan)
                if v.create and len(path(v.vlan)) >= BUG_470715_NAME_LEN
            ]
            if not long:
                continue
            lines.append(f"Known issue {issue.ident} on {version.value}: {issue.title}.")
            lines.append(f"Affected names here: {', '.join(long)}.")
            lines.append(issue.advice)
    return tuple(lines)


def _lockdown(vlan: Vlan, side: str, *, endpoint: bool = False) -> tuple[str, tuple[str, ...]]:
    """(keyword, entries): `none`/`default`/`all`, or "" and the protocol:port entries.

    The tunnel's local self IP (`endpoint`) also admits EtherIP, whatever the site asks."""
    chosen = vlan.allow_service or DEFAULT_LOCKDOWN[side]
    if endpoint and chosen != ("all",):
        kept = tuple(c for c in chosen if c != "none")
        chosen = kept + (() if ETHERIP_SERVICE in kept else (ETHERIP_SERVICE,))
    if len(chosen) == 1 and ":" not in chosen[0]:
        return chosen[0], ()
    return "", chosen


def _self_ip(
    name: str, address: str, vlan_path: str, floating: bool, lockdown: tuple[str, tuple[str, ...]]
) -> SelfIpView:
    return SelfIpView(
        name,
        path(name),
        address,
        vlan_path,
        TG_FLOATING if floating else TG_LOCAL,
        floating,
        lockdown[0],
        lockdown[1],
    )


def _peer_context(site: Site, name: str, version: BigIpVersion) -> PeerContext:
    peer = site.peers[name]
    remote_name = next(n for n in site.peers if n != name)
    remote = site.peers[remote_name]
    prefix = site.deployment
    wan_path, vm_path = path(peer.wan.vlan), path(peer.vm.vlan)
    group_path, tunnel_path = path(peer.vlan_group), path(peer.tunnel)
    wan_lock, vm_lock = _lockdown(peer.wan, "wan"), _lockdown(peer.vm, "vm")
    endpoint_lock = _lockdown(peer.wan, "wan", endpoint=True)
    hostnames = tuple(peer.devices)
    creates_vlans = peer.wan.create or peer.vm.create
    plans = {
        phase: {
            h: tuple(s for s in table if applies(s, first_device=i == 0, creates_vlans=creates_vlans))
            for i, h in enumerate(hostnames)
        }
        for phase, table in (("apply", APPLY), ("rollback", ROLLBACK))
    }
    wan_floating = vm_floating = None
    if peer.wan.floating_self is not None and peer.wan.create:
        wan_floating = _self_ip(
            f"{prefix}_wan_float", str(peer.wan.floating_self), wan_path, True, endpoint_lock
        )
    if peer.vm.floating_self is not None:
        vm_floating = _self_ip(f"{prefix}_vm_float", str(peer.vm.floating_self), group_path, True, vm_lock)
    floating = tuple(f for f in (wan_floating, vm_floating) if f is not None)
    devices = []
    for index, (host, device) in enumerate(peer.devices.items()):
        suffix = ("_a", "_b")[index] if peer.is_ha else ""
        # Without a floating WAN self IP (standalone), the device's own is the tunnel endpoint.
        lock = wan_lock if peer.wan.floating_self is not None else endpoint_lock
        wan_self = (
            _self_ip(f"{prefix}_wan_self{suffix}", str(device.wan_self), wan_path, False, lock)
            if peer.wan.create
            else None
        )
        vm_self = _self_ip(f"{prefix}_vm_self{suffix}", str(device.vm_self), group_path, False, vm_lock)
        steps = tuple(_device_step(s, "apply", plans["apply"]) for s in plans["apply"][host])
        rollback = tuple(_device_step(s, "rollback", plans["rollback"]) for s in plans["rollback"][host])
        others = tuple(h for h in hostnames if h != host)
        selfs = tuple(x for x in (wan_self, vm_self) if x is not None) + floating
        devices.append(
            DeviceContext(host, index, hostnames[0], others, wan_self, vm_self, steps, rollback, selfs)
        )
    notes = _known_issue_lines(peer, version)
    used = tuple(dict.fromkeys(n for v in (peer.wan, peer.vm) if v.create for n in v.interfaces or {}))
    existing_wan: tuple[str, ...] = ()
    if not peer.wan.create:
        addresses = [str(d.wan_self) for d in peer.devices.values()]
        if peer.wan.floating_self is not None:
            addresses.append(str(peer.wan.floating_self))
        existing_wan = tuple(addresses)
    return PeerContext(
        name=name,
        remote_name=remote_name,
        is_ha=peer.is_ha,
        device_group=peer.device_group,
        hostnames=hostnames,
        vlans=tuple(_vlan_view(v, role) for v, role in ((peer.vm, "VM"), (peer.wan, "WAN")) if v.create),
        existing_vlans=tuple(path(v.vlan) for v in (peer.wan, peer.vm) if not v.create),
        wan_vlan_path=wan_path,
        vm_vlan_path=vm_path,
        wan_floating=wan_floating,
        vm_floating=vm_floating,
        existing_wan_addresses=existing_wan,
        endpoint_self=str(peer.wan.floating_self or next(iter(peer.devices.values())).wan_self),
        gateway=None if peer.wan.gateway is None else str(peer.wan.gateway),
        route=_route(prefix, peer, remote),
        tunnel=TunnelView(
            peer.tunnel, tunnel_path, ETHERIP_PROFILE, str(peer.endpoint), str(remote.endpoint), remote_name
        ),
        vlan_group=VlanGroupView(peer.vlan_group, group_path, (vm_path, tunnel_path), VLAN_GROUP_MODE),
        devices=tuple(devices),
        notes=notes,
        check_backplane_mtu=bool(notes),
        remote_vm_addresses=tuple(str(d.vm_self.ip) for d in remote.devices.values()),
        interfaces=tuple(n for n in used if is_physical_interface(n)),
        trunks=tuple(n for n in used if not is_physical_interface(n)),
    )


def _route(prefix: str, peer: Peer, remote: Peer) -> RouteView | None:
    if peer.wan.gateway is None or isinstance(peer.wan.gateway, str):
        return None
    name = f"{prefix}_wan_route"
    return RouteView(name, path(name), f"{remote.endpoint}/32", str(peer.wan.gateway))


def _vlan_view(vlan: Vlan, role: str) -> VlanView:
    interfaces = tuple((vlan.interfaces or {}).items())  # file order
    return VlanView(vlan.vlan, path(vlan.vlan), vlan.tag, interfaces, vlan.mtu, role)


def _device_step(step: Step, phase: str, plan: dict[str, tuple[Step, ...]]) -> DeviceStep:
    table = APPLY if phase == "apply" else ROLLBACK
    before = []
    for earlier in table[: step.number - 1]:
        hosts = tuple(h for h, steps in plan.items() if earlier in steps)
        if hosts:
            before.append((earlier.number, earlier.slug, hosts))
    prefix = "" if phase == "apply" else "rollback/"
    return DeviceStep(step, phase, f"{prefix}{step.number:02d}-{step.slug}.tmsh", tuple(before))

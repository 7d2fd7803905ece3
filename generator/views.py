"""The view-model's types: the frozen views every template and the iApp answers read.

`generator/context.py` builds them from the site model; nothing here derives anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from generator import bigip
from generator.bigip import path
from generator.expects import Probe
from generator.ipsec import KEY_FORM, IpsecSettings
from generator.mtu import MtuPlan
from generator.operations import ConfigObject, Operation, Value, title
from generator.steps import Phase, PhaseWords, Step, step_file


class Role(StrEnum):
    """The two VLANs of a peer."""

    WAN = "WAN"
    VM = "VM"

    @property
    def default_lockdown(self) -> tuple[str, ...]:
        # the project reference's illustrative script (bigip-11.6-etherip.md §7) [I]
        return ("none",) if self is Role.WAN else ("default",)


@dataclass(frozen=True, kw_only=True)
class Props:
    """An object's properties as tmsh takes them: pairs in the vocabulary's order, values ready
    to write (descriptions quoted). Unset optional properties are left out."""

    kind: bigip.Kind
    items: tuple[tuple[str, str], ...]

    @property
    def stanza(self) -> tuple[tuple[str, str], ...]:
        """As `tmsh list` and a saved configuration show them: sorted by name."""
        return tuple(sorted(self.items))

    @property
    def expected(self) -> tuple[tuple[str, str], ...]:
        """What a verify line names: every property but the description."""
        return tuple(p for p in self.items if p[0] != "description")


def props(kind: bigip.Kind, values: Mapping[str, str | None]) -> Props:
    unknown = sorted(set(values) - set(kind.properties))
    if unknown:
        raise ValueError(f"{kind.tmsh}: not in the vocabulary: {unknown}")
    return Props(kind=kind, items=tuple((n, v) for n in kind.properties if (v := values.get(n)) is not None))


@dataclass(frozen=True, kw_only=True)
class VlanView:
    name: str
    path: str
    tag: int | None
    interfaces: tuple[tuple[str, str], ...]
    mtu: int | None
    role: Role
    create: bool  # False: the VLAN exists; only its name and lockdown are used
    allow_service: tuple[str, ...]  # as the site gives it, or the role's default


@dataclass(frozen=True, kw_only=True)
class SelfIpView:
    name: str
    path: str
    address: str
    vlan_path: str
    traffic_group: str
    floating: bool
    lockdown: str  # none | default | all | "" when `services` lists protocol:port entries
    services: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class EndpointView:
    """An existing self IP that is the tunnel's local address, named in the site file
    (wan.endpoint_self): its port lockdown before the change and after it (EtherIP admitted)."""

    name: str
    path: str
    address: str  # with its prefix
    current: tuple[str, ...]  # allow-service today: a keyword or protocol:port entries
    after: tuple[str, ...]  # the same, admitting IP protocol 97

    @property
    def changes(self) -> bool:
        return self.after != self.current


@dataclass(frozen=True, kw_only=True)
class RouteView:
    """The static route to the other tunnel endpoint, through this peer's WAN gateway."""

    name: str
    path: str
    network: str  # the other endpoint as a /32
    gateway: str
    props: Props


@dataclass(frozen=True, kw_only=True)
class TunnelView:
    name: str
    path: str
    profile: str
    local_address: str
    remote_address: str
    remote_peer: str
    props: Props


@dataclass(frozen=True, kw_only=True)
class IpsecObject:
    """One IPsec object of a peer, with its values as its create writes them (list values as
    entries; a secret as the key step's shell variable)."""

    kind: bigip.Kind
    name: str
    path: str
    values: tuple[tuple[str, Value], ...]
    label: str  # how a title names it

    def value(self, name: str) -> Value | None:
        return next((v for n, v in self.values if n == name), None)


@dataclass(frozen=True, kw_only=True)
class IpsecView:
    """IPsec for one peer's end of the tunnel: the policy, the traffic selector and the IKE peer
    (generator/ipsec.py says where each value comes from)."""

    settings: IpsecSettings
    local: str  # this peer's tunnel endpoint
    remote: str  # the other's
    remote_peer: str
    policy: IpsecObject
    selector: IpsecObject
    ike_peer: IpsecObject
    certificates: tuple[tuple[bigip.Kind, str], ...]  # (kind, path) the IKE peer names (certificate auth)

    @property
    def key_step(self) -> bool:
        """The IKE peer is created by the key step, where the pre-shared key is typed."""
        return self.settings.psk

    @property
    def key_form(self) -> str:
        return KEY_FORM


@dataclass(frozen=True, kw_only=True)
class VlanGroupView:
    name: str
    path: str
    members: tuple[str, ...]
    mode: str
    proxy_excludes: tuple[str, ...] = ()  # addresses proxy ARP ignores (shared_gateways)


@dataclass(frozen=True, kw_only=True)
class PoolView:
    name: str
    path: str
    create: bool
    members: tuple[tuple[str, str], ...]  # (member name "addr:port", address)
    monitor_rule: tuple[str, ...]  # paths joined by " and " in tmsh
    restore_rule: tuple[str, ...]  # rollback: the rule to put back, ("none",) for none
    min_active_members: int  # set by apply
    restore_min_active_members: int | None  # existing pool: put back by rollback
    restore_monitors: tuple[str, ...]  # existing pool: the monitor names of its rule before
    also_monitor: str  # a monitor name the new rule keeps beside ours ("" for none)

    @property
    def member_paths(self) -> tuple[tuple[str, str], ...]:
        """(full path, address) of each member, as tmsh names pool members."""
        return tuple((path(name), address) for name, address in self.members)


@dataclass(frozen=True, kw_only=True)
class MonitorView:
    name: str
    path: str
    parent: str
    pool_path: str
    interval: int
    timeout: int
    props: Props


@dataclass(frozen=True, kw_only=True)
class DeviceStep:
    """One step as one device runs it: the file it gets and what must be done before."""

    step: Step
    phase: Phase
    words: PhaseWords  # how the header names the phase
    filename: str  # relative to the device folder
    before: tuple[str, ...]  # the earlier steps of the phase, each with the devices that run it
    inferred: tuple[str, ...]  # the step's [I]/[S] facts that bear on this device's copy of it
    operations: tuple[Operation, ...]  # what its transaction creates, modifies or deletes, in order
    # read-only lines of the file: sync gates before the transaction, the sync check after save
    checks: tuple[Probe, ...] = ()
    closing: tuple[str, ...] = ()  # comment lines at the end of the file (the last file of a device)

    @property
    def title(self) -> str:
        """What this device's copy of the step does, from its operations (the plan's words for a
        step without any, such as save)."""
        return title(self.operations) if self.operations else self.step.title


@dataclass(frozen=True, kw_only=True)
class DeviceContext:
    """Everything one device's scripts need."""

    hostname: str
    index: int  # 0 = first device (runs the synced steps), 1 = second unit of a pair
    other_hostnames: tuple[str, ...]
    wan_address: str  # this device's WAN self IP with prefix, created or existing
    wan_self: SelfIpView | None  # None when the WAN VLAN exists (create: false)
    vm_self: SelfIpView
    steps: tuple[DeviceStep, ...]
    rollback: tuple[DeviceStep, ...]
    selfs: tuple[SelfIpView, ...]  # every self IP this change creates that this device ends up with
    precheck: tuple[Probe, ...] = ()  # 00-precheck.tmsh: the unit before the change
    verify: tuple[Probe, ...] = ()  # NN-verify.tmsh: the unit after both data centers are done
    expected: tuple[ConfigObject, ...] = ()  # what the change leaves on this unit (expected-state.conf)

    @property
    def is_first(self) -> bool:
        return self.index == 0

    def plan(self, phase: Phase) -> tuple[DeviceStep, ...]:
        return self.steps if phase is Phase.APPLY else self.rollback

    def rollback_file(self, slug: str) -> str:
        """This device's rollback file of the step named `slug` ("" if it has none)."""
        return next((ds.filename for ds in self.rollback if ds.step.slug == slug), "")


@dataclass(frozen=True, kw_only=True)
class PeerContext:
    name: str
    remote_name: str
    is_ha: bool
    device_group: str | None
    hostnames: tuple[str, ...]
    wan: VlanView
    vm: VlanView
    vlans: tuple[VlanView, ...]  # VLANs this change creates, VM VLAN first
    host_vlans: tuple[VlanView, ...]  # on a vCMP guest / F5OS tenant: VLANs the host creates for it
    platform: str  # appliance | vcmp-guest | f5os-tenant
    existing_vlans: tuple[str, ...]  # paths of VLANs referenced, not created
    wan_vlan_path: str
    vm_vlan_path: str
    wan_floating: SelfIpView | None  # created only with the WAN VLAN
    vm_floating: SelfIpView | None
    wan_floating_address: str | None  # the pair's floating WAN self IP, created or existing
    existing_wan_addresses: tuple[str, ...]  # self IPs on an existing WAN VLAN
    endpoint_self: str  # the tunnel endpoint's self IP, with its prefix
    endpoint: EndpointView | None  # the existing endpoint self IP the site names (wan.endpoint_self)
    endpoint_services: tuple[str, ...]  # what the endpoint must admit: 97:0, and IPsec's ESP and IKE
    gateway: str | None  # next hop to the other endpoint, "existing", or None (on-link)
    route: RouteView | None  # the route this change creates (gateway given as an address)
    tunnel: TunnelView
    vlan_group: VlanGroupView
    ipsec: IpsecView | None  # the site's ipsec key: the tunnel's IPsec objects on this peer
    devices: tuple[DeviceContext, ...]
    notes: tuple[str, ...]  # known issues of the target version that apply to this peer
    check_backplane_mtu: bool  # a known issue that applies asks the pre-check for vlan.backplane.mtu
    remote_vm_addresses: tuple[str, ...]  # the other peer's active VM self IPs, for ping checks
    interfaces: tuple[str, ...]  # physical interfaces the created VLANs use (slot.port)
    trunks: tuple[str, ...]  # trunks the created VLANs use

    def created_vlan(self, role: Role) -> VlanView | None:
        """The VLAN of this role ("WAN" or "VM") that the change creates, or None if it exists."""
        return next((v for v in self.vlans if v.role == role), None)

    @property
    def local_step(self) -> bool:
        """Whether each unit runs step 1 (it creates a VLAN or its WAN self IP)."""
        return any(ds.step.number == 1 for d in self.devices for ds in d.steps)


@dataclass(frozen=True, kw_only=True)
class SiteContext:
    deployment: str
    version: str
    branch: str  # the release line ("11.6"), as texts name it
    tmsh_version: str  # the #TMSH-VERSION line
    iapp_version_min: str
    iapp_version_max: str
    support: str  # the release line's support status, as the runbook states it
    procedure: str  # where this release line's EtherIP procedure comes from, with its confidence
    version_notes: tuple[str, ...]  # version notes CHANGE.md prints (generator/versions.py)
    iapp_notes: tuple[str, ...]  # version notes IMPORT.md prints
    vm_subnet: str
    pool: PoolView
    monitor: MonitorView
    peers: tuple[PeerContext, ...]
    step_count: int
    mtu: MtuPlan  # the MTU arithmetic (generator/mtu.py)
    ipsec: IpsecSettings | None  # the site's ipsec key resolved for this release
    return_path: str | None  # snat | bigip_gateway | None (not stated: the team confirms one)
    shared_gateways: tuple[str, ...]  # the VLAN groups' proxy exclusion list
    pager_back: tuple[str, ...] = ()  # how the last file of a device puts the pager preference back

    def step_file(self, slug: str, phase: str = Phase.APPLY) -> str:
        """The file name of the step named `slug` in this site's plan (`04-vlan-group.tmsh` with
        the IPsec key step), relative to a device folder (rollback ones under `rollback/`)."""
        return step_file(Phase(phase), slug, key_step=self.ipsec is not None and self.ipsec.psk)

    def step_number(self, slug: str, phase: str = Phase.APPLY) -> int:
        return int(self.step_file(slug, phase).removeprefix("rollback/").split("-", 1)[0])

    @property
    def new_self_addresses(self) -> tuple[str, ...]:
        """Every address this change gives a new self IP, in both data centers."""
        return tuple(dict.fromkeys(s.address for p in self.peers for d in p.devices for s in d.selfs))

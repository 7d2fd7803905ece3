"""The typed, frozen site model. All validation of a site file happens here (with the
cross-object rules in `generator.rules`); everything after it may trust its input.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from generator.mtu import MAX_VLAN_MTU, MIN_TUNNEL_MTU, MIN_VLAN_MTU
from generator.rules import RuleViolations, check_site
from generator.scalars import (
    DeploymentName,
    DhGroup,
    Empty,
    Flag,
    Gateway,
    Hostname,
    IkeVersion,
    Int,
    Interface,
    IpsecAuth,
    IpsecMode,
    Lockdown,
    Member,
    MonitorRef,
    MonitorRule,
    Name,
    NatTraversal,
    NetName,
    Network,
    PfsGroup,
    Phase1Encrypt,
    Phase1Hash,
    Phase2Auth,
    Phase2Encrypt,
    Platform,
    ReturnPath,
    SelfAddress,
    Tagging,
    show,
)
from generator.versions import ALL_VERSIONS, BigIpVersion


def _parse_version(value: Any) -> BigIpVersion:
    supported = ", ".join(ALL_VERSIONS)
    if value is None or isinstance(value, Empty):
        raise ValueError(f"missing value: write one of {supported}")
    if not isinstance(value, str):
        kind = "list" if isinstance(value, list) else "mapping"
        raise ValueError(f"expected one of {supported}, not a {kind}")  # noqa: TRY004 - pydantic reports ValueError
    if value not in {v.value for v in ALL_VERSIONS}:
        branch = value.rsplit(".", 1)[0]
        hint = (
            f"; for any {branch} release write {branch}" if branch in {v.value for v in ALL_VERSIONS} else ""
        )
        raise ValueError(
            f"{show(value)} is not a supported version; write one of {supported}{hint} (quote it if YAML complains)"
        )
    return BigIpVersion(value)


Version = Annotated[BigIpVersion, BeforeValidator(_parse_version)]


MAX_POOL_MEMBERS = 256  # bounds the iApp's members answer (256 x 21 characters)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class Monitor(_Frozen):
    """The Virtual Location monitor created for the pool."""

    name: Name
    interval: Annotated[Int, Field(ge=1, le=86400, description="seconds")] = 5
    timeout: Annotated[Int, Field(ge=2, le=86400, description="seconds, greater than interval")] = 16


class Pool(_Frozen):
    """The VM pool. With create: false it exists and only its monitor rule is changed."""

    name: Name
    create: Flag = True
    members: Annotated[tuple[Member, ...], Field(max_length=MAX_POOL_MEMBERS)] = ()
    monitor: Monitor
    also_monitor: MonitorRef | None = None
    restore_monitor: MonitorRule | None = None
    restore_min_active_members: (
        Annotated[
            Int,
            Field(
                ge=0,
                le=65535,
                description="existing pool only: its min-active-members today, restored on rollback (default 0)",
            ),
        ]
        | None
    ) = None


class Vlan(_Frozen):
    """A VLAN of one peer: the WAN VLAN (tunnel endpoint) or the VM VLAN."""

    vlan: NetName
    create: Flag = True
    tag: Annotated[Int, Field(ge=1, le=4094, description="VLAN tag")] | None = None
    interfaces: dict[Interface, Tagging] | None = None
    mtu: Annotated[Int, Field(ge=MIN_VLAN_MTU, le=MAX_VLAN_MTU, description="VLAN MTU")] | None = None
    floating_self: SelfAddress | None = None
    allow_service: Lockdown | None = None


class EndpointSelf(_Frozen):
    """The existing self IP that is the tunnel's local address (WAN VLAN create: false): its
    name and its port lockdown today, in the site file's allow_service syntax. With it the change
    admits EtherIP there in step 2, and rollback puts exactly this lockdown back."""

    name: Name
    allow_service: Lockdown


class WanVlan(Vlan):
    """The WAN VLAN: carries the tunnel; `gateway` routes it to the other data center."""

    gateway: Gateway | None = None
    endpoint_self: EndpointSelf | None = None


class IpsecCertificate(_Frozen):
    """Certificate authentication of one peer's IKE peer: objects already on its units (the change
    never creates, imports or deletes a certificate or a key)."""

    cert: Name  # sys file ssl-cert: this side's certificate
    key: Name  # sys file ssl-key: its key
    ca: Name  # sys file ssl-cert: the CA that signed the other side's certificate


IKE_LIFETIME_MAX = 10080  # minutes (a week); F5's range is wider, an IKE SA that old is not a design


class Ipsec(_Frozen):
    """IPsec for the EtherIP tunnel (F5's "Securing EtherIP Tunnel Traffic with IPsec"): unset
    values take the defaults generator/ipsec.py documents (some depend on the release)."""

    ike_version: IkeVersion | None = None
    auth: IpsecAuth = "psk"
    mode: IpsecMode = "tunnel"
    nat_traversal: NatTraversal = "off"
    phase1_encrypt: Phase1Encrypt | None = None
    phase1_hash: Phase1Hash = "sha256"
    dh_group: DhGroup = "modp2048"
    phase1_lifetime: Annotated[Int, Field(ge=1, le=IKE_LIFETIME_MAX, description="minutes; default 1440")] = (
        1440
    )
    phase2_encrypt: Phase2Encrypt = "aes256"
    phase2_auth: Phase2Auth | None = None
    pfs: PfsGroup = "modp2048"
    phase2_lifetime: Annotated[Int, Field(ge=1, le=IKE_LIFETIME_MAX, description="minutes; default 1440")] = (
        1440
    )


class Device(_Frozen):
    """One BIG-IP: its non-floating self IPs on the WAN VLAN and on the VLAN group."""

    wan_self: SelfAddress
    vm_self: SelfAddress


class Peer(_Frozen):
    """One end of the tunnel: a standalone BIG-IP or an HA pair in one data center."""

    # appliance (and VE): the change creates its VLANs; vcmp-guest / f5os-tenant: the host (vCMP
    # host, F5OS) creates and assigns them, and the change only uses them.
    platform: Platform = "appliance"
    device_group: Name | None = None
    wan: WanVlan
    vm: Vlan
    tunnel: NetName
    vlan_group: NetName
    devices: Annotated[dict[Hostname, Device], Field(min_length=1, max_length=2)]
    ipsec_certificate: IpsecCertificate | None = None  # with ipsec.auth: certificate

    @property
    def is_ha(self) -> bool:
        return len(self.devices) == 2

    @property
    def is_guest(self) -> bool:
        """A vCMP guest or an F5OS tenant: its VLANs come from the host [C: F5 rSeries/VELOS
        training: VLANs are assigned to the guest or tenant, which inherits them]."""
        return self.platform != "appliance"

    @property
    def local_step(self) -> bool:
        """Whether step 1 creates anything on each unit: a VLAN (the host's on a guest) or the
        unit's WAN self IP."""
        return self.wan.create or (self.vm.create and not self.is_guest)

    @property
    def wan_network(self) -> IPv4Network:
        """The WAN subnet: the network of this peer's WAN self IPs (rules require one)."""
        return next(iter(self.devices.values())).wan_self.network

    @property
    def endpoint(self) -> IPv4Address:
        """This peer's tunnel endpoint: the floating WAN self IP of a pair, else the device's."""
        if self.wan.floating_self is not None:
            return self.wan.floating_self.ip
        return next(iter(self.devices.values())).wan_self.ip


class Site(_Frozen):
    """One EtherIP deployment: two peers joined by an EtherIP tunnel."""

    deployment: DeploymentName
    bigip_version: Version  # required: a change is written for the release the units run
    vm_subnet: Network
    vm_mtu: (
        Annotated[
            Int,
            Field(
                ge=MIN_TUNNEL_MTU,
                le=MAX_VLAN_MTU,
                description="the largest IP packet the VMs send (their MTU); default 1500",
            ),
        ]
        | None
    ) = None
    tunnel_mtu: (
        Annotated[
            Int,
            Field(
                ge=MIN_TUNNEL_MTU,
                le=MAX_VLAN_MTU,
                description="explicit tunnel MTU on both sides: the VMs must send no more (default: vm_mtu)",
            ),
        ]
        | None
    ) = None
    # How a moved VM's replies come back through the BIG-IP holding the connection: every virtual
    # server using the pool translates the source (snat), or the VMs' default gateway is the
    # BIG-IP's floating VM self IP (bigip_gateway); unset: the pre-check lists, the team confirms.
    return_path: ReturnPath | None = None
    # Gateway addresses both data centers answer on the VM subnet (an FHRP or anycast gateway):
    # the VLAN group's proxy exclusion list, so the BIG-IP answers no ARP for them across the bridge.
    shared_gateways: Annotated[tuple[IPv4Address, ...], Field(max_length=8)] = ()
    pool: Pool
    peers: Annotated[dict[Name, Peer], Field(min_length=2, max_length=2)]
    # IPsec for the tunnel: absent = EtherIP in clear (as before); {} = the defaults.
    ipsec: Ipsec | None = None

    @model_validator(mode="after")
    def _cross_object_rules(self) -> Site:
        violations = list(check_site(self))
        if violations:
            raise RuleViolations(violations)
        return self

    def remote(self, peer_name: str) -> tuple[str, Peer]:
        """The other end of the tunnel, seen from `peer_name`: (its name, its peer)."""
        (other,) = ((n, p) for n, p in self.peers.items() if n != peer_name)
        return other


__all__ = [
    "Device",
    "EndpointSelf",
    "IPv4Address",
    "IPv4Interface",
    "IPv4Network",
    "Ipsec",
    "IpsecCertificate",
    "Monitor",
    "Peer",
    "Pool",
    "Site",
    "Vlan",
    "WanVlan",
]

"""Cross-object rules of a site file: what no single field can check on its own.

`check_site` runs once every field is valid and yields every violation it finds, each
with the key path it is about, so the loader can report them all with their positions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from typing import TYPE_CHECKING

from generator.bigip import BUILTIN_MONITORS, BUILTIN_NET_NAMES
from generator.ipsec import resolve, version_problems
from generator.load import key_path
from generator.mtu import MAX_VLAN_MTU, MIN_TUNNEL_MTU, largest_tunnel, plan_mtu, wan_packet

if TYPE_CHECKING:
    from generator.model import Ipsec, Peer, Pool, Site, Vlan

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Violation:
    loc: Loc
    message: str
    at_key: bool = False


class RuleViolations(Exception):  # not a ValueError: pydantic must let it through unwrapped
    def __init__(self, violations: list[Violation]) -> None:
        super().__init__(f"{len(violations)} rule violation(s)")
        self.violations = violations


def check_site(site: Site) -> Iterator[Violation]:
    yield from _check_pool(site.pool, site.vm_subnet)
    for i, address in enumerate(site.shared_gateways):
        yield from _check_in_subnet(("shared_gateways", i), address, site.vm_subnet, "a shared gateway")
    yield from _check_mtu(site)
    for name, peer in site.peers.items():
        yield from _check_peer(("peers", name), peer, site.vm_subnet)
    yield from _check_across_peers(site)
    yield from _check_ipsec(site)


def _check_ipsec(site: Site) -> Iterator[Violation]:
    """IPsec choices the release does not take or that would not work, and certificates named
    where the authentication needs them and nowhere else."""
    ipsec = site.ipsec
    if ipsec is None:
        for name, peer in site.peers.items():
            if peer.ipsec_certificate is not None:
                yield Violation(
                    ("peers", name, "ipsec_certificate"),
                    "names a certificate, but the site has no ipsec key: add `ipsec: {auth: certificate}` or remove this",
                    at_key=True,
                )
        return
    for key, message in version_problems(ipsec, site.bigip_version):
        yield Violation(("ipsec", key), message)
    yield from _ipsec_choices(site, ipsec)
    for name, peer in site.peers.items():
        if ipsec.auth == "certificate" and peer.ipsec_certificate is None:
            yield Violation(
                ("peers", name),
                "ipsec.auth is certificate: add `ipsec_certificate: {cert: <ssl-cert>, key: <ssl-key>, ca: <CA ssl-cert>}` "
                "naming the objects on this peer's units",
                at_key=True,
            )
        if ipsec.auth == "psk" and peer.ipsec_certificate is not None:
            yield Violation(
                ("peers", name, "ipsec_certificate"),
                "ipsec.auth is psk (the default): remove ipsec_certificate, or write `auth: certificate` under ipsec",
                at_key=True,
            )


def _ipsec_choices(site: Site, ipsec: Ipsec) -> Iterator[Violation]:
    """Combinations that would not work: GCM with a separate integrity algorithm, certificates
    with IKEv2 (their identities are not taken yet), transport mode on an HA pair."""
    if ipsec.phase2_encrypt.startswith("aes-gcm") and ipsec.phase2_auth is not None:
        yield Violation(
            ("ipsec", "phase2_auth"),
            f"{ipsec.phase2_encrypt} authenticates itself (the policy names it for both): remove phase2_auth",
        )
    resolved = resolve(site, site.bigip_version)
    if ipsec.auth == "certificate" and resolved is not None and resolved.ike_version == "v2":
        why = f"the default on {site.bigip_version.value}" if ipsec.ike_version is None else "ike_version: v2"
        yield Violation(
            ("ipsec", "auth"),
            f"certificates with IKEv2 ({why}) need each side's certificate identity, which etherip does not take "
            "yet (F5: ID values are required with v2): write `ike_version: v1` under ipsec, or use auth: psk",
        )
    pairs = [name for name, peer in site.peers.items() if peer.is_ha]
    if ipsec.mode == "transport" and pairs:
        yield Violation(
            ("ipsec", "mode"),
            f"transport leaves IKE and ESP free to leave from a unit's own address on the HA pair {pairs[0]}; "
            "tunnel mode keeps them on the floating endpoint: write mode: tunnel (or leave mode out)",
        )


def _check_mtu(site: Site) -> Iterator[Violation]:
    """Explicit numbers that cannot work together (generator/mtu.py): a tunnel smaller than what
    the VMs are said to send, a WAN VLAN smaller than the tunnel plus EtherIP's 36 bytes (and
    ESP's, with IPsec)."""
    ipsec = resolve(site, site.bigip_version)
    plan = plan_mtu(site, ipsec)
    adds = "EtherIP's" if ipsec is None else "EtherIP's and ESP's"
    if site.vm_mtu is not None and site.tunnel_mtu is not None and site.tunnel_mtu < site.vm_mtu:
        yield Violation(
            ("tunnel_mtu",),
            f"{site.tunnel_mtu} is smaller than vm_mtu {site.vm_mtu}: the VMs' larger packets would not cross; "
            f"lower vm_mtu to {site.tunnel_mtu} (and set it on the VMs) or raise tunnel_mtu",
        )
    if plan.wan_required > MAX_VLAN_MTU:
        yield Violation(
            ("tunnel_mtu",) if site.tunnel_mtu is not None else ("vm_mtu",),
            f"{plan.tunnel} plus {adds} {plan.overhead} bytes needs a WAN MTU of {plan.wan_required}, above "
            f"the largest VLAN MTU {MAX_VLAN_MTU}: write {largest_tunnel(MAX_VLAN_MTU, ipsec)} or less",
        )
    if plan.tunnel < MIN_TUNNEL_MTU:
        where = ("tunnel_mtu",) if site.tunnel_mtu is not None else _smallest_wan(site)
        yield Violation(
            where,
            f"the tunnel would carry {plan.tunnel}-byte packets, below the smallest tunnel MTU {MIN_TUNNEL_MTU}: "
            f"a WAN VLAN needs mtu {wan_packet(MIN_TUNNEL_MTU, ipsec)} or more",
        )
        return
    if not plan.stated:
        return
    for name, peer in site.peers.items():
        if peer.wan.mtu is not None and peer.wan.mtu < plan.wan_required:
            lower = "tunnel_mtu" if site.tunnel_mtu is not None else "vm_mtu"
            yield Violation(
                ("peers", name, "wan", "mtu"),
                f"{peer.wan.mtu} cannot carry the tunnel's {plan.tunnel}-byte packets plus {adds} "
                f"{plan.overhead} bytes ({plan.wan_required}): write mtu: {plan.wan_required} or more, "
                f"or set {lower}: {largest_tunnel(peer.wan.mtu, ipsec)}",
            )


def _smallest_wan(site: Site) -> Loc:
    name = min(
        (n for n, p in site.peers.items() if p.wan.mtu is not None),
        key=lambda n: site.peers[n].wan.mtu or 0,
        default=next(iter(site.peers)),
    )
    return ("peers", name, "wan", "mtu")


def _check_monitors(pool: Pool) -> Iterator[Violation]:
    mon = pool.monitor
    if mon.timeout <= mon.interval:
        yield Violation(
            ("pool", "monitor", "timeout"),
            f"timeout ({mon.timeout}) must be greater than interval ({mon.interval}); F5 recommends 3 x interval + 1",
        )
    if mon.name in BUILTIN_MONITORS:
        yield Violation(
            ("pool", "monitor", "name"), f"{mon.name!r} is a built-in BIG-IP monitor; choose another name"
        )
    if pool.also_monitor == mon.name:
        yield Violation(
            ("pool", "also_monitor"),
            "names the virtual-location monitor itself; name a second monitor such as http",
        )
    if pool.restore_monitor and mon.name in pool.restore_monitor:
        yield Violation(
            ("pool", "restore_monitor"),
            f"names {mon.name!r}, the virtual-location monitor this change creates and rollback deletes; write the rule the pool has today",
        )


def _check_pool(pool: Pool, vm_subnet: IPv4Network) -> Iterator[Violation]:
    yield from _check_monitors(pool)
    if pool.create:
        if pool.restore_min_active_members is not None:
            yield Violation(
                ("pool", "restore_min_active_members"),
                "only for an existing pool (create: false): a created pool is deleted on rollback",
                at_key=True,
            )
        if not pool.members:
            yield Violation(("pool", "members"), "a pool that etherip creates needs at least one member")
        if pool.also_monitor is None:
            yield Violation(
                ("pool", "monitor"),
                "a pool that etherip creates needs a health monitor beside the Virtual Location monitor, which "
                "only says where a member is: add the line `also_monitor: tcp` under pool (or the monitor the "
                "application needs, such as http)",
                at_key=True,
            )
        if pool.restore_monitor is not None:
            yield Violation(
                ("pool", "restore_monitor"),
                "only for an existing pool (create: false): a created pool is deleted on rollback",
                at_key=True,
            )
    elif pool.restore_monitor is None:
        yield Violation(
            ("pool", "create"),
            "an existing pool (create: false) needs restore_monitor: the monitor rule to put back on rollback (or none)",
        )
    seen: dict[tuple[IPv4Address, int], int] = {}
    for i, (address, port) in enumerate(pool.members):
        loc: Loc = ("pool", "members", i)
        if (address, port) in seen:
            yield Violation(
                loc, f"duplicate pool member {address}:{port} (also item {seen[(address, port)]})"
            )
        seen.setdefault((address, port), i)
        yield from _check_in_subnet(loc, address, vm_subnet, "pool member")


def _check_in_subnet(loc: Loc, address: IPv4Address, subnet: IPv4Network, what: str) -> Iterator[Violation]:
    if address not in subnet:
        yield Violation(loc, f"{what} {address} is outside vm_subnet {subnet}")
    elif address in (subnet.network_address, subnet.broadcast_address):
        yield Violation(loc, f"{what} {address} is the network or broadcast address of {subnet}")


def _check_peer(at: Loc, peer: Peer, vm_subnet: IPv4Network) -> Iterator[Violation]:
    yield from _check_ha_shape(at, peer)
    yield from _check_vlan((*at, "wan"), peer.wan, is_wan=True)
    yield from _check_vlan((*at, "vm"), peer.vm, is_wan=False)
    yield from _check_names(at, peer)
    yield from _check_interfaces(at, peer)
    yield from _check_wan_subnet(at, peer, vm_subnet)
    for side in ("vm",):
        if peer.vm.floating_self is not None and peer.vm.floating_self.network != vm_subnet:
            yield Violation(
                (*at, side, "floating_self"),
                f"{peer.vm.floating_self} is not in vm_subnet {vm_subnet} (same network and prefix required)",
            )
    for host, device in peer.devices.items():
        if device.vm_self.network != vm_subnet:
            yield Violation(
                (*at, "devices", host, "vm_self"),
                f"{device.vm_self} is not in vm_subnet {vm_subnet} (same network and prefix required)",
            )


def _check_ha_shape(at: Loc, peer: Peer) -> Iterator[Violation]:
    if peer.is_ha:
        if peer.device_group is None:
            yield Violation(
                (*at, "device_group"),
                "an HA pair (two devices) needs device_group: the sync-failover group to config-sync",
            )
        for side in ("wan", "vm"):
            if getattr(peer, side).floating_self is None:
                yield Violation(
                    (*at, side, "floating_self"), "an HA pair needs a floating self IP here (traffic-group-1)"
                )
        return
    if peer.device_group is not None:
        yield Violation(
            (*at, "device_group"),
            "a standalone peer (one device) has no device group; remove it",
            at_key=True,
        )
    for side in ("wan", "vm"):
        if getattr(peer, side).floating_self is not None:
            yield Violation(
                (*at, side, "floating_self"),
                "a standalone peer (one device) has no floating self IPs; remove it",
                at_key=True,
            )


def _check_vlan(at: Loc, vlan: Vlan, *, is_wan: bool) -> Iterator[Violation]:
    if is_wan and vlan.create and getattr(vlan, "endpoint_self", None) is not None:
        yield Violation(
            (*at, "endpoint_self"),
            "endpoint_self describes an existing self IP: only for a WAN VLAN that exists (create: false); "
            "this change creates the tunnel's endpoint itself (its lockdown is allow_service)",
            at_key=True,
        )
    if vlan.create:
        if not vlan.interfaces:
            yield Violation(
                (*at, "interfaces"), 'a VLAN that etherip creates needs interfaces, e.g. {"1.2": tagged}'
            )
        elif vlan.tag is None and "tagged" in vlan.interfaces.values():
            yield Violation((*at, "tag"), "a VLAN with tagged interfaces needs a tag (1-4094)")
        return
    # mtu on an existing VLAN says what it is today (the pre-check confirms it)
    given = ["tag", "interfaces"] + (["allow_service"] if is_wan else [])
    for key in given:
        if getattr(vlan, key) is not None:
            yield Violation(
                (*at, key),
                f"{key} is only for a VLAN that etherip creates; this one exists (create: false)",
                at_key=True,
            )


def _check_names(at: Loc, peer: Peer) -> Iterator[Violation]:
    # Self IPs name their VLAN, VLAN group or tunnel by name, so the three share one namespace.
    named = [
        (("wan", "vlan"), peer.wan.vlan),
        (("vm", "vlan"), peer.vm.vlan),
        (("tunnel",), peer.tunnel),
        (("vlan_group",), peer.vlan_group),
    ]
    first: dict[str, Loc] = {}
    for sub, name in named:
        if name in BUILTIN_NET_NAMES:
            yield Violation(at + sub, f"{name!r} is a tunnel every BIG-IP already has; choose another name")
        if name in first:
            other = ".".join(str(p) for p in at + first[name])
            yield Violation(
                at + sub,
                f"{name!r} is already used by {other}: VLANs, VLAN groups and tunnels of a device need distinct names",
            )
        first.setdefault(name, sub)


def _check_interfaces(at: Loc, peer: Peer) -> Iterator[Violation]:
    created = [(side, v) for side, v in (("wan", peer.wan), ("vm", peer.vm)) if v.create and v.interfaces]
    if len(created) < 2:
        return
    (_, wan), (_, vm) = created
    assert wan.interfaces is not None and vm.interfaces is not None
    for iface, mode in vm.interfaces.items():
        if (mode == "untagged" and iface in wan.interfaces) or wan.interfaces.get(iface) == "untagged":
            yield Violation(
                (*at, "vm", "interfaces", iface),
                f"interface {iface} is untagged in one VLAN and also in the other: an untagged interface belongs to one VLAN only",
                at_key=True,
            )
    if wan.tag is not None and wan.tag == vm.tag:
        yield Violation(
            (*at, "vm", "tag"),
            f"tag {vm.tag} is also the WAN VLAN's tag; two VLANs of a device need distinct tags",
        )


def _check_wan_subnet(at: Loc, peer: Peer, vm_subnet: IPv4Network) -> Iterator[Violation]:
    selfs = _wan_selfs(at, peer)
    base_loc, base = selfs[0]
    seen: dict[IPv4Address, Loc] = {}
    for loc, iface in selfs:
        if iface.network != base.network:
            yield Violation(
                loc,
                f"{iface} is not in the WAN subnet {base.network} of {_dotted(base_loc)}: self IPs of one VLAN share a subnet",
            )
        if iface.network.overlaps(vm_subnet):
            yield Violation(loc, f"WAN self IP {iface} overlaps vm_subnet {vm_subnet}")
        if iface.ip in seen:
            yield Violation(loc, f"{iface.ip} is also used by {_dotted(seen[iface.ip])}")
        seen.setdefault(iface.ip, loc)


def _check_across_peers(site: Site) -> Iterator[Violation]:
    (name_a, peer_a), (name_b, peer_b) = site.peers.items()
    if peer_a.endpoint == peer_b.endpoint:
        yield Violation(
            ("peers", name_b),
            f"both peers use tunnel endpoint {peer_a.endpoint}: the two ends must differ",
            at_key=True,
        )
    if peer_a.device_group is not None and peer_a.device_group == peer_b.device_group:
        yield Violation(
            ("peers", name_b, "device_group"),
            f"{peer_b.device_group!r} is also {name_a}'s device group: the two data centers are separate device groups",
        )
    hosts = set(peer_a.devices) & set(peer_b.devices)
    for host in sorted(hosts):
        yield Violation(
            ("peers", name_b, "devices", host),
            f"device {host!r} is also in peer {name_a}: a device belongs to one data center",
            at_key=True,
        )
    yield from _check_vm_addresses_distinct(site)
    yield from _check_wan_addresses_distinct(site)
    for name, peer in site.peers.items():
        yield from _check_gateway(site, name, peer)


def _wan_selfs(at: Loc, peer: Peer) -> list[tuple[Loc, IPv4Interface]]:
    selfs: list[tuple[Loc, IPv4Interface]] = [
        ((*at, "devices", h, "wan_self"), d.wan_self) for h, d in peer.devices.items()
    ]
    if peer.wan.floating_self is not None:
        selfs.append(((*at, "wan", "floating_self"), peer.wan.floating_self))
    return selfs


def _check_wan_addresses_distinct(site: Site) -> Iterator[Violation]:
    (name_a, peer_a), (name_b, peer_b) = site.peers.items()
    of_a = {iface.ip: loc for loc, iface in _wan_selfs(("peers", name_a), peer_a)}
    for loc, iface in _wan_selfs(("peers", name_b), peer_b):
        if iface.ip in of_a:
            yield Violation(
                loc,
                f"{iface.ip} is also {_dotted(of_a[iface.ip])}: the two data centers need distinct WAN addresses",
            )


def _check_gateway(site: Site, name: str, peer: Peer) -> Iterator[Violation]:
    """The other endpoint must be reachable: on-link in the WAN subnet, or through a gateway."""
    at: Loc = ("peers", name, "wan", "gateway")
    remote_name, remote = site.remote(name)
    target, subnet, gateway = remote.endpoint, peer.wan_network, peer.wan.gateway
    if target == peer.endpoint:
        return  # reported once as "both peers use tunnel endpoint"
    if gateway is None:
        if target not in subnet:
            yield Violation(
                ("peers", name, "wan"),
                f"the other endpoint {target} ({remote_name}) is outside this WAN subnet {subnet}: add gateway: "
                "<next hop in the WAN subnet> (etherip creates the route) or gateway: existing (a route is in place)",
                at_key=True,
            )
        return
    if target in subnet:
        yield Violation(
            at,
            f"the other endpoint {target} ({remote_name}) is in this WAN subnet {subnet}: no gateway is needed; remove it",
            at_key=True,
        )
        return
    if isinstance(gateway, str):  # existing
        if peer.wan.create:
            yield Violation(
                at,
                "existing needs a WAN VLAN that exists (create: false): a route in place cannot use a VLAN this change creates; give the next hop's address",
            )
        return
    if gateway not in subnet:
        yield Violation(
            at, f"gateway {gateway} is outside the WAN subnet {subnet}: the next hop must be on-link"
        )
    elif gateway in (subnet.network_address, subnet.broadcast_address):
        yield Violation(at, f"gateway {gateway} is the network or broadcast address of {subnet}")
    elif any(iface.ip == gateway for _, iface in _wan_selfs(("peers", name), peer)):
        yield Violation(at, f"gateway {gateway} is a self IP of this WAN VLAN; name the router's address")


def _check_vm_addresses_distinct(site: Site) -> Iterator[Violation]:
    seen: dict[IPv4Address, Loc] = {}
    places: list[tuple[Loc, IPv4Address]] = []
    for name, peer in site.peers.items():
        if peer.vm.floating_self is not None:
            places.append((("peers", name, "vm", "floating_self"), peer.vm.floating_self.ip))
        places += [(("peers", name, "devices", h, "vm_self"), d.vm_self.ip) for h, d in peer.devices.items()]
    places += [(("pool", "members", i), address) for i, (address, _) in enumerate(site.pool.members)]
    for loc, address in places:
        if address in seen and loc[:2] != ("pool", "members"):
            yield Violation(
                loc, f"{address} is also used by {_dotted(seen[address])}: VM-side addresses must be distinct"
            )
        elif address in seen and seen[address][:2] != ("pool", "members"):
            yield Violation(
                loc, f"pool member address {address} is also the self IP {_dotted(seen[address])}"
            )
        seen.setdefault(address, loc)


def _dotted(loc: Loc) -> str:
    return key_path(loc)

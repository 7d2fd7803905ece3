"""One function per conflict kind. Each takes a `SavedUnit` and returns its findings.

Kinds: exists, missing, pool-rule, pool-min-active, tag, untagged, no-interface, address,
overlap, hostname, device-group, configsync, version, route, ipsec-peer, ipsec-selector; notes:
not-read, duplicate, not-checked. Findings with `absence` set are found by something not being there; `check_unit` drops them (with a note) when the saved
configuration lacks the part they need (bigip_base.conf or bigip.conf, or their content).
"""

from __future__ import annotations

from collections.abc import Callable
from ipaddress import IPv4Address, IPv4Interface, IPv4Network

from generator.bigip import TG_LOCAL
from generator.proof.precheck.plan import (
    L2_KINDS,
    SavedUnit,
    created_objects,
    existing_wan_addresses,
)
from generator.proof.precheck.report import CONFLICT, NOTE, PrecheckFinding
from generator.proof.precheck.saved import (
    BASE,
    GLOBAL_SETTINGS,
    USER,
    Stanza,
    Where,
    address_of,
    db_value,
    hostnames,
    monitor_rule,
    names,
    object_path,
    parse_network,
    pool_min_active,
    self_device,
    unquote,
    vlan_interfaces,
    vlan_tag,
)

LOCAL_ONLY = TG_LOCAL
LABELS = {
    "net vlan": "VLAN",
    "net vlan-group": "VLAN group",
    "net tunnels tunnel": "tunnel",
    "net self": "self IP",
    "net route": "route",
    "ltm pool": "pool",
    "net ipsec ike-peer": "IKE peer",
    "net ipsec traffic-selector": "IPsec traffic selector",
    "net ipsec ipsec-policy": "IPsec policy",
}


def _finding(
    unit: SavedUnit,
    kind: str,
    objects: tuple[str, ...],
    message: str,
    where: Where | None = None,
    severity: str = CONFLICT,
    absence: tuple[str, ...] = (),
) -> PrecheckFinding:
    shown = str(where) if where is not None else _searched(unit, absence)
    return PrecheckFinding(unit.device.hostname, kind, objects, message, shown, severity, absence)


def _searched(unit: SavedUnit, parts: tuple[str, ...]) -> str:
    """For a finding about something absent: the files that were searched for it."""
    files = [
        f.display
        for f in unit.saved.source.files
        if f.role == "full" or (f.role in parts if parts else f.role != "partition")
    ]
    return f"searched {', '.join(files)}" if files else ""


def exists(unit: SavedUnit) -> list[PrecheckFinding]:
    """An object the change creates already exists (same kind and name)."""
    out = []
    for obj in created_objects(unit):
        kinds = L2_KINDS if obj.kind in L2_KINDS else (obj.kind,)
        for kind in kinds:
            found = unit.saved.get(kind, obj.path)
            if found is None:
                continue
            if kind == obj.kind:
                what = f"{obj.label} {obj.path} already exists"
                if found.subtype:
                    what += f" (ltm monitor {found.subtype})"
            else:
                what = f"{obj.label} {obj.path}: its name is taken by {LABELS[kind]} {obj.path} [I: one name space]"
            out.append(_finding(unit, "exists", (obj.path,), f"{what}; the change creates it", found.where))
    return out


def missing(unit: SavedUnit) -> list[PrecheckFinding]:
    """An object the site file marks existing is missing, or is not what the change relies on."""
    out = []
    for path in unit.peer.existing_vlans:
        if unit.saved.get("net vlan", path) is None:
            message = f"VLAN {path} is marked existing (create: false) but is not in the saved configuration"
            out.append(_finding(unit, "missing", (path,), message, absence=BASE))
    pool = unit.site.pool
    if not pool.create and unit.saved.get("ltm pool", pool.path) is None:
        message = f"pool {pool.path} is marked existing (create: false) but is not in the saved configuration"
        out.append(_finding(unit, "missing", (pool.path,), message, absence=USER))
    out.extend(_existing_wan_selfs(unit))
    return out


def _existing_wan_selfs(unit: SavedUnit) -> list[PrecheckFinding]:
    out = []
    vlan = unit.peer.wan_vlan_path
    saved = _saved_selfs(unit)
    for address, floating in existing_wan_addresses(unit):
        wanted = IPv4Interface(address)
        holders = [(s, a) for s, a in saved if a.ip == wanted.ip]
        on_vlan = [(s, a) for s, a in holders if object_path(unquote(s.body.get("vlan"))) == vlan]
        role = "floating WAN self IP" if floating else "WAN self IP"
        if not holders:
            message = f"{role} {address} on existing VLAN {vlan} is not in the saved configuration"
            out.append(_finding(unit, "missing", (address,), message, absence=BASE))
        elif not on_vlan:
            stanza = holders[0][0]
            other = object_path(unquote(stanza.body.get("vlan")))
            message = f"{role} {address} is on VLAN {other} ({stanza.name}), not on {vlan}"
            out.append(_finding(unit, "missing", (address, stanza.name), message, stanza.where))
        elif floating and _traffic_group(on_vlan[0][0]) == LOCAL_ONLY:
            stanza = on_vlan[0][0]
            message = f"{role} {address} ({stanza.name}) is in {LOCAL_ONLY}: the tunnel endpoint of a pair must float"
            out.append(_finding(unit, "missing", (address, stanza.name), message, stanza.where))
    return out


def _traffic_group(stanza: Stanza) -> str:
    return object_path(unquote(stanza.body.get("traffic-group")) or LOCAL_ONLY)


def pool_restore(unit: SavedUnit) -> list[PrecheckFinding]:
    """The existing pool's monitor rule or min-active-members differs from what rollback restores."""
    pool = unit.site.pool
    found = unit.saved.get("ltm pool", pool.path)
    if pool.create or found is None or not found.readable:
        return []
    out = []
    rule = monitor_rule(found.body)
    restore = frozenset(m for m in pool.restore_rule if m != "none")
    if rule.quorum != 0 or rule.monitors != restore:
        wanted = " and ".join(pool.restore_rule)
        message = f"pool {pool.path} has monitor rule '{rule.text}', but restore_monitor says '{wanted}'"
        out.append(_finding(unit, "pool-rule", (pool.path,), message, found.where))
    expected = pool.restore_min_active_members
    actual = pool_min_active(found.body)
    if expected is not None and actual != expected:
        message = (
            f"pool {pool.path} has min-active-members {actual}, but the site file says to restore {expected}"
        )
        out.append(_finding(unit, "pool-min-active", (pool.path,), message, found.where))
    return out


def vlan_tags(unit: SavedUnit) -> list[PrecheckFinding]:
    """A VLAN tag the change uses is already used by another VLAN."""
    out = []
    saved = [(other, vlan_tag(other.body)) for other in unit.saved.of("net vlan").values()]
    for vlan in unit.peer.vlans:
        if vlan.tag is None:
            continue
        for other, tag in saved:
            if other.name != vlan.path and tag == vlan.tag:
                message = f"tag {vlan.tag} of new VLAN {vlan.path} is already used by VLAN {other.name}"
                out.append(_finding(unit, "tag", (vlan.path, other.name), message, other.where))
    return out


def untagged_interfaces(unit: SavedUnit) -> list[PrecheckFinding]:
    """An interface the change puts untagged into a VLAN is untagged in another VLAN."""
    out = []
    saved = [(other, vlan_interfaces(other.body)) for other in unit.saved.of("net vlan").values()]
    for vlan in unit.peer.vlans:
        for name, mode in vlan.interfaces:
            if mode != "untagged":
                continue
            for other, interfaces in saved:
                if other.name != vlan.path and interfaces.get(name) is False:
                    message = f"interface {name} is untagged in VLAN {other.name}; new VLAN {vlan.path} wants it untagged too"
                    out.append(
                        _finding(unit, "untagged", (name, vlan.path, other.name), message, other.where)
                    )
    return out


def interfaces_exist(unit: SavedUnit) -> list[PrecheckFinding]:
    """An interface or trunk the change names does not exist."""
    interfaces, trunks = set(unit.saved.of("net interface")), set(unit.saved.of("net trunk"))
    wanted = [(name, vlan.path) for vlan in unit.peer.vlans for name, _ in vlan.interfaces]
    if not wanted:
        return []
    if not interfaces and not trunks:
        message = "the saved configuration has no net interface or net trunk stanzas: interfaces not checked"
        return [_finding(unit, "not-checked", (), message, severity=NOTE, absence=BASE)]
    out = []
    for name, path in wanted:
        is_trunk = name in unit.peer.trunks
        if name not in (trunks if is_trunk else interfaces):
            message = f"no {'trunk' if is_trunk else 'interface'} {name} (named for VLAN {path})"
            out.append(_finding(unit, "no-interface", (name, path), message, absence=BASE))
    return out


def _saved_selfs(unit: SavedUnit) -> list[tuple[Stanza, IPv4Interface]]:
    """The saved self IPs in route domain 0 (where the change works), read once per unit."""
    memo = unit.saved.memo
    if "selfs" not in memo:
        out = []
        for stanza in unit.saved.of("net self").values():
            address = address_of(stanza)
            if address is not None and address.route_domain == 0:
                out.append((stanza, address.interface))
        memo["selfs"] = out
    selfs: list[tuple[Stanza, IPv4Interface]] = memo["selfs"]
    return selfs


def self_addresses(unit: SavedUnit) -> list[PrecheckFinding]:
    """A self IP address the change creates is configured already, or its subnet overlaps a
    self IP on another VLAN."""
    out = []
    saved = _saved_selfs(unit)
    for new in unit.device.selfs:
        wanted = IPv4Interface(new.address)
        for stanza, address in saved:
            if stanza.name == new.path:
                continue  # reported as "exists"
            vlan = object_path(unquote(stanza.body.get("vlan")))
            if address.ip == wanted.ip:
                message = f"address {wanted.ip} of new self IP {new.path} is already self IP {stanza.name} on {vlan}"
                out.append(_finding(unit, "address", (new.path, stanza.name), message, stanza.where))
            elif vlan != new.vlan_path and address.network.overlaps(wanted.network):
                message = (
                    f"subnet {wanted.network} of new self IP {new.path} on {new.vlan_path} overlaps "
                    f"self IP {stanza.name} ({address}) on {vlan}"
                )
                if vlan in unit.peer.vlan_group.members:
                    message += (
                        f", which the change bridges into {new.vlan_path}: move that self IP to the group [I]"
                    )
                out.append(_finding(unit, "overlap", (new.path, stanza.name), message, stanza.where))
    return out


def hostname(unit: SavedUnit) -> list[PrecheckFinding]:
    """The saved hostname differs from the device key."""
    found = list(hostnames(unit.saved))
    host = unit.device.hostname
    if not found:
        message = (
            f"no hostname in the saved configuration ({GLOBAL_SETTINGS} or cm device with self-device true)"
        )
        return [_finding(unit, "hostname", (host,), message, absence=BASE)]
    name, where = found[0]
    if name == host:
        return []
    return [_finding(unit, "hostname", (host,), f"saved hostname is {name}, not {host}", where)]


def device_group(unit: SavedUnit) -> list[PrecheckFinding]:
    """The device group named is absent, or this unit is not in it (pairs only)."""
    if not unit.peer.is_ha or unit.peer.device_group is None:
        return []
    path = object_path(unit.peer.device_group)
    group = unit.saved.get("cm device-group", path)
    if group is None:
        return [
            _finding(
                unit,
                "device-group",
                (path,),
                f"device group {path} is not in the saved configuration",
                absence=BASE,
            )
        ]
    me = self_device(unit.saved)
    if me is None:
        message = f"no cm device with self-device true: membership of {path} not checked"
        return [_finding(unit, "not-checked", (path,), message, group.where, severity=NOTE)]
    if group.readable and me.name not in names(group.body.get("devices")):
        message = f"this unit ({me.name}) is not a member of device group {path}"
        return [_finding(unit, "device-group", (path, me.name), message, group.where)]
    return []


def tunnel_configsync(unit: SavedUnit) -> list[PrecheckFinding]:
    """`sys db iptunnel.configsync` is disabled on a pair: the tunnel would not sync."""
    value = db_value(unit.saved, "iptunnel.configsync")
    if not unit.peer.is_ha or value is None or value[0] != "disable":
        return []
    message = (
        "iptunnel.configsync is disable: the tunnel created on the first unit would not reach the second"
    )
    return [_finding(unit, "configsync", ("iptunnel.configsync",), message, value[1])]


def version(unit: SavedUnit) -> list[PrecheckFinding]:
    """The saved configuration's #TMSH-VERSION differs from the version the change targets."""
    target = unit.site.version
    if not unit.saved.versions:
        message = f"no #TMSH-VERSION line: the saved version could not be compared with {target}"
        return [_finding(unit, "not-checked", (), message, severity=NOTE)]
    return [
        _finding(
            unit,
            "version",
            (line.version,),
            f"saved configuration is {line.version}; the change targets {target}",
            line.where,
        )
        for line in unit.saved.versions
        if line.version != target and not line.version.startswith(f"{target}.")  # 11.6.5.1 is 11.6.5
    ]


def routes(unit: SavedUnit) -> list[PrecheckFinding]:
    """With `gateway: existing`, no saved route covers the other endpoint; a created route's
    destination is already routed by another route."""
    remote = IPv4Address(unit.peer.tunnel.remote_address)
    saved = [(s, parse_network(unquote(s.body.get("network")))) for s in unit.saved.of("net route").values()]
    route = unit.peer.route
    out = []
    if route is not None:
        network = IPv4Network(route.network)
        for stanza, parsed in saved:
            if stanza.name != route.path and parsed == (network, 0):
                message = f"route {stanza.name} already goes to {network}; the change creates {route.path}"
                out.append(_finding(unit, "route", (route.path, stanza.name), message, stanza.where))
    if unit.peer.gateway == "existing" and not _covered(unit, remote, saved):
        message = (
            f"gateway: existing, but no saved route or self IP subnet covers the other endpoint {remote}"
        )
        out.append(_finding(unit, "route", (str(remote),), message, absence=BASE + USER))
    return out


def ipsec(unit: SavedUnit) -> list[PrecheckFinding]:
    """With IPsec: another IKE peer for the other endpoint, another traffic selector that covers
    EtherIP between the endpoints (it could take the traffic first [I]), certificates the IKE
    peer names that are not saved."""
    view = unit.peer.ipsec
    if view is None:
        return []
    out = []
    for stanza in unit.saved.of("net ipsec ike-peer").values():
        if stanza.name != view.ike_peer.path and unquote(stanza.body.get("remote-address")) == view.remote:
            message = (
                f"IKE peer {stanza.name} already has remote-address {view.remote}; the change creates "
                f"{view.ike_peer.path} for it, and two peers for one address compete"
            )
            out.append(_finding(unit, "ipsec-peer", (view.ike_peer.path, stanza.name), message, stanza.where))
    local, remote = IPv4Address(view.local), IPv4Address(view.remote)
    for stanza in unit.saved.of("net ipsec traffic-selector").values():
        if stanza.name == view.selector.path:
            continue
        source = parse_network(unquote(stanza.body.get("source-address")))
        destination = parse_network(unquote(stanza.body.get("destination-address")))
        protocol = unquote(stanza.body.get("ip-protocol")) or "255"
        if source is None or destination is None or protocol not in ("97", "255", "etherip", "any"):
            continue
        if local in source[0] and remote in destination[0]:
            message = (
                f"traffic selector {stanza.name} covers {local} -> {remote} (ip-protocol {protocol}): it could take "
                f"EtherIP before {view.selector.path} [I]; its policy would then protect it"
            )
            out.append(
                _finding(unit, "ipsec-selector", (view.selector.path, stanza.name), message, stanza.where)
            )
    for kind, path in view.certificates:
        if unit.saved.get(kind.tmsh, path) is None:
            message = (
                f"{kind.tmsh} {path} is named by ipsec_certificate but is not in the saved configuration"
            )
            out.append(_finding(unit, "missing", (path,), message, absence=USER))
    return out


def _covered(
    unit: SavedUnit, remote: IPv4Address, saved: list[tuple[Stanza, tuple[IPv4Network, int] | None]]
) -> bool:
    if any(p is not None and p[1] == 0 and remote in p[0] for _, p in saved):
        return True
    return any(remote in address.network for _, address in _saved_selfs(unit))


def unread(unit: SavedUnit) -> list[PrecheckFinding]:
    """What could not be read, of the stanza kinds these checks use (run last: the bodies the
    checks above looked at are parsed by now), and stanzas saved twice."""
    out = [
        _finding(unit, "not-read", (item.what,), item.reason, item.where, severity=NOTE)
        for item in unit.saved.unread
    ]
    out += [
        _finding(
            unit,
            "not-read",
            (f"{stanza.kind} {stanza.name}".strip(),),
            f"its properties could not be read ({stanza.problem}); not checked",
            stanza.where,
            severity=NOTE,
        )
        for stanza in unit.saved.unreadable_bodies()
    ]
    out += [
        _finding(unit, "duplicate", (item.what,), item.reason, item.where, severity=NOTE)
        for item in unit.saved.duplicates
    ]
    return out


CHECKS: tuple[Callable[[SavedUnit], list[PrecheckFinding]], ...] = (
    version,
    hostname,
    device_group,
    tunnel_configsync,
    exists,
    missing,
    pool_restore,
    vlan_tags,
    untagged_interfaces,
    interfaces_exist,
    self_addresses,
    routes,
    ipsec,
    unread,
)


SKIPPED = {  # part → (its file, what is not looked for without it)
    "base": (
        "bigip_base.conf",
        "missing VLANs, self IPs, interfaces, hostname, device group, uncovered routes",
    ),
    "user": ("bigip.conf", "a missing pool, uncovered routes"),
}


def check_unit(unit: SavedUnit) -> list[PrecheckFinding]:
    findings = [f for check in CHECKS for f in check(unit)]
    lacking = [part for part in (*BASE, *USER) if part not in unit.saved.parts]
    if not lacking:
        return findings
    kept = [f for f in findings if not set(f.absence) & set(lacking)]
    notes = [
        _finding(
            unit,
            "not-checked",
            (name,),
            f"not given (nor its stanzas): not looked for: {what}",
            severity=NOTE,
        )
        for name, what in (SKIPPED[part] for part in lacking)
    ]
    return [*kept, *notes]

"""`etherip init SITE --from DEVICE=PATH …`: the site file of an EtherIP deployment that already
exists (built by hand, or by etherip from a site file since lost), read from each unit's saved
configuration (a UCS archive, a folder or a saved file: the pre-check's readers).

Found per unit: the EtherIP tunnel (profile etherip); the units whose tunnels share local and
remote address are one data center (a pair shares the floating endpoint), and the two data
centers' tunnels must point at each other. From the tunnel: the VLAN group that holds it and
the VM VLAN beside it; the self IP of the tunnel's local address and its VLAN (the WAN VLAN); each
unit's self IPs on both; the route to the other endpoint (its gateway); the Virtual Location
monitor and its pool; the device group that lists a pair's units; the version line.

A VLAN, pool or self IP whose description is not etherip's is taken as existing before the
deployment (create: false): an etherip rollback never deletes it. Every value guessed or not
found is a comment at its line; what a saved configuration cannot say (the platform, the return
path, what an existing pool had before) too. The written file must validate, or nothing is
written (exit 1, the problems listed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface

from generator import bigip
from generator.errors import GeneratorError
from generator.model import Site
from generator.proof.precheck.run import UnitInput
from generator.proof.precheck.saved import (
    SavedConfig,
    Stanza,
    allow_service,
    hostnames,
    monitor_rule,
    names,
    object_path,
    parse_address,
    parse_network,
    parse_saved,
    pool_min_active,
    unquote,
    vlan_interfaces,
    vlan_tag,
)
from generator.proof.precheck.sources import SavedConfigError, read_source
from generator.versions import ALL_VERSIONS

COMMENT_COLUMN = 40
_DESCRIPTION = re.compile(r"etherip (\S+) ")
_TO_PEER = re.compile(r"etherip \S+ to (\S+)")


class AdoptError(GeneratorError):
    """A saved configuration does not hold a deployment etherip can read (exit 1)."""

    def __init__(self, lines: list[str]) -> None:
        self.problem_lines = lines
        super().__init__("\n".join(lines))

    def lines(self) -> list[str]:
        return list(self.problem_lines)


@dataclass
class FoundUnit:
    host: str
    display: str
    saved: SavedConfig

    def selfs(self) -> list[tuple[str, Stanza, IPv4Interface, bool]]:
        """(path, stanza, address, floating?) of every self IP in route domain 0."""
        out = []
        for path, s in self.saved.of("net self").items():
            found = parse_address(unquote(s.body.get("address")))
            if found and found.route_domain == 0:
                group = object_path(unquote(s.body.get("traffic-group")) or bigip.TG_LOCAL)
                out.append((path, s, found.interface, group != bigip.TG_LOCAL))
        return out


@dataclass
class SiteDraft:
    """The site file being written: lines with their comments."""

    lines: list[tuple[int, str, str]] = field(default_factory=list)  # (indent, text, comment)

    def add(self, indent: int, text: str, comment: str = "") -> None:
        self.lines.append((indent, text, comment))

    def text(self) -> str:
        out = []
        for indent, text, comment in self.lines:
            line = "  " * indent + text
            if comment:
                line = (
                    f"{line.ljust(COMMENT_COLUMN - 1)} # {comment}" if text else f"{'  ' * indent}# {comment}"
                )
            out.append(line)
        return "\n".join(out) + "\n"


def read_units(inputs: list[UnitInput]) -> list[FoundUnit]:
    units, problems = [], []
    for given in inputs:
        try:
            saved = parse_saved(read_source(given.path, given.display))
        except SavedConfigError as err:
            problems.append(f"{err.where}: {err.reason}")
            continue
        host = given.device or next((name for name, _ in hostnames(saved)), None)
        if host is None:
            problems.append(f"{given.display}: no hostname saved: name the unit, DEVICE={given.display}")
            continue
        units.append(FoundUnit(host, given.display, saved))
    if problems:
        raise AdoptError(problems)
    return units


def adopt(inputs: list[UnitInput]) -> str:
    """The site file text of the deployment the saved configurations hold."""
    units = read_units(inputs)
    tunnels = [_tunnel(u) for u in units]
    peers = _peers(units, tunnels)
    site = SiteDraft()
    deployment, named = _deployment(units)
    site.add(
        0,
        f"deployment: {deployment}",
        "" if named else "guessed: no etherip description or self IP name shows it",
    )
    version, found = _version(units[0])
    site.add(
        0,
        f'bigip_version: "{version}"',
        "" if found else "guessed: no #TMSH-VERSION line of a supported release",
    )
    first_vm = _vm_selfs(units[0], _group(units[0], tunnels[0])[0])
    site.add(0, f"vm_subnet: {first_vm[0][1].network}")
    _tunnel_settings(site, tunnels[0])
    _shared_gateways(site, units[0], _group(units[0], tunnels[0])[1])
    site.add(0, "", "return_path: snat | bigip_gateway: not in a saved configuration; write it if known")
    _ipsec(site, units[0], tunnels[0])
    site.add(0, "")
    _pool(site, units[0])
    site.add(0, "")
    site.add(0, "peers:")
    names_ = _peer_names(peers, tunnels)
    for (name, guessed), members in zip(names_, peers, strict=True):
        _peer(site, name, guessed, [units[i] for i in members], [tunnels[i] for i in members], deployment)
    return site.text()


# ---- IPsec -------------------------------------------------------------------------------------


def ipsec_of(u: FoundUnit, tunnel: Stanza) -> tuple[Stanza, Stanza, Stanza] | None:
    """(traffic selector, its policy, the IKE peer) that protect this unit's EtherIP: a selector
    for protocol 97 from the tunnel's local address /32 to its remote /32."""
    local, remote = _ends(tunnel)
    for selector in u.saved.of("net ipsec traffic-selector").values():
        if (
            unquote(selector.body.get("source-address")) == f"{local}/32"
            and unquote(selector.body.get("destination-address")) == f"{remote}/32"
            and unquote(selector.body.get("ip-protocol")) in ("97", "etherip")
        ):
            policy = u.saved.get(
                "net ipsec ipsec-policy", object_path(unquote(selector.body.get("ipsec-policy")))
            )
            peer = next(
                (
                    p
                    for p in u.saved.of("net ipsec ike-peer").values()
                    if unquote(p.body.get("remote-address")) == remote
                ),
                None,
            )
            if policy is not None and peer is not None:
                return selector, policy, peer
    return None


def _ipsec(site: SiteDraft, u: FoundUnit, tunnel: Stanza) -> None:
    """The site's ipsec key from the first unit's IPsec objects, every value written."""
    found = ipsec_of(u, tunnel)
    if found is None:
        return
    _, policy, peer = found
    p, i = policy.body, peer.body
    versions = names(i.get("version")) or ["v1"]
    encrypt = unquote(p.get("ike-phase2-encrypt-algorithm"))
    site.add(0, "ipsec:")
    site.add(
        1,
        f"ike_version: {versions[0]}",
        "" if i.get("version") else "guessed: no version listed (v1, the default)",
    )
    site.add(
        1, f"auth: {'psk' if unquote(i.get('phase1-auth-method')) == 'pre-shared-key' else 'certificate'}"
    )
    site.add(1, f"mode: {unquote(p.get('mode'))}")
    site.add(1, f"nat_traversal: {unquote(i.get('nat-traversal')) or 'off'}")
    site.add(1, f"phase1_encrypt: {unquote(i.get('phase1-encrypt-algorithm'))}")
    site.add(1, f"phase1_hash: {unquote(i.get('phase1-hash-algorithm'))}")
    site.add(1, f"dh_group: {unquote(i.get('phase1-perfect-forward-secrecy'))}")
    site.add(1, f"phase1_lifetime: {unquote(i.get('lifetime'))}")
    site.add(1, f"phase2_encrypt: {encrypt}")
    if not encrypt.startswith("aes-gcm"):
        site.add(1, f"phase2_auth: {unquote(p.get('ike-phase2-auth-algorithm'))}")
    site.add(1, f"pfs: {unquote(p.get('ike-phase2-perfect-forward-secrecy'))}")
    site.add(1, f"phase2_lifetime: {unquote(p.get('ike-phase2-lifetime'))}")


def _certificate(site: SiteDraft, u: FoundUnit, tunnel: Stanza) -> None:
    found = ipsec_of(u, tunnel)
    if found is None or unquote(found[2].body.get("phase1-auth-method")) == "pre-shared-key":
        return
    body = found[2].body
    cert, key, ca = (
        _bare(object_path(unquote(body.get(k)))) for k in ("my-cert-file", "my-cert-key-file", "ca-cert-file")
    )
    site.add(2, f"ipsec_certificate: {{cert: {cert}, key: {key}, ca: {ca}}}")


# ---- finding things -------------------------------------------------------------------------


def _tunnel(u: FoundUnit) -> Stanza:
    found = [
        s
        for s in u.saved.of("net tunnels tunnel").values()
        if object_path(unquote(s.body.get("profile"))) == bigip.ETHERIP_PROFILE
    ]
    if len(found) != 1:
        what = (
            "no EtherIP tunnel (profile etherip)"
            if not found
            else f"{len(found)} EtherIP tunnels ({', '.join(s.name for s in found)})"
        )
        raise AdoptError(
            [f"{u.display}: {u.host}: {what}; etherip adopts a deployment of one tunnel per data center"]
        )
    return found[0]


def _ends(t: Stanza) -> tuple[str, str]:
    return unquote(t.body.get("local-address")), unquote(t.body.get("remote-address"))


def _peers(units: list[FoundUnit], tunnels: list[Stanza]) -> list[list[int]]:
    """Units grouped by their tunnel's ends: two data centers, pointing at each other."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, t in enumerate(tunnels):
        groups.setdefault(_ends(t), []).append(i)
    ends = list(groups)
    if len(ends) != 2 or ends[0] != ends[1][::-1] or any(len(g) > 2 for g in groups.values()):
        shown = "; ".join(
            f"{', '.join(units[i].host for i in g)}: local {e[0]}, remote {e[1]}" for e, g in groups.items()
        )
        raise AdoptError(
            [
                f"{units[0].display}: the units' EtherIP tunnels do not make two data centers pointing at each other ({shown})"
            ]
        )
    return list(groups.values())


def _group(u: FoundUnit, tunnel: Stanza) -> tuple[str, Stanza]:
    """(VM VLAN path, VLAN group stanza) of the group holding the tunnel."""
    for s in u.saved.of("net vlan-group").values():
        members = names(s.body.get("members"))
        if tunnel.name in members:
            others = [m for m in members if m != tunnel.name]
            if len(others) == 1:
                return others[0], s
    raise AdoptError(
        [f"{tunnel.where}: {u.host}: no VLAN group holds tunnel {tunnel.name} and one VM VLAN beside it"]
    )


def _vm_selfs(u: FoundUnit, _vm: str) -> list[tuple[str, IPv4Interface, bool]]:
    group = next(s for s in u.saved.of("net vlan-group").values() if _vm in names(s.body.get("members")))
    found = [(p, a, f) for p, s, a, f in u.selfs() if object_path(unquote(s.body.get("vlan"))) == group.name]
    if not found:
        raise AdoptError([f"{group.where}: {u.host}: no self IP on VLAN group {group.name}"])
    return sorted(found, key=lambda x: x[2])  # the unit's own first, then the floating one


def _endpoint(u: FoundUnit, tunnel: Stanza) -> tuple[str, Stanza, IPv4Interface, bool]:
    local = _ends(tunnel)[0]
    for entry in u.selfs():
        if str(entry[2].ip) == local:
            return entry
    raise AdoptError([f"{tunnel.where}: {u.host}: no self IP has the tunnel's local address {local}"])


def _deployment(units: list[FoundUnit]) -> tuple[str, bool]:
    for u in units:
        for kind in ("net tunnels tunnel", "net vlan-group", "net route", "ltm pool", "net vlan"):
            for s in u.saved.of(kind).values():
                m = _DESCRIPTION.match(unquote(s.body.get("description")))
                if m:
                    return m.group(1), True
        for path, *_ in u.selfs():
            m = re.match(r"/Common/(.+?)_(?:wan|vm)_(?:self|float)", path)
            if m:
                return m.group(1), True
    return "adopted", False


def _version(u: FoundUnit) -> tuple[str, bool]:
    for line in u.saved.versions:
        for v in reversed(ALL_VERSIONS):
            if line.version == v.value or line.version.startswith(f"{v.value}."):
                return v.value, True
    return ALL_VERSIONS[-1].value, False


def _etherip(s: Stanza) -> bool:
    return _DESCRIPTION.match(unquote(s.body.get("description"))) is not None


def _peer_names(peers: list[list[int]], tunnels: list[Stanza]) -> list[tuple[str, bool]]:
    """Each data center's name: what the other one's tunnel description calls it."""
    out = []
    for n in range(len(peers)):
        other = tunnels[peers[1 - n][0]]
        m = _TO_PEER.match(unquote(other.body.get("description")))
        out.append((m.group(1), False) if m else (f"dc{n + 1}", True))
    return out


# ---- writing the site --------------------------------------------------------------------------


# A tunnel's mtu written as its default: 0 (the WAN's, less the overhead) or etherip's 1500.
_DEFAULT_MTUS = ("0", "1500")


def _tunnel_settings(site: SiteDraft, tunnel: Stanza) -> None:
    """Each tunnel property the site file has a key for (`tunnel_<property>`: tunnel_mtu), as
    saved; a property the model gains is read back with nothing written here."""
    for prop in bigip.TUNNEL.properties:
        key = f"tunnel_{prop.replace('-', '_')}"
        value = unquote(tunnel.body.get(prop))
        if key not in Site.model_fields or not value or (prop == "mtu" and value in _DEFAULT_MTUS):
            continue
        site.add(0, f"{key}: {value}", f"the tunnel's {prop} as saved")


def _shared_gateways(site: SiteDraft, u: FoundUnit, group: Stanza) -> None:
    raw = group.body.get("proxy-excludes")
    listed = raw if isinstance(raw, list) else list(raw) if isinstance(raw, dict) else []
    found = [str(v) for v in listed if v and v != "none"]
    if found:
        site.add(0, f"shared_gateways: [{', '.join(found)}]", "the VLAN group's proxy-excludes")


def _pool(site: SiteDraft, u: FoundUnit) -> None:
    monitors = [s for s in u.saved.of("ltm monitor").values() if s.subtype == "virtual-location"]
    if len(monitors) != 1:
        raise AdoptError(
            [f"{u.display}: {u.host}: {len(monitors)} Virtual Location monitors; etherip adopts one"]
        )
    mon = monitors[0]
    pool_path = object_path(unquote(mon.body.get("pool")))
    pool = u.saved.get("ltm pool", pool_path)
    if pool is None:
        raise AdoptError(
            [f"{mon.where}: {u.host}: monitor {mon.name} names pool {pool_path}, which is not saved"]
        )
    created = _etherip(pool)
    site.add(0, "pool:")
    site.add(1, f"name: {_bare(pool_path)}")
    rule = sorted(m for m in monitor_rule(pool.body).monitors if m != mon.name)
    if not created:
        site.add(1, "create: false", "its description is not etherip's: it existed before")
        before = " and ".join(_bare(m) for m in rule) or "none"
        site.add(
            1, f"restore_monitor: {before}", "guessed: its rule today without the Virtual Location monitor"
        )
        site.add(
            1,
            "",
            "restore_min_active_members: what it had before (rollback restores it); not in a saved configuration",
        )
    members = [_bare(m) for m in names(pool.body.get("members"))]
    if members:
        site.add(1, f"members: [{', '.join(members)}]")
    interval, timeout = unquote(mon.body.get("interval")) or "5", unquote(mon.body.get("timeout")) or "16"
    site.add(1, f"monitor: {{name: {_bare(mon.name)}, interval: {interval}, timeout: {timeout}}}")
    if created:
        _also(site, rule)
    if created and pool_min_active(pool.body) != 1:
        site.add(
            1,
            "",
            f"min-active-members is {pool_min_active(pool.body)} on the box; etherip sets 1 (a plan will change it)",
        )


def _also(site: SiteDraft, rule: list[str]) -> None:
    if len(rule) == 1:
        site.add(1, f"also_monitor: {_bare(rule[0])}")
    elif not rule:
        site.add(
            1,
            "also_monitor: tcp",
            "guessed: a created pool needs a health monitor beside the Virtual Location one; none is in its rule",
        )
    else:
        site.add(
            1,
            f"also_monitor: {_bare(rule[0])}",
            f"its rule also names {', '.join(_bare(m) for m in rule[1:])}: etherip keeps one",
        )


def _bare(path: str) -> str:
    return path.removeprefix("/Common/")


def _peer(
    site: SiteDraft, name: str, guessed: bool, units: list[FoundUnit], tunnels: list[Stanza], deployment: str
) -> None:
    first, tunnel = units[0], tunnels[0]
    ha = len(units) == 2
    site.add(
        1,
        f"{name}:",
        "guessed: the other data center's tunnel description does not name it" if guessed else "",
    )
    site.add(
        2,
        "",
        "platform: appliance assumed; a vCMP guest or F5OS tenant cannot be told from a saved configuration",
    )
    if ha:
        group, found = _device_group(first, [u.host for u in units])
        site.add(
            2,
            f"device_group: {group}",
            "" if found else "guessed: no sync-failover device group lists both units",
        )
    endpoint = _endpoint(first, tunnel)
    wan_path = object_path(unquote(endpoint[1].body.get("vlan")))
    vm_path, group_stanza = _group(first, tunnel)
    site.add(2, "wan:")
    _vlan(site, first, wan_path)
    wan_selfs = _selfs_on(units, wan_path)
    if ha:
        site.add(3, f"floating_self: {endpoint[2]}")
    wan_vlan = first.saved.get("net vlan", wan_path)
    wan_created = wan_vlan is not None and _etherip(wan_vlan)
    protected = ipsec_of(first, tunnel) is not None
    if wan_created:
        _lockdown(site, wan_selfs[0][1] if ha else endpoint[1], admits=not ha, ipsec=protected)
    _gateway(site, first, tunnel, endpoint[2], wan_created)
    if not wan_created:
        _endpoint_self(site, endpoint, protected)
    site.add(2, "vm:")
    _vlan(site, first, vm_path)
    vm_selfs = [_vm_selfs(u, vm_path) for u in units]
    if ha:
        floating = [a for _, a, f in vm_selfs[0] if f]
        if floating:
            site.add(3, f"floating_self: {floating[0]}")
    own_vm = first.saved.get("net self", vm_selfs[0][0][0])
    if own_vm is not None:
        _lockdown(site, own_vm, admits=False, default="default")
    site.add(2, f"tunnel: {_bare(tunnel.name)}")
    site.add(2, f"vlan_group: {_bare(group_stanza.name)}")
    _certificate(site, first, tunnel)
    site.add(
        2, "devices:", "run order: the first is the active unit (it runs the synced steps)" if ha else ""
    )
    for u, wan, vm in zip(units, wan_selfs, vm_selfs, strict=True):
        site.add(3, f"{u.host}: {{wan_self: {wan[2]}, vm_self: {vm[0][1]}}}")
    _names(site, deployment, wan_selfs if wan_created else [], vm_selfs)


def _device_group(u: FoundUnit, hosts: list[str]) -> tuple[str, bool]:
    for s in u.saved.of("cm device-group").values():
        listed = {_bare(n) for n in names(s.body.get("devices"))}
        if unquote(s.body.get("type")) == "sync-failover" and set(hosts) <= listed:
            return _bare(s.name), True
    return "dg_adopted", False


def _vlan(site: SiteDraft, u: FoundUnit, path: str) -> None:
    site.add(3, f"vlan: {_bare(path)}")
    stanza = u.saved.get("net vlan", path)
    if stanza is None or not _etherip(stanza):
        site.add(
            3,
            "create: false",
            "not saved here" if stanza is None else "its description is not etherip's: it existed before",
        )
        if stanza is not None and unquote(stanza.body.get("mtu")):
            site.add(3, f"mtu: {unquote(stanza.body.get('mtu'))}", "what it is today")
        return
    tag = vlan_tag(stanza.body)
    if tag is not None:
        site.add(3, f"tag: {tag}")
    interfaces = vlan_interfaces(stanza.body)
    if interfaces:
        shown = ", ".join(f'"{n}": {"tagged" if t else "untagged"}' for n, t in interfaces.items())
        site.add(3, f"interfaces: {{{shown}}}")
    mtu = unquote(stanza.body.get("mtu"))
    if mtu and mtu != "1500":
        site.add(3, f"mtu: {mtu}")


def _selfs_on(units: list[FoundUnit], vlan: str) -> list[tuple[str, Stanza, IPv4Interface, bool]]:
    out = []
    for u in units:
        own = [e for e in u.selfs() if not e[3] and object_path(unquote(e[1].body.get("vlan"))) == vlan]
        if not own:
            raise AdoptError([f"{u.display}: {u.host}: no self IP of its own on WAN VLAN {vlan}"])
        out.append(own[0])
    return out


# The entries etherip adds to the tunnel endpoint's lockdown: EtherIP, and with IPsec ESP and
# IKE (generator/context.py endpoint_services), in any printed form.
ADDED = frozenset({"97:0", "97:any", "etherip:0", "etherip:any"})
ADDED_IPSEC = frozenset(
    {"50:0", "50:any", "esp:0", "esp:any", "udp:500", "udp:isakmp", "udp:4500", "udp:ipsec-nat-t"}
)


def _lockdown(
    site: SiteDraft, stanza: Stanza, *, admits: bool, default: str = "none", ipsec: bool = False
) -> None:
    """A created self IP's allow-service, as the site writes it (the endpoint's EtherIP entry,
    and IPsec's, are etherip's own addition)."""
    added = ADDED | (ADDED_IPSEC if ipsec else frozenset())
    entries = [e for e in allow_service(stanza.body) if not (admits and e in added)]
    if not entries:
        entries = ["none"]
    if entries == [default]:
        return
    if len(entries) == 1 and ":" not in entries[0]:
        site.add(3, f"allow_service: {entries[0]}")
    else:
        site.add(3, f"allow_service: [{', '.join(entries)}]")


def _gateway(
    site: SiteDraft, u: FoundUnit, tunnel: Stanza, endpoint: IPv4Interface, wan_created: bool
) -> None:
    remote = IPv4Address(_ends(tunnel)[1])
    for s in u.saved.of("net route").values():
        net = parse_network(unquote(s.body.get("network")))
        if net and net[0].prefixlen == 32 and remote in net[0]:
            site.add(
                3,
                f"gateway: {unquote(s.body.get('gw'))}",
                "" if _etherip(s) else f"route {s.name} is not etherip's: a plan creates etherip's own",
            )
            return
    if remote in endpoint.network:
        return
    if wan_created:
        site.add(3, "", f"gateway: not found: no route to {remote}; write the next hop")
    else:
        site.add(3, "gateway: existing", f"no route to {remote} of its own: a route in place covers it")


def _endpoint_self(
    site: SiteDraft, endpoint: tuple[str, Stanza, IPv4Interface, bool], ipsec: bool = False
) -> None:
    services = list(allow_service(endpoint[1].body))
    admitted = [e for e in services if e in ADDED | (ADDED_IPSEC if ipsec else frozenset())]
    if not admitted:
        return  # all, or nothing etherip added: the render leaves it as it is
    before = [e for e in services if e not in admitted] or ["none"]
    shown = before[0] if len(before) == 1 and ":" not in before[0] else f"[{', '.join(before)}]"
    site.add(
        3,
        f"endpoint_self: {{name: {_bare(endpoint[0])}, allow_service: {shown}}}",
        "guessed: its lockdown before the deployment is today's without the EtherIP entry",
    )


def _names(
    site: SiteDraft,
    deployment: str,
    wan: list[tuple[str, Stanza, IPv4Interface, bool]],
    vm: list[list[tuple[str, IPv4Interface, bool]]],
) -> None:
    """Self IPs etherip would name otherwise: a plan or --after will show them."""
    prefix = f"/Common/{deployment}_"
    odd = [p for (p, *_rest) in wan if not p.startswith(prefix)] + [
        p for selfs in vm for (p, *_r) in selfs if not p.startswith(prefix)
    ]
    if odd:
        site.add(
            2,
            "",
            f"self IPs not named as etherip names them ({', '.join(_bare(p) for p in odd)}): a plan from this site replaces them",
        )


def checked(text: str, name: str) -> str:
    """`text` if it validates as a site file; else every problem, located in it (nothing written)."""
    from generator.load import parse_site
    from generator.validate import validate_source

    validate_source(parse_site(text.encode(), f"{name} (adopted)"))
    return text

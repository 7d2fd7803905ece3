"""What a read-only tmsh line shows on a modelled unit, and whether an Expect holds there.

The model is the replay's (generator/proof/tmsh/replay.py): each peer's devices with their
objects at one moment of the change, plus what a healthy unit of the site file has besides
(`World.facts`: hostname, version, failover state, db keys; the interfaces and trunks the site
names; a route the site says exists). A unit lists only its own objects: a non-floating self IP
of the other unit is not there. Values compare the way tmsh may print them: names with or
without /Common/, ports and protocols by number or by name, `any` for 0.

Verdicts are True (holds), False (contradicted) or None (the model does not know, e.g. the
allow-service of a self IP that existed before the change and the site file does not describe).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv4Interface, IPv4Network, ip_address

from generator.model import Site
from generator.proof.expects import Claim
from generator.proof.tmsh.replay import BUILTIN_MONITORS as BUILTIN_MONITOR_PATHS
from generator.proof.tmsh.replay import (
    ROUTE,
    SELF,
    TUNNEL,
    UNKNOWN,
    VLAN,
    Cluster,
    PropMap,
    ReplayedUnit,
    is_synced,
    tunnel_problems,
)
from generator.proof.tmsh.words import WordError, parse_block, split_words

Unit = tuple[str, str]  # (peer, hostname)

# The names tmsh may print instead of numbers (its services and protocols tables) [S]; this
# reader's own copy, so a wrong table in the generator cannot agree with itself.
_PORTS = {"ssh": "22", "domain": "53", "http": "80", "snmp": "161", "https": "443", "f5-iquery": "4353"}
_PORTS |= {"cap": "1026", "isakmp": "500", "ipsec-nat-t": "4500"}
_PROTOCOLS = {"etherip": "97", "esp": "50", "ah": "51", "gre": "47", "igmp": "2", "ospf": "89", "pim": "103"}
_PROTOCOLS |= {"tcp": "6", "udp": "17", "icmp": "1"}
# A route the site file says is in place (gateway: existing), with no gateway known: its own
# kind, so the replay's config-sync and reference checks never see it; `list net route` does.
SITE_ROUTE = ("net", "route", "existing")
_DEFAULTS: dict[tuple[str, ...], dict[str, object]] = {
    ("net", "vlan"): {"mtu": "1500"},
    ("net", "self"): {"allow-service": "none"},
}
_KINDS = (
    ("net", "ipsec", "ipsec-policy"),
    ("net", "ipsec", "traffic-selector"),
    ("net", "ipsec", "ike-peer"),
    ("sys", "file", "ssl-cert"),
    ("sys", "file", "ssl-key"),
    ("net", "tunnels", "tunnel"),
    ("ltm", "monitor", "virtual-location"),
    ("net", "vlan-group"),
    ("net", "vlan"),
    ("net", "self"),
    ("net", "route"),
    ("net", "interface"),
    ("net", "trunk"),
    ("ltm", "pool"),
)


@dataclass
class World:
    """Both peers' devices at one moment, and the facts of a healthy unit of the site file."""

    site: Site
    clusters: dict[str, Cluster]
    facts: dict[Unit, dict[str, str]] = field(default_factory=dict)

    def device(self, unit: Unit) -> ReplayedUnit:
        return self.clusters[unit[0]].devices[unit[1]]

    def active(self, unit: Unit) -> bool:
        return self.facts.get(unit, {}).get("failover", "active") == "active"


@dataclass(frozen=True)
class Shown:
    """What a line printed: `objects` of a list (None: "was not found"), or named fields."""

    objects: tuple[tuple[str, PropMap], ...] | None = None
    fields: tuple[tuple[str, str | None], ...] = ()

    def field(self, name: str) -> str | None:
        return dict(self.fields).get(name)


NOT_FOUND = Shown(None)


def observe(world: World, unit: Unit, command: str) -> Shown:
    """Run one read-only line on the model of `unit`."""
    try:
        words = [w.text for w in split_words(command)]
    except WordError:
        return Shown(fields=(("error", "not a tmsh line"),))
    for prefix, handler in _HANDLERS:
        if tuple(words[: len(prefix)]) == prefix:
            return handler(world, unit, words)
    return Shown(fields=(("error", f"not a read-only line this model knows: {command[:40]}"),))


def _fact(name: str) -> Callable[[World, Unit, list[str]], Shown]:
    return lambda world, unit, words: Shown(fields=((name, world.facts.get(unit, {}).get(name)),))


def _hostname(world: World, unit: Unit, words: list[str]) -> Shown:
    return Shown((("global-settings", {"hostname": world.facts.get(unit, {}).get("hostname", UNKNOWN)}),))


def _db(world: World, unit: Unit, words: list[str]) -> Shown:
    key = f"db.{words[3]}" if len(words) > 3 else ""
    facts = world.facts.get(unit, {})
    return Shown(((words[3], {"value": facts[key]}),)) if key in facts else Shown(fields=(("db", None),))


def _show_pool(world: World, unit: Unit, words: list[str]) -> Shown:
    props = world.device(unit).get(("ltm", "pool"), words[3]) if len(words) > 3 else None
    return NOT_FOUND if props is None else Shown(((words[3], props),))


_HANDLERS: tuple[tuple[tuple[str, ...], Callable[[World, Unit, list[str]], Shown]], ...] = (
    (("list", "sys", "global-settings"), _hostname),
    (("show", "sys", "version"), _fact("version")),
    (("list", "sys", "db"), _db),
    (("show", "cm", "sync-status"), lambda w, u, _: Shown(fields=(("status", sync_status(w, u[0])),))),
    (("show", "sys", "failover"), _fact("failover")),
    (("list", "cli", "preference"), lambda w, u, _: Shown((("preference", {}),))),
    (("modify", "cli", "preference"), lambda w, u, _: Shown((("preference", {}),))),
    (("save", "sys", "ucs"), lambda w, u, _: Shown(fields=(("saved", "yes"),))),
    (("run", "util", "ping"), lambda w, u, words: _ping(w, u, words)),
    (
        ("show", "net", "tunnels", "tunnel"),
        lambda w, u, words: _tunnel_counters(w, u, words[4] if len(words) > 4 else ""),
    ),
    (("show", "ltm", "pool"), _show_pool),
    (("show", "net", "ipsec", "ipsec-sa"), lambda w, u, words: _ipsec_sas(w, u, words)),
    (("show", "net", "ipsec", "ike-sa"), lambda w, u, words: _ike_sas(w, u, words)),
    (("list", "ltm", "monitor"), lambda w, u, words: _monitors(w.device(u), words)),
    (("list", "ltm", "virtual"), lambda w, u, words: _list_kind(w.device(u), ("ltm", "virtual"))),
    (("list",), lambda w, u, words: _list(w.device(u), words[1:])),
)


def _monitors(device: ReplayedUnit, words: list[str]) -> Shown:
    """`list ltm monitor` (every type): the built-in monitors, the site's, and the created ones;
    with a type and a name, that one."""
    if len(words) > 3:
        return _list(device, words[1:])
    names = [*BUILTIN_MONITOR_PATHS, *(name for (k, name) in device.objects if k[:2] == ("ltm", "monitor"))]
    return Shown(tuple((name, {}) for name in names))


def _list_kind(device: ReplayedUnit, kind: tuple[str, ...]) -> Shown:
    return Shown(tuple((name, p) for (k, name), p in device.objects.items() if k == kind))


def _list(device: ReplayedUnit, words: list[str]) -> Shown:
    kind = next((k for k in _KINDS if tuple(words[: len(k)]) == k), None)
    if kind is None:
        return Shown(fields=(("error", f"list of an unknown kind: {' '.join(words[:3])}"),))
    rest = words[len(kind) :]
    if rest and rest[0].startswith("/"):
        props = device.objects.get((kind, rest[0]))
        if props is None:
            return NOT_FOUND
        return Shown(((rest[0], _with_defaults(kind, props)),))
    kinds = (kind, SITE_ROUTE) if kind == ROUTE else (kind,)
    every = tuple((name, _with_defaults(kind, p)) for (k, name), p in device.objects.items() if k in kinds)
    return Shown(every)


def _with_defaults(kind: tuple[str, ...], props: PropMap) -> PropMap:
    return {**_DEFAULTS.get(kind, {}), **props}


def sync_status(world: World, peer: str) -> str:
    """In Sync when every unit of the pair holds the same synced objects; Standalone alone."""
    devices = list(world.clusters[peer].devices.values())
    if len(devices) < 2:
        return "Standalone"
    views = [{k: p for k, p in d.objects.items() if is_synced(k, p)} for d in devices]
    return "In Sync" if all(v == views[0] for v in views) else "Changes Pending"


# ---- reachability ---------------------------------------------------------------------------


def _addresses(device: ReplayedUnit, active: bool) -> Iterator[IPv4Interface]:
    """The self IPs a unit answers on: floating ones only while it is active."""
    for (kind, _), props in device.objects.items():
        if kind == SELF and str(props.get("address", "")) not in ("", UNKNOWN):
            floating = props.get("traffic-group") not in (None, "/Common/traffic-group-local-only")
            if active or not floating:
                yield IPv4Interface(str(props["address"]))


def _next_hop(device: ReplayedUnit, address: IPv4Address, active: bool) -> str | None:
    """ "on-link", a gateway, "unknown" (a route the site says exists), or None (no route)."""
    if any(address in i.network and address != i.ip for i in _addresses(device, active)):
        return "on-link"
    best: tuple[int, str] | None = None
    for (kind, _), props in device.objects.items():
        if kind not in (ROUTE, SITE_ROUTE):
            continue
        text = str(props.get("network"))
        network = IPv4Network("0.0.0.0/0") if text == "default" else IPv4Network(text)
        if address in network and (best is None or network.prefixlen > best[0]):
            best = (network.prefixlen, str(props.get("gw")))
    return None if best is None else best[1]


def _routable(device: ReplayedUnit, address: IPv4Address, active: bool) -> bool | None:
    hop = _next_hop(device, address, active)
    if hop is None:
        return False
    if hop in ("on-link", UNKNOWN):
        return True if hop == "on-link" else None
    gateway = ip_address(hop)
    return any(gateway in i.network and gateway != i.ip for i in _addresses(device, active))


def _owner(world: World, address: IPv4Address) -> Unit | None:
    for peer, cluster in world.clusters.items():
        for host, device in cluster.devices.items():
            if any(i.ip == address for i in _addresses(device, world.active((peer, host)))):
                return peer, host
    return None


def _ping(world: World, unit: Unit, words: list[str]) -> Shown:
    """`run util ping [-c N] [-I ADDRESS] [-M do] [-s SIZE] TARGET`: whether this unit has a
    route to TARGET, and whether a reply comes back (the owner answers and has a route to the
    source address)."""
    try:
        address = IPv4Address(words[-1])
        chosen = words[words.index("-I") + 1] if "-I" in words else None
        size = int(words[words.index("-s") + 1]) + 28 if "-s" in words else 84  # + IP and ICMP headers
    except (ValueError, IndexError):
        return Shown(fields=(("error", f"ping: {' '.join(words)[:60]}"),))
    whole = "-M" in words and words[words.index("-M") + 1 : words.index("-M") + 2] == ["do"]
    active = world.active(unit)
    device = world.device(unit)
    routable = _routable(device, address, active)
    owner = _owner(world, address)
    if owner is None or routable is False:
        return Shown(fields=(("routable", _word(routable)), ("replies", "no")))
    if owner[0] == unit[0]:
        return Shown(fields=(("routable", _word(routable)), ("replies", _word(routable))))
    if _in_vm_subnet(world, address):
        # across the VLAN group and the tunnel: this unit bridges only while active, and the
        # tunnel must come up between both peers' current states
        up = active and not _tunnel_down(world, unit) and world.active(owner)
        fits = _fits_tunnel(world, size) if whole else True
        crossing = False if not up or fits is False else fits
        return Shown(fields=(("routable", _word(routable)), ("replies", _word(crossing))))
    if chosen is not None and IPv4Address(chosen) not in {i.ip for i in _addresses(device, active)}:
        return Shown(fields=(("routable", _word(routable)), ("replies", "no")))  # not this unit's address
    source = _source(device, address, active, chosen)
    back = None if source is None else _routable(world.device(owner), source, world.active(owner))
    replies: bool | None = None if routable is None or back is None else (routable and back)
    if replies and whole:
        # unfragmented: both ends' WAN VLANs carry the packet (the path between is the network's)
        ends = [_mtu_of(device, source), _mtu_of(world.device(owner), address)]
        replies = _carries(ends, size)
    return Shown(fields=(("routable", _word(routable)), ("replies", _word(replies))))


def _mtu_of(device: ReplayedUnit, address: IPv4Address | None) -> int | None:
    """The MTU of the VLAN a self IP with `address` is on (1500 when unset; None: not known)."""
    for (kind, _), props in device.objects.items():
        if kind == SELF and address is not None and IPv4Interface(str(props.get("address"))).ip == address:
            vlan = device.objects.get((VLAN, str(props.get("vlan"))))
            if vlan is None:
                return None
            value = vlan.get("mtu", "1500")
            return None if value == UNKNOWN else int(str(value))
    return None


def _carries(mtus: list[int | None], size: int) -> bool | None:
    if any(m is not None and m < size for m in mtus):
        return False
    return None if any(m is None for m in mtus) else True


def _fits_tunnel(world: World, size: int) -> bool | None:
    """An unfragmented inner packet of `size` bytes through both tunnels: each tunnel's mtu (0 or
    unset: its WAN VLAN's mtu less EtherIP's 36 bytes) and the WAN VLANs carrying 36 more."""
    mtus: list[int | None] = []
    for cluster in world.clusters.values():
        for device in cluster.devices.values():
            for (kind, _), props in device.objects.items():
                if kind != TUNNEL:
                    continue
                wan = _mtu_of(device, IPv4Address(str(props.get("local-address"))))
                mtus.append(None if wan is None else _largest_inner(wan, _esp_of(device)))
                if str(props.get("mtu", "0")) != "0":
                    mtus.append(int(str(props["mtu"])))
    return _carries(mtus, size)


# ESP's bytes, this reader's own table (RFC 4303 header 8 and trailer 2; AES-CBC IV and block 16,
# RFC 3602; AES-GCM IV 8, padding to 4, ICV 16, RFC 4106; HMAC ICVs 12/16/32, RFC 2404/4868).
_CIPHER = {"aes128": (16, 16), "aes256": (16, 16), "aes-gcm128": (8, 4), "aes-gcm256": (8, 4)}
_ICV = {"sha1": 12, "sha256": 16, "sha512": 32, "aes-gcm128": 16, "aes-gcm256": 16}


def _esp_of(device: ReplayedUnit) -> tuple[str, str, str, bool] | None:
    """(mode, cipher, integrity, NAT traversal) of the IPsec that takes this unit's EtherIP."""
    for (kind, _), props in device.objects.items():
        if kind == ("net", "ipsec", "traffic-selector") and str(props.get("ip-protocol")) in ("97", "255"):
            policy = device.get(("net", "ipsec", "ipsec-policy"), str(props.get("ipsec-policy")))
            if policy is None:
                return None
            nat = any(
                k == ("net", "ipsec", "ike-peer") and p.get("nat-traversal") in ("on", "force")
                for (k, _), p in device.objects.items()
            )
            return (
                str(policy.get("mode")),
                str(policy.get("ike-phase2-encrypt-algorithm")),
                str(policy.get("ike-phase2-auth-algorithm")),
                nat,
            )
    return None


def _outer(inner: int, esp: tuple[str, str, str, bool] | None) -> int:
    """The WAN packet for one inner (VM) packet of `inner` bytes: EtherIP's 20 + 2 + 14, then ESP."""
    etherip = inner + 36
    if esp is None:
        return etherip
    mode, cipher, integrity, nat = esp
    iv, block = _CIPHER.get(cipher, (16, 16))
    carried = etherip if mode == "tunnel" else etherip - 20
    padded = (carried + 2 + block - 1) // block * block
    return 20 + (8 if nat else 0) + 8 + iv + padded + _ICV.get(integrity, 16)


def _largest_inner(wan: int, esp: tuple[str, str, str, bool] | None) -> int:
    inner = wan - 36
    while inner > 0 and _outer(inner, esp) > wan:
        inner -= 1
    return inner


def _source(
    device: ReplayedUnit, target: IPv4Address, active: bool, chosen: str | None
) -> IPv4Address | None:
    """The address a ping leaves from: `-I ADDRESS` when given; else the self IP on the target's
    subnet, else the non-floating self IP on the subnet of the route's gateway (the host picks a
    unit's own address, not a floating one [I]); None when there is no way out."""
    if chosen is not None:
        return IPv4Address(chosen)
    own = list(_addresses(device, active=False))
    for i in own:
        if target in i.network:
            return i.ip
    hop = _next_hop(device, target, active)
    if hop in (None, "on-link", UNKNOWN):
        return None
    gateway = ip_address(hop)
    return next((i.ip for i in own if gateway in i.network), None)


def _in_vm_subnet(world: World, address: IPv4Address) -> bool:
    return address in world.site.vm_subnet


def _tunnel_down(world: World, unit: Unit) -> bool:
    """A problem of this unit's tunnel, or of any unit of the other peer (one reckoning of the
    peers' current states for both questions)."""
    here, there = f"{unit[0]}/{unit[1]}:", f"{world.site.remote(unit[0])[0]}/"
    return any(p.startswith((here, there)) for p in tunnel_problems(world.site, world.clusters))


def _ipsec_up(world: World, unit: Unit) -> bool:
    """IKE completes and ESP carries EtherIP on this unit: it is active (the standby holds no
    security associations of its own [I]) and the tunnel with its IPsec comes up between both
    peers' current states (replay.tunnel_problems, IPsec's mirror and lockdown rules included)."""
    return world.active(unit) and not _tunnel_down(world, unit)


def _option(words: list[str], name: str) -> str | None:
    return words[words.index(name) + 1] if name in words and words.index(name) + 1 < len(words) else None


def _ipsec_sas(world: World, unit: Unit, words: list[str]) -> Shown:
    """`show net ipsec ipsec-sa traffic-selector NAME`: an SA each way while IPsec is up."""
    name = _option(words, "traffic-selector")
    if name is None or world.device(unit).get(("net", "ipsec", "traffic-selector"), name) is None:
        return Shown(fields=(("sas", "no"),))
    return Shown(fields=(("sas", "yes" if _ipsec_up(world, unit) else "no"),))


def _ike_sas(world: World, unit: Unit, words: list[str]) -> Shown:
    """`show net ipsec ike-sa peer-ip ADDRESS`: an IKE SA with that peer while IPsec is up."""
    address = _option(words, "peer-ip")
    device = world.device(unit)
    known = any(
        k == ("net", "ipsec", "ike-peer") and str(p.get("remote-address")) == address
        for (k, _), p in device.objects.items()
    )
    return Shown(fields=(("ike", "yes" if known and _ipsec_up(world, unit) else "no"),))


def _tunnel_counters(world: World, unit: Unit, name: str) -> Shown:
    if world.device(unit).get(TUNNEL, name) is None:
        return NOT_FOUND
    passing = world.active(unit) and not _tunnel_down(world, unit)
    return Shown(fields=(("passing", "yes" if passing else "no"),))


def _word(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


# ---- verdicts -------------------------------------------------------------------------------


def holds(claim: Claim, shown: Shown, world: World, unit: Unit) -> bool | None:
    """Whether `claim` holds for what the line showed."""
    if shown.field("error"):
        return False
    judge = _JUDGES.get(claim.kind)
    return False if judge is None else judge(claim, shown)


def _found(claim: Claim, shown: Shown) -> bool | None:
    if ("db", None) in shown.fields:
        return None  # a db key the model does not know (one a known issue asks about)
    if claim.kind in ("absent", "removed", "gone"):
        return shown.objects is None
    return shown.objects is not None


_JUDGES: dict[str, Callable[[Claim, Shown], bool | None]] = {
    "absent": _found,
    "removed": _found,
    "gone": _found,
    "listed": _found,
    "arrived": _found,
    "noted": _found,
    "no-output": lambda c, s: True,
    "ucs-saved": lambda c, s: s.field("saved") == "yes",
    "version": lambda c, s: _version(s.field("version"), c.args[0]),
    "sync": lambda c, s: s.field("status") == c.args[0],
    "failover": lambda c, s: _same(s.field("failover"), c.args[0]),
    "replies": lambda c, s: _yes(s.field("replies")),
    "routable": lambda c, s: _yes(s.field("routable")),
    "tunnel-traffic": lambda c, s: s.field("passing") == "yes",
    "pool-members": lambda c, s: _pool_members(s),
    "no-route": lambda c, s: _no_route(s, c.args[0]),
    "route-covers": lambda c, s: _route_covers(s, c.args[0]),
    "no-tag": lambda c, s: not any(str(p.get("tag")) in c.args[0].split(" or ") for _, p in s.objects or ()),
    "monitors-listed": lambda c, s: {_short(n) for n, _ in s.objects or ()} >= set(c.args[0].split(", ")),
    "vs-snat": lambda c, s: all(
        _snat(p) for _, p in s.objects or () if _short(str(p.get("pool"))) == c.args[0]
    ),
    "no-self-in": lambda c, s: (
        not any(
            _short(str(p.get("vlan"))) == c.args[0]
            and str(p.get("address")) not in ("", UNKNOWN)
            and IPv4Interface(str(p["address"])).ip in IPv4Network(c.args[1])
            for _, p in s.objects or ()
        )
    ),
    "not-bridged": lambda c, s: (
        not any(c.args[0] in _block(p.get("members") or {}) for _, p in s.objects or ())
    ),
    "self-ips": lambda c, s: _self_ips(s, c),
    "no-ike-peer-for": lambda c, s: (
        not any(str(p.get("remote-address")) == c.args[0] for _, p in s.objects or ())
    ),
    "ipsec-sas": lambda c, s: s.field("sas") == "yes",
    "ike-sa": lambda c, s: s.field("ike") == "yes",
    "values": lambda c, s: _values(s, c),
}


def _snat(props: PropMap) -> bool:
    value = props.get("source-address-translation")
    return isinstance(value, dict) and value.get("type") in ("automap", "snat")


def _same(value: str | None, wanted: str) -> bool | None:
    return None if value is None else value.lower() == wanted.lower()


def _yes(value: str | None) -> bool | None:
    return None if value is None else value == "yes"


def _version(shown: str | None, claimed: str) -> bool | None:
    if shown is None:
        return None
    return shown == claimed or shown.startswith(f"{claimed}.")


def _pool_members(shown: Shown) -> bool | None:
    if shown.objects is None:
        return False
    members = shown.objects[0][1].get("members")
    if members is None:
        return None  # an existing pool: its members are not in the site file
    return bool(members)


def _no_route(shown: Shown, network: str) -> bool:
    return not any(str(p.get("network")) == network for _, p in shown.objects or ())


def _route_covers(shown: Shown, target: str) -> bool | None:
    address = IPv4Address(target)
    for _, props in shown.objects or ():
        text = str(props.get("network"))
        if text == "default" or address in IPv4Network(text):
            return True
    return False


def _self_ips(shown: Shown, claim: Claim) -> bool | None:
    verdicts: list[bool | None] = []
    listed = {str(IPv4Interface(str(p.get("address")))): p for _, p in shown.objects or ()}
    for address, vlan, group, service in claim.selfs:
        props = listed.get(address)
        if props is None:
            return False
        verdicts.append(_equal("vlan", props.get("vlan"), vlan))
        verdicts.append(_equal("traffic-group", props.get("traffic-group"), group))
        if service.startswith("admits "):
            verdicts.append(_admits(props.get("allow-service"), service.split()[1:]))
        elif service:
            verdicts.append(_equal("allow-service", props.get("allow-service"), service))
    return _all(verdicts)


def _values(shown: Shown, claim: Claim) -> bool | None:
    if shown.objects is None or len(shown.objects) != 1:
        return False
    props = shown.objects[0][1]
    return _all([_equal(name, props.get(name), value) for name, value in claim.values])


def _all(verdicts: list[bool | None]) -> bool | None:
    if any(v is False for v in verdicts):
        return False
    return None if any(v is None for v in verdicts) else True


def _equal(name: str, model: object, claimed: str) -> bool | None:
    """Whether a listed value (the model's) is what the Expect says, in any print form."""
    if model is None and name == "tag" and claimed == "(auto-assigned)":
        return True
    if model == UNKNOWN or (
        model is None and name in ("allow-service", "interfaces", "members", "tag", "mtu")
    ):
        return None if model == UNKNOWN else False
    if claimed.endswith((" or more", " or less")):
        number, _, way = claimed.rpartition(" or ")
        if model is None and name == "mtu":
            model = "1500"
        return int(str(model)) >= int(number) if way == "more" else int(str(model)) <= int(number)
    if name == "allow-service":
        return _services(model) == _services(claimed)
    if name == "monitor":
        mine = set() if model in ((), "none") else {_short(m) for m in _as_names(model)}
        return mine == ({_short(m) for m in claimed.split(" and ")} - {"none"})
    if isinstance(model, dict) or name in ("members", "interfaces"):
        return _block(model) == _block(claimed)
    return _short(str(model)) == _short(claimed)


def _short(name: str) -> str:
    return name.removeprefix("/Common/")


def _as_names(value: object) -> tuple[str, ...]:
    if isinstance(value, tuple):
        return tuple(str(v) for v in value)
    if isinstance(value, dict):
        return tuple(str(k) for k in value)
    return tuple(str(value).split(" and "))


def _block(value: object) -> dict[str, tuple[str, ...]]:
    """A braced list as {name: body words}, from the model or from Expect text."""
    if isinstance(value, dict):
        items = [(str(k), tuple(v) if v else ()) for k, v in value.items()]
    else:
        text = str(value).strip()
        inner = text[1:-1] if text.startswith("{") and text.endswith("}") else text
        items = [(k, tuple(v) if v else ()) for k, v in parse_block(inner)]
    return {_short(k): tuple(sorted(v)) for k, v in items}


def _services(value: object) -> frozenset[tuple[str, str]] | str:
    """allow-service in one canonical form: a keyword, or the set of (protocol, port) numbers."""
    if isinstance(value, str) and value in ("none", "default", "all"):
        return value
    names = _as_names(value) if not isinstance(value, str) else tuple(value.strip("{} ").split())
    if names in (("default",), ("all",)):
        return names[0]
    canonical = set()
    for entry in names:
        proto, _, port = entry.partition(":")
        proto = _PROTOCOLS.get(proto, proto)
        port = "0" if port == "any" else _PORTS.get(port, port)
        canonical.add((proto, port))
    return frozenset(canonical)


def _admits(value: object, entries: list[str]) -> bool | None:
    """Whether a lockdown admits every entry (protocol:0 or udp:port, in any print form)."""
    if value == UNKNOWN:
        return None
    services = _services(value)
    if services == "all":
        return True
    wanted = _services(" ".join(entries))
    return isinstance(services, frozenset) and isinstance(wanted, frozenset) and wanted <= services
